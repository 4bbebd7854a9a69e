"""Hiding an artist, or showing one again, rebuilds only the rollup rows of the items in the
difference (their tracks, artists, albums, the pauses from their earliest play). These tests
prove that the rows it leaves are exactly those a full rebuild makes, for every rollup that
leaves the hidden artists out, through several changes in a row (a first artist, then one
featured on it, with a poll in between, then both shown again), and that the narrow path is the
one taken."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Listener
from plays import period_rollups, rollups
from plays.excluding import hide_artist, show_artist
from plays.models import (
    Artist,
    DayTotal,
    HiddenHourTotal,
    ItemDay,
    PeriodCount,
    PeriodTotal,
    RollupState,
    SessionArtistDay,
    SessionBreak,
)
from plays.rollups import ensure_fresh
from plays.tests.query_fixtures import two_listeners
from plays.tests.test_queries_sessions_and_streaks import store_more
from plays.tests.test_session_breaks import busy_history

pytestmark = pytest.mark.django_db

# Every rollup a change of the hidden artists touches, with the columns that make its rows.
ROLLUPS = {
    PeriodTotal: ("kind", "unit", "period", "key", "plays"),
    PeriodCount: ("kind", "unit", "period", "keys"),
    ItemDay: ("scope", "key", "day", "hours", "stored_hours"),
    DayTotal: ("day", "source", "stored"),
    SessionBreak: ("start_ms", "before_end_ms", "idle_ms", "plays_before"),
    SessionArtistDay: ("whole_month", "day", "artist_id", "plays"),
    HiddenHourTotal: ("epoch_hour", "source", "plays", "ms", "track_plays", "stored"),
}


def rows(listener):
    return {
        model.__name__: sorted(model.objects.filter(listener_id=listener.pk).values_list(*columns))
        for model, columns in ROLLUPS.items()
    }


def full_rebuild_rows(listener):
    """The rows after rebuilding everything from the plays (the reference)."""
    rollups.rebuild(listener, full=True)
    return rows(listener)


def assert_as_full_rebuild(listener, whole_builds=None):
    """The next question's rows equal a full rebuild's; with `whole_builds` (the fixture
    below), that question did not rebuild every period row."""
    if whole_builds is not None:
        whole_builds.clear()
    ensure_fresh(listener)
    narrow = rows(listener)
    if whole_builds is not None:
        assert whole_builds == [], "a hidden-artist change rebuilt every PeriodTotal row"
    assert narrow == full_rebuild_rows(listener)
    return narrow


@pytest.fixture
def whole_builds(monkeypatch):
    """The listeners whose PeriodTotal rows were all rebuilt, in order."""
    original = period_rollups.rebuild
    seen = []

    def rebuild(listener_id, months=None):
        if months is None:
            seen.append(listener_id)
        return original(listener_id, months)

    monkeypatch.setattr(period_rollups, "rebuild", rebuild)
    return seen


def test_hiding_and_showing_gives_the_rows_of_a_full_rebuild(whole_builds):
    alice, _plays, bob, _ = two_listeners()
    ensure_fresh(alice)
    ensure_fresh(bob)
    bob_rows = rows(bob)
    dawn = Artist.objects.get(name="Dawn Patrol")  # featured on a Cold Rivers track
    cold = Artist.objects.get(name="Cold Rivers")
    before = rows(alice)
    hide_artist(alice, dawn.pk)
    hidden_dawn = assert_as_full_rebuild(alice, whole_builds)
    assert hidden_dawn != before
    assert hidden_dawn["HiddenHourTotal"]
    hide_artist(alice, cold.pk)
    assert_as_full_rebuild(alice, whole_builds)
    show_artist(alice, dawn.pk)
    assert_as_full_rebuild(alice, whole_builds)
    show_artist(alice, cold.pk)
    assert assert_as_full_rebuild(alice, whole_builds) == before
    assert rows(bob) == bob_rows


def test_a_poll_between_the_change_and_the_question_is_counted_too(whole_builds):
    carol = Listener.objects.create(spotify_user_id="carol", time_zone="Asia/Kolkata")
    plays = busy_history(count=200)
    store_more(carol, plays)
    ensure_fresh(carol)
    cold = Artist.objects.get(name="Cold Rivers")
    hide_artist(carol, cold.pk)
    assert_as_full_rebuild(carol, whole_builds)
    show_artist(carol, cold.pk)
    # New plays (one of them the shown artist's) stored before the next question.
    last = max(p.at for p in plays)
    theirs = next(p for p in plays if "Cold Rivers" in p.item.artists)
    other = next(p for p in plays if "Cold Rivers" not in p.item.artists)
    more = [
        replace(theirs, at=last + timedelta(hours=6)),
        replace(other, at=last + timedelta(hours=6, minutes=10)),
    ]
    store_more(carol, more)
    assert_as_full_rebuild(carol, whole_builds)


def test_a_state_built_before_the_ids_were_kept_rebuilds_everything_once():
    alice, _plays, _bob, _ = two_listeners()
    ensure_fresh(alice)
    RollupState.objects.filter(listener_id=alice.pk).update(hidden_item_ids=None)
    hide_artist(alice, Artist.objects.get(name="Dawn Patrol").pk)
    assert_as_full_rebuild(alice)
    assert RollupState.objects.get(listener_id=alice.pk).hidden_item_ids


def test_the_first_play_hidden_rebuilds_the_pauses_from_the_start():
    carol = Listener.objects.create(spotify_user_id="carol", time_zone="Europe/Paris")
    plays = busy_history(count=150, start=datetime(2023, 1, 1, 8, tzinfo=UTC))
    store_more(carol, plays)
    ensure_fresh(carol)
    first = min(plays, key=lambda p: p.at)
    artist = Artist.objects.get(name=first.item.artists[0])
    hide_artist(carol, artist.pk)
    assert_as_full_rebuild(carol)


def test_hiding_and_showing_queue_the_refresh_for_the_worker(django_capture_on_commit_callbacks):
    from django_q.models import OrmQ

    from plays.tasks import refresh_rollups

    alice, _plays, _bob, _ = two_listeners()
    dawn = Artist.objects.get(name="Dawn Patrol")
    with django_capture_on_commit_callbacks(execute=True):
        hide_artist(alice, dawn.pk)
    with django_capture_on_commit_callbacks(execute=True):
        show_artist(alice, dawn.pk)
    queued = [(task.task["func"], task.task["args"]) for task in OrmQ.objects.all()]
    assert queued == [(refresh_rollups, (alice.pk,))] * 2
