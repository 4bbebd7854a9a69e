"""Incremental authorization: `/auth/login?with=playlists` asks Spotify for the scopes assistants
need, the callback stores what Spotify granted, and a plain login asks for the base scope only."""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from accounts import scopes
from accounts.models import Listener

pytestmark = pytest.mark.django_db

TOKEN_URL = "https://accounts.spotify.com/api/token"
ME_URL = "https://api.spotify.com/v1/me"


def asked_scope(client, query=""):
    response = client.get(f"/auth/login{query}")
    assert response.status_code == 302
    params = parse_qs(urlsplit(response["Location"]).query)
    return params["scope"][0].split(), params["state"][0]


def test_a_plain_login_asks_only_for_recently_played(client):
    assert asked_scope(client)[0] == ["user-read-recently-played"]


def test_with_playlists_asks_for_the_assistant_scopes_too(client):
    assert asked_scope(client, "?with=playlists")[0] == [
        "user-read-recently-played",
        "playlist-modify-private",
        "playlist-modify-public",
        "playlist-read-private",
        "user-top-read",
    ]


def test_an_unknown_option_is_a_400_page_and_starts_nothing(client):
    response = client.get("/auth/login?with=everything")
    assert response.status_code == 400
    assert "playlists" in response.content.decode()
    assert not client.session.get("spotify_login_states")


@responses.activate
@pytest.mark.parametrize(
    "granted",
    ["user-read-recently-played", "user-read-recently-played user-top-read playlist-read-private"],
)
def test_the_callback_stores_the_scopes_spotify_granted(client, granted):
    _, state = asked_scope(client, "?with=playlists")
    responses.post(
        TOKEN_URL,
        json={
            "access_token": "BQ",
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": "AQ",
            "scope": granted,
        },
    )
    responses.get(ME_URL, json={"id": "alice", "display_name": "Alice"})
    client.get("/auth/callback", {"code": "c", "state": state})
    listener = Listener.objects.get()
    assert listener.scope == granted
    assert scopes.assistants_may_use_spotify(listener) is False  # not all were granted
    assert scopes.missing(listener, scopes.ASSISTANT_SCOPES)


def test_the_scope_helpers_read_what_is_stored():
    listener = Listener(scope=" ".join(scopes.BASE_SCOPES + scopes.ASSISTANT_SCOPES))
    assert scopes.assistants_may_use_spotify(listener)
    listener.scope = "user-read-recently-played user-top-read"
    assert scopes.missing(listener, scopes.ASSISTANT_SCOPES) == [
        "playlist-modify-private",
        "playlist-modify-public",
        "playlist-read-private",
    ]
    assert scopes.scopes_for_login(None) == scopes.BASE_SCOPES
    assert scopes.scopes_for_login("nope") is None
