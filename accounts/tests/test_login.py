"""Spotify login: /auth/login, /auth/callback and the connected page, with every bad callback."""

import base64
import hashlib
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.crypto import decrypt_token
from accounts.models import Listener
from accounts.oauth import (
    MAX_PENDING_STATES,
    PENDING_COOKIE,
    STATE_LIFETIME_SECONDS,
    pending_from_cookie,
)

TOKEN_URL = "https://accounts.spotify.com/api/token"
ME_URL = "https://api.spotify.com/v1/me"
pytestmark = pytest.mark.django_db


def start_login(client):
    response = client.get("/auth/login")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    return {key: values[0] for key, values in query.items()}


def pending_logins(client):
    """The logins this browser has started, as its signed cookie holds them."""
    return pending_from_cookie(client.cookies[PENDING_COOKIE].value)


def mock_spotify(access="BQ-access", refresh="AQ-refresh", profile=None):
    responses.post(
        TOKEN_URL,
        json={
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": refresh,
            "scope": "user-read-recently-played",
        },
    )
    responses.get(
        ME_URL, json=profile or {"id": "alice", "display_name": "Alice", "account_id": "acc-1"}
    )


def test_login_redirects_to_spotify_with_state_and_a_pkce_challenge(client):
    params = start_login(client)
    assert params["client_id"] == "test-client-id"
    assert params["scope"] == "user-read-recently-played"
    assert params["redirect_uri"] == "http://127.0.0.1:8000/auth/callback"
    assert params["code_challenge_method"] == "S256"
    verifier = pending_logins(client)[params["state"]]["verifier"]
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert params["code_challenge"] == expected.decode()


def test_each_login_gets_a_new_state(client):
    assert start_login(client)["state"] != start_login(client)["state"]


