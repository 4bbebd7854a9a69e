"""Builds SessionBreak, the rollup that makes `listening_sessions` fast for any window and gap.

A session (plays.queries.sessions) is a run of plays, sorted by start, each starting at most the
gap after the latest end so far. Walking one listener's visible plays that way once, the pause
before each play is `start - latest end before it`, whatever the gap; the sessions for a gap of
g minutes are the runs between the pauses longer than g. Only pauses longer than the smallest
gap allowed (5 minutes) can ever end a session, so only those are stored (about one row per 7
plays for the benchmark listener): a question reads those rows, not the plays.

A pause is also where the plays split by `played_at`: every play before it ended by
`before_end_ms`, every play after it starts (so ends) at `start_ms` or later, more than five
minutes apart. `split_at` (halfway, rounded) is the instant the queries and the refresh cut at.

Freshness: the rollup triggers mark the UTC months whose plays changed. A changed play of month
M (or a new one that started before M) can only move pauses from the last one before its start
onwards, so the refresh rebuilds from the last stored pause before M and before the earliest
start of the plays ended in M or later: after a poll, just the last pause or so. When items are
hidden or shown again, the pauses from the last one before their earliest play are rebuilt
(`refresh_hidden`), and the artist days of their artists.
"""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction

from plays import hidden
from plays.models import RollupState, SessionArtistDay, SessionBreak

# Pauses up to this long never end a session (the smallest gap a question may ask for).
MIN_BREAK_MS = 5 * 60_000
# start_ms of the row closing a listener's list (after any real play).
END_MARK = 2**62
# How far before a pause's start its split instant is: half of the shortest stored pause.
SPLIT_BACK_MS = MIN_BREAK_MS // 2

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_ms_sql(column):
    """SQL for a timestamp column as whole milliseconds since 1970 (rounded, as the walk uses)."""
    if connection.vendor == "postgresql":
        # date_part gives a double (EXTRACT a numeric, several times slower to compute with).
        return f"CAST(ROUND(date_part('epoch', {column}) * 1000) AS BIGINT)"
    return (
        f"(CAST(strftime('%%s', {column}) AS INTEGER) * 1000 "
        f"+ CAST(substr(strftime('%%f', {column}), 4, 3) AS INTEGER))"
    )


def moment(ms) -> datetime:
    """The aware UTC instant `ms` milliseconds after 1970 (exact)."""
    return _EPOCH + timedelta(milliseconds=ms)


def split_at(start_ms) -> datetime:
    """The instant the plays split at, at a stored pause starting at `start_ms`."""
    return moment(start_ms - SPLIT_BACK_MS)


def is_built(listener_id) -> bool:
    return SessionBreak.objects.filter(listener_id=listener_id, start_ms=END_MARK).exists()


def ensure_built(listener) -> bool:
    """Builds the listener's pauses when they never were (a listener from before migration 0012
    whose rollups were otherwise fresh); True if it had to."""
    if is_built(listener.pk):
        return False
    with transaction.atomic():
        state, _ = RollupState.objects.get_or_create(listener_id=listener.pk)
        # The lock `plays.rollups.rebuild` takes: one builder per listener at a time.
        RollupState.objects.select_for_update().get(pk=state.pk)
        if is_built(listener.pk):
            return False
        rebuild_from(listener.pk, None)
    return True


def refresh(listener_id, stale_months, *, everything=False):
    """Called by `plays.rollups.rebuild` (holding its lock): brings the pauses up to date after
    the plays of `stale_months` changed, or rebuilds them all (`everything`, or never built)."""
    if everything or not is_built(listener_id):
        rebuild_from(listener_id, None)
        rebuild_artist_days(listener_id, None)
        return
    if not stale_months:
        return
    for month in sorted(set(stale_months)):
        rebuild_artist_days(listener_id, month)
    first = min(stale_months)
    month_ms = _ms_of(datetime(first.year, first.month, 1, tzinfo=UTC))
    rows = SessionBreak.objects.filter(listener_id=listener_id).order_by("-start_ms")
    before = rows.filter(start_ms__lt=month_ms).values_list("start_ms", flat=True).first()
    if before is None:
        rebuild_from(listener_id, None)
        return
    # A play ended in the stale months or later may have started before that pause (a long one
    # just stored): then the walk starts at the last pause before it.
    earliest = _earliest_start_since(listener_id, moment(month_ms))
    if earliest is not None and earliest < before:
        before = rows.filter(start_ms__lt=earliest).values_list("start_ms", flat=True).first()
        if before is None:
            rebuild_from(listener_id, None)
            return
    rebuild_from(listener_id, before)


