"""Login end to end over real HTTP: the app (live server) and the Spotify stand-in on 127.0.0.1.

A requests session plays the browser: it follows the redirects from /auth/login to the stand-in's
/authorize and back to /auth/callback, carrying the session cookie like a browser does.
"""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from accounts.crypto import decrypt_token
from accounts.models import Listener
from accounts.tokens import ReauthorizationRequired, access_token_for
from spotify_standin import StandinServer

CLIENT_ID, CLIENT_SECRET = "e2e-client", "e2e-client-secret"


@pytest.fixture
def standin():
    with StandinServer(
        "127.0.0.1",
        0,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        rotate_refresh_tokens=True,
    ) as server:
        server.state.authorize_as("alice")
        yield server


@pytest.fixture
def app(live_server, settings, standin):
    settings.SPOTIFY_ACCOUNTS_BASE_URL = standin.url
    settings.SPOTIFY_API_BASE_URL = standin.api_url
    settings.SPOTIFY_CLIENT_ID = CLIENT_ID
    settings.SPOTIFY_CLIENT_SECRET = CLIENT_SECRET
    settings.SPOTIFY_REDIRECT_URI = f"{live_server.url}/auth/callback"
    return live_server


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def log_in(app, browser):
    return browser.get(f"{app.url}/auth/login", timeout=10)


def test_login_ends_on_the_connected_page_with_encrypted_tokens(app, browser, standin):
    page = log_in(app, browser)
    assert page.status_code == 200
    assert page.url == f"{app.url}/auth/connected"
    assert "Connected: Alice" in page.text

    listener = Listener.objects.get(spotify_user_id="alice")
    assert listener.status == Listener.Status.ACTIVE
    assert listener.account_id == standin.state.user("alice")["account_id"]
    access = decrypt_token(listener.encrypted_access_token)
    assert access not in listener.encrypted_access_token
    assert access not in page.text
    me = requests.get(
        f"{standin.api_url}/me", headers={"Authorization": f"Bearer {access}"}, timeout=10
    )
    assert me.json()["id"] == "alice"


def test_refresh_persists_the_rotated_token_and_revocation_needs_reauth(app, browser, standin):
    log_in(app, browser)
    listener = Listener.objects.get(spotify_user_id="alice")
    first_refresh = decrypt_token(listener.encrypted_refresh_token)

    listener.access_token_expires_at = timezone.now() + timedelta(seconds=30)
    listener.save()
    new_access = access_token_for(listener)
    stored = Listener.objects.get(pk=listener.pk)
    assert decrypt_token(stored.encrypted_access_token) == new_access
    rotated_refresh = decrypt_token(stored.encrypted_refresh_token)
    assert rotated_refresh != first_refresh

    standin.state.revoke("alice")
    with pytest.raises(ReauthorizationRequired):
        access_token_for(stored, force_refresh=True)
    stored.refresh_from_db()
    assert stored.status == Listener.Status.NEEDS_REAUTH
    assert "Refresh token revoked" in stored.status_reason


def test_a_denied_login_stores_nothing(app, browser, standin):
    standin.state.authorize_as(deny=True)
    page = log_in(app, browser)
    assert page.status_code == 400
    assert "You declined the request" in page.text
    assert not Listener.objects.exists()


def test_a_listener_missing_from_the_allow_list_is_told_what_to_do(app, browser, standin):
    standin.state.inject_fault("me", status=403)
    page = log_in(app, browser)
    assert page.status_code == 403
    assert "Users and Access" in page.text
    assert not Listener.objects.exists()


def test_a_failing_token_endpoint_stores_nothing(app, browser, standin):
    standin.state.inject_fault("token", status=500)
    page = log_in(app, browser)
    assert page.status_code == 502
    assert "Nothing was stored" in page.text
    assert not Listener.objects.exists()


def test_a_replayed_callback_is_refused(app, browser, standin):
    log_in(app, browser)
    callback_url = next(
        r.headers["Location"]
        for r in log_in(app, browser).history
        if "/auth/callback" in r.headers.get("Location", "")
    )
    Listener.objects.all().delete()
    page = browser.get(callback_url, timeout=10)
    assert page.status_code == 400
    assert "already used" in page.text
    assert not Listener.objects.exists()


def test_forged_and_missing_states_are_refused(app, browser):
    log_in(app, browser)
    Listener.objects.all().delete()
    forged = browser.get(
        f"{app.url}/auth/callback", params={"code": "x", "state": "forged"}, timeout=10
    )
    missing = browser.get(f"{app.url}/auth/callback", params={"code": "x"}, timeout=10)
    assert (forged.status_code, missing.status_code) == (400, 400)
    assert not Listener.objects.exists()
