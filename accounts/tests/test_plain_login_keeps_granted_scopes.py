"""A plain Spotify login (`/auth/login`, no `?with=`) keeps the optional scopes a listener already
granted (playlists and lookups for assistants): with the listener's session it asks Spotify for
them too; without one, a callback whose grant lost them asks Spotify again, once, and ends where
the first login would have. Turning them off on /me still drops them."""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from accounts import scopes
from accounts.models import Listener
from accounts.oauth import LISTENER_SESSION_KEY

pytestmark = pytest.mark.django_db

TOKEN_URL = "https://accounts.spotify.com/api/token"
ME_URL = "https://api.spotify.com/v1/me"
BASE = list(scopes.BASE_SCOPES)
FULL = list(scopes.BASE_SCOPES + scopes.ASSISTANT_SCOPES)


def spotify_asked(response):
    """(scopes, state) of a redirect to Spotify's authorize page."""
    assert response.status_code == 302, response.content[:300]
    location = urlsplit(response["Location"])
    assert location.path.endswith("/authorize"), response["Location"]
    params = parse_qs(location.query)
    return params["scope"][0].split(), params["state"][0]


def spotify_grants(scope, user="alice"):
    responses.post(
        TOKEN_URL,
        json={
            "access_token": "BQ",
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": "AQ",
            "scope": " ".join(scope),
        },
    )
    responses.get(ME_URL, json={"id": user, "display_name": user.title()})


@pytest.fixture
def alice(db):
    return Listener.objects.create(spotify_user_id="alice", scope=" ".join(FULL))


def test_a_plain_login_from_the_listeners_session_asks_for_what_they_granted(client, alice):
    session = client.session
    session[LISTENER_SESSION_KEY] = alice.pk
    session.save()
    asked, _ = spotify_asked(client.get("/auth/login"))
    assert asked == FULL


@responses.activate
def test_a_plain_login_without_a_session_asks_again_for_the_scopes_it_lost(client, alice):
    asked, state = spotify_asked(client.get("/auth/login", {"next": "/oauth/authorize?x=1"}))
    assert asked == BASE  # nobody is known yet
    spotify_grants(BASE)
    again = client.get("/auth/callback", {"code": "c1", "state": state})
    asked, second_state = spotify_asked(again)
    assert asked == FULL
    spotify_grants(FULL)
    done = client.get("/auth/callback", {"code": "c2", "state": second_state})
    assert (done.status_code, done["Location"]) == (302, "/oauth/authorize?x=1")
    alice.refresh_from_db()
    assert alice.scope.split() == FULL
    assert scopes.assistants_may_use_spotify(alice)


@responses.activate
def test_the_second_login_is_asked_only_once(client, alice):
    _, state = spotify_asked(client.get("/auth/login"))
    spotify_grants(BASE)
    _, second_state = spotify_asked(client.get("/auth/callback", {"code": "c1", "state": state}))
    spotify_grants(BASE)  # Spotify granted less again: no loop, the listener lands as usual
    done = client.get("/auth/callback", {"code": "c2", "state": second_state})
    assert (done.status_code, done["Location"]) == (302, "/auth/connected")


@responses.activate
def test_a_new_listener_lands_at_once(client):
    _, state = spotify_asked(client.get("/auth/login"))
    spotify_grants(BASE, user="newcomer")
    done = client.get("/auth/callback", {"code": "c", "state": state})
    assert (done.status_code, done["Location"]) == (302, "/auth/connected")


@responses.activate
def test_turning_the_permissions_off_still_drops_them(client, alice):
    session = client.session
    session[LISTENER_SESSION_KEY] = alice.pk
    session.save()
    off = client.post("/me/permissions/off")
    assert off.status_code == 302
    asked, state = spotify_asked(client.get(off["Location"]))
    assert asked == BASE
    spotify_grants(BASE)
    done = client.get("/auth/callback", {"code": "c", "state": state})
    assert (done.status_code, done["Location"]) == (302, "/auth/connected")
    alice.refresh_from_db()
    assert alice.scope.split() == BASE


@responses.activate
def test_with_playlists_is_unchanged(client, alice):
    asked, _ = spotify_asked(client.get("/auth/login", {"with": "playlists"}))
    assert asked == FULL