def refresh_hidden(listener_id, changed):
    """Called by `plays.rollups.rebuild` (holding its lock) when the items `changed` were hidden
    or shown again: the artist days of their primary artists, and the pauses from the last one
    before the earliest play of those items (all of them when none is before it)."""
    if not changed or not is_built(listener_id):
        return
    ids, ids_params = hidden.ids_sql(changed)
    artists = (
        f"SELECT ai.primary_artist_id FROM plays_item ai WHERE ai.id IN ({ids}) "
        "AND ai.primary_artist_id IS NOT NULL"
    )
    where, params = _visible(listener_id)
    day = day_sql("p.played_at")
    end = epoch_ms_sql("p.played_at")
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM plays_sessionartistday WHERE listener_id = %s "
            f"AND artist_id IN ({artists})",
            [listener_id, *ids_params],
        )
        cursor.execute(
            "INSERT INTO plays_sessionartistday (listener_id, whole_month, day, artist_id, plays) "
            f"SELECT p.listener_id, %s, {day}, pi.primary_artist_id, COUNT(*) "
            "FROM plays_play p JOIN plays_item pi ON pi.id = p.item_id "
            "WHERE p.listener_id = %s AND p.item_id IN (SELECT bi.id FROM plays_item bi "
            f"WHERE bi.primary_artist_id IN ({artists})){where} "
            f"GROUP BY p.listener_id, {day}, pi.primary_artist_id",
            [False, listener_id, *ids_params, *params],
        )
        cursor.execute(
            "INSERT INTO plays_sessionartistday (listener_id, whole_month, day, artist_id, plays) "
            f"SELECT listener_id, %s, {_month_sql('day')}, artist_id, SUM(plays) "
            "FROM plays_sessionartistday WHERE listener_id = %s AND whole_month = %s "
            f"AND artist_id IN ({artists}) "
            f"GROUP BY listener_id, {_month_sql('day')}, artist_id",
            [True, listener_id, False, *ids_params],
        )
        cursor.execute(
            f"SELECT MIN({end} - COALESCE(p.ms_played, pi.duration_ms, 0)) "
            "FROM plays_play p JOIN plays_item pi ON pi.id = p.item_id "
            f"WHERE p.listener_id = %s AND p.item_id IN ({ids})",
            [listener_id, *ids_params],
        )
        earliest = cursor.fetchone()[0]
    if earliest is None:
        return
    before = (
        SessionBreak.objects.filter(listener_id=listener_id, start_ms__lt=earliest)
        .order_by("-start_ms")
        .values_list("start_ms", flat=True)
        .first()
    )
    rebuild_from(listener_id, before)


def _ms_of(instant: datetime) -> int:
    return (instant - _EPOCH) // timedelta(milliseconds=1)


def _visible(listener_id, alias="p"):
    """The condition leaving out the plays of the listener's hidden artists ("" for none)."""
    artist_ids = hidden.hidden_artist_ids(listener_id)
    if not artist_ids:
        return "", []
    sql, params = hidden.items_sql(artist_ids)
    return f" AND {alias}.item_id NOT IN ({sql})", params


def _plays_sql(listener_id, since):
    """(SQL, params) of the visible plays ended at or after `since` (all when None): s, e, at,
    item."""
    end = epoch_ms_sql("p.played_at")
    where, params = _visible(listener_id)
    if since is not None:
        where, params = f" AND p.played_at >= %s{where}", [_dt(since), *params]
    return (
        f"SELECT {end} - COALESCE(p.ms_played, pi.duration_ms, 0) AS s, {end} AS e, "
        "p.played_at AS at, p.item_id AS item "
        "FROM plays_play p JOIN plays_item pi ON pi.id = p.item_id "
        f"WHERE p.listener_id = %s{where}",
        [listener_id, *params],
    )


def _dt(instant):
    return connection.ops.adapt_datetimefield_value(instant)


def _earliest_start_since(listener_id, since):
    sql, params = _plays_sql(listener_id, since)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(s) FROM ({sql}) a", params)
        return cursor.fetchone()[0]


