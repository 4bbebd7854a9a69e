"""After a big import the worker builds the listener's rollups, so no question pays for it."""

from datetime import UTC, datetime

import pytest
from django_q.models import OrmQ

from plays.ingest import ingest_plays
from plays.models import RollupDirty, RollupState
from plays.records import PlayRecord
from plays.tasks import refresh_rollups, request_rollup_refresh

pytestmark = pytest.mark.django_db


def _play(at):
    return PlayRecord(
        played_at=at,
        source="extended",
        kind="track",
        item_name="Northern Lights",
        item_uri="spotify:track:0northernlightszzzzzzz",
        artist_names=("Aurora Fields",),
        album_name="Polar",
        duration_ms=200_000,
        ms_played=120_000,
    )


def test_the_refresh_task_builds_stale_rollups_and_then_has_nothing_to_do(listener):
    ingest_plays(listener, [_play(datetime(2023, 3, 1, 9, tzinfo=UTC))])
    assert RollupDirty.objects.filter(listener_id=listener.pk).exists()

    assert refresh_rollups(listener.pk) is True
    assert not RollupDirty.objects.filter(listener_id=listener.pk).exists()
    assert RollupState.objects.filter(listener_id=listener.pk).exists()
    assert refresh_rollups(listener.pk) is False


def test_the_refresh_task_of_a_deleted_listener_does_nothing(listener):
    listener_id = listener.pk
    listener.delete()
    assert refresh_rollups(listener_id) is False


def test_requesting_a_refresh_queues_it_for_the_worker(listener):
    request_rollup_refresh(listener)
    [queued] = [task.task for task in OrmQ.objects.all()]  # the worker's queue
    assert (queued["func"], queued["args"]) == (refresh_rollups, (listener.pk,))
