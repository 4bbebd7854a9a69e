"""Keeps each listener's rollups (ItemMonth, ItemYear, ItemTotal, HourTotal, HiddenHourTotal:
the hours of the plays of the artists the listener hides; PeriodTotal: see `plays.period_rollups`;
ItemDay and DayTotal: `plays.day_rollups`; DayHourTotal: `plays.hour_days`) exact.

Scanning a million plays takes PostgreSQL a second or more; summing a few thousand rollup rows
takes milliseconds. The rollups are derived data only. Triggers on plays_play (see migration
0004) mark the UTC month of every inserted, deleted or changed play as stale, whatever path
changed it (the insert path, an import taken back, catalogue merges, a deleted listener), and
`ensure_fresh` rebuilds just those months (and their years) before a query reads. After an
import the worker builds them at once (`plays.tasks.refresh_rollups`), so no question waits for
a whole history; a change of MIN_PLAY_MS rebuilds it too. When the listener hides or shows an
artist, `RollupState.hidden_item_ids` (the items hidden at the last build) gives the items that
changed, and only the rows those items count towards are rebuilt.
"""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from datetime import UTC, date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists
from django.utils import timezone

from plays import day_rollups, hidden, hour_days, period_rollups, session_breaks
from plays.models import (
    HiddenHourTotal,
    HourTotal,
    ItemMonth,
    ItemTotal,
    ItemYear,
    RollupDirty,
    RollupState,
)

_CHUNK = 900


def ensure_fresh(listener) -> bool:
    """Brings the listener's rollups up to date; True if anything had to be rebuilt."""
    # One round trip: the state and whether any month is marked stale.
    state = (
        RollupState.objects.filter(listener_id=listener.pk)
        .annotate(stale=Exists(RollupDirty.objects.filter(listener_id=listener.pk)))
        .values_list("min_play_ms", "hidden_items", "stale")
        .first()
    )
    if (
        state is not None
        and state[0] == settings.MIN_PLAY_MS
        and not state[2]
        and state[1] == hidden.signature(listener.pk)
    ):
        return False
    return rebuild(listener)


def rebuild(listener, *, full=False) -> bool:
    """Rebuilds the stale months; everything when never built, `full`, or the minimum changed."""
    with transaction.atomic():
        state, _ = RollupState.objects.get_or_create(listener_id=listener.pk)
        # One rebuild per listener at a time; a second caller waits here, then finds little to do.
        state = RollupState.objects.select_for_update().get(pk=state.pk)
        # Marks a writer is bumping right now are skipped, not waited for: the writer holds them
        # until its batch commits, and waiting while it waits for a mark we hold would deadlock.
        # Its months stay marked, so the next query rebuilds them.
        marks = list(
            RollupDirty.objects.select_for_update(skip_locked=True)
            .filter(listener_id=listener.pk)
            .values_list("id", "month", "version")
        )
        full = full or state.min_play_ms != settings.MIN_PLAY_MS
        signature, hidden_ids = hidden.hidden_items(listener.pk)
        hidden_changed = signature != state.hidden_items
        if not marks and not full and not hidden_changed:
            return False
        # The items hidden or shown since the last build: only their rows change. Unknown when
        # the state predates `hidden_item_ids`: then every row that leaves hidden items out.
        changed = None
        if hidden_changed and not full and state.hidden_item_ids is not None:
            changed = sorted(set(state.hidden_item_ids) ^ set(hidden_ids))
        rebuild_hidden = hidden_changed and not full and changed is None
        builder = _Builder(listener.pk, settings.MIN_PLAY_MS)
        if full:
            builder.rebuild_all()
        elif marks:
            builder.rebuild_months(sorted({month for _, month, _ in marks}))
        if hidden_changed and not full:
            builder.rebuild_hidden_hours(None, None)
            day_rollups.rebuild_hidden(listener.pk, settings.MIN_PLAY_MS, changed)
            hour_days.rebuild(listener.pk)
        months = sorted({m for _, m, _ in marks})
        if changed is not None:
            period_rollups.rebuild_keys(listener.pk, changed)
        period_rollups.rebuild(listener.pk, None if full or rebuild_hidden else months)
        if changed is not None:
            session_breaks.refresh_hidden(listener.pk, changed)
        session_breaks.refresh(listener.pk, months, everything=full or rebuild_hidden)
        for mark_id, _month, version in marks:
            # Only the marks seen above: a play stored meanwhile has bumped its month's version.
            RollupDirty.objects.filter(id=mark_id, version=version).delete()
        state.min_play_ms = settings.MIN_PLAY_MS
        state.hidden_items = signature
        state.hidden_item_ids = hidden_ids
        state.built_at = timezone.now()
        state.save()
    return True


