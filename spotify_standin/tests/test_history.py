"""Deterministic generated histories, the catalogue, and adding plays."""

from __future__ import annotations

import itertools
from collections import Counter

from spotify_standin import StandinState

from .support import NOW, recently_played


def test_two_servers_with_the_same_seed_produce_the_same_plays(make_standin):
    first = make_standin(seed=7)
    second = make_standin(seed=7)

    assert first.state.plays("someone") == second.state.plays("someone")
    assert first.state.user("someone") == second.state.user("someone")


def test_a_different_seed_produces_different_plays():
    one = StandinState(seed=1, now=NOW).plays("someone")
    two = StandinState(seed=2, now=NOW).plays("someone")

    assert [p["track_id"] for p in one] != [p["track_id"] for p in two]


def test_each_listener_has_a_different_history():
    state = StandinState(now=NOW)

    alice = [p["track_id"] for p in state.plays("alice")]
    bob = [p["track_id"] for p in state.plays("bob")]

    assert alice != bob


def test_generated_plays_end_before_now_and_are_spaced_by_track_duration():
    state = StandinState(now=NOW, plays_per_user=200)
    plays = state.plays("someone")
    now_ms = state.now_ms

    assert len(plays) == 200
    assert plays[-1]["played_at_ms"] < now_ms
    for earlier, later in itertools.pairwise(plays):
        duration = state.catalogue.track(later["track_id"]).duration_ms
        assert later["played_at_ms"] - earlier["played_at_ms"] >= duration


def test_the_catalogue_has_hundreds_of_tracks_with_skewed_popularity():
    state = StandinState(now=NOW)
    catalogue = state.catalogue
    counts = Counter(p["track_id"] for i in range(30) for p in state.plays(f"user-{i}"))

    assert 200 <= len(catalogue.tracks) <= 500
    assert len(catalogue.artists) == 60
    assert len(catalogue.albums) == 100
    assert any(len(track.artists) == 2 for track in catalogue.tracks)
    top_ten = sum(count for _, count in counts.most_common(10))
    assert top_ten > 0.2 * sum(counts.values()), "a few tracks get a big share of plays"


def test_added_plays_come_after_the_latest_and_show_up_in_recently_played(standin, tokens):
    latest = standin.state.plays("demo-listener")[-1]["played_at_ms"]

    added = standin.state.add_plays("demo-listener", count=5)
    body = recently_played(standin, tokens["access_token"], limit=5).json()

    assert len(added) == 5
    assert added[0]["played_at_ms"] > latest
    assert [item["played_at"] for item in body["items"]] == [a["played_at"] for a in added][::-1]
    assert len(standin.state.plays("demo-listener")) == 125


def test_adding_plays_is_deterministic_too(make_standin):
    first, second = make_standin(), make_standin()

    assert first.state.add_plays("x", count=10) == second.state.add_plays("x", count=10)


def test_explicit_plays_are_inserted_in_time_order(standin, tokens):
    known = standin.state.catalogue.tracks[0].id
    items = [
        {"track_id": known, "played_at": "2030-01-01T00:00:00.500Z"},
        {"track_id": "0UnknownTrack000000000", "played_at": 1_893_456_000_000},
        {"track_id": known, "played_at": "2000-01-01T00:00:00Z", "context": None},
    ]

    standin.state.add_plays("demo-listener", items=items)
    truth = standin.state.plays("demo-listener")
    newest = recently_played(standin, tokens["access_token"], limit=2).json()["items"]

    assert truth[0]["played_at"] == "2000-01-01T00:00:00.000Z"
    assert [item["played_at"] for item in newest] == [
        "2030-01-01T00:00:00.500Z",
        "2030-01-01T00:00:00.000Z",
    ]
    assert newest[1]["track"]["id"] == "0UnknownTrack000000000"
    assert newest[1]["track"]["name"]


def test_a_user_can_start_with_explicit_plays_only(standin):
    track = standin.state.catalogue.tracks[3].id
    plays = [{"track_id": track, "played_at": 1_700_000_000_123, "context": "spotify:album:abc"}]

    standin.state.add_user("fresh", plays=plays)

    truth = standin.state.plays("fresh")
    assert [(p["track_id"], p["played_at_ms"], p["context"]) for p in truth] == [
        (track, 1_700_000_000_123, "spotify:album:abc")
    ]
