"""A page that sent the visitor to log in (an assistant's consent page) gets them back after the
Spotify login: `/auth/login?next=PATH` keeps PATH with that login's state in the signed login
cookie (no session is stored before the login), and only a path on this site is ever followed."""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.contrib.sessions.models import Session

from accounts.oauth import MAX_RETURN_PATH, local_path
from accounts.tests.test_login import mock_spotify, pending_logins

pytestmark = pytest.mark.django_db

CONSENT = "/oauth/authorize?client_id=abc&state=xyz"


def start_login(client, **query):
    response = client.get("/auth/login", query)
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query)["state"][0]


@responses.activate
def test_the_login_ends_on_the_page_that_asked_for_it(client):
    mock_spotify()
    state = start_login(client, next=CONSENT)
    assert not Session.objects.exists()
    assert pending_logins(client)[state]["next"] == CONSENT
    response = client.get("/auth/callback", {"state": state, "code": "the-code"})
    assert response.status_code == 302
    assert response["Location"] == CONSENT


@responses.activate
def test_without_a_return_path_the_login_ends_on_the_connected_page(client):
    mock_spotify()
    state = start_login(client)
    response = client.get("/auth/callback", {"state": state, "code": "the-code"})
    assert response["Location"] == "/auth/connected"


@responses.activate
@pytest.mark.parametrize(
    "asked", ["https://attacker.example/", "//attacker.example/x", "/\\attacker.example"]
)
def test_a_return_path_to_another_site_is_ignored(client, asked):
    mock_spotify()
    state = start_login(client, next=asked)
    assert "next" not in pending_logins(client)[state]
    response = client.get("/auth/callback", {"state": state, "code": "the-code"})
    assert response["Location"] == "/auth/connected"


def test_a_return_path_too_long_for_the_cookie_is_dropped(client):
    state = start_login(client, next="/" + "a" * MAX_RETURN_PATH)
    assert "next" not in pending_logins(client)[state]


@pytest.mark.parametrize(
    "stored", ["https://attacker.example/", "//attacker.example/x", "/\\attacker.example", 42]
)
def test_only_a_local_path_is_ever_returned(stored):
    assert local_path(stored) is None
    assert local_path("/me") == "/me"
