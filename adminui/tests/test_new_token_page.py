"""A new MCP token follows post/redirect/get: shown once, and reloading never creates another."""

import pytest

from adminui.tokens import NEW_TOKEN_SESSION_KEY
from mcp.tokens import active_tokens, authenticate

pytestmark = pytest.mark.django_db


def test_reloading_the_new_token_page_shows_no_secret_and_creates_no_token(
    listener_client, active_listener
):
    listener_client.post("/me/tokens", {"name": "Claude"})
    first = listener_client.get("/me/tokens/new")
    secret = first.context["secret"]
    assert authenticate(secret).listener == active_listener
    for _ in range(3):
        again = listener_client.get("/me/tokens/new")
        page = again.content.decode()
        assert again.status_code == 200 and "This token was shown already" in page
        assert secret not in page
    assert active_tokens(active_listener).count() == 1


def test_the_secret_waits_in_the_session_encrypted(listener_client, active_listener):
    listener_client.post("/me/tokens", {"name": "Claude"})
    saved = listener_client.session[NEW_TOKEN_SESSION_KEY]
    secret = listener_client.get("/me/tokens/new").context["secret"]
    assert secret not in str(saved) and saved["secret"].startswith("gAAAA")  # Fernet
    assert NEW_TOKEN_SESSION_KEY not in listener_client.session


def test_a_new_token_shows_only_on_the_page_of_its_own_listener(
    staff_client, active_listener, listener
):
    staff_client.post("/listeners/carol/tokens", {"name": "carol's"})
    other = staff_client.get("/listeners/alice/tokens/new").content.decode()
    assert "This token was shown already" in other
    own = staff_client.get("/listeners/carol/tokens/new")
    assert own.context["token"].listener == active_listener
    assert not active_tokens(listener).exists()


def test_the_token_page_without_a_new_token_creates_nothing(listener_client, active_listener):
    response = listener_client.get("/me/tokens/new")
    assert "This token was shown already" in response.content.decode()
    assert not active_tokens(active_listener).exists()