def rebuild_from(listener_id, start_ms):
    """Rebuilds the listener's pauses from the stored one starting at `start_ms` on (everything
    for None): the plays before it are unchanged, so its latest end and count seed the walk."""
    rows = SessionBreak.objects.filter(listener_id=listener_id)
    seed_end, seed_count, since = None, 0, None
    if start_ms is not None:
        seed_end, seed_count = rows.filter(start_ms=start_ms).values_list(
            "before_end_ms", "plays_before"
        )[0]
        rows = rows.filter(start_ms__gte=start_ms)
        since = split_at(start_ms)
    rows.delete()
    plays, params = _plays_sql(listener_id, since)
    order = "ORDER BY s, at, item"
    walked = (
        f"SELECT s, e, MAX(e) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) "
        f"AS latest, ROW_NUMBER() OVER ({order}) - 1 AS n FROM ({plays}) a"
    )
    # The latest end before each play, the seed (the plays before `since`) included.
    seeded = (
        "SELECT s, CASE WHEN latest IS NULL THEN %s WHEN %s IS NULL OR latest > %s THEN latest "
        f"ELSE %s END AS before_end, n FROM ({walked}) b"
    )
    seed = [seed_end, seed_end, seed_end, seed_end]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO plays_sessionbreak "
            "(listener_id, start_ms, before_end_ms, idle_ms, plays_before) "
            f"SELECT %s, s, before_end, s - before_end, n + %s FROM ({seeded}) c "
            "WHERE before_end IS NULL OR s - before_end > %s",
            [listener_id, seed_count, *seed, *params, MIN_BREAK_MS],
        )
        cursor.execute(
            "INSERT INTO plays_sessionbreak (listener_id, start_ms, before_end_ms, plays_before) "
            "SELECT %s, %s, CASE WHEN MAX(e) IS NULL THEN %s WHEN %s IS NULL OR MAX(e) > %s "
            f"THEN MAX(e) ELSE %s END, COUNT(*) + %s FROM ({plays}) a",
            [listener_id, END_MARK, *seed, seed_count, *params],
        )
    if connection.vendor == "postgresql" and start_ms is None:
        # A whole history's rows at once: let the planner know (it reads them by index, in order).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE plays_sessionbreak")


def day_sql(column):
    """SQL for the UTC date of a timestamp column."""
    if connection.vendor == "postgresql":
        return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"
    return f"date({column})"


def _month_sql(column):
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS DATE)"
    return f"strftime('%%Y-%%m-01', {column})"


def month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def rebuild_artist_days(listener_id, month):
    """Rebuilds SessionArtistDay of one UTC month (all of them for None)."""
    rows = SessionArtistDay.objects.filter(listener_id=listener_id)
    where, params = _visible(listener_id)
    if month is not None:
        rows = rows.filter(day__gte=month, day__lt=month_after(month))
        start = datetime(month.year, month.month, 1, tzinfo=UTC)
        end = datetime(month_after(month).year, month_after(month).month, 1, tzinfo=UTC)
        where = f" AND p.played_at >= %s AND p.played_at < %s{where}"
        params = [_dt(start), _dt(end), *params]
    rows.delete()
    day = day_sql("p.played_at")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO plays_sessionartistday (listener_id, whole_month, day, artist_id, plays) "
            f"SELECT p.listener_id, %s, {day}, pi.primary_artist_id, COUNT(*) "
            "FROM plays_play p JOIN plays_item pi ON pi.id = p.item_id "
            f"WHERE p.listener_id = %s AND pi.primary_artist_id IS NOT NULL{where} "
            # In order: a session's days are then a few pages, not a page per row.
            f"GROUP BY p.listener_id, {day}, pi.primary_artist_id ORDER BY 3, 4",
            [False, listener_id, *params],
        )
        days = ""
        day_params = []
        if month is not None:
            days = " AND day >= %s AND day < %s"
            day_params = [
                connection.ops.adapt_datefield_value(d) for d in (month, month_after(month))
            ]
        cursor.execute(
            "INSERT INTO plays_sessionartistday (listener_id, whole_month, day, artist_id, plays) "
            f"SELECT listener_id, %s, {_month_sql('day')}, artist_id, SUM(plays) "
            "FROM plays_sessionartistday WHERE listener_id = %s AND whole_month = %s"
            f"{days} GROUP BY listener_id, {_month_sql('day')}, artist_id ORDER BY 3, 4",
            [True, listener_id, False, *day_params],
        )
        if connection.vendor == "postgresql" and month is None:
            cursor.execute("ANALYZE plays_sessionartistday")
