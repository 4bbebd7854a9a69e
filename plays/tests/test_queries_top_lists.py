"""top_artists, top_tracks and top_albums agree with counts made in plain Python."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from plays import queries
from plays.queries import Window
from plays.tests.query_fixtures import in_window, minutes, totals_by, two_listeners

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
WINDOWS = {
    "all time": (None, None),
    "2024 in Paris": (
        datetime(2023, 12, 31, 23, tzinfo=UTC),
        datetime(2024, 12, 31, 23, tzinfo=UTC),
    ),
    "from March 2021": (datetime(2021, 2, 28, 23, tzinfo=UTC), None),
}


def _window(name):
    start, end = WINDOWS[name]
    return Window(start, end)


def _expected(plays, key, by):
    totals = totals_by([p for p in plays if p.kind == "track"], key)
    rows = [(name, count, minutes(ms), ms) for name, (count, ms) in totals.items()]
    order = 1 if by == "plays" else 3
    return sorted(rows, key=lambda r: -r[order])


def _check_ranking(items, expected, by):
    assert [item["rank"] for item in items] == list(range(1, len(items) + 1))
    measure = [item["plays"] if by == "plays" else item["minutes"] for item in items]
    assert measure == sorted(measure, reverse=True)
    assert len(items) == len(expected)


@pytest.mark.parametrize("window_name", list(WINDOWS))
@pytest.mark.parametrize("by", ["plays", "time"])
def test_top_artists_count_each_tracks_plays_for_its_primary_artist(window_name, by):
    alice, plays, _, _ = two_listeners()
    counted = in_window(plays, *WINDOWS[window_name])
    expected = _expected(counted, lambda p: p.artist, by)
    answer = queries.top_artists(alice, window=_window(window_name), limit=100, by=by)
    _check_ranking(answer["items"], expected, by)
    assert {(i["name"], i["plays"], i["minutes"]) for i in answer["items"]} == {
        r[:3] for r in expected
    }
    assert answer["min_play_seconds"] == 30


@pytest.mark.parametrize("window_name", list(WINDOWS))
@pytest.mark.parametrize("by", ["plays", "time"])
def test_top_tracks_name_their_artists_and_album(window_name, by):
    alice, plays, _, _ = two_listeners()
    counted = in_window(plays, *WINDOWS[window_name])
    expected = _expected(counted, lambda p: p.item, by)
    answer = queries.top_tracks(alice, window=_window(window_name), limit=100, by=by)
    _check_ranking(answer["items"], expected, by)
    assert {
        (i["spotify_id"], i["name"], tuple(i["artists"]), i["album"], i["plays"], i["minutes"])
        for i in answer["items"]
    } == {(t.spotify_id, t.name, t.artists, t.album, count, mins) for t, count, mins, _ in expected}


@pytest.mark.parametrize("window_name", list(WINDOWS))
def test_top_albums_add_up_their_tracks(window_name):
    alice, plays, _, _ = two_listeners()
    counted = in_window(plays, *WINDOWS[window_name])
    expected = _expected(counted, lambda p: (p.item.album, p.artist), "plays")
    answer = queries.top_albums(alice, window=_window(window_name), limit=100)
    _check_ranking(answer["items"], expected, "plays")
    assert {
        (i["name"], tuple(i["artists"]), i["plays"], i["minutes"]) for i in answer["items"]
    } == {(album, (artist,), count, mins) for (album, artist), count, mins, _ in expected}


def test_a_limit_keeps_the_head_of_the_full_ranking():
    alice, _, _, _ = two_listeners()
    full = queries.top_tracks(alice, limit=100)["items"]
    assert queries.top_tracks(alice, limit=3)["items"] == full[:3]


def test_short_plays_do_not_count_but_api_plays_without_a_length_do():
    alice, plays, _, _ = two_listeners()
    short = [p for p in plays if p.kind == "track" and not p.counted]
    unknown = [p for p in plays if p.kind == "track" and p.ms_played is None]
    assert short and unknown, "the fixture must have both"
    stored = sum(i["plays"] for i in queries.top_tracks(alice, limit=100)["items"])
    assert stored == len([p for p in plays if p.kind == "track"]) - len(short)


def test_a_higher_minimum_counts_fewer_plays(settings):
    alice, plays, _, _ = two_listeners()
    settings.MIN_PLAY_MS = 120_000
    expected = sum(
        1 for p in plays if p.kind == "track" and (p.ms_played is None or p.ms_played >= 120_000)
    )
    answer = queries.top_artists(alice, limit=100)
    assert sum(i["plays"] for i in answer["items"]) == expected
    assert answer["min_play_seconds"] == 120


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda who: queries.top_artists(who, by="love"), "'by' must be 'plays'"),
        (lambda who: queries.top_tracks(who, limit=0), "'limit' must be a whole number from 1"),
        (lambda who: queries.top_albums(who, limit=101), "'limit' must be a whole number from 1"),
    ],
)
def test_bad_arguments_are_refused_with_a_sentence(listener, call, message):
    with pytest.raises(queries.QueryError, match=message):
        call(listener)
