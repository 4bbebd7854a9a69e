"""GET /v1/me/player/recently-played: limit, after/before, the 50-play window, shapes."""

from __future__ import annotations

import re
import string

import pytest

from .support import recently_played

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _ms(items: list[dict], plays: list[dict]) -> list[int]:
    """played_at of response items as Unix ms (via the truth, which has both forms)."""
    by_iso = {play["played_at"]: play["played_at_ms"] for play in plays}
    return [by_iso[item["played_at"]] for item in items]


def test_it_returns_20_plays_by_default_newest_first(standin, tokens):
    truth = standin.state.plays("demo-listener")

    body = recently_played(standin, tokens["access_token"]).json()

    assert body["limit"] == 20
    assert _ms(body["items"], truth) == [p["played_at_ms"] for p in truth[-20:]][::-1]
    assert "total" not in body


@pytest.mark.parametrize("limit", ["0", "51", "-1", "ten"])
def test_a_limit_outside_1_to_50_is_refused(standin, tokens, limit):
    response = recently_played(standin, tokens["access_token"], limit=limit)

    assert response.status_code == 400
    assert response.json() == {"error": {"status": 400, "message": "Invalid limit"}}


@pytest.mark.parametrize("limit", [1, 50])
def test_limits_1_and_50_are_accepted(standin, tokens, limit):
    body = recently_played(standin, tokens["access_token"], limit=limit).json()

    assert len(body["items"]) == limit


def test_after_and_before_together_are_refused(standin, tokens):
    response = recently_played(standin, tokens["access_token"], after=1, before=2)

    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def test_it_returns_only_the_last_50_plays(standin, tokens):
    truth = standin.state.plays("demo-listener")
    assert len(truth) == 120

    newest = recently_played(standin, tokens["access_token"], limit=50).json()
    from_the_start = recently_played(standin, tokens["access_token"], limit=50, after=0).json()

    window = [p["played_at_ms"] for p in truth[-50:]][::-1]
    assert _ms(newest["items"], truth) == window
    assert _ms(from_the_start["items"], truth) == window
    assert [p["visible"] for p in truth] == [False] * 70 + [True] * 50


def test_paging_back_with_before_walks_the_window_then_ends_with_nothing(standin, tokens):
    truth = standin.state.plays("demo-listener")
    seen: list[int] = []
    page = recently_played(standin, tokens["access_token"], limit=7).json()
    while page["items"]:
        seen += _ms(page["items"], truth)
        assert page["next"].endswith(f"before={page['cursors']['before']}&limit=7")
        page = recently_played(
            standin, tokens["access_token"], limit=7, before=page["cursors"]["before"]
        ).json()

    assert seen == [p["played_at_ms"] for p in truth[-50:]][::-1]
    assert page["cursors"] is None
    assert page["next"] is None


def test_a_forward_walk_with_after_misses_nothing_in_the_window(standin, tokens):
    truth = standin.state.plays("demo-listener")
    seen: list[int] = []
    after = 0
    while True:
        page = recently_played(standin, tokens["access_token"], limit=10, after=after).json()
        if not page["items"]:
            break
        ms = _ms(page["items"], truth)
        assert ms == sorted(ms, reverse=True), "items come newest first"
        assert min(ms) > after
        seen += ms
        after = int(page["cursors"]["after"])

    assert sorted(seen) == [p["played_at_ms"] for p in truth[-50:]]


def test_a_poller_using_after_sees_every_new_play(standin, tokens):
    first = recently_played(standin, tokens["access_token"], limit=50).json()
    newest_seen = int(first["cursors"]["after"])

    added = standin.state.add_plays("demo-listener", count=30)
    page = recently_played(standin, tokens["access_token"], limit=50, after=newest_seen).json()
    nothing_new = recently_played(
        standin, tokens["access_token"], limit=50, after=page["cursors"]["after"]
    ).json()

    assert [item["played_at"] for item in page["items"]] == [a["played_at"] for a in added][::-1]
    assert nothing_new["items"] == []
    assert nothing_new["cursors"] is None


def test_after_is_exclusive_at_millisecond_precision(standin, tokens):
    truth = standin.state.plays("demo-listener")
    newest = truth[-1]["played_at_ms"]

    at_newest = recently_played(standin, tokens["access_token"], after=newest).json()
    just_before = recently_played(standin, tokens["access_token"], after=newest - 1).json()

    assert at_newest["items"] == []
    assert [item["played_at"] for item in just_before["items"]] == [truth[-1]["played_at"]]


def test_cursors_are_the_newest_and_oldest_played_at_in_milliseconds(standin, tokens):
    truth = standin.state.plays("demo-listener")

    body = recently_played(standin, tokens["access_token"], limit=5).json()

    assert body["cursors"] == {
        "after": str(truth[-1]["played_at_ms"]),
        "before": str(truth[-5]["played_at_ms"]),
    }
    assert body["href"] == f"{standin.api_url}/me/player/recently-played?limit=5"


def test_played_at_is_iso_utc_with_milliseconds(standin, tokens):
    items = recently_played(standin, tokens["access_token"], limit=50).json()["items"]

    assert all(ISO_MS.match(item["played_at"]) for item in items)
    assert items[0]["played_at"] == standin.state.plays("demo-listener")[-1]["played_at"]


def test_items_carry_spotify_shaped_tracks_and_contexts(standin, tokens):
    items = recently_played(standin, tokens["access_token"], limit=50).json()["items"]
    track = items[0]["track"]

    assert len(track["id"]) == 22 and set(track["id"]) <= set(string.ascii_letters + string.digits)
    assert track["uri"] == f"spotify:track:{track['id']}"
    assert track["href"] == f"{standin.api_url}/tracks/{track['id']}"
    assert track["type"] == "track" and track["is_local"] is False
    assert len(track["external_ids"]["isrc"]) == 12
    for key in ("name", "duration_ms", "explicit", "track_number", "disc_number", "popularity"):
        assert key in track
    artist = track["artists"][0]
    assert set(artist) >= {"id", "name", "uri", "type", "href", "external_urls"}
    album = track["album"]
    assert set(album) >= {"id", "name", "album_type", "release_date", "release_date_precision"}
    assert album["artists"] and album["total_tracks"] >= 1
    assert [image["width"] for image in album["images"]] == [640, 300, 64]
    assert all(image["url"].startswith("https://i.scdn.co/image/") for image in album["images"])
    contexts = [item["context"] for item in items]
    assert None in contexts
    for context in filter(None, contexts):
        assert context["type"] in ("playlist", "album", "artist")
        assert context["uri"].startswith(f"spotify:{context['type']}:")
        assert set(context) == {"type", "uri", "href", "external_urls"}


def test_it_needs_the_recently_played_scope(standin):
    tokens = standin.state.mint_tokens("demo-listener", scope="user-read-private")

    response = recently_played(standin, tokens["access_token"])

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Insufficient client scope"


def test_a_listener_with_fewer_than_50_plays_sees_them_all(standin):
    standin.state.add_user("newcomer", plays=3)
    token = standin.state.mint_tokens("newcomer")["access_token"]

    body = recently_played(standin, token, limit=50).json()

    assert len(body["items"]) == 3
