"""The Spotify HTTP client turns every answer Spotify gives into data or a named error."""

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from responses import matchers

from accounts.spotify import (
    AccessTokenExpired,
    InsufficientScope,
    InvalidGrant,
    NotRegistered,
    RateLimited,
    SpotifyClient,
    SpotifyError,
    SpotifyUnavailable,
)

TOKEN_URL = "https://accounts.spotify.com/api/token"
ME_URL = "https://api.spotify.com/v1/me"
RECENT_URL = "https://api.spotify.com/v1/me/player/recently-played"


@pytest.fixture
def client():
    return SpotifyClient.from_settings()


def test_the_authorize_url_asks_for_the_one_scope_with_pkce(client):
    url = client.authorize_url(
        redirect_uri="http://127.0.0.1:8000/auth/callback", state="s1", code_challenge="c1"
    )
    parts = urlsplit(url)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://accounts.spotify.com/authorize"
    )
    assert {key: value[0] for key, value in parse_qs(parts.query).items()} == {
        "client_id": "test-client-id",
        "response_type": "code",
        "redirect_uri": "http://127.0.0.1:8000/auth/callback",
        "scope": "user-read-recently-played",
        "state": "s1",
        "code_challenge_method": "S256",
        "code_challenge": "c1",
    }


@responses.activate
def test_it_exchanges_a_code_with_basic_auth_and_the_verifier(client):
    basic = base64.b64encode(b"test-client-id:test-client-secret").decode()
    responses.post(
        TOKEN_URL,
        match=[
            matchers.header_matcher({"Authorization": f"Basic {basic}"}),
            matchers.urlencoded_params_matcher(
                {
                    "grant_type": "authorization_code",
                    "code": "the-code",
                    "redirect_uri": "http://r/cb",
                    "code_verifier": "the-verifier",
                }
            ),
        ],
        json={
            "access_token": "BQA",
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": "AQB",
            "scope": "user-read-recently-played",
        },
    )
    tokens = client.exchange_code(
        code="the-code", redirect_uri="http://r/cb", code_verifier="the-verifier"
    )
    assert (tokens.access_token, tokens.refresh_token, tokens.expires_in) == ("BQA", "AQB", 3600)


@responses.activate
def test_a_refresh_without_a_new_refresh_token_says_so(client):
    responses.post(TOKEN_URL, json={"access_token": "BQB", "expires_in": 3600, "scope": ""})
    assert client.refresh("AQB").refresh_token is None


@responses.activate
def test_invalid_grant_is_its_own_error(client):
    responses.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_grant", "error_description": "Refresh token revoked"},
    )
    with pytest.raises(InvalidGrant, match="invalid_grant: Refresh token revoked"):
        client.refresh("AQB")


@responses.activate
def test_an_invalid_client_is_a_plain_error(client):
    responses.post(
        TOKEN_URL,
        status=401,
        json={"error": "invalid_client", "error_description": "Invalid client"},
    )
    with pytest.raises(SpotifyError, match="invalid_client") as raised:
        client.refresh("AQB")
    assert not isinstance(raised.value, InvalidGrant)
    assert raised.value.status == 401


@responses.activate
def test_it_reads_the_profile_with_the_bearer_token(client):
    responses.get(
        ME_URL,
        match=[matchers.header_matcher({"Authorization": "Bearer BQA"})],
        json={"id": "alice", "display_name": "Alice", "account_id": "acc-1"},
    )
    assert client.me("BQA")["account_id"] == "acc-1"


@responses.activate
def test_recently_played_sends_limit_and_one_cursor(client):
    responses.get(
        RECENT_URL,
        match=[matchers.query_param_matcher({"limit": "50", "after": "1700000000123"})],
        json={"items": [], "cursors": None},
    )
    assert client.recently_played("BQA", after_ms=1700000000123)["items"] == []
    with pytest.raises(ValueError, match="either after or before"):
        client.recently_played("BQA", after_ms=1, before_ms=2)


@responses.activate
def test_a_429_carries_retry_after_in_seconds(client):
    responses.get(
        RECENT_URL,
        status=429,
        headers={"Retry-After": "7200"},
        json={"error": {"status": 429, "message": "API rate limit exceeded"}},
    )
    with pytest.raises(RateLimited) as raised:
        client.recently_played("BQA")
    assert raised.value.retry_after == 7200


@responses.activate
def test_a_429_without_a_usable_retry_after_waits_a_minute(client):
    responses.get(RECENT_URL, status=429, headers={"Retry-After": "soon"})
    with pytest.raises(RateLimited) as raised:
        client.recently_played("BQA")
    assert raised.value.retry_after == 60