def test_starting_a_login_stores_no_session(client):
    """Anyone can open /auth/login without a cookie, as often as they like: nothing is stored."""
    for _ in range(3):
        start_login(Client())
    response = client.get("/auth/login")
    assert not Session.objects.exists()
    assert "sessionid" not in response.cookies
    cookie = response.cookies[PENDING_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/auth/"


def test_the_login_cookie_keeps_the_newest_few_logins(client):
    states = [start_login(client)["state"] for _ in range(MAX_PENDING_STATES + 2)]
    assert sorted(pending_logins(client)) == sorted(states[-MAX_PENDING_STATES:])


@responses.activate
def test_only_a_completed_login_starts_a_session(client):
    state = start_login(client)["state"]
    mock_spotify()
    client.get("/auth/callback", {"code": "c", "state": state})
    assert Session.objects.count() == 1
    assert client.get("/auth/connected").status_code == 200


@responses.activate
def test_the_callback_stores_the_listener_with_encrypted_tokens(client, settings):
    settings.INITIAL_SYNC_ENABLED = True
    state = start_login(client)["state"]
    mock_spotify()
    response = client.get("/auth/callback", {"code": "the-code", "state": state})
    assert response.status_code == 302
    assert response["Location"] == "/auth/connected"

    listener = Listener.objects.get()
    assert (listener.spotify_user_id, listener.display_name, listener.account_id) == (
        "alice",
        "Alice",
        "acc-1",
    )
    assert listener.status == Listener.Status.ACTIVE
    assert listener.needs_initial_sync is True
    assert listener.next_poll_at <= timezone.now()
    assert "AQ-refresh" not in listener.encrypted_refresh_token
    assert "BQ-access" not in listener.encrypted_access_token
    assert decrypt_token(listener.encrypted_refresh_token) == "AQ-refresh"
    assert decrypt_token(listener.encrypted_access_token) == "BQ-access"
    assert listener.access_token_expires_at - timezone.now() > timedelta(minutes=59)
    lifetime = listener.refresh_token_expires_at - listener.authorized_at
    assert timedelta(days=181) <= lifetime <= timedelta(days=184)
    token_request = responses.calls[0].request.body
    assert "code_verifier=" in token_request
    assert "code=the-code" in token_request


@responses.activate
def test_the_connected_page_says_who_and_what_is_collected_and_no_secret(client):
    state = start_login(client)["state"]
    mock_spotify()
    page = client.get("/auth/callback", {"code": "c", "state": state}, follow=True)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Connected: Alice" in html
    assert "recently played" in html
    assert "last 50 plays" in html
    listener = Listener.objects.get()
    for secret in ("BQ-access", "AQ-refresh", listener.encrypted_refresh_token):
        assert secret not in html


@responses.activate
def test_logging_in_again_updates_the_same_listener(client):
    Listener.objects.create(
        spotify_user_id="alice", status=Listener.Status.NEEDS_REAUTH, status_reason="revoked"
    )
    state = start_login(client)["state"]
    mock_spotify(profile={"id": "alice", "display_name": "Alice B."})
    client.get("/auth/callback", {"code": "c", "state": state})
    listener = Listener.objects.get()
    assert listener.display_name == "Alice B."
    assert (listener.status, listener.status_reason) == (Listener.Status.ACTIVE, "")


@responses.activate
def test_initial_sync_is_not_requested_when_disabled(client, settings):
    settings.INITIAL_SYNC_ENABLED = False
    state = start_login(client)["state"]
    mock_spotify()
    client.get("/auth/callback", {"code": "c", "state": state})
    assert Listener.objects.get().needs_initial_sync is False


def test_the_connected_page_needs_a_login(client):
    response = client.get("/auth/connected")
    assert response.status_code == 302
    assert response["Location"] == "/auth/login"


# --- every bad callback: a clear page, and nothing stored ----------------------------------


def assert_refused(response, status, words):
    assert response.status_code == status
    assert words in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert not Listener.objects.exists()


@responses.activate
def test_a_callback_without_state_is_refused(client):
    start_login(client)
    assert_refused(client.get("/auth/callback", {"code": "c"}), 400, "incomplete")
    assert len(responses.calls) == 0


@responses.activate
def test_a_forged_state_is_refused(client):
    start_login(client)
    response = client.get("/auth/callback", {"code": "c", "state": "forged"})
    assert_refused(response, 400, "not valid here")
    assert len(responses.calls) == 0


@responses.activate
def test_a_state_from_another_browser_is_refused(client, django_user_model):
    from django.test import Client

    state = start_login(Client())["state"]
    assert_refused(client.get("/auth/callback", {"code": "c", "state": state}), 400, "not valid")


@responses.activate
def test_a_replayed_state_is_refused(client):
    state = start_login(client)["state"]
    mock_spotify()
    client.get("/auth/callback", {"code": "c", "state": state})
    Listener.objects.all().delete()
    response = client.get("/auth/callback", {"code": "c", "state": state})
    assert_refused(response, 400, "already used")


@responses.activate
def test_a_tampered_login_cookie_is_refused(client):
    state = start_login(client)["state"]
    value = client.cookies[PENDING_COOKIE].value
    client.cookies[PENDING_COOKIE] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert_refused(client.get("/auth/callback", {"code": "c", "state": state}), 400, "not valid")
    assert len(responses.calls) == 0


@responses.activate
def test_an_expired_state_is_refused(client, monkeypatch):
    state = start_login(client)["state"]
    later = time.time() + STATE_LIFETIME_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert_refused(client.get("/auth/callback", {"code": "c", "state": state}), 400, "expired")
    assert len(responses.calls) == 0


@responses.activate
def test_a_denied_authorisation_is_explained(client):
    state = start_login(client)["state"]
    response = client.get("/auth/callback", {"error": "access_denied", "state": state})
    assert_refused(response, 400, "You declined the request")
    assert len(responses.calls) == 0


@responses.activate
def test_a_listener_missing_from_the_allow_list_is_told_what_to_do(client):
    state = start_login(client)["state"]
    responses.post(TOKEN_URL, json={"access_token": "a", "expires_in": 3600, "refresh_token": "r"})
    responses.get(ME_URL, status=403, body="User not registered in the Developer Dashboard")
    response = client.get("/auth/callback", {"code": "c", "state": state})
    assert_refused(response, 403, "Users and Access")


@responses.activate
def test_a_failing_token_endpoint_gives_a_plain_page(client):
    state = start_login(client)["state"]
    responses.post(TOKEN_URL, status=500, json={"error": "server_error"})
    response = client.get("/auth/callback", {"code": "c", "state": state})
    assert_refused(response, 502, "Nothing was stored")


@responses.activate
def test_a_refused_code_gives_a_plain_page(client):
    state = start_login(client)["state"]
    responses.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_grant", "error_description": "Invalid authorization code"},
    )
    response = client.get("/auth/callback", {"code": "c", "state": state})
    assert_refused(response, 400, "The authorisation code was refused")


def test_login_says_when_no_spotify_app_is_configured(client, settings):
    settings.SPOTIFY_CLIENT_ID = ""
    response = client.get("/auth/login")
    assert response.status_code == 503
    assert "SPOTIFY_CLIENT_ID" in response.content.decode()
