"""A page that sent the visitor to log in (an assistant's consent page) gets them back after the
Spotify login; only a path on this site is ever followed."""

import pytest
import responses

from accounts.oauth import RETURN_SESSION_KEY, remember_return_path, take_return_path
from accounts.tests.test_login import mock_spotify, start_login

pytestmark = pytest.mark.django_db


def remember(client, path):
    session = client.session
    remember_return_path(session, path)
    session.save()


@responses.activate
def test_the_login_ends_on_the_remembered_page(client):
    mock_spotify()
    remember(client, "/oauth/authorize?client_id=abc&state=xyz")
    params = start_login(client)
    response = client.get("/auth/callback", {"state": params["state"], "code": "the-code"})
    assert response.status_code == 302
    assert response["Location"] == "/oauth/authorize?client_id=abc&state=xyz"
    assert RETURN_SESSION_KEY not in client.session


@responses.activate
def test_without_a_remembered_page_the_login_ends_on_the_connected_page(client):
    mock_spotify()
    params = start_login(client)
    response = client.get("/auth/callback", {"state": params["state"], "code": "the-code"})
    assert response["Location"] == "/auth/connected"


@pytest.mark.parametrize(
    "stored", ["https://attacker.example/", "//attacker.example/x", "/\\attacker.example", 42]
)
def test_only_a_local_path_is_ever_returned(stored):
    session = {RETURN_SESSION_KEY: stored}
    assert take_return_path(session) is None
    assert RETURN_SESSION_KEY not in session
