"""How complete and fresh a listener's history is: plays per source, ends, polling state."""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Max, Min, Sum
from django.utils import timezone

from plays.models import DayTotal, HiddenHourTotal, HourTotal, ItemDay, Play
from plays.queries import days
from plays.queries.exclusions import exclusion_of, says_excluded_artists
from plays.queries.hours import net_hours_sql, time_sums
from plays.queries.sums import stored_plays
from plays.queries.windows import UTC_ZONE, QueryError, Window, iso, listener_tz
from plays.rollups import ensure_fresh


def _source_hours(listener, *, everything=False):
    """{source: (stored plays, first hour, last hour)} from the hourly rollup: the hidden
    artists' plays left out, unless `everything` (what is stored, for the operator)."""
    ensure_fresh(listener)
    rows = (
        HourTotal.objects.filter(listener=listener)
        .values("source")
        .annotate(n=Sum("stored"), first=Min("epoch_hour"), last=Max("epoch_hour"))
        .values_list("source", "n", "first", "last")
        .order_by()
    )
    found = {source: (int(n), first, last) for source, n, first, last in rows}
    if everything or not exclusion_of(listener):
        return found
    hidden = dict(
        HiddenHourTotal.objects.filter(listener=listener)
        .values("source")
        .annotate(n=Sum("stored"))
        .values_list("source", "n")
        .order_by()
    )
    hours, params = net_hours_sql(listener)
    kept = {}
    for source, (n, _first, _last) in found.items():
        if n - hidden.get(source, 0) <= 0:
            continue
        ends = []
        for order in ("ASC", "DESC"):  # the first and last hour with a play left, by the index
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT epoch_hour FROM ({hours}) n WHERE source = %s "
                    f"ORDER BY epoch_hour {order} LIMIT 1",
                    [*params, source],
                )
                ends.append(cursor.fetchone()[0])
        kept[source] = (n - hidden.get(source, 0), *ends)
    return kept


def plays_by_source(listener, *, everything=False) -> dict:
    """{source: stored plays} for every source, short plays included (what each source gave);
    the hidden artists' plays left out unless `everything`."""
    hours = _source_hours(listener, everything=everything)
    return {source: hours.get(source, (0,))[0] for source in Play.Source.values}


def coverage(listener) -> dict:
    """Stored plays in all and per source, with the first and last play (aware datetimes or None).

    The operator's dashboard shows this for every listener: the counts come from the rollups and
    the two ends from the (listener, played_at, ...) index, so it costs milliseconds however long
    the history. It counts every stored row, the plays of artists the listener hides included:
    it is about what is stored, not what was heard.
    """
    by_source = plays_by_source(listener, everything=True)
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
    plays = stored_plays(listener).filter(
        source=source,
        played_at__gte=hour,
        played_at__lt=hour + timedelta(hours=1),
    )
    order = "-played_at" if newest else "played_at"
    return plays.order_by(order).values_list("played_at", flat=True).first()


@says_excluded_artists
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


MIN_GAP_DAYS = 14


