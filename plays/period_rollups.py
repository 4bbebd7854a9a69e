"""Builds PeriodTotal: each listener's counted plays of tracks per artist, album and track in each
UTC week, month and year, the hidden artists' items left out; and PeriodCount, how many of each
kind have a play in each of those periods.

Why: ranks over time and number ones (`plays.queries.ranks`) need, in each period, how many
artists (albums, tracks) have more plays than one of them, or which have the most. Summed from the
per-track rollups each time that is hundreds of thousands of rows per question; here it is a range
of one index (listener, kind, unit, period, plays). The local periods of a listener's time zone are
the UTC ones with the plays near their boundaries moved across, which the query does itself.

`plays.rollups.rebuild` calls `rebuild` inside its transaction, after ItemMonth and ItemYear are
exact: months and years are summed from those; weeks from the plays of the whole UTC weeks that
touch a stale month. The hidden artists' items are left out when building; when they change,
`rebuild_keys` rebuilds just the rows of the tracks hidden or shown, their artists and albums.
"""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection

from plays import hidden
from plays.models import PeriodCount, PeriodTotal

# The key of each kind, a column of plays_item (tracks: the item itself).
_KEYS = {"track": "i.id", "artist": "i.primary_artist_id", "album": "i.album_id"}
# Periods per statement when recounting some of them.
_CHUNK = 500


def _month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_sql():
    if connection.vendor == "postgresql":
        return "date_trunc('week', p.played_at AT TIME ZONE 'UTC')::date"
    return "date(p.played_at, 'weekday 0', '-6 days')"


def _d(day):
    return connection.ops.adapt_datefield_value(day)


def rebuild(listener_id, months=None):
    """Rebuilds the listener's PeriodTotal rows: all of them (`months` None), or those of the
    given UTC months (first days), their years and the weeks that touch them."""
    keep, keep_params = "", []
    artist_ids = hidden.hidden_artist_ids(listener_id)
    if artist_ids:
        items, keep_params = hidden.items_sql(artist_ids)
        keep = f" AND i.id NOT IN ({items})"
    rows = PeriodTotal.objects.filter(listener_id=listener_id)
    if months is None:
        rows.delete()
        _from_rollup(listener_id, "m", keep, keep_params, None, None)
        _from_rollup(listener_id, "y", keep, keep_params, None, None)
        _weeks(listener_id, keep, keep_params, None, None)
        _count(listener_id, None, None, None)
        return
    months = sorted(set(months))
    for month in months:
        after = _month_after(month)
        rows.filter(unit="m", period=month).delete()
        _from_rollup(listener_id, "m", keep, keep_params, month, after)
        _count(listener_id, "m", month, after)
    for year in sorted({date(month.year, 1, 1) for month in months}):
        after = date(year.year + 1, 1, 1)
        rows.filter(unit="y", period=year).delete()
        _from_rollup(listener_id, "y", keep, keep_params, year, after)
        _count(listener_id, "y", year, after)
    weeks = set()
    for month in months:
        week = _monday(month)
        while week < _month_after(month):
            weeks.add(week)
            week += timedelta(days=7)
    runs = []
    for week in sorted(weeks):
        if runs and runs[-1][1] == week:
            runs[-1][1] = week + timedelta(days=7)
        else:
            runs.append([week, week + timedelta(days=7)])
    for first, after in runs:
        rows.filter(unit="w", period__gte=first, period__lt=after).delete()
        _weeks(listener_id, keep, keep_params, first, after)
        _count(listener_id, "w", first, after)


def _count(listener_id, unit, first, after):
    """PeriodCount of the periods of `unit` in [first, after) (every period for None)."""
    counts = PeriodCount.objects.filter(listener_id=listener_id)
    where, params = "", []
    if unit is not None:
        counts = counts.filter(unit=unit, period__gte=first, period__lt=after)
        where, params = (
            " AND unit = %s AND period >= %s AND period < %s",
            [unit, _d(first), _d(after)],
        )
    counts.delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO plays_periodcount (listener_id, kind, unit, period, keys) "
            "SELECT listener_id, kind, unit, period, COUNT(*) FROM plays_periodtotal "
            f"WHERE listener_id = %s{where} GROUP BY listener_id, kind, unit, period",
            [listener_id, *params],
        )


