"""Bad configuration stops `manage.py check` with one clear line, never a traceback."""

import pytest
from cryptography.fernet import Fernet

from spotify_history.checks import fernet_key_problems, redirect_uri_problem

GOOD_KEY = Fernet.generate_key().decode()
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-key-that-is-long-enough-0123456789",
    "TOKEN_ENCRYPTION_KEY": GOOD_KEY,
    "ADMIN_AUTH_MODE": "token",
    "ADMIN_TOKEN": "an-admin-token-for-tests-0123456789",
}


def error_lines(result):
    return [line for line in result.stderr.splitlines() if "spotify_history.E" in line]


def test_it_passes_with_complete_production_settings(run_manage):
    result = run_manage("check", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_it_rejects_a_malformed_token_encryption_key_in_one_line(run_manage):
    result = run_manage("check", env={**PRODUCTION, "TOKEN_ENCRYPTION_KEY": "not-a-fernet-key"})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    [line] = error_lines(result)
    assert "TOKEN_ENCRYPTION_KEY: key #1 of 1 is not a valid Fernet key" in line
    assert "not-a-fernet-key" not in result.stderr


def test_it_names_which_key_of_a_rotation_list_is_malformed(run_manage):
    keys = f"{GOOD_KEY},broken"
    result = run_manage("check", env={**PRODUCTION, "TOKEN_ENCRYPTION_KEY": keys})
    [line] = error_lines(result)
    assert "key #2 of 2" in line


def test_it_rejects_token_admin_mode_without_admin_token_in_production(run_manage):
    result = run_manage("check", env={**PRODUCTION, "ADMIN_TOKEN": ""})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    [line] = error_lines(result)
    assert "ADMIN_AUTH_MODE=token needs ADMIN_TOKEN" in line


def test_it_rejects_basic_admin_mode_without_credentials(run_manage):
    result = run_manage("check", env={**PRODUCTION, "ADMIN_AUTH_MODE": "basic"})
    [line] = error_lines(result)
    assert "ADMIN_AUTH_MODE=basic needs both ADMIN_USERNAME and ADMIN_PASSWORD" in line


def test_it_rejects_an_unknown_admin_mode(run_manage):
    result = run_manage("check", env={**PRODUCTION, "ADMIN_AUTH_MODE": "oauth"})
    [line] = error_lines(result)
    assert "ADMIN_AUTH_MODE must be 'token' or 'basic', not 'oauth'" in line


def test_it_requires_secret_key_and_encryption_key_in_production(run_manage):
    env = {**PRODUCTION, "SECRET_KEY": "", "TOKEN_ENCRYPTION_KEY": ""}
    result = run_manage("check", env=env)
    lines = error_lines(result)
    assert any("SECRET_KEY is not set" in line for line in lines)
    assert any("TOKEN_ENCRYPTION_KEY is not set" in line for line in lines)


def test_it_only_warns_about_missing_secrets_in_debug(run_manage):
    result = run_manage("check", env={"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert "TOKEN_ENCRYPTION_KEY is not set" in result.stderr + result.stdout


def test_it_rejects_a_localhost_redirect_uri(run_manage):
    env = {**PRODUCTION, "SPOTIFY_REDIRECT_URI": "http://localhost:8000/auth/callback"}
    result = run_manage("check", env=env)
    [line] = error_lines(result)
    assert "uses 'localhost', which Spotify rejects" in line


@pytest.mark.parametrize(
    ("uri", "accepted"),
    [
        ("http://127.0.0.1:8000/auth/callback", True),
        ("http://[::1]:8000/auth/callback", True),
        ("https://history.example.org/auth/callback", True),
        ("http://history.example.org/auth/callback", False),
        ("http://localhost:8000/auth/callback", False),
        ("/auth/callback", False),
    ],
)
def test_it_accepts_only_redirect_uris_spotify_accepts(uri, accepted):
    assert (redirect_uri_problem(uri) is None) is accepted


def test_it_accepts_a_list_of_good_fernet_keys():
    assert fernet_key_problems([Fernet.generate_key().decode(), GOOD_KEY]) == []


def test_a_malformed_public_base_url_is_one_clear_error(run_manage):
    result = run_manage("check", env={**PRODUCTION, "PUBLIC_BASE_URL": "history.example.org/app"})
    assert result.returncode != 0
    [line] = error_lines(result)
    assert "spotify_history.E020" in line
    assert "PUBLIC_BASE_URL" in line


def test_check_deploy_requires_an_https_public_base_url(run_manage):
    result = run_manage("check", "--deploy", env=PRODUCTION)
    [line] = error_lines(result)
    assert "spotify_history.E021" in line
    good = run_manage(
        "check", "--deploy", env={**PRODUCTION, "PUBLIC_BASE_URL": "https://history.example.org"}
    )
    assert not error_lines(good), good.stderr


def test_check_deploy_refuses_the_loopback_metadata_switch_in_production(run_manage):
    env = {
        **PRODUCTION,
        "PUBLIC_BASE_URL": "https://history.example.org",
        "MCP_OAUTH_CIMD_ALLOW_LOOPBACK": "true",
    }
    [line] = error_lines(run_manage("check", "--deploy", env=env))
    assert "spotify_history.E022" in line


# --- weak admin secrets: `check --deploy` refuses them -----------------------------------------


def deploy_check(run_manage, **env):
    public = {"PUBLIC_BASE_URL": "https://history.example.org"}
    return run_manage("check", "--deploy", env={**PRODUCTION, **public, **env})


def test_the_deploy_check_passes_with_strong_admin_secrets(run_manage):
    result = deploy_check(
        run_manage,
        ADMIN_TOKEN="x" * 32,
        ADMIN_USERNAME="operator",
        ADMIN_PASSWORD="correct horse battery staple 42",
    )
    assert result.returncode == 0, result.stderr
    assert not error_lines(result)


def test_the_deploy_check_refuses_an_admin_token_shorter_than_32_characters(run_manage):
    token = "an-admin-token-of-31-characters"
    assert len(token) == 31
    result = deploy_check(run_manage, ADMIN_TOKEN=token)
    assert result.returncode != 0
    [line] = error_lines(result)
    assert "ADMIN_TOKEN is 31 characters long; use at least 32" in line
    assert token not in result.stderr + result.stdout


def test_a_short_admin_token_is_refused_in_basic_mode_too_since_mcp_accepts_it(run_manage):
    result = deploy_check(
        run_manage,
        ADMIN_AUTH_MODE="basic",
        ADMIN_TOKEN="short",
        ADMIN_USERNAME="operator",
        ADMIN_PASSWORD="correct horse battery staple 42",
    )
    [line] = error_lines(result)
    assert "ADMIN_TOKEN is 5 characters long" in line


@pytest.mark.parametrize(
    ("username", "password", "reason"),
    [
        ("operator", "qwertyuiop", "This password is too common"),
        ("operator", "Xy7!", "This password is too short"),
        ("operator", "8472937561029384", "This password is entirely numeric"),
        ("grace.hopper", "grace.hopper1", "too similar to the username"),
    ],
)
def test_the_deploy_check_refuses_an_admin_password_the_password_validators_refuse(
    run_manage, username, password, reason
):
    result = deploy_check(
        run_manage, ADMIN_USERNAME=username, ADMIN_PASSWORD=password, ADMIN_AUTH_MODE="basic"
    )
    assert result.returncode != 0
    [line] = error_lines(result)
    assert "ADMIN_PASSWORD fails Django's password validators" in line
    assert reason in line
    assert password not in result.stderr + result.stdout


def test_the_secrets_make_run_generates_pass_the_deploy_check(run_manage, tmp_path):
    from spotify_history.local_env import ensure_local_env

    env_file = tmp_path / "local.env"
    ensure_local_env(env_file)
    result = run_manage(
        "check",
        "--deploy",
        env={
            "ENV_FILE": str(env_file),
            "DEBUG": "false",
            "ADMIN_AUTH_MODE": "basic",
            "PUBLIC_BASE_URL": "https://history.example.org",
        },
    )
    assert result.returncode == 0, result.stderr
    assert not error_lines(result)


def test_it_rejects_a_token_cap_below_one(run_manage):
    result = run_manage("check", env={**PRODUCTION, "MCP_MAX_TOKENS_PER_LISTENER": "0"})
    assert result.returncode != 0
    [line] = error_lines(result)
    assert "MCP_MAX_TOKENS_PER_LISTENER must be at least 1" in line
