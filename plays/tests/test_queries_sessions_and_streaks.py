"""listening_sessions and listening_streaks agree with the same definitions worked out in plain
Python over the fixture history, including a session across midnight and a DST change."""

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import Listener
from plays import queries
from plays.ingest import ingest_plays
from plays.queries import QueryError, Window
from plays.tests.query_fixtures import (
    FixturePlay,
    _record,
    build_history,
    catalogue,
    in_window,
    minutes,
    two_listeners,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# 23:30 in Paris on 30 March 2024, two hours before the clocks spring forward at 02:00.
BEFORE_MIDNIGHT = datetime(2024, 3, 30, 22, 30, 7, tzinfo=UTC)


def a_long_night(prefix="a", start=BEFORE_MIDNIGHT, count=31, every=6, length=5):
    """Plays of `length` minutes every `every` minutes: one session across midnight and the DST
    change, by the first artist but for every third play."""
    tracks, _ = catalogue(prefix)
    return [
        FixturePlay(
            at=start + timedelta(minutes=every * i + length),
            item=tracks[0] if i % 3 else tracks[4],
            source="extended",
            ms_played=length * 60_000,
            skipped=False,
        )
        for i in range(count)
    ]


def store_more(listener, plays):
    assert ingest_plays(listener, [_record(p) for p in plays]).inserted == len(plays)


def expected_sessions(plays, gap_minutes):
    """[(start, end, plays)] by the definition: sorted by start, a play joins the session while
    it starts at most gap_minutes after the latest end so far."""
    gap = timedelta(minutes=gap_minutes)
    spans = sorted((p.at - timedelta(milliseconds=p.ms), p.at, p) for p in plays)
    sessions = []
    for start, end, play in spans:
        if sessions and start <= sessions[-1][1] + gap:
            sessions[-1][1] = max(sessions[-1][1], end)
            sessions[-1][2].append(play)
        else:
            sessions.append([start, end, [play]])
    return sessions


def top_artist(plays):
    counts = Counter(p.artist for p in plays if p.artist)
    return min(counts, key=lambda name: (-counts[name], name)) if counts else None


def check_sessions(listener, plays, window, gap_minutes, tz):
    chosen = in_window(plays, window.start, window.end, counted=False)
    expected = expected_sessions(chosen, gap_minutes)
    answer = queries.listening_sessions(listener, window, gap_minutes=gap_minutes, limit=100, tz=tz)
    lengths = [(end - start).total_seconds() * 1000 for start, end, _ in expected]
    assert answer["sessions"] == len(expected)
    assert answer["plays"] == len(chosen)
    assert answer["total_minutes"] == minutes(sum(lengths))
    longest = sorted(expected, key=lambda s: (-(s[1] - s[0]), s[0]))[:100]
    assert answer["longest"] == [
        {
            "start": start.astimezone(tz).isoformat(),
            "end": end.astimezone(tz).isoformat(),
            "plays": len(members),
            "minutes": minutes((end - start).total_seconds() * 1000),
            "top_artist": top_artist(members),
        }
        for start, end, members in longest
    ]
    edges = [*queries.HISTOGRAM_EDGES, None]
    assert [(h["from_minutes"], h["to_minutes"], h["sessions"]) for h in answer["histogram"]] == [
        (
            low,
            high,
            sum(1 for ms in lengths if ms >= low * 60_000 and (high is None or ms < high * 60_000)),
        )
        for low, high in itertools.pairwise(edges)
    ]
    return answer


@pytest.mark.parametrize("gap_minutes", [5, 30, 240])
@pytest.mark.parametrize(
    "window",
    [
        Window(),
        Window(datetime(2024, 3, 30, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC)),
        Window(datetime(2021, 6, 1, 12, 7, tzinfo=UTC), None),
    ],
    ids=["all time", "the DST weekend", "ragged"],
)
def test_sessions_match_the_definition_over_the_fixture_history(gap_minutes, window):
    alice, plays, _, _ = two_listeners()
    night = a_long_night()
    store_more(alice, night)
    check_sessions(alice, plays + night, window, gap_minutes, PARIS)


def test_a_session_across_midnight_and_the_dst_change_lasts_its_real_minutes(listener):
    night = a_long_night()
    store_more(listener, night)
    window = Window(datetime(2024, 3, 30, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))
    answer = check_sessions(listener, night, window, 30, PARIS)
    assert answer["sessions"] == 1
    # 31 plays, 6 minutes apart, 5 long: 185 real minutes, though the wall clock shows 245.
    assert answer["longest"][0] == {
        "start": "2024-03-30T23:30:07+01:00",
        "end": "2024-03-31T03:35:07+02:00",
        "plays": 31,
        "minutes": 185.0,
        "top_artist": "Ænima Collective",
    }
    assert answer["total_minutes"] == answer["average_minutes"] == 185.0
    # A gap of 5 minutes still joins plays whose silences are one minute long.
    assert queries.listening_sessions(listener, window, gap_minutes=5)["sessions"] == 1


def test_short_and_uncounted_plays_belong_to_sessions():
    alice, plays, _, _ = two_listeners()
    short = [p for p in plays if not p.counted]
    assert short  # the fixture has short plays
    answer = queries.listening_sessions(alice, Window(), gap_minutes=30)
    assert answer["plays"] == len(plays) > len(in_window(plays))


def test_only_the_listeners_own_plays_make_sessions():
    alice, plays, bob, bob_plays = two_listeners()
    assert queries.listening_sessions(bob)["plays"] == len(bob_plays)
    assert queries.listening_sessions(alice)["plays"] == len(plays)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"gap_minutes": 4}, "'gap_minutes' must be a whole number from 5 to 240."),
        ({"gap_minutes": 241}, "'gap_minutes' must be a whole number from 5 to 240."),
        ({"gap_minutes": True}, "'gap_minutes' must be a whole number from 5 to 240."),
        ({"limit": 0}, "'limit' must be a whole number from 1 to 100."),
    ],
)
def test_sessions_refuse_bad_arguments_with_a_sentence(listener, arguments, message):
    with pytest.raises(QueryError) as refused:
        queries.listening_sessions(listener, **arguments)
    assert str(refused.value) == message