def _from_rollup(listener_id, unit, keep, keep_params, first, after):
    """Month (year) rows of every kind from ItemMonth (ItemYear), periods in [first, after)."""
    table, column = ("plays_itemmonth", "month") if unit == "m" else ("plays_itemyear", "year")
    where, params = "", []
    if first is not None:
        where, params = f" AND r.{column} >= %s AND r.{column} < %s", [_d(first), _d(after)]
    with connection.cursor() as cursor:
        for kind, key in _KEYS.items():
            cursor.execute(
                "INSERT INTO plays_periodtotal (listener_id, kind, unit, period, key, plays) "
                f"SELECT r.listener_id, %s, %s, r.{column}, {key}, SUM(r.plays) FROM {table} r "
                "JOIN plays_item i ON i.id = r.item_id WHERE r.listener_id = %s "
                f"AND i.kind = 'track' AND {key} IS NOT NULL{where}{keep} "
                f"GROUP BY r.listener_id, r.{column}, {key}",
                [kind, unit, listener_id, *params, *keep_params],
            )


def _weeks(listener_id, keep, keep_params, first, after):
    """Week rows of every kind for the UTC weeks from `first` to before `after` (Mondays): the
    tracks' from the plays, then the artists' and albums' from the tracks'."""
    week = _week_sql()
    where, params, rows_where, rows_params = "", [], "", []
    if first is not None:
        start = datetime(first.year, first.month, first.day, tzinfo=UTC)
        end = datetime(after.year, after.month, after.day, tzinfo=UTC)
        where = " AND p.played_at >= %s AND p.played_at < %s"
        params = [connection.ops.adapt_datetimefield_value(m) for m in (start, end)]
        rows_where, rows_params = " AND r.period >= %s AND r.period < %s", [_d(first), _d(after)]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO plays_periodtotal (listener_id, kind, unit, period, key, plays) "
            f"SELECT p.listener_id, 'track', 'w', {week}, p.item_id, COUNT(*) "
            "FROM plays_play p JOIN plays_item i ON i.id = p.item_id WHERE p.listener_id = %s "
            "AND (p.ms_played IS NULL OR p.ms_played >= %s) AND i.kind = 'track'"
            f"{where}{keep} GROUP BY p.listener_id, {week}, p.item_id",
            [listener_id, settings.MIN_PLAY_MS, *params, *keep_params],
        )
        for kind in ("artist", "album"):
            key = _KEYS[kind]
            cursor.execute(
                "INSERT INTO plays_periodtotal (listener_id, kind, unit, period, key, plays) "
                f"SELECT r.listener_id, %s, 'w', r.period, {key}, SUM(r.plays) "
                "FROM plays_periodtotal r JOIN plays_item i ON i.id = r.key "
                "WHERE r.listener_id = %s AND r.kind = 'track' AND r.unit = 'w' "
                f"AND {key} IS NOT NULL{rows_where} GROUP BY r.listener_id, r.period, {key}",
                [kind, listener_id, *rows_params],
            )


