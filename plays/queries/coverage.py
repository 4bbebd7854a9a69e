"""How complete and fresh a listener's history is: plays per source, ends, polling state."""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Max, Min, Sum
from django.utils import timezone

from plays.models import HourTotal, Play
from plays.queries.windows import UTC_ZONE, iso, listener_tz
from plays.rollups import ensure_fresh


def _source_hours(listener):
    """{source: (stored plays, first hour, last hour)} from the hourly rollup."""
    ensure_fresh(listener)
    rows = (
        HourTotal.objects.filter(listener=listener)
        .values("source")
        .annotate(n=Sum("stored"), first=Min("epoch_hour"), last=Max("epoch_hour"))
        .values_list("source", "n", "first", "last")
        .order_by()
    )
    return {source: (n, first, last) for source, n, first, last in rows}


def plays_by_source(listener) -> dict:
    """{source: stored plays} for every source, short plays included (what each source gave)."""
    hours = _source_hours(listener)
    return {source: hours.get(source, (0,))[0] for source in Play.Source.values}


def coverage(listener) -> dict:
    """Stored plays in all and per source, with the first and last play (aware datetimes or None).

    The operator's dashboard shows this for every listener: the counts come from the rollups and
    the two ends from the (listener, played_at, ...) index, so it costs milliseconds however long
    the history.
    """
    by_source = plays_by_source(listener)
    ends = Play.objects.filter(listener=listener).aggregate(
        first=Min("played_at"), last=Max("played_at")
    )
    return {
        "plays": sum(by_source.values()),
        "by_source": by_source,
        "first_play": ends["first"],
        "last_play": ends["last"],
    }


def _edge_play(listener, source, hour_number, newest):
    hour = datetime.fromtimestamp(hour_number * 3600, UTC_ZONE)
    plays = Play.objects.filter(
        listener=listener,
        source=source,
        played_at__gte=hour,
        played_at__lt=hour + timedelta(hours=1),
    )
    order = "-played_at" if newest else "played_at"
    return plays.order_by(order).values_list("played_at", flat=True).first()


def sync_status(listener, *, tz=None) -> dict:
    """How complete and fresh the history is: coverage per source, polling state, imports."""
    tz = tz or listener_tz(listener)
    hours = _source_hours(listener)
    coverage = []
    for source, label in Play.Source.choices:
        stored, first_hour, last_hour = hours.get(source, (0, None, None))
        coverage.append(
            {
                "source": source,
                "label": label,
                "plays": stored,
                "first_play": iso(_edge_play(listener, source, first_hour, False), tz)
                if stored
                else None,
                "last_play": iso(_edge_play(listener, source, last_hour, True), tz)
                if stored
                else None,
            }
        )
    firsts = [c["first_play"] for c in coverage if c["first_play"]]
    lasts = [c["last_play"] for c in coverage if c["last_play"]]
    now = timezone.now()
    limited = listener.rate_limited_until
    # Import jobs live in the app above this one; the reverse relation reaches them without
    # importing it.
    jobs = listener.import_jobs.order_by("-created_at", "-id")[:5]
    return {
        "listener": listener.spotify_user_id,
        "display_name": listener.display_name,
        "status": listener.status,
        "status_label": listener.get_status_display(),
        "status_reason": listener.status_reason,
        "needs_reauth": listener.status == listener.Status.NEEDS_REAUTH,
        "polling": listener.can_be_polled,
        "plays": sum(c["plays"] for c in coverage),
        "first_play": min(firsts, key=datetime.fromisoformat) if firsts else None,
        "last_play": max(lasts, key=datetime.fromisoformat) if lasts else None,
        "coverage": coverage,
        "last_poll_at": iso(listener.last_poll_at, tz),
        "last_success_at": iso(listener.last_success_at, tz),
        "next_poll_at": iso(listener.next_poll_at, tz) if listener.can_be_polled else None,
        "rate_limited_until": iso(limited, tz) if limited and limited > now else None,
        "consecutive_failures": listener.consecutive_failures,
        "refresh_token_expires_at": iso(listener.refresh_token_expires_at, tz),
        "recent_imports": [
            {
                "job_id": job.pk,
                "file_name": job.file_name,
                "status": job.status,
                "format": job.format,
                "inserted": job.inserted,
                "duplicates": job.duplicates,
                "earliest_play": iso(job.earliest_play, tz),
                "latest_play": iso(job.latest_play, tz),
                "created_at": iso(job.created_at, tz),
                "finished_at": iso(job.finished_at, tz),
                "error": job.error or None,
            }
            for job in jobs
        ],
        "time_zone": str(tz),
    }
