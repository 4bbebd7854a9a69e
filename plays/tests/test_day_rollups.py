"""The day rollups (ItemDay: which UTC hours of each UTC day held plays, overall, per primary
artist and per item; DayTotal: stored plays per UTC day and source) agree with the fixture plays
worked out in plain Python, stay exact when plays are added or removed and when an artist is
hidden or shown again, and the streaks of one artist or track read from them agree with the
plain-Python streaks in every kind of zone (whole-hour offsets with DST, Kathmandu's +05:45 read
from the plays, ragged windows)."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plays import queries
from plays.excluding import hide_artist, show_artist
from plays.models import Artist, DayTotal, Item, ItemDay, Play
from plays.queries import Window
from plays.rollups import ensure_fresh
from plays.tests.query_fixtures import FixturePlay, Track, catalogue, two_listeners
from plays.tests.test_queries_sessions_and_streaks import expected_streaks, store_more

pytestmark = pytest.mark.django_db

HIDDEN = "Dawn Patrol"  # first artist of four tracks, featured on one of Cold Rivers'


def _day_and_bit(play):
    hour = int(play.at.timestamp() // 3600)
    return hour // 24, 1 << (hour % 24)


def expected_rows(plays, hidden_artist=None):
    """{(scope, key, day): (hours, stored_hours)} of the plays, by the definition."""
    items = {i.spotify_id: i.pk for i in Item.objects.all()}
    artists = dict(Artist.objects.values_list("name", "pk"))
    rows = defaultdict(lambda: [0, 0])
    for play in plays:
        day, bit = _day_and_bit(play)
        hidden = isinstance(play.item, Track) and hidden_artist in play.item.artists
        if play.counted:
            rows[("item", items[play.item.spotify_id], day)][0] |= bit
        if hidden:
            continue
        rows[("all", 0, day)][1] |= bit
        if play.counted:
            rows[("all", 0, day)][0] |= bit
            if play.artist is not None:
                rows[("artist", artists[play.artist], day)][0] |= bit
    return {key: tuple(value) for key, value in rows.items()}


def expected_totals(plays, hidden_artist=None):
    """{(UTC day, source): stored plays} of the plays, short ones included."""
    totals = defaultdict(int)
    for play in plays:
        if not (isinstance(play.item, Track) and hidden_artist in play.item.artists):
            totals[(_day_and_bit(play)[0], play.source)] += 1
    return dict(totals)


def stored_rows(listener):
    ensure_fresh(listener)
    return {
        (scope, key, day): (hours, stored)
        for scope, key, day, hours, stored in ItemDay.objects.filter(
            listener_id=listener.pk
        ).values_list("scope", "key", "day", "hours", "stored_hours")
    }


def stored_totals(listener):
    ensure_fresh(listener)
    return {
        (day, source): stored
        for day, source, stored in DayTotal.objects.filter(listener_id=listener.pk).values_list(
            "day", "source", "stored"
        )
    }


def test_the_day_rows_are_the_hours_of_the_plays():
    alice, plays, bob, bob_plays = two_listeners()
    assert stored_rows(alice) == expected_rows(plays)
    assert stored_rows(bob) == expected_rows(bob_plays)
    assert stored_totals(alice) == expected_totals(plays)
    assert stored_totals(bob) == expected_totals(bob_plays)


def test_the_day_rows_follow_new_and_removed_plays():
    alice, plays, _, _ = two_listeners()
    assert stored_rows(alice) == expected_rows(plays)
    tracks, _ = catalogue("a")
    # A new day, and a new hour on a day that has plays (the month is rebuilt).
    more = [
        FixturePlay(datetime(2031, 1, 5, 3, 10, tzinfo=UTC), tracks[2], "extended", 200_000, False),
        FixturePlay(plays[0].at + timedelta(minutes=61), tracks[3], "api", None, None),
    ]
    store_more(alice, more)
    assert stored_rows(alice) == expected_rows(plays + more)
    assert stored_totals(alice) == expected_totals(plays + more)
    gone = plays[5]
    Play.objects.filter(listener=alice, played_at=gone.at).delete()
    left = [p for p in plays + more if p.at != gone.at]
    assert stored_rows(alice) == expected_rows(left)
    assert stored_totals(alice) == expected_totals(left)


def test_the_day_rows_leave_out_a_hidden_artist_until_shown_again():
    alice, plays, _, _ = two_listeners()
    artist = Artist.objects.get(name=HIDDEN)
    hide_artist(alice, artist.pk)
    assert stored_rows(alice) == expected_rows(plays, HIDDEN)
    assert stored_totals(alice) == expected_totals(plays, HIDDEN)
    show_artist(alice, artist.pk)
    assert stored_rows(alice) == expected_rows(plays)
    assert stored_totals(alice) == expected_totals(plays)


RAGGED = Window(datetime(2022, 12, 1, 7, 30, tzinfo=UTC), datetime(2024, 4, 1, 0, 15, tzinfo=UTC))


@pytest.mark.parametrize(
    "zone", ["Europe/Paris", "America/New_York", "Asia/Tokyo", "Asia/Kathmandu", "UTC"]
)
@pytest.mark.parametrize("window", [Window(), RAGGED], ids=["all time", "ragged"])
def test_streaks_of_an_artist_and_a_track_in_any_zone(zone, window):
    alice, plays, _, _ = two_listeners()
    tz = ZoneInfo(zone)
    days, longest = expected_streaks(plays, tz, window, lambda p: p.artist == "Cold Rivers", 50)
    answer = queries.listening_streaks(alice, window, artist="Cold Rivers", tz=tz, limit=50)
    assert answer["longest"] == longest and answer["active_days"] == len(days)
    track = next(p.item for p in plays if p.artist == "Cold Rivers")
    days, longest = expected_streaks(plays, tz, window, lambda p: p.item == track, 50)
    answer = queries.listening_streaks(alice, window, track=track.spotify_id, tz=tz, limit=50)
    assert answer["longest"] == longest and answer["active_days"] == len(days)


def test_an_artist_streak_leaves_out_their_tracks_featuring_a_hidden_artist():
    alice, plays, _, _ = two_listeners()
    featuring = [p for p in plays if p.artist == "Cold Rivers" and HIDDEN in p.item.artists]
    assert featuring, "the fixture has a Cold Rivers track featuring the hidden artist"
    hide_artist(alice, Artist.objects.get(name=HIDDEN).pk)
    tz = ZoneInfo("Europe/Paris")

    def kept(p):
        return p.artist == "Cold Rivers" and HIDDEN not in p.item.artists

    days, longest = expected_streaks(plays, tz, Window(), kept, 50)
    answer = queries.listening_streaks(alice, artist="Cold Rivers", tz=tz, limit=50)
    assert answer["longest"] == longest and answer["active_days"] == len(days)