def runs_of(days):
    runs = []
    for day in sorted(days):
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return runs


def expected_streaks(plays, tz, window, keep=lambda p: True, limit=5):
    days = {
        p.at.astimezone(tz).date() for p in in_window(plays, window.start, window.end) if keep(p)
    }
    runs = sorted(runs_of(days), key=lambda r: (-(r[1] - r[0]).days, r[0]))[:limit]
    return days, [
        {"start": a.isoformat(), "end": b.isoformat(), "days": (b - a).days + 1} for a, b in runs
    ]


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Asia/Kathmandu", "UTC"])
@pytest.mark.parametrize(
    "window",
    [Window(), Window(datetime(2022, 12, 1, 7, 30, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))],
    ids=["all time", "ragged"],
)
def test_streaks_are_runs_of_local_days_with_a_counted_play(zone, window):
    alice, plays, _, _ = two_listeners()
    tz = ZoneInfo(zone)
    days, longest = expected_streaks(plays, tz, window, limit=50)
    answer = queries.listening_streaks(alice, window, tz=tz, limit=50)
    assert answer["longest"] == longest
    assert answer["active_days"] == len(days)
    assert answer["current"] is None  # the fixture ends in 2025
    assert answer["subject"] is None


@pytest.mark.parametrize("artist", ["Cold Rivers", "björk tribute"])
def test_streaks_of_one_artist_count_only_their_tracks(artist):
    alice, plays, _, _ = two_listeners()
    name = {"cold rivers": "Cold Rivers", "björk tribute": "Björk Tribute"}[artist.lower()]
    days, longest = expected_streaks(plays, PARIS, Window(), lambda p: p.artist == name)
    answer = queries.listening_streaks(alice, artist=artist)
    assert answer["longest"] == longest
    assert answer["active_days"] == len(days)
    assert answer["subject"] == {"kind": "artist", "name": name, "spotify_id": None}


def test_streaks_of_one_track_by_its_spotify_id():
    alice, plays, _, _ = two_listeners()
    track = max(
        Counter(p.item for p in plays if p.kind == "track" and p.counted).items(),
        key=lambda kv: kv[1],
    )[0]
    days, longest = expected_streaks(plays, PARIS, Window(), lambda p: p.item == track)
    answer = queries.listening_streaks(alice, track=track.spotify_id)
    assert answer["longest"] == longest and answer["active_days"] == len(days)
    assert answer["subject"]["name"] == track.name


def test_the_current_streak_ends_today_or_yesterday():
    carol = Listener.objects.create(spotify_user_id="carol", time_zone="Asia/Tokyo")
    tokyo = ZoneInfo("Asia/Tokyo")
    today = timezone.now().astimezone(tokyo).date()
    tracks, _ = catalogue("c")

    def noon(day):
        return datetime.combine(day, datetime.min.time(), tzinfo=tokyo) + timedelta(hours=12)

    days = [today - timedelta(days=n) for n in (1, 2, 3, 5, 6)]
    plays = [
        FixturePlay(noon(day).astimezone(UTC), tracks[0], "extended", 60_000, False) for day in days
    ]
    store_more(carol, plays)
    answer = queries.listening_streaks(carol)
    assert answer["current"] == {
        "start": (today - timedelta(days=3)).isoformat(),
        "end": (today - timedelta(days=1)).isoformat(),
        "days": 3,
    }
    assert [s["days"] for s in answer["longest"]] == [3, 2]
    # A window that ends before today has no current streak.
    past = Window(None, noon(today - timedelta(days=2)))
    assert queries.listening_streaks(carol, past)["current"] is None


def test_a_short_play_makes_no_streak_day(listener):
    tracks, _ = catalogue("a")
    day = datetime(2024, 6, 10, 12, tzinfo=UTC)
    plays = [
        FixturePlay(day, tracks[0], "extended", 60_000, False),
        FixturePlay(day + timedelta(days=1), tracks[0], "extended", 10_000, True),
        FixturePlay(day + timedelta(days=2), tracks[0], "extended", 60_000, False),
    ]
    store_more(listener, plays)
    answer = queries.listening_streaks(listener)
    assert answer["longest"] == [
        {"start": "2024-06-10", "end": "2024-06-10", "days": 1},
        {"start": "2024-06-12", "end": "2024-06-12", "days": 1},
    ]


def test_streaks_refuse_an_unknown_artist_and_both_subjects(listener):
    build_history(listener, count=20)
    with pytest.raises(QueryError, match="No artist matching"):
        queries.listening_streaks(listener, artist="Nobody At All")
    with pytest.raises(QueryError, match="not both"):
        queries.listening_streaks(listener, artist="Cold Rivers", track="Intro")


def test_another_listeners_artist_is_unknown():
    alice, _, bob, _ = two_listeners()
    bob_track = catalogue("b")[0][1]
    with pytest.raises(QueryError):
        queries.listening_streaks(alice, track=bob_track.spotify_id)
    assert queries.listening_streaks(bob, track=bob_track.spotify_id)["active_days"] > 0
