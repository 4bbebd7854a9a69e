"""rank_history and number_ones agree with ranks worked out in plain Python over the fixture
history: local months, years and weeks (DST zones, New Year in UTC but not in New York), and ties
sharing a rank."""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plays import queries
from plays.queries import QueryError, Window
from plays.tests.query_fixtures import Track, catalogue, two_listeners

pytestmark = pytest.mark.django_db

ZONES = ["Europe/Paris", "America/New_York", "Asia/Kathmandu", "UTC"]


def period_of(day, granularity):
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


KEYS = {
    "artist": lambda p: p.artist,
    "track": lambda p: p.item,
    "album": lambda p: (p.item.artists[0], p.item.album),
}


def counts_by_period(plays, tz, granularity, kind):
    """{period: Counter(key: counted plays of tracks)}."""
    counts = defaultdict(Counter)
    for play in plays:
        if play.counted and isinstance(play.item, Track):
            day = play.at.astimezone(tz).date()
            counts[period_of(day, granularity)][KEYS[kind](play)] += 1
    return counts


def competition_rank(counter, key):
    plays = counter.get(key, 0)
    return (1 + sum(1 for n in counter.values() if n > plays)) if plays else None


def periods_between(first, last, granularity):
    periods, day = [], first
    while day <= last:
        periods.append(day)
        if granularity == "week":
            day += timedelta(days=7)
        elif granularity == "month":
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            day = day.replace(year=day.year + 1)
    return periods


def label(day, granularity):
    return {"week": day.isoformat(), "month": day.isoformat()[:7], "year": str(day.year)}[
        granularity
    ]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("granularity", ["month", "year"])
@pytest.mark.parametrize("artist", ["Cold Rivers", "Ænima Collective", "Echo Lane"])
def test_an_artists_rank_in_each_period_is_its_competition_rank(zone, granularity, artist):
    alice, plays, _, _ = two_listeners()
    tz = ZoneInfo(zone)
    counts = counts_by_period(plays, tz, granularity, "artist")
    counted = [p for p in plays if p.counted]
    first = period_of(min(p.at for p in counted).astimezone(tz).date(), granularity)
    last = period_of(max(p.at for p in counted).astimezone(tz).date(), granularity)
    answer = queries.rank_history(alice, "artist", artist, granularity=granularity, tz=tz)
    assert answer["ranking"] == "competition"
    assert answer["item"]["name"] == artist
    assert [(row["period"], row["rank"], row["plays"]) for row in answer["periods"]] == [
        (
            label(period, granularity),
            competition_rank(counts[period], artist),
            counts[period][artist],
        )
        for period in periods_between(first, last, granularity)
    ]


def test_tied_items_share_a_rank_and_the_next_rank_skips():
    alice, plays, _, _ = two_listeners()
    counts = counts_by_period(plays, ZoneInfo("Europe/Paris"), "month", "artist")
    tied_rows = 0
    for artist in ["Cold Rivers", "Ænima Collective", "Echo Lane", "Dawn Patrol", "Björk Tribute"]:
        answer = queries.rank_history(alice, "artist", artist)
        for row in answer["periods"]:
            if row["rank"] is None:
                continue
            found = counts[date.fromisoformat(row["start"])]
            assert row["tied"] == sum(
                1 for name, n in found.items() if n == row["plays"] and name != artist
            )
            assert row["ranked"] == len(found)
            tied_rows += bool(row["tied"])
    assert tied_rows > 10  # the fixture has many ties: they were checked