@responses.activate
def test_an_expired_access_token_is_its_own_error(client):
    responses.get(
        ME_URL, status=401, json={"error": {"status": 401, "message": "The access token expired"}}
    )
    with pytest.raises(AccessTokenExpired, match="The access token expired"):
        client.me("BQA")


@pytest.mark.parametrize(
    "body",
    [
        {"body": "User not registered in the Developer Dashboard"},
        {
            "json": {
                "error": {
                    "status": 403,
                    "message": "User not registered in the Developer Dashboard",
                }
            }
        },
    ],
)
@responses.activate
def test_a_listener_missing_from_the_allow_list_is_recognised_in_text_or_json(client, body):
    responses.get(ME_URL, status=403, **body)
    with pytest.raises(NotRegistered):
        client.me("BQA")


@responses.activate
def test_another_403_is_a_plain_error(client):
    responses.get(
        ME_URL, status=403, json={"error": {"status": 403, "message": "Insufficient client scope"}}
    )
    with pytest.raises(SpotifyError, match="Insufficient client scope") as raised:
        client.me("BQA")
    assert not isinstance(raised.value, NotRegistered)


@pytest.mark.parametrize("status", [500, 502, 503])
@responses.activate
def test_server_errors_are_worth_retrying_later(client, status):
    responses.get(
        ME_URL, status=status, json={"error": {"status": status, "message": "Server error"}}
    )
    with pytest.raises(SpotifyUnavailable) as raised:
        client.me("BQA")
    assert raised.value.status == status


@pytest.mark.parametrize(
    ("status", "body", "said"),
    [
        (
            502,
            {"error": {"status": 502, "message": "Server error"}},
            "502 Bad Gateway: Server error",
        ),
        (503, None, "503 Service Unavailable"),
        (500, {"error": {"message": "Internal Server Error"}}, "500 Internal Server Error"),
        (404, {"error": {"status": 404, "message": "Not here"}}, "404 Not Found: Not here"),
    ],
)
@responses.activate
def test_an_error_says_the_http_status_spotify_answered(client, status, body, said):
    responses.get(ME_URL, status=status, json=body)
    with pytest.raises(SpotifyError) as raised:
        client.me("BQA")
    assert str(raised.value) == f"Spotify answered {said}"


@responses.activate
def test_timeouts_and_connection_failures_are_worth_retrying_later(client):
    responses.get(ME_URL, body=requests.Timeout())
    with pytest.raises(SpotifyUnavailable, match="did not answer"):
        client.me("BQA")
    responses.replace(responses.GET, ME_URL, body=requests.ConnectionError())
    with pytest.raises(SpotifyUnavailable, match="could not be reached"):
        client.me("BQA")


# --- beyond history: playlists, top items, search ------------------------------------------------

PLAYLISTS_URL = "https://api.spotify.com/v1/me/playlists"


@responses.activate
def test_create_playlist_posts_json_with_the_bearer_token(client):
    responses.post(
        PLAYLISTS_URL,
        json={"id": "p1"},
        status=201,
        match=[
            matchers.json_params_matcher({"name": "N", "public": False, "description": "D"}),
            matchers.header_matcher({"Authorization": "Bearer BQ"}),
        ],
    )
    assert client.create_playlist("BQ", name="N", description="D") == {"id": "p1"}


@responses.activate
def test_adding_items_sends_them_in_order_to_the_items_endpoint(client):
    uris = [f"spotify:track:{n:022d}" for n in range(3)]
    responses.post(
        "https://api.spotify.com/v1/playlists/p1/items",
        json={"snapshot_id": "s"},
        status=201,
        match=[matchers.json_params_matcher({"uris": uris})],
    )
    assert client.add_playlist_items("BQ", "p1", uris) == {"snapshot_id": "s"}


@pytest.mark.parametrize("count", [0, 101])
def test_adding_more_than_100_or_none_is_refused_before_sending(client, count):
    with pytest.raises(ValueError, match="1 to 100"):
        client.add_playlist_items("BQ", "p1", ["spotify:track:x"] * count)


def test_search_limit_is_at_most_10(client):
    with pytest.raises(ValueError, match="1 to 10"):
        client.search("BQ", "x", limit=11)


@responses.activate
def test_a_403_about_scopes_is_insufficient_scope_and_others_stay_errors(client):
    responses.get(
        "https://api.spotify.com/v1/me/top/tracks",
        json={"error": {"status": 403, "message": "Insufficient client scope"}},
        status=403,
    )
    responses.get(
        "https://api.spotify.com/v1/search",
        json={"error": {"status": 403, "message": "Forbidden"}},
        status=403,
    )
    with pytest.raises(InsufficientScope):
        client.top_items("BQ", "tracks")
    with pytest.raises(SpotifyError) as raised:
        client.search("BQ", "x")
    assert not isinstance(raised.value, InsufficientScope | NotRegistered)
