"""listening_summary, discoveries and compare_periods agree with counts made in plain Python."""

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from plays import queries
from plays.queries import Window
from plays.tests.query_fixtures import MIN_PLAY_MS, in_window, minutes, totals_by, two_listeners

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
WINDOWS = {
    "all time": Window(),
    "2024 in Paris": Window.parse("2024", "2024", tz=PARIS),
    "ragged": Window(
        datetime(2020, 6, 3, 10, 11, tzinfo=UTC), datetime(2023, 2, 9, 17, 45, tzinfo=UTC)
    ),
}


@pytest.mark.parametrize("window_name", list(WINDOWS))
def test_the_summary_adds_up(window_name):
    alice, plays, _, _ = two_listeners()
    window = WINDOWS[window_name]
    counted = in_window(plays, window.start, window.end)
    stored = in_window(plays, window.start, window.end, counted=False)
    tracks = [p for p in counted if p.kind == "track"]
    answer = queries.listening_summary(alice, window=window, tz=PARIS)

    assert answer["plays"] == len(counted)
    assert answer["minutes"] == minutes(sum(p.ms for p in counted))
    assert answer["track_plays"] == len(tracks)
    assert answer["unique_tracks"] == len({p.item for p in tracks})
    assert answer["unique_artists"] == len({p.artist for p in tracks})
    assert answer["first_play"] == min(p.at for p in counted).astimezone(PARIS).isoformat()
    assert answer["last_play"] == max(p.at for p in counted).astimezone(PARIS).isoformat()
    assert answer["repeat_rate"] == round(
        (len(tracks) - len({p.item for p in tracks})) / len(tracks), 4
    )
    short_or_skipped = [
        p for p in stored if p.skipped or (p.ms_played is not None and p.ms_played < MIN_PLAY_MS)
    ]
    assert answer["skipped_share"] == round(len(short_or_skipped) / len(stored), 4)

    hours = Counter(p.at.astimezone(PARIS).hour for p in counted)
    weekdays = Counter(p.at.astimezone(PARIS).isoweekday() for p in counted)
    assert answer["peak_hour"]["plays"] == max(hours.values())
    assert hours[answer["peak_hour"]["hour"]] == max(hours.values())
    assert answer["peak_weekday"]["plays"] == max(weekdays.values())
    assert weekdays[queries.WEEKDAYS.index(answer["peak_weekday"]["weekday"]) + 1] == max(
        weekdays.values()
    )

    by_artist = totals_by(tracks, lambda p: p.artist)
    assert [(a["name"], a["plays"]) for a in answer["top_artists"]] == [
        (a["name"], a["plays"]) for a in queries.top_artists(alice, window=window, limit=5)["items"]
    ]
    assert all(by_artist[a["name"]][0] == a["plays"] for a in answer["top_artists"])
    by_track = totals_by(tracks, lambda p: p.item.spotify_id)
    assert all(by_track[t["spotify_id"]][0] == t["plays"] for t in answer["top_tracks"])
    assert len(answer["top_tracks"]) == min(5, len(by_track))


def test_an_empty_window_gives_zeros_and_nulls():
    alice, _, _, _ = two_listeners()
    answer = queries.listening_summary(alice, window=Window.parse("2010", "2010", tz=UTC))
    assert answer["plays"] == 0 and answer["unique_tracks"] == 0
    assert answer["first_play"] is None and answer["peak_hour"] is None
    assert answer["repeat_rate"] is None and answer["skipped_share"] is None
    assert answer["top_artists"] == []


def _firsts(plays, key):
    firsts = {}
    for play in sorted((p for p in plays if p.counted and p.kind == "track"), key=lambda p: p.at):
        firsts.setdefault(key(play), play.at)
    return firsts


@pytest.mark.parametrize("window_name", list(WINDOWS))
def test_discoveries_are_what_was_first_heard_in_the_window(window_name):
    alice, plays, _, _ = two_listeners()
    window = WINDOWS[window_name]
    answer = queries.discoveries(alice, window=window, limit=100, tz=UTC)
    in_it = [p for p in in_window(plays, window.start, window.end) if p.kind == "track"]

    new_tracks = {
        track: first
        for track, first in _firsts(plays, lambda p: p.item).items()
        if window.contains(first)
    }
    assert answer["new_tracks"] == len(new_tracks)
    assert {(t["spotify_id"], t["first_play"], t["plays"]) for t in answer["tracks"]} == {
        (track.spotify_id, first.isoformat(), sum(1 for p in in_it if p.item == track))
        for track, first in new_tracks.items()
    }
    new_artists = {
        artist: first
        for artist, first in _firsts(plays, lambda p: p.artist).items()
        if window.contains(first)
    }
    assert answer["new_artists"] == len(new_artists)
    assert {(a["name"], a["first_play"], a["plays"]) for a in answer["artists"]} == {
        (artist, first.isoformat(), sum(1 for p in in_it if p.artist == artist))
        for artist, first in new_artists.items()
    }
    plays_order = [t["plays"] for t in answer["tracks"]]
    assert plays_order == sorted(plays_order, reverse=True)


