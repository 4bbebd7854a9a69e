"""Tokens never appear in admin pages, error pages or logs; the database holds ciphertext only."""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from accounts.crypto import encrypt_token
from accounts.models import Listener, LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return Listener.objects.create(
        spotify_user_id="alice",
        status=Listener.Status.ACTIVE,
        encrypted_access_token=encrypt_token("BQ-plain-access"),
        encrypted_refresh_token=encrypt_token("AQ-plain-refresh"),
    )


def assert_no_token(html, listener):
    for secret in (
        "BQ-plain-access",
        "AQ-plain-refresh",
        listener.encrypted_access_token,
        listener.encrypted_refresh_token,
    ):
        assert secret not in html


def test_the_admin_shows_status_and_expiry_but_no_token(admin_client, alice):
    listing = admin_client.get("/admin/db/accounts/listener/")
    change = admin_client.get(f"/admin/db/accounts/listener/{alice.pk}/change/")
    assert listing.status_code == change.status_code == 200
    for page in (listing, change):
        assert_no_token(page.content.decode(), alice)
    html = change.content.decode()
    assert "Refresh token expires at" in html
    assert "encrypted_refresh_token" not in html


@responses.activate
def test_a_whole_login_leaves_no_token_in_the_logs(client, django_capture_on_commit_callbacks):
    responses.post(
        "https://accounts.spotify.com/api/token",
        json={
            "access_token": "BQ-login-access",
            "expires_in": 3600,
            "refresh_token": "AQ-login-refresh",
        },
    )
    responses.get("https://api.spotify.com/v1/me", json={"id": "alice", "display_name": "Alice"})
    location = client.get("/auth/login")["Location"]
    state = parse_qs(urlsplit(location).query)["state"][0]
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/auth/callback", {"code": "the-code", "state": state})
    entries = list(LogEntry.objects.values_list("message", "context", "exception"))
    assert any("connected with Spotify" in message for message, _, _ in entries)
    text = repr(entries)
    for secret in ("BQ-login-access", "AQ-login-refresh", "the-code", state):
        assert secret not in text