@says_excluded_artists
def coverage_gaps(listener, *, min_gap_days=MIN_GAP_DAYS, tz=None) -> dict:
    """Holes in the history: spans of at least `min_gap_days` days without any stored play.

    A gap runs from the last stored play before it to the first one after it (short plays and
    every source count: the question is what the history holds, not what was listened to), so
    only gaps inside the covered range are found; before the first play and after the last
    there is nothing to compare with. Candidates come from the day rollup (consecutive hours
    holding plays, from each UTC day's mask of hours), and each one's exact ends from the plays.
    """
    if isinstance(min_gap_days, bool) or not isinstance(min_gap_days, int | float):
        raise QueryError("'min_gap_days' must be a number of days from 1 to 36600.")
    if not 1 <= min_gap_days <= 36_600:
        raise QueryError("'min_gap_days' must be a number of days from 1 to 36600.")
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    least = timedelta(days=min_gap_days)
    # Two plays in hours h1 < h2 are at most (h2 - h1 + 1) hours apart: anything closer can't
    # be a gap, so only the pairs at least that far apart are checked against the plays.
    candidate_hours = max(1, int(least.total_seconds() // 3600) - 1)
    # The hours holding plays come from the day rollup's masks of stored plays (the hidden
    # artists' left out): a few thousand rows, however long the history.
    masks = days.hour_masks(listener, ItemDay.Scope.ALL, 0, (None, None), column="stored_hours")
    pairs = _hour_pairs(masks, candidate_hours)
    plays = stored_plays(listener)
    gaps = []
    for before_hour, after_hour in pairs:
        before = _hour_start(before_hour)
        after = _hour_start(after_hour)
        last = (
            plays.filter(played_at__gte=before, played_at__lt=before + timedelta(hours=1))
            .order_by("-played_at")
            .values_list("played_at", flat=True)
            .first()
        )
        first = (
            plays.filter(played_at__gte=after, played_at__lt=after + timedelta(hours=1))
            .order_by("played_at")
            .values_list("played_at", flat=True)
            .first()
        )
        if last is None or first is None or first - last < least:
            continue
        gaps.append(
            {
                "start": iso(last, tz),
                "end": iso(first, tz),
                "days": round((first - last).total_seconds() / 86400, 1),
            }
        )
    return {
        "gaps": gaps,
        "longest": max(gaps, key=lambda gap: gap["days"]) if gaps else None,
        "min_gap_days": min_gap_days,
        "missing_days": round(sum(gap["days"] for gap in gaps), 1),
        "time_zone": str(tz),
    }


def _hour_pairs(masks, least):
    """[(hour, next hour holding plays)] at least `least` hours apart, in order, from the
    [(UTC day, mask of hours holding plays)] of every day with plays. Only pairs across days
    can be a gap: two plays of one UTC day are less than a day apart, and a gap is a day or more.
    """
    pairs, last = [], None
    for day, mask in masks:
        first = day * 24 + (mask & -mask).bit_length() - 1
        if last is not None and first - last >= least:
            pairs.append((last, first))
        last = day * 24 + mask.bit_length() - 1
    return pairs


def _hour_start(hour_number):
    return datetime.fromtimestamp(hour_number * 3600, UTC_ZONE)


class _Months:
    """The local month of local day numbers, asked mostly in order: (first day, first day after,
    the month's first date) of the month last asked, worked out again only when it changes."""

    def __init__(self):
        self.first, self.after, self.month = 0, 0, None

    def of(self, local_day):
        if not self.first <= local_day < self.after:
            month = (days.EPOCH_DAY + timedelta(days=local_day)).replace(day=1)
            after = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
            self.first = (month - days.EPOCH_DAY).days
            self.after, self.month = (after - days.EPOCH_DAY).days, month
        return self.month


def _stored_by_month(listener, tz):
    """{first day of a local month: {source: stored plays}} from the day rollup (DayTotal), the
    UTC days that a month's start cuts (or a change of offset) read hour by hour from the hourly
    rollup; None for a zone whose offsets aren't whole hours."""
    sources = Play.Source.values
    found = defaultdict(lambda: dict.fromkeys(sources, 0))
    rows = list(
        DayTotal.objects.filter(listener_id=listener.pk)
        .order_by("day")
        .values_list("day", "source", "stored")
    )
    if not rows:
        return found
    offsets = days.Offsets.of(tz, rows[0][0], rows[-1][0])
    if offsets is None:
        return None
    months, cut = _Months(), []
    until = -1  # the days before this one have the offset `offset` all day
    for day, source, stored in rows:
        if day >= until:
            offset = offsets.all_day(day)
            if offset is not None:
                until = offsets.calm_until()
        if offset is not None:
            month = months.of((day * 24 + offset) // 24)
            if (day * 24 + 23 + offset) // 24 < months.after:
                found[month][source] += stored
                continue
        if not cut or cut[-1] != day:
            cut.append(day)
    if cut:
        hours, params = net_hours_sql(listener)
        ranges = " OR ".join(["(epoch_hour >= %s AND epoch_hour < %s)"] * len(cut))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT epoch_hour, source, stored FROM ({hours}) n WHERE {ranges}",
                [*params, *(hour for day in cut for hour in (day * 24, day * 24 + 24))],
            )
            for hour, source, stored in cursor.fetchall():
                found[months.of((hour + offsets.at_hour(hour)) // 24)][source] += stored
    return found


@says_excluded_artists
def history_coverage(listener, *, min_gap_days=MIN_GAP_DAYS, tz=None) -> dict:
    """What the history holds, month by month: stored plays (short ones included) per local
    month and source, every month from the first play to the last, and the gaps of at least
    `min_gap_days` days without any play inside that range (`coverage_gaps`)."""
    tz = tz or listener_tz(listener)
    gaps = coverage_gaps(listener, min_gap_days=min_gap_days, tz=tz)  # checks min_gap_days
    found = _stored_by_month(listener, tz)
    if found is None:  # a zone not made of whole hours: the hourly rollup, by local day
        found = defaultdict(lambda: dict.fromkeys(Play.Source.values, 0))
        by_day = time_sums(listener, Window(), tz, "day", ("stored",), by_source=True)
        for (day, source), sums in by_day.items():
            month = (days.EPOCH_DAY + timedelta(days=day)).replace(day=1)
            found[month][source] += sums["stored"]
    months = []
    if found:
        month, last = min(found), max(found)
        while month <= last:
            by_source = found.get(month, dict.fromkeys(Play.Source.values, 0))
            months.append(
                {
                    "month": month.isoformat()[:7],
                    "plays": sum(by_source.values()),
                    "by_source": {source: n for source, n in by_source.items() if n},
                }
            )
            month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    totals = dict.fromkeys(Play.Source.values, 0)
    for by_source in found.values():
        for source, n in by_source.items():
            totals[source] += n
    ends = stored_plays(listener).aggregate(first=Min("played_at"), last=Max("played_at"))
    return {
        "plays": sum(totals.values()),
        "by_source": {source: n for source, n in totals.items() if n},
        "first_play": iso(ends["first"], tz),
        "last_play": iso(ends["last"], tz),
        "months": months,
        "empty_months": sum(1 for month in months if not month["plays"]),
        "gaps": gaps["gaps"],
        "longest_gap": gaps["longest"],
        "missing_days": gaps["missing_days"],
        "min_gap_days": min_gap_days,
        "time_zone": str(tz),
    }