def test_a_track_by_spotify_id_and_an_album_by_name():
    alice, plays, _, _ = two_listeners()
    tz = ZoneInfo("Europe/Paris")
    track = catalogue("a")[0][5]
    counts = counts_by_period(plays, tz, "year", "track")
    answer = queries.rank_history(
        alice, "track", f"spotify:track:{track.spotify_id}", granularity="year"
    )
    assert answer["item"] == {
        "kind": "track",
        "name": track.name,
        "spotify_id": track.spotify_id,
        "artists": list(track.artists),
    }
    for row in answer["periods"]:
        found = counts[date.fromisoformat(row["start"])]
        assert (row["rank"], row["plays"]) == (competition_rank(found, track), found[track])
    album_counts = counts_by_period(plays, tz, "month", "album")
    album = ("Dawn Patrol", "Dawn Patrol Album 1")
    answer = queries.rank_history(alice, "album", "Dawn Patrol Album 1")
    assert answer["item"]["artists"] == ["Dawn Patrol"]
    for row in answer["periods"]:
        found = album_counts[date.fromisoformat(row["start"])]
        assert (row["rank"], row["plays"]) == (competition_rank(found, album), found[album])


def test_a_window_picks_whole_local_periods():
    alice, plays, _, _ = two_listeners()
    ny = ZoneInfo("America/New_York")
    # From the middle of December 2023 to the middle of January 2024: both months, whole.
    window = Window(datetime(2023, 12, 15, tzinfo=UTC), datetime(2024, 1, 15, tzinfo=UTC))
    counts = counts_by_period(plays, ny, "month", "artist")
    answer = queries.rank_history(alice, "artist", "Cold Rivers", window, tz=ny)
    assert [row["period"] for row in answer["periods"]] == ["2023-12", "2024-01"]
    for row in answer["periods"]:
        found = counts[date.fromisoformat(row["start"])]
        assert row["plays"] == found["Cold Rivers"]
        assert row["ranked"] == len(found)


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Asia/Kathmandu"])
@pytest.mark.parametrize("granularity", ["week", "month", "year"])
@pytest.mark.parametrize("kind", ["artist", "track", "album"])
def test_number_ones_are_the_most_played_of_each_period(zone, granularity, kind):
    alice, plays, _, _ = two_listeners()
    tz = ZoneInfo(zone)
    window = Window(datetime(2023, 11, 20, tzinfo=UTC), datetime(2024, 11, 5, tzinfo=UTC))
    first = period_of(window.start.astimezone(tz).date(), granularity)
    last = period_of(window.end.astimezone(tz).date(), granularity)
    counts = counts_by_period(plays, tz, granularity, kind)
    names = {
        "artist": lambda key: key,
        "track": lambda key: key.name,
        "album": lambda key: key[1],
    }[kind]
    expected = []
    for period in periods_between(first, last, granularity):
        found = counts.get(period)
        if not found:
            continue
        most = max(found.values())
        tied = sorted(names(key) for key, n in found.items() if n == most)
        expected.append((label(period, granularity), tied[0], most, tied[1:]))
    answer = queries.number_ones(alice, kind, window, granularity=granularity, tz=tz)
    found = [(r["period"], r["name"], r["plays"], r["tied_with"]) for r in answer["periods"]]
    assert found == expected
    assert answer["most_periods"][0]["periods"] == max(
        Counter(name for _, name, _, _ in expected).values()
    )


def test_bob_sees_only_his_own_ranks():
    _, _, bob, bob_plays = two_listeners()
    alice_track = catalogue("a")[0][0]
    with pytest.raises(QueryError, match="No track matching 'item'"):
        queries.rank_history(bob, "track", alice_track.spotify_id)
    names = {row["name"] for row in queries.number_ones(bob, "track")["periods"]}
    assert names and names <= {p.item.name for p in bob_plays}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda who: queries.rank_history(who, "show", "x"), "'kind' must be one of"),
        (lambda who: queries.rank_history(who, "artist", "x", granularity="week"), "'granularity'"),
        (lambda who: queries.number_ones(who, "artist", granularity="day"), "'granularity'"),
    ],
)
def test_ranks_refuse_bad_arguments_with_a_sentence(listener, call, message):
    with pytest.raises(QueryError, match=message):
        call(listener)
