"""The tools of issue 15 (sessions, streaks, ranks, number ones, forgotten favourites,
heard_before, history coverage) leave out a hidden artist's plays like every other query: their
answers agree with the same plain-Python definitions over the plays left, and every history
tool's answer, whatever the tool, names nothing hidden and says `excluded_artists`."""

import json
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from mcp.tests.test_tools_answers import CALLS
from mcp.tools import call_tool
from mcp.tools.history import HISTORY_TOOLS
from plays import queries
from plays.excluding import hide_artist
from plays.models import Artist
from plays.queries import QueryError, Window
from plays.tests.query_fixtures import Track, two_listeners
from plays.tests.test_queries_ranks import counts_by_period, label, period_of, periods_between
from plays.tests.test_queries_sessions_and_streaks import check_sessions, expected_streaks

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
HIDDEN = "Dawn Patrol"  # first artist of four tracks, featured on one of Cold Rivers'


def _hidden(play):
    return isinstance(play.item, Track) and HIDDEN in play.item.artists


@pytest.fixture
def hiding():
    alice, plays, bob, _ = two_listeners()
    hide_artist(alice, Artist.objects.get(name=HIDDEN).pk)
    kept = [p for p in plays if not _hidden(p)]
    hidden_tracks = {p.item for p in plays if _hidden(p)}
    assert any(t.artists[0] != HIDDEN for t in hidden_tracks), "a featured credit is hidden"
    return alice, kept, hidden_tracks, bob


@pytest.mark.parametrize("gap_minutes", [30, 240])
@pytest.mark.parametrize(
    "window",
    [Window(), Window(datetime(2021, 6, 1, 12, 7, tzinfo=UTC), None)],
    ids=["all time", "ragged"],
)
def test_sessions_are_made_of_the_plays_left(hiding, gap_minutes, window):
    alice, kept, _, _ = hiding
    answer = check_sessions(alice, kept, window, gap_minutes, PARIS)
    assert answer["excluded_artists"] == 1
    assert HIDDEN not in {s["top_artist"] for s in answer["longest"]}


def test_streaks_count_only_days_with_a_play_left(hiding):
    alice, kept, _, _ = hiding
    window = Window(datetime(2022, 12, 1, 7, 30, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))
    days, longest = expected_streaks(kept, PARIS, window, limit=50)
    answer = queries.listening_streaks(alice, window, tz=PARIS, limit=50)
    assert answer["longest"] == longest and answer["active_days"] == len(days)
    with pytest.raises(QueryError):
        queries.listening_streaks(alice, artist=HIDDEN)


@pytest.mark.parametrize("granularity", ["week", "month"])
def test_number_ones_and_ranks_are_among_the_plays_left(hiding, granularity):
    alice, kept, _, _ = hiding
    window = Window(datetime(2023, 11, 20, tzinfo=UTC), datetime(2024, 11, 5, tzinfo=UTC))
    counts = counts_by_period(kept, PARIS, granularity, "artist")
    first = period_of(window.start.astimezone(PARIS).date(), granularity)
    last = period_of(window.end.astimezone(PARIS).date(), granularity)
    expected = []
    for period in periods_between(first, last, granularity):
        found = counts.get(period)
        if found:
            most = max(found.values())
            tied = sorted(key for key, n in found.items() if n == most)
            expected.append((label(period, granularity), tied[0], most, tied[1:]))
    answer = queries.number_ones(alice, "artist", window, granularity=granularity, tz=PARIS)
    assert [(r["period"], r["name"], r["plays"], r["tied_with"]) for r in answer["periods"]] == (
        expected
    )
    with pytest.raises(QueryError):
        queries.rank_history(alice, "artist", HIDDEN)


def test_forgotten_favourites_and_heard_before_know_nothing_hidden(hiding):
    alice, kept, hidden_tracks, _ = hiding
    forgotten = queries.forgotten_favorites(alice, quiet_days=30, limit=100)
    assert HIDDEN not in {row["name"] for row in forgotten["artists"]}
    assert not {row["spotify_id"] for row in forgotten["tracks"]} & {
        t.spotify_id for t in hidden_tracks
    }
    featured = next(t for t in hidden_tracks if t.artists[0] != HIDDEN)
    asked = queries.heard_before(
        alice,
        [
            {"artist": HIDDEN},
            {"spotify_id": featured.spotify_id},
            {"artist": featured.artists[0]},
        ],
    )
    hidden, by_id, host = asked["entries"]
    assert hidden["heard"] is False and by_id["heard"] is False
    assert host["plays"] == sum(1 for p in kept if p.counted and p.artist == featured.artists[0])


def test_history_coverage_counts_the_plays_left(hiding):
    alice, kept, _, _ = hiding
    answer = queries.history_coverage(alice, tz=UTC)
    assert answer["plays"] == len(kept)
    months = Counter(p.at.strftime("%Y-%m") for p in kept)
    assert {m["month"]: m["plays"] for m in answer["months"] if m["plays"]} == dict(months)
    assert answer["excluded_artists"] == 1


@pytest.mark.parametrize("tool", HISTORY_TOOLS, ids=lambda tool: tool.name)
def test_no_history_tool_names_a_hidden_artist_or_track(hiding, tool):
    alice, kept, hidden_tracks, bob = hiding
    for listener, handle in ((alice, "alice-shares"), (bob, "bob-shares")):
        listener.shares_listening, listener.share_handle = True, handle
        listener.save()
    alike = {p.item.name for p in kept}  # "Intro" is every artist's first track
    secrets = {HIDDEN, *(t.spotify_id for t in hidden_tracks)}
    secrets |= {t.name for t in hidden_tracks} - alike
    for arguments in CALLS[tool.name]:
        outcome = call_tool(tool, arguments, alice)
        if outcome.error is not None:  # asking about what is hidden finds nothing
            assert not any(secret in outcome.error for secret in secrets)
            continue
        text = json.dumps(outcome.structured, ensure_ascii=False)
        assert [secret for secret in secrets if secret in text] == [], (tool.name, arguments)
        assert outcome.structured["excluded_artists"] == 1