def forget_listener(sender, instance, **kwargs):
    """Drops a deleted listener's stale-month marks (they have no foreign key to cascade on),
    including those the triggers wrote while the listener's plays were being deleted."""
    RollupDirty.objects.filter(listener_id=instance.pk).delete()


def epoch_hour(moment: datetime) -> int:
    """Whole hours since 1970-01-01 00:00 UTC (HourTotal.epoch_hour) of an aware moment."""
    return int(moment.timestamp() // 3600)


def _month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _runs(months):
    """Contiguous runs of months as [(first instant, first instant after)] in UTC."""
    runs = []
    for month in months:
        if runs and runs[-1][1] == month:
            runs[-1][1] = _month_after(month)
        else:
            runs.append([month, _month_after(month)])
    return [
        (datetime(a.year, a.month, 1, tzinfo=UTC), datetime(b.year, b.month, 1, tzinfo=UTC))
        for a, b in runs
    ]


class _Builder:
    """The SQL that rebuilds one listener's rollups, for PostgreSQL and SQLite."""

    def __init__(self, listener_id, min_play_ms):
        self.listener_id = listener_id
        self.min_ms = min_play_ms
        if connection.vendor == "postgresql":
            self.month_sql = "date_trunc('month', p.played_at AT TIME ZONE 'UTC')::date"
            self.year_sql = "date_trunc('year', month)::date"
        else:
            self.month_sql = "strftime('%%Y-%%m-01', p.played_at)"
            self.year_sql = "strftime('%%Y-01-01', month)"
        self.hour_sql = self.hour_sql_of(connection.vendor)

    @staticmethod
    def hour_sql_of(vendor):
        if vendor == "postgresql":
            return "FLOOR(EXTRACT(EPOCH FROM p.played_at) / 3600)::bigint"
        return "CAST(strftime('%%s', p.played_at) AS INTEGER) / 3600"

    def _dt(self, moment):
        return connection.ops.adapt_datetimefield_value(moment)

    def rebuild_all(self):
        for model in (ItemMonth, ItemYear, ItemTotal, HourTotal):
            model.objects.filter(listener_id=self.listener_id).delete()
        self.rebuild_hidden_hours(None, None)
        with connection.cursor() as cursor:
            self._insert_months(cursor, None, None)
            self._insert_hours(cursor, None, None)
            self._insert_years(cursor, None, None)
            cursor.execute(
                "INSERT INTO plays_itemtotal (listener_id, item_id, plays, ms, first_at, last_at) "
                "SELECT listener_id, item_id, SUM(plays), SUM(ms), MIN(first_at), MAX(last_at) "
                "FROM plays_itemyear WHERE listener_id = %s GROUP BY listener_id, item_id",
                [self.listener_id],
            )
        day_rollups.rebuild(self.listener_id, self.min_ms)
        hour_days.rebuild(self.listener_id)

    def rebuild_months(self, months):
        touched = set()
        with connection.cursor() as cursor:
            for start, end in _runs(months):
                in_run = ItemMonth.objects.filter(
                    listener_id=self.listener_id, month__gte=start.date(), month__lt=end.date()
                )
                touched.update(in_run.values_list("item_id", flat=True))
                in_run.delete()
                HourTotal.objects.filter(
                    listener_id=self.listener_id,
                    epoch_hour__gte=epoch_hour(start),
                    epoch_hour__lt=epoch_hour(end),
                ).delete()
                self._insert_months(cursor, start, end)
                self._insert_hours(cursor, start, end)
                self.rebuild_hidden_hours(start, end)
                day_rollups.rebuild(self.listener_id, self.min_ms, start, end)
                hour_days.rebuild(self.listener_id, start, end)
                touched.update(in_run.values_list("item_id", flat=True))
            # Only the items played in those months can have other yearly and all-time totals.
            years = sorted({date(month.year, 1, 1) for month in months})
            touched = sorted(touched)
            for first in range(0, len(touched), _CHUNK):
                chunk = touched[first : first + _CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                only = f" AND item_id IN ({marks})"
                for year in years:
                    ItemYear.objects.filter(
                        listener_id=self.listener_id, year=year, item_id__in=chunk
                    ).delete()
                    self._insert_years(cursor, year, date(year.year + 1, 1, 1), only, chunk)
                ItemTotal.objects.filter(listener_id=self.listener_id, item_id__in=chunk).delete()
                cursor.execute(
                    "INSERT INTO plays_itemtotal "
                    "(listener_id, item_id, plays, ms, first_at, last_at) "
                    "SELECT listener_id, item_id, SUM(plays), SUM(ms), MIN(first_at), MAX(last_at) "
                    f"FROM plays_itemyear WHERE listener_id = %s{only} "
                    "GROUP BY listener_id, item_id",
                    [self.listener_id, *chunk],
                )

    def _insert_years(self, cursor, start, end, only="", items=()):
        where, params = only, list(items)
        if start is not None:
            where = f" AND month >= %s AND month < %s{only}"
            params = [connection.ops.adapt_datefield_value(d) for d in (start, end)] + params
        cursor.execute(
            "INSERT INTO plays_itemyear (listener_id, year, item_id, plays, ms, first_at, last_at) "
            f"SELECT listener_id, {self.year_sql}, item_id, SUM(plays), SUM(ms), MIN(first_at), "
            f"MAX(last_at) FROM plays_itemmonth WHERE listener_id = %s{where} "
            f"GROUP BY listener_id, {self.year_sql}, item_id",
            [self.listener_id, *params],
        )

    def _range(self, start, end):
        if start is None:
            return "", []
        return " AND p.played_at >= %s AND p.played_at < %s", [self._dt(start), self._dt(end)]

    def _insert_months(self, cursor, start, end):
        where, params = self._range(start, end)
        cursor.execute(
            "INSERT INTO plays_itemmonth "
            "(listener_id, month, item_id, plays, ms, first_at, last_at) "
            f"SELECT p.listener_id, {self.month_sql}, p.item_id, COUNT(*), "
            "SUM(COALESCE(p.ms_played, i.duration_ms, 0)), MIN(p.played_at), MAX(p.played_at) "
            "FROM plays_play p JOIN plays_item i ON i.id = p.item_id "
            "WHERE p.listener_id = %s AND (p.ms_played IS NULL OR p.ms_played >= %s)"
            f"{where} GROUP BY p.listener_id, {self.month_sql}, p.item_id",
            [self.listener_id, self.min_ms, *params],
        )

    def rebuild_hidden_hours(self, start, end):
        """HiddenHourTotal of the hidden items' plays in [start, end) (all time for None)."""
        rows = HiddenHourTotal.objects.filter(listener_id=self.listener_id)
        if start is not None:
            rows = rows.filter(epoch_hour__gte=epoch_hour(start), epoch_hour__lt=epoch_hour(end))
        rows.delete()
        artist_ids = hidden.hidden_artist_ids(self.listener_id)
        if artist_ids:
            items, item_params = hidden.items_sql(artist_ids)
            with connection.cursor() as cursor:
                self._insert_hours(
                    cursor,
                    start,
                    end,
                    "plays_hiddenhourtotal",
                    f" AND p.item_id IN ({items})",
                    item_params,
                )

    def _insert_hours(self, cursor, start, end, table="plays_hourtotal", only="", only_params=()):
        where, params = self._range(start, end)
        where, params = where + only, [*params, *only_params]
        counted = "(p.ms_played IS NULL OR p.ms_played >= %s)"
        cursor.execute(
            f"INSERT INTO {table} (listener_id, epoch_hour, source, plays, ms, track_plays, "
            "stored, short_or_skipped) "
            f"SELECT p.listener_id, {self.hour_sql}, p.source, "
            f"SUM(CASE WHEN {counted} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {counted} THEN COALESCE(p.ms_played, i.duration_ms, 0) ELSE 0 END), "
            f"SUM(CASE WHEN {counted} AND i.kind = 'track' THEN 1 ELSE 0 END), "
            "COUNT(*), "
            "SUM(CASE WHEN p.skipped IS TRUE OR p.ms_played < %s THEN 1 ELSE 0 END) "
            "FROM plays_play p JOIN plays_item i ON i.id = p.item_id "
            f"WHERE p.listener_id = %s{where} "
            f"GROUP BY p.listener_id, {self.hour_sql}, p.source",
            [self.min_ms, self.min_ms, self.min_ms, self.min_ms, self.listener_id, *params],
        )
