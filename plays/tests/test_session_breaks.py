"""The stored pauses (SessionBreak) behind listening_sessions: the rows are the plain-Python walk's
pauses of more than five minutes, they stay right after a poll, a deletion and a change of the
hidden artists, and the answers read from them equal the definition worked out in plain Python
for windows that cut sessions, end inside a long play, and for gaps from 5 to 240 minutes."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Listener
from plays import session_breaks
from plays.excluding import hide_artist, show_artist
from plays.models import Artist, Play, SessionBreak
from plays.queries import Window
from plays.rollups import ensure_fresh
from plays.tests.query_fixtures import FixturePlay, catalogue
from plays.tests.test_queries_sessions_and_streaks import check_sessions, store_more

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
FIRST = datetime(2024, 1, 28, 20, 0, 0, 123000, tzinfo=UTC)
GAPS = [5, 6, 17, 30, 90, 240]


def _pause(rng):
    """Minutes of silence before the next play: mostly none, often a few, sometimes hours."""
    roll = rng.random()
    if roll < 0.55:
        return rng.uniform(-1, 2)
    if roll < 0.85:
        return rng.uniform(4, 70)
    return rng.uniform(90, 600)


def busy_history(prefix="s", seed=7, count=260, start=FIRST):
    """Plays with pauses of every length around the gaps asked, overlapping plays, and long
    episodes started before the plays around them (they hide pauses between those plays).
    Ends are at least two minutes apart (no two are one listen)."""
    rng = random.Random(seed)
    tracks, episodes = catalogue(prefix)
    plays, clock, last_at = [], start, None
    for index in range(count):
        clock += timedelta(minutes=_pause(rng))
        if index % 23 == 11:
            item = rng.choice(episodes)
            ms_played = None if rng.random() < 0.5 else rng.randint(600_000, 1_700_000)
            ms = item.duration_ms if ms_played is None else ms_played
            # Started well before the plays just stored: it spans their pauses.
            at = clock + timedelta(minutes=rng.uniform(1, 40))
            begin = at - timedelta(milliseconds=ms)
        else:
            item = rng.choice(tracks)
            ms_played = None if rng.random() < 0.3 else rng.randint(5_000, item.duration_ms)
            ms = item.duration_ms if ms_played is None else ms_played
            at = clock + timedelta(milliseconds=ms)
            begin = clock
        if last_at is not None and at < last_at + timedelta(minutes=2):
            at = last_at + timedelta(minutes=2, milliseconds=rng.randint(0, 999))
        at = at.replace(microsecond=at.microsecond // 1000 * 1000)
        plays.append(
            FixturePlay(
                at=at,
                item=item,
                source="api" if ms_played is None else "extended",
                ms_played=ms_played,
                skipped=False if ms_played is not None else None,
            )
        )
        last_at = at
        clock = max(clock, begin + timedelta(milliseconds=ms))
    return plays


def _ms(moment):
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def expected_rows(plays):
    """[(start_ms, before_end_ms, plays_before)] by the plain walk: the plays sorted by start,
    a row where a play starts more than five minutes after the latest end before it (and at
    the first play), then the closing row (the last end, every play)."""
    spans = sorted((_ms(p.at) - p.ms, _ms(p.at)) for p in plays)
    rows, latest = [], None
    for index, (start, end) in enumerate(spans):
        if latest is None or start - latest > 5 * 60_000:
            rows.append((start, latest, index))
        latest = end if latest is None else max(latest, end)
    return [*rows, (session_breaks.END_MARK, latest, len(spans))]


def stored_rows(listener):
    return list(
        SessionBreak.objects.filter(listener=listener)
        .order_by("start_ms")
        .values_list("start_ms", "before_end_ms", "plays_before")
    )


def windows(plays, seed=3, count=14):
    """Windows whose edges fall inside sessions, on a play's end, inside a long episode (a play
    ending after the window but started in it), or nowhere near a play."""
    rng = random.Random(seed)
    first, last = plays[0].at, plays[-1].at
    long_ones = [p for p in plays if p.ms > 600_000]
    found = [Window(), Window(first, None), Window(None, last)]
    for episode in long_ones[:4]:
        inside = episode.at - timedelta(milliseconds=episode.ms // 3)
        found.append(Window(first + (inside - first) / 3, inside))
        found.append(Window(None, inside))
    for _ in range(count):
        a = first + (last - first) * rng.random()
        b = a + (last - a) * rng.random()
        found.append(Window(a, b))
        on_a_play = rng.choice(plays).at
        found.append(Window(on_a_play, None))
        found.append(Window(a, on_a_play) if a < on_a_play else Window(on_a_play, a))
    found.append(Window(last + timedelta(days=3), None))
    found.append(Window(None, first - timedelta(days=3)))
    return found


def check_everything(listener, plays, gaps=GAPS, window_list=None):
    for window in window_list or windows(plays):
        for gap in gaps:
            check_sessions(listener, plays, window, gap, PARIS)


@pytest.fixture
def carol():
    return Listener.objects.create(spotify_user_id="carol", time_zone="Europe/Paris")


def test_the_stored_pauses_are_the_plain_walks(carol):
    plays = busy_history()
    store_more(carol, plays)
    ensure_fresh(carol)
    assert stored_rows(carol) == expected_rows(plays)
    # Enough pauses of every kind for the answers below to mean something.
    assert len(stored_rows(carol)) > 40


def test_sessions_match_the_definition_for_cut_windows_and_every_gap(carol):
    plays = busy_history()
    store_more(carol, plays)
    check_everything(carol, plays)


def test_a_window_ending_inside_a_long_play_sees_the_pauses_it_hid(carol):
    """An episode started at 10:00 and ended at 11:00 spans the pause between two plays; a
    window ending at 10:45 leaves the episode out, so there the pause ends a session."""
    tracks, episodes = catalogue("s")
    ten = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
    plays = [
        FixturePlay(ten - timedelta(hours=2), tracks[0], "extended", 100_000, False),
        FixturePlay(ten + timedelta(minutes=8), tracks[1], "extended", 120_000, False),
        FixturePlay(ten + timedelta(minutes=40), tracks[2], "extended", 120_000, False),
        FixturePlay(ten + timedelta(hours=1), episodes[0], "extended", 3_600_000, False),
        FixturePlay(ten + timedelta(hours=3), tracks[3], "extended", 60_000, False),
    ]
    store_more(carol, plays)
    ensure_fresh(carol)
    # Overall, the episode makes one session of 10:00 to 11:00 for a gap of 5 minutes.
    assert [row[0] for row in stored_rows(carol)[:-1]] == [
        _ms(ten - timedelta(hours=2)) - 100_000,
        _ms(ten) - 0,
        _ms(ten + timedelta(hours=3)) - 60_000,
    ]
    window = Window(ten - timedelta(hours=3), ten + timedelta(minutes=45))
    answer = check_sessions(carol, plays, window, 5, PARIS)
    assert answer["sessions"] == 3
    check_everything(carol, plays, window_list=[window, Window(None, window.end)])


def test_a_poll_rebuilds_from_the_stale_month_only(carol):
    plays = busy_history(count=200)
    store_more(carol, plays)
    ensure_fresh(carol)
    first_ids = list(
        SessionBreak.objects.filter(listener=carol).order_by("start_ms").values_list("id")[:20]
    )
    # A poll: new plays after the last, and a long episode ended in the last month whose start
    # reaches back over pauses stored before (it hides them).
    tracks, episodes = catalogue("s")
    last = plays[-1].at
    polled = [
        FixturePlay(last + timedelta(minutes=9 + 3 * i), tracks[i], "extended", 150_000, False)
        for i in range(4)
    ]
    long_one = FixturePlay(
        last + timedelta(minutes=40), episodes[1], "extended", 3 * 3_600_000, False
    )
    store_more(carol, [*polled, long_one])
    everything = [*plays, *polled, long_one]
    assert ensure_fresh(carol)
    assert stored_rows(carol) == expected_rows(everything)
    # The rows long before the stale month were kept, not rebuilt.
    assert (
        list(
            SessionBreak.objects.filter(listener=carol).order_by("start_ms").values_list("id")[:20]
        )
        == first_ids
    )
    check_everything(carol, everything, gaps=[5, 30, 240])
    # Plays deleted (a long one among them) bring their pauses back.
    Play.objects.filter(listener=carol, played_at=long_one.at).delete()
    Play.objects.filter(listener=carol, played_at=polled[1].at).delete()
    remaining = [p for p in everything if p not in (long_one, polled[1])]
    ensure_fresh(carol)
    assert stored_rows(carol) == expected_rows(remaining)
    check_everything(carol, remaining, gaps=[5, 30, 240])


def test_plays_stored_in_an_earlier_month_rebuild_from_there(carol):
    plays = busy_history(count=200)
    store_more(carol, plays)
    ensure_fresh(carol)
    tracks, _ = catalogue("s")
    middle = plays[100].at
    # Plays filling a pause in the middle of the history (an import of an older export).
    older = [
        FixturePlay(
            middle + timedelta(seconds=150 + 151 * i), tracks[5 + i], "extended", 140_000, False
        )
        for i in range(3)
    ]
    older = [p for p in older if all(abs(p.at - q.at) >= timedelta(minutes=2) for q in plays)]
    store_more(carol, older)
    everything = [*plays, *older]
    ensure_fresh(carol)
    assert stored_rows(carol) == expected_rows(everything)
    check_everything(carol, everything, gaps=[5, 30])


def test_hiding_an_artist_rebuilds_the_pauses_without_their_plays(carol):
    plays = busy_history(count=200)
    store_more(carol, plays)
    ensure_fresh(carol)
    hidden = "Cold Rivers"
    hide_artist(carol, Artist.objects.get(name=hidden).pk)
    # Hidden: tracks crediting the artist first or featured.
    visible = [p for p in plays if not (hasattr(p.item, "artists") and hidden in p.item.artists)]
    assert len(visible) < len(plays)
    ensure_fresh(carol)
    assert stored_rows(carol) == expected_rows(visible)
    check_everything(carol, visible, gaps=[5, 30, 240])
    show_artist(carol, Artist.objects.get(name=hidden).pk)
    ensure_fresh(carol)
    assert stored_rows(carol) == expected_rows(plays)


def test_a_listener_whose_pauses_were_never_built_gets_them_on_the_first_question(carol):
    plays = busy_history(count=120)
    store_more(carol, plays)
    ensure_fresh(carol)
    # As after migration 0012: rollups fresh, no pauses stored.
    SessionBreak.objects.filter(listener=carol).delete()
    assert not ensure_fresh(carol)
    check_sessions(carol, plays, Window(), 30, PARIS)
    assert stored_rows(carol) == expected_rows(plays)


def test_a_listener_without_plays_has_no_sessions(carol):
    assert check_sessions(carol, [], Window(), 30, PARIS)["sessions"] == 0
    assert stored_rows(carol) == [(session_breaks.END_MARK, None, 0)]


def test_top_artists_of_sessions_spanning_whole_months_and_days(carol):
    """Plays every 3 hours for 75 days: for a gap of 240 minutes one session across whole UTC
    months and days (counted from the rollup) and ragged ends (from the plays). One artist
    plays in February and March, another around them, a third in the middle of March: each
    part of the count decides some answer."""
    tracks, episodes = catalogue("s")
    rng = random.Random(11)
    start = datetime(2024, 1, 20, 17, 31, 5, tzinfo=UTC)

    def item(at):
        if rng.random() < 0.2:
            return rng.choice(tracks + episodes[:1])
        if datetime(2024, 3, 5, tzinfo=UTC) <= at < datetime(2024, 3, 21, tzinfo=UTC):
            return tracks[8]
        if datetime(2024, 2, 1, tzinfo=UTC) <= at < datetime(2024, 4, 1, tzinfo=UTC):
            return tracks[0]
        return tracks[4]

    plays = []
    for i in range(600):
        at = start + timedelta(hours=3 * i, seconds=rng.randint(0, 600))
        plays.append(FixturePlay(at, item(at), "extended", rng.randint(1_000, 140_000), False))
    store_more(carol, plays)
    feb = datetime(2024, 2, 1, tzinfo=UTC)
    mid_march = Window(datetime(2024, 3, 4, 5, tzinfo=UTC), datetime(2024, 3, 22, 7, tzinfo=UTC))
    answers = [
        check_sessions(carol, plays, window, 240, PARIS)["longest"][0]["top_artist"]
        for window in (Window(), mid_march)
    ]
    assert answers == [tracks[0].artists[0], tracks[8].artists[0]]
    check_everything(
        carol,
        plays,
        gaps=[170, 240],
        window_list=[
            Window(start + timedelta(days=2, hours=5), None),
            Window(None, datetime(2024, 3, 20, 13, tzinfo=UTC)),
            Window(feb, datetime(2024, 4, 1, tzinfo=UTC)),
            Window(feb - timedelta(hours=1), feb + timedelta(days=40, minutes=7)),
        ],
    )
    hide_artist(carol, Artist.objects.get(name=tracks[0].artists[0]).pk)
    visible = [p for p in plays if tracks[0].artists[0] not in getattr(p.item, "artists", ())]
    check_everything(carol, visible, gaps=[240], window_list=[Window()])