def rebuild_keys(listener_id, changed):
    """Rebuilds, in every period, the rows of the keys the items `changed` (hidden or shown
    again since the last build) count towards: those tracks, their artists and albums; then the
    PeriodCount of those periods. Every statement reads by index: the rollup rows and plays of
    the items of those keys, and the periods they have plays in (where a row of those keys can
    be, before or after)."""
    if not changed:
        return
    keep, keep_params = "", []
    artist_ids = hidden.hidden_artist_ids(listener_id)
    if artist_ids:
        items, keep_params = hidden.items_sql(artist_ids)
        keep = f" AND i.id NOT IN ({items})"
    ids, ids_params = hidden.ids_sql(changed)
    # Per kind: (the keys, the items counting towards them), as subqueries.
    scopes = {}
    for kind, column in (("track", "id"), ("artist", "primary_artist_id"), ("album", "album_id")):
        keys = (
            f"SELECT ki.{column} FROM plays_item ki WHERE ki.id IN ({ids}) "
            f"AND ki.kind = 'track' AND ki.{column} IS NOT NULL"
        )
        members = f"SELECT mi.id FROM plays_item mi WHERE mi.{column} IN ({keys})"
        scopes[kind] = (keys, members)
    every = " UNION ".join(members for _, members in scopes.values())
    every_params = ids_params * len(scopes)
    week = _week_sql()
    periods = {}
    with connection.cursor() as cursor:
        for unit, sql in (
            ("m", "SELECT DISTINCT month FROM plays_itemmonth WHERE listener_id = %s"),
            ("y", "SELECT DISTINCT year FROM plays_itemyear WHERE listener_id = %s"),
            ("w", f"SELECT DISTINCT {week} FROM plays_play p WHERE p.listener_id = %s"),
        ):
            alias = "p." if unit == "w" else ""
            cursor.execute(f"{sql} AND {alias}item_id IN ({every})", [listener_id, *every_params])
            periods[unit] = sorted(row[0] for row in cursor.fetchall())
        for kind, (keys, _members) in scopes.items():
            for unit, dates in periods.items():
                for first in range(0, len(dates), _CHUNK):
                    chunk = dates[first : first + _CHUNK]
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(
                        "DELETE FROM plays_periodtotal WHERE listener_id = %s AND kind = %s "
                        f"AND unit = %s AND period IN ({marks}) AND key IN ({keys})",
                        [listener_id, kind, unit, *[_d(d) for d in chunk], *ids_params],
                    )
        for kind, (_keys, members) in scopes.items():
            key = _KEYS[kind]
            for table, column, unit in (
                ("plays_itemmonth", "month", "m"),
                ("plays_itemyear", "year", "y"),
            ):
                cursor.execute(
                    "INSERT INTO plays_periodtotal (listener_id, kind, unit, period, key, plays) "
                    f"SELECT r.listener_id, %s, %s, r.{column}, {key}, SUM(r.plays) FROM {table} r "
                    "JOIN plays_item i ON i.id = r.item_id WHERE r.listener_id = %s "
                    f"AND r.item_id IN ({members}) AND i.kind = 'track' AND {key} IS NOT NULL"
                    f"{keep} GROUP BY r.listener_id, r.{column}, {key}",
                    [kind, unit, listener_id, *ids_params, *keep_params],
                )
            # Weeks from the plays, as `_weeks` counts the tracks' (the artists' and albums' are
            # the sums of their tracks').
            cursor.execute(
                "INSERT INTO plays_periodtotal (listener_id, kind, unit, period, key, plays) "
                f"SELECT p.listener_id, %s, 'w', {week}, {key}, COUNT(*) "
                "FROM plays_play p JOIN plays_item i ON i.id = p.item_id WHERE p.listener_id = %s "
                f"AND p.item_id IN ({members}) AND {key} IS NOT NULL "
                "AND (p.ms_played IS NULL OR p.ms_played >= %s) AND i.kind = 'track'"
                f"{keep} GROUP BY p.listener_id, {week}, {key}",
                [kind, listener_id, *ids_params, settings.MIN_PLAY_MS, *keep_params],
            )
    for kind in scopes:
        for unit, dates in periods.items():
            _recount(listener_id, kind, unit, dates)


def _recount(listener_id, kind, unit, periods):
    """PeriodCount of the given periods of one kind and unit."""
    for first in range(0, len(periods), _CHUNK):
        chunk = periods[first : first + _CHUNK]
        PeriodCount.objects.filter(
            listener_id=listener_id, kind=kind, unit=unit, period__in=chunk
        ).delete()
        marks = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO plays_periodcount (listener_id, kind, unit, period, keys) "
                "SELECT listener_id, kind, unit, period, COUNT(*) FROM plays_periodtotal "
                f"WHERE listener_id = %s AND kind = %s AND unit = %s AND period IN ({marks}) "
                "GROUP BY listener_id, kind, unit, period",
                [listener_id, kind, unit, *[_d(period) for period in chunk]],
            )
