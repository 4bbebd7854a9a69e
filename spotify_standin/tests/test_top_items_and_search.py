"""GET /v1/me/top/{type} from the generated history, and GET /v1/search over the catalogue."""

from __future__ import annotations

from collections import Counter

import pytest

from .support import api_get


def test_top_tracks_rank_the_listeners_own_plays(standin):
    token = standin.state.mint_tokens("alice", "user-top-read")["access_token"]
    counts = Counter(play["track_id"] for play in standin.state.plays("alice"))

    page = api_get(standin, "/me/top/tracks", token, time_range="long_term", limit=5).json()

    ids = [track["id"] for track in page["items"]]
    assert len(ids) == 5
    assert [counts[i] for i in ids] == sorted((counts[i] for i in ids), reverse=True)
    assert counts[ids[0]] == max(counts.values())
    assert page["total"] == len(counts)


def test_top_artists_are_artists(standin):
    token = standin.state.mint_tokens("alice", "user-top-read")["access_token"]

    page = api_get(standin, "/me/top/artists", token, limit=3).json()

    assert [item["type"] for item in page["items"]] == ["artist"] * 3


def test_top_items_need_user_top_read(standin):
    token = standin.state.mint_tokens("alice", "user-read-recently-played")["access_token"]

    response = api_get(standin, "/me/top/tracks", token)

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Insufficient client scope"


@pytest.mark.parametrize(
    ("params", "status"),
    [({"time_range": "forever"}, 400), ({"limit": "51"}, 400), ({"limit": "0"}, 400)],
)
def test_bad_top_parameters_are_400(standin, params, status):
    token = standin.state.mint_tokens("alice", "user-top-read")["access_token"]
    assert api_get(standin, "/me/top/tracks", token, **params).status_code == status


def test_search_finds_tracks_by_name(standin, tokens):
    track = standin.state.catalogue.tracks[0]

    body = api_get(standin, "/search", tokens["access_token"], q=track.name, type="track").json()

    assert track.id in [item["id"] for item in body["tracks"]["items"]]
    assert body["tracks"]["limit"] == 5


def test_search_limit_is_at_most_10(standin, tokens):
    ok = api_get(standin, "/search", tokens["access_token"], q="the", type="track", limit=10)
    refused = api_get(standin, "/search", tokens["access_token"], q="the", type="track", limit=11)

    assert ok.status_code == 200
    assert len(ok.json()["tracks"]["items"]) <= 10
    assert refused.status_code == 400


def test_search_needs_a_query_and_a_known_type(standin, tokens):
    assert api_get(standin, "/search", tokens["access_token"], type="track").status_code == 400
    assert api_get(standin, "/search", tokens["access_token"], q="x").status_code == 400
    assert (
        api_get(standin, "/search", tokens["access_token"], q="x", type="song").status_code == 400
    )


def test_search_of_several_types_answers_each(standin, tokens):
    artist = standin.state.catalogue.artists[0]

    body = api_get(
        standin, "/search", tokens["access_token"], q=artist.name, type="artist,album"
    ).json()

    assert artist.id in [item["id"] for item in body["artists"]["items"]]
    assert "albums" in body
