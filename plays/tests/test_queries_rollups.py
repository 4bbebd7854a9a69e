"""The rollups the queries read stay exact whatever changes the plays.

Triggers mark the months of inserted, deleted and changed plays, and every query first rebuilds
those; these tests change plays in each way the project does and compare with a fresh count.
"""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Listener
from plays import queries
from plays.ingest import ingest_plays
from plays.models import (
    HourTotal,
    ItemMonth,
    ItemTotal,
    ItemYear,
    Play,
    RollupDirty,
    RollupState,
)
from plays.queries import Window
from plays.records import PlayRecord
from plays.rollups import ensure_fresh, rebuild
from plays.tests.query_fixtures import two_listeners

pytestmark = pytest.mark.django_db


def _truth(listener, window=None):
    """Counted plays per artist straight from the plays table, no rollups involved."""
    plays = (window or Window()).filter(Play.objects.filter(listener=listener, item__kind="track"))
    counts = {}
    for name, ms in plays.values_list("item__primary_artist__name", "ms_played"):
        if ms is None or ms >= 30_000:
            counts[name] = counts.get(name, 0) + 1
    return counts


def _answer(listener, window=None):
    return {
        i["name"]: i["plays"]
        for i in queries.top_artists(listener, window=window or Window(), limit=100)["items"]
    }


def _track(name, artist, at, *, source="extended", uri=True, ms=90_000):
    return PlayRecord(
        played_at=at,
        source=source,
        kind="track",
        item_name=name,
        item_uri=f"spotify:track:{(name.replace(' ', '') + 'z' * 22)[:22]}" if uri else None,
        artist_names=(artist,),
        album_name=f"{artist} Singles" if uri else None,
        duration_ms=200_000,
        ms_played=ms,
    )


def test_new_plays_in_old_and_new_months_are_counted_at_once():
    alice, _, _, _ = two_listeners()
    assert _answer(alice) == _truth(alice)
    ingest_plays(
        alice,
        [
            _track("Fresh One", "Newcomer", datetime(2024, 5, 17, 8, 0, tzinfo=UTC)),
            _track("Fresh One", "Newcomer", datetime(2031, 1, 1, 0, 30, tzinfo=UTC)),
            _track("Too Short", "Newcomer", datetime(2024, 5, 18, tzinfo=UTC), ms=5_000),
        ],
    )
    assert RollupDirty.objects.filter(listener_id=alice.pk).count() == 2
    assert _answer(alice)["Newcomer"] == 2
    assert _answer(alice) == _truth(alice)
    may = Window.parse("2024-05", "2024-05", tz=UTC)
    assert _answer(alice, may) == _truth(alice, may)
    assert not RollupDirty.objects.filter(listener_id=alice.pk).exists()


def test_deleted_plays_stop_counting_like_an_import_taken_back():
    alice, _, _, _ = two_listeners()
    assert _answer(alice) == _truth(alice)
    gone, _ = Play.objects.filter(listener=alice, played_at__year=2022).delete()
    assert gone
    assert _answer(alice) == _truth(alice)
    assert (
        queries.listening_summary(alice, window=Window.parse("2022", "2022", tz=UTC))["plays"] == 0
    )
    firsts = {t["name"]: t["first_play"] for t in queries.discoveries(alice, limit=100)["tracks"]}
    assert all(not first.startswith("2022") for first in firsts.values())


def test_plays_moved_onto_the_real_track_by_a_merge_count_once_for_it():
    alice = Listener.objects.create(spotify_user_id="merge")
    at = datetime(2023, 3, 3, 12, tzinfo=UTC)
    # Account-data rows first: a name-only track...
    ingest_plays(
        alice,
        [
            _track(
                "Late Bloomer", "Merger", at + timedelta(hours=n), source="account_data", uri=False
            )
            for n in range(3)
        ],
    )
    assert _answer(alice) == {"Merger": 3}
    # ...then the same track with its URI: the local item's plays move onto the real one.
    ingest_plays(alice, [_track("Late Bloomer", "Merger", datetime(2023, 4, 1, tzinfo=UTC))])
    answer = queries.top_tracks(alice, limit=10)["items"]
    assert [(t["name"], t["plays"]) for t in answer] == [("Late Bloomer", 4)]
    assert ItemTotal.objects.filter(listener=alice).count() == 1


def test_changing_the_minimum_rebuilds_everything(settings):
    alice, plays, _, _ = two_listeners()
    assert _answer(alice) == _truth(alice)
    settings.MIN_PLAY_MS = 150_000
    expected = sum(
        1 for p in plays if p.kind == "track" and (p.ms_played is None or p.ms_played >= 150_000)
    )
    assert sum(_answer(alice).values()) == expected
    assert RollupState.objects.get(listener=alice).min_play_ms == 150_000


def test_a_fresh_listener_needs_no_rebuild_and_a_full_one_changes_nothing():
    alice, _, _, _ = two_listeners()
    ensure_fresh(alice)
    before = sorted(ItemMonth.objects.filter(listener=alice).values_list("month", "item", "plays"))
    assert ensure_fresh(alice) is False
    assert rebuild(alice, full=True) is True
    after = sorted(ItemMonth.objects.filter(listener=alice).values_list("month", "item", "plays"))
    assert before == after


def test_deleting_a_listener_takes_their_rollups_and_leaves_the_others():
    alice, _, bob, _ = two_listeners()
    ensure_fresh(alice)
    ensure_fresh(bob)
    bob_rows = HourTotal.objects.filter(listener=bob).count()
    alice_id = alice.pk
    alice.delete()
    assert not HourTotal.objects.filter(listener_id=alice_id).exists()
    assert not ItemTotal.objects.filter(listener_id=alice_id).exists()
    assert not RollupDirty.objects.filter(listener_id=alice_id).exists()
    assert HourTotal.objects.filter(listener=bob).count() == bob_rows
    assert _answer(bob) == _truth(bob)


def _snapshot(listener):
    return {
        model.__name__: sorted(
            tuple(row) for row in model.objects.filter(listener=listener).values_list(*fields)
        )
        for model, fields in (
            (ItemMonth, ("month", "item", "plays", "ms", "first_at", "last_at")),
            (ItemYear, ("year", "item", "plays", "ms", "first_at", "last_at")),
            (ItemTotal, ("item", "plays", "ms", "first_at", "last_at")),
            (HourTotal, ("epoch_hour", "source", "plays", "ms", "track_plays", "stored")),
        )
    }


def test_rebuilding_only_the_changed_months_gives_what_a_full_rebuild_gives():
    alice, _, _, _ = two_listeners()
    ensure_fresh(alice)
    ingest_plays(
        alice,
        [
            _track("Intro", "Ænima Collective", datetime(2020, 12, 31, 23, 59, tzinfo=UTC)),
            _track("Brand New", "Newcomer", datetime(2021, 1, 1, 0, 1, tzinfo=UTC)),
        ],
    )
    Play.objects.filter(listener=alice, played_at__year=2023, played_at__month=5).delete()
    assert rebuild(alice) is True
    incremental = _snapshot(alice)
    rebuild(alice, full=True)
    assert _snapshot(alice) == incremental
