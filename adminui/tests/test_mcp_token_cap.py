"""A listener holds at most MCP_MAX_TOKENS_PER_LISTENER live MCP tokens (default 10), so minting
tokens can't multiply anything: the next one is refused with one clear sentence wherever it is
asked for (the listener's /me, the operator's listener page, `manage.py mcp_token`)."""

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from accounts.models import Listener
from mcp import tokens

pytestmark = pytest.mark.django_db

REFUSAL = "already holds 10 live MCP tokens"


def fill_up(listener, count=10):
    return [tokens.issue_token(listener, name=f"t{n}")[0] for n in range(count)]


def test_the_eleventh_live_token_is_refused_and_a_revoked_one_makes_room(listener, settings):
    assert settings.MCP_MAX_TOKENS_PER_LISTENER == 10
    issued = fill_up(listener)
    with pytest.raises(tokens.TooManyTokens, match=REFUSAL):
        tokens.issue_token(listener)
    assert tokens.active_tokens(listener).count() == 10
    tokens.revoke_token(issued[0])
    tokens.issue_token(listener)
    assert tokens.active_tokens(listener).count() == 10
    # Another listener's tokens are counted apart.
    tokens.issue_token(Listener.objects.create(spotify_user_id="bob"))


def test_the_listener_page_refuses_the_eleventh_with_the_reason(listener_client, active_listener):
    fill_up(active_listener)
    response = listener_client.post("/me/tokens", {"name": "one more"}, follow=True)
    assert response.redirect_chain == [("/me#tokens-card", 302)]
    assert REFUSAL in response.content.decode()
    assert "secret" not in response.context
    assert tokens.active_tokens(active_listener).count() == 10


def test_the_operators_page_refuses_the_eleventh_with_the_reason(staff_client, active_listener):
    fill_up(active_listener)
    response = staff_client.post("/listeners/carol/tokens", {"name": "one more"}, follow=True)
    assert response.redirect_chain == [("/listeners/carol", 302)]
    assert f"carol {REFUSAL}" in response.content.decode()
    assert tokens.active_tokens(active_listener).count() == 10


def test_the_command_refuses_the_eleventh_with_the_reason(listener):
    fill_up(listener)
    out = io.StringIO()
    with pytest.raises(CommandError, match=REFUSAL):
        call_command("mcp_token", "alice", stdout=out, stderr=io.StringIO())
    assert out.getvalue() == ""
    assert tokens.active_tokens(listener).count() == 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
def test_requests_at_once_cannot_pass_the_cap_together():
    listener = Listener.objects.create(spotify_user_id="racer")
    fill_up(listener, 8)
    start = threading.Barrier(6)
    outcomes = []

    def create():
        try:
            start.wait(10)
            tokens.issue_token(listener)
            outcomes.append("issued")
        except tokens.TooManyTokens:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["issued"] * 2 + ["refused"] * 4
    assert tokens.active_tokens(listener).count() == 10
