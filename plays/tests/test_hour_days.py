"""The day rollup of hours (DayHourTotal: per UTC day its sums and its 24 hours' counted plays
and milliseconds) agrees with the fixture plays worked out in plain Python, stays exact when plays
are added or removed and when an artist is hidden or shown again."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from plays.excluding import hide_artist, show_artist
from plays.models import Artist, DayHourTotal, Play
from plays.rollups import ensure_fresh
from plays.tests.query_fixtures import MIN_PLAY_MS, FixturePlay, Track, catalogue, two_listeners
from plays.tests.test_queries_sessions_and_streaks import store_more

pytestmark = pytest.mark.django_db

HIDDEN = "Dawn Patrol"  # first artist of four tracks, featured on one of Cold Rivers'
SUMS = ("plays", "ms", "track_plays", "stored", "short_or_skipped")
HOURLY = tuple(f"p{hour}" for hour in range(24)) + tuple(f"m{hour}" for hour in range(24))


def expected_days(plays, hidden_artist=None):
    """{UTC day: {column: value}} of the plays, by the definition."""
    days = defaultdict(lambda: dict.fromkeys(SUMS + HOURLY, 0))
    for play in plays:
        if isinstance(play.item, Track) and hidden_artist in play.item.artists:
            continue
        hour = int(play.at.timestamp() // 3600)
        row = days[hour // 24]
        row["stored"] += 1
        if play.skipped is True or (play.ms_played is not None and play.ms_played < MIN_PLAY_MS):
            row["short_or_skipped"] += 1
        if play.counted:
            row["plays"] += 1
            row["ms"] += play.ms
            row["track_plays"] += play.kind == "track"
            row[f"p{hour % 24}"] += 1
            row[f"m{hour % 24}"] += play.ms
    return dict(days)


def stored_days(listener):
    ensure_fresh(listener)
    return {
        row["day"]: {name: row[name] for name in SUMS + HOURLY}
        for row in DayHourTotal.objects.filter(listener_id=listener.pk).values()
    }


def test_the_day_rows_hold_the_sums_of_their_hours():
    alice, plays, bob, bob_plays = two_listeners()
    assert stored_days(alice) == expected_days(plays)
    assert stored_days(bob) == expected_days(bob_plays)


def test_the_day_rows_follow_new_and_removed_plays():
    alice, plays, _, _ = two_listeners()
    assert stored_days(alice) == expected_days(plays)
    tracks, _ = catalogue("a")
    more = [
        FixturePlay(datetime(2031, 1, 5, 3, 10, tzinfo=UTC), tracks[2], "extended", 200_000, False),
        FixturePlay(plays[0].at + timedelta(minutes=61), tracks[3], "api", None, None),
        FixturePlay(plays[1].at + timedelta(minutes=3), tracks[1], "api", 1_000, True),
    ]
    store_more(alice, more)
    assert stored_days(alice) == expected_days(plays + more)
    gone = plays[5]
    Play.objects.filter(listener=alice, played_at=gone.at).delete()
    assert stored_days(alice) == expected_days([p for p in plays + more if p.at != gone.at])


def test_the_day_rows_leave_out_a_hidden_artist_until_shown_again():
    alice, plays, _, _ = two_listeners()
    artist = Artist.objects.get(name=HIDDEN)
    hide_artist(alice, artist.pk)
    assert stored_days(alice) == expected_days(plays, HIDDEN)
    show_artist(alice, artist.pk)
    assert stored_days(alice) == expected_days(plays)
