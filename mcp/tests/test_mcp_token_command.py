"""`manage.py mcp_token`: prints a new token once, lists and revokes a listener's tokens."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from mcp import tokens
from mcp.models import McpToken

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("mcp_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_a_new_working_token_once_and_stores_only_its_hash(listener):
    out, err = run("alice", "--name", "Claude")
    secret = out.strip()
    assert secret.startswith("shm_")
    token = McpToken.objects.get()
    assert token.listener == listener
    assert token.name == "Claude"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert tokens.authenticate(secret) == token
    assert "shown only this once" in err
    assert secret not in err


def test_it_prints_client_configuration_for_a_base_url(listener):
    out, _ = run("alice", "--base-url", "https://history.example.org")
    secret = out.splitlines()[0]
    assert "claude mcp add --transport http spotify-history https://history.example.org/mcp" in out
    assert f"Bearer {secret}" in out
    assert "https://history.example.org/mcp/openapi.json" in out


def test_an_unknown_listener_is_a_clear_error_and_creates_nothing(listener):
    with pytest.raises(CommandError, match="No listener has the Spotify user id 'mallory'"):
        run("mallory")
    assert McpToken.objects.count() == 0


def test_it_lists_active_tokens_by_prefix_without_secrets(listener):
    token, secret = tokens.issue_token(listener, name="Claude")
    revoked, _ = tokens.issue_token(listener, name="old")
    tokens.revoke_token(revoked)
    out, _ = run("alice", "--list")
    assert out == f"{token.prefix}…  Claude  last used never\n"
    assert secret not in out


def test_it_revokes_a_token_by_prefix(listener):
    token, secret = tokens.issue_token(listener)
    out, _ = run("alice", "--revoke", token.prefix)
    assert out == f"Revoked {token.prefix}….\n"
    assert tokens.authenticate(secret) is None


def test_revoking_an_unknown_prefix_is_a_clear_error(listener):
    with pytest.raises(CommandError, match="alice has no active token 'shm_nope'"):
        run("alice", "--revoke", "shm_nope")


def test_the_command_runs_as_a_real_manage_py_process(run_manage, tmp_path):
    env = {"DATA_DIR": str(tmp_path / "cmd"), "DEBUG": "true"}
    assert run_manage("migrate", "--no-input", env=env).returncode == 0
    created = run_manage(
        "shell",
        "-c",
        "from accounts.models import Listener; Listener.objects.create(spotify_user_id='zoe')",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    result = run_manage("mcp_token", "zoe", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("shm_")
    missing = run_manage("mcp_token", "nobody", env=env)
    assert missing.returncode == 1
    assert "No listener has the Spotify user id 'nobody'" in missing.stderr
