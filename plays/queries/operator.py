"""What the operator asks about the service: listeners' state, and sync runs, newest first.

Shared by the admin API (`adminui.api_listeners`, `adminui.api_activity`) and the operator's MCP
tools (`mcp.tools.ops`), so both answer from the same code. Values are plain data with aware
datetimes; each caller renders them its own way. Import jobs, which live in the app above,
are listed by `imports.listing` on top of `in_window`.
"""

from __future__ import annotations

from datetime import UTC

from django.utils import timezone

from accounts.models import Listener
from plays.models import SyncRun
from plays.queries.coverage import coverage


def listener_overview(listener) -> dict:
    """A listener's status, stored plays by source and polling state (never a token field)."""
    stored = coverage(listener)
    return {
        "spotify_user_id": listener.spotify_user_id,
        "display_name": listener.display_name,
        "status": listener.status,
        "status_label": listener.get_status_display(),
        "status_reason": listener.status_reason,
        "time_zone": listener.time_zone,
        "plays": stored["plays"],
        "plays_by_source": stored["by_source"],
        "first_play": stored["first_play"],
        "last_play": stored["last_play"],
        "last_poll_at": listener.last_poll_at,
        "next_poll_at": listener.next_poll_at,
        "rate_limited_until": listener.rate_limited_until,
        "refresh_token_expires_at": listener.refresh_token_expires_at,
        "needs_initial_sync": listener.needs_initial_sync,
    }


def listeners() -> list[dict]:
    """Every listener's overview, by Spotify user id."""
    return [
        listener_overview(listener) for listener in Listener.objects.order_by("spotify_user_id")
    ]


def sync_run_row(run) -> dict:
    """One sync run; `run.listener` should be select_related."""
    return {
        "id": run.pk,
        "user_id": run.listener.spotify_user_id,
        "kind": run.kind,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "requests": run.requests,
        "fetched": run.fetched,
        "inserted": run.inserted,
        "duplicates": run.duplicates,
        "error": run.error,
        "worker": run.worker,
    }


def _aware(moment):
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment, UTC)
    return moment


def in_window(queryset, time_field, *, listener=None, since=None, until=None, limit=50):
    """`queryset` of one listener (or all), `since` inclusive, `until` exclusive (naive times are
    UTC), at most `limit` rows in the queryset's order."""
    if listener is not None:
        queryset = queryset.filter(listener=listener)
    if since is not None:
        queryset = queryset.filter(**{f"{time_field}__gte": _aware(since)})
    if until is not None:
        queryset = queryset.filter(**{f"{time_field}__lt": _aware(until)})
    return queryset[:limit]


def recent_sync_runs(*, listener=None, kind=None, status=None, since=None, until=None, limit=50):
    """Sync runs by start time, newest first, filtered."""
    runs = SyncRun.objects.select_related("listener")
    if kind is not None:
        runs = runs.filter(kind=kind)
    if status is not None:
        runs = runs.filter(status=status)
    window = in_window(runs, "started_at", listener=listener, since=since, until=until, limit=limit)
    return [sync_run_row(run) for run in window]
