"""MCP tokens in the Django admin: listed by prefix, revocable, never created or shown there."""

import pytest
from django.contrib.auth.models import User

from mcp import tokens
from mcp.models import McpToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = User.objects.create_superuser("op", "op@example.org", "pw-for-tests-only")
    client.force_login(user)
    return client


def test_the_token_list_shows_prefixes_and_never_secrets_or_hashes(staff_client, listener):
    token, secret = tokens.issue_token(listener, name="Claude")
    page = staff_client.get("/admin/db/mcp/mcptoken/").content.decode()
    assert token.prefix in page
    assert "Claude" in page
    assert secret not in page
    assert token.token_hash not in page


def test_tokens_cannot_be_added_in_the_admin(staff_client):
    assert staff_client.get("/admin/db/mcp/mcptoken/add/").status_code == 403


def test_the_revoke_action_revokes_the_selected_tokens(staff_client, listener):
    token, secret = tokens.issue_token(listener)
    kept, kept_secret = tokens.issue_token(listener)
    response = staff_client.post(
        "/admin/db/mcp/mcptoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "Revoked 1 token(s)." in response.content.decode()
    assert tokens.authenticate(secret) is None
    assert tokens.authenticate(kept_secret) == kept
    assert McpToken.objects.get(pk=token.pk).revoked_at is not None