def test_discoveries_in_a_later_year_leave_out_what_was_heard_before():
    alice, plays, _, _ = two_listeners()
    window = Window.parse("2024", "2024", tz=UTC)
    answer = queries.discoveries(alice, window=window, limit=100)
    heard_before = {p.item.spotify_id for p in plays if p.counted and p.at < window.start}
    assert answer["tracks"], "the fixture adds tracks every few months"
    assert not heard_before & {t["spotify_id"] for t in answer["tracks"]}
    assert len(queries.discoveries(alice, window=window, limit=1)["tracks"]) == 1


def test_compare_periods_puts_two_windows_side_by_side():
    alice, plays, _, _ = two_listeners()
    first = Window.parse("2022", "2022", tz=PARIS)
    second = Window(datetime(2023, 1, 1, tzinfo=UTC), datetime(2024, 7, 15, 12, tzinfo=UTC))
    answer = queries.compare_periods(alice, first=first, second=second, limit=50, tz=PARIS)
    sides = [in_window(plays, w.start, w.end) for w in (first, second)]
    for label, side in zip(("first", "second"), sides, strict=True):
        tracks = [p for p in side if p.kind == "track"]
        assert answer[label]["plays"] == len(side)
        assert answer[label]["minutes"] == minutes(sum(p.ms for p in side))
        assert answer[label]["unique_tracks"] == len({p.item for p in tracks})
        assert answer[label]["unique_artists"] == len({p.artist for p in tracks})
    assert answer["change"]["plays"] == len(sides[1]) - len(sides[0])
    assert answer["change"]["plays_percent"] == round(
        (len(sides[1]) - len(sides[0])) * 100 / len(sides[0]), 1
    )
    before = Counter(p.artist for p in sides[0] if p.kind == "track")
    after = Counter(p.artist for p in sides[1] if p.kind == "track")
    grew = {a: (before[a], after[a]) for a in before | after if after[a] > before[a]}
    faded = {a: (before[a], after[a]) for a in before | after if after[a] < before[a]}
    assert {
        r["name"]: (r["first_plays"], r["second_plays"]) for r in answer["artists"]["grew"]
    } == grew
    assert {
        r["name"]: (r["first_plays"], r["second_plays"]) for r in answer["artists"]["faded"]
    } == faded
    changes = [r["change"] for r in answer["artists"]["grew"]]
    assert changes == sorted(changes, reverse=True)
    track_before = Counter(p.item.spotify_id for p in sides[0] if p.kind == "track")
    track_after = Counter(p.item.spotify_id for p in sides[1] if p.kind == "track")
    assert sum(r["change"] for r in answer["tracks"]["grew"]) + sum(
        r["change"] for r in answer["tracks"]["faded"]
    ) == sum(track_after.values()) - sum(track_before.values())


def test_compare_periods_keeps_the_largest_changes_when_limited():
    """With a small limit, the answer keeps the tracks and artists whose plays changed most (the
    cut is made in SQL): their changes are the largest ones counted in plain Python."""
    alice, plays, _, _ = two_listeners()
    first = Window.parse("2022", "2022", tz=PARIS)
    second = Window(datetime(2023, 1, 1, tzinfo=UTC), datetime(2024, 7, 15, 12, tzinfo=UTC))
    answer = queries.compare_periods(alice, first=first, second=second, limit=2, tz=PARIS)
    sides = [in_window(plays, w.start, w.end) for w in (first, second)]
    for label, key in (("tracks", lambda p: p.item.spotify_id), ("artists", lambda p: p.artist)):
        before = Counter(key(p) for p in sides[0] if p.kind == "track")
        after = Counter(key(p) for p in sides[1] if p.kind == "track")
        changes = [after[k] - before[k] for k in before | after]
        grew = sorted((c for c in changes if c > 0), reverse=True)[:2]
        faded = sorted(c for c in changes if c < 0)[:2]
        assert [r["change"] for r in answer[label]["grew"]] == grew, label
        assert [r["change"] for r in answer[label]["faded"]] == faded, label
        assert grew and faded, "the fixture has changes both ways"
