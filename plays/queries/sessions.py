"""Listening sessions and streaks: how long the listener listens in one go, and how many days in a
row.

A play starts at `played_at - ms_played` (the item's duration when the source didn't say how long)
and ends at `played_at`. Sessions use every stored play in the window, counted or not (a skipped
track is still listening); plays sorted by start form one session while each starts at most
`gap_minutes` after the latest end so far. A session's length is from its first start to its last
end, in real minutes (a DST change doesn't stretch or shrink it). They are read from the stored
pauses (`plays.session_breaks`), the plays at the window's edges walked (`_sessions`).

Streaks use counted plays only, on the listener's local days: a streak is a run of consecutive
local dates each holding at least one counted play (of the artist or track, when one is asked).
"""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from plays.models import ItemDay
from plays.queries import days
from plays.queries.exclusions import exclusion_of, says_excluded_artists
from plays.queries.hours import epoch_minute, local_minute_sql, time_sums
from plays.queries.lookup import find_played
from plays.queries.sums import (
    check_limit,
    counted_plays,
    range_sql,
    sql_param,
    subquery,
    to_minutes,
)
from plays.queries.windows import UTC_ZONE, QueryError, Window, iso, listener_tz
from plays.rollups import ensure_fresh
from plays.session_breaks import (
    END_MARK,
    SPLIT_BACK_MS,
    ensure_built,
    epoch_ms_sql,
    moment,
    month_after,
    split_at,
)

MIN_GAP_MINUTES, MAX_GAP_MINUTES = 5, 240

# The session lengths the histogram counts, in minutes: [0, 15), [15, 30), ... [240, no end).
HISTOGRAM_EDGES = (0, 15, 30, 60, 120, 240)

STREAKS_LISTED = 5

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC_ZONE)


def _walk(listener, start, end, gap_ms):
    """[(start ms, end ms, plays)] of the sessions of the plays ended in [start, end) (either
    None: unbounded), found from the plays themselves, oldest first: what the pauses can't say
    (the part of a stored pause's run a window cuts off).

    The sessions are the connected parts of the plays' spans [start, end + gap], which the
    definition's walk by start finds; here they are found walking the plays by end instead
    (newest first, the order of the (listener, played_at, item) index, so nothing is sorted): a
    session ends at a play when every later-ending play starts more than `gap_ms` after its end.
    A running count of those ends numbers the sessions.
    """
    where, params = range_sql("p.played_at", start, end)
    keep, keep_params = exclusion_of(listener).keep_sql("p.item_id")
    if keep:
        where, params = f"{where} AND {keep}", [*params, *keep_params]
    end_ms = epoch_ms_sql("p.played_at")
    sql = (
        f"SELECT {end_ms} - COALESCE(p.ms_played, pi.duration_ms, 0) AS s, {end_ms} AS e, "
        "p.played_at AS at, p.item_id AS item "
        "FROM plays_play p JOIN plays_item pi ON pi.id = p.item_id "
        f"WHERE p.listener_id = %s{where}"
    )
    newest_first = "ORDER BY at DESC, item DESC"
    sql = (
        f"SELECT s, e, at, item, MIN(s) OVER ({newest_first} ROWS BETWEEN UNBOUNDED PRECEDING "
        f"AND 1 PRECEDING) AS later FROM ({sql}) a"
    )
    sql = (
        "SELECT s, e, SUM(CASE WHEN later IS NULL OR later > e + %s THEN 1 ELSE 0 END) "
        f"OVER ({newest_first} ROWS UNBOUNDED PRECEDING) AS number FROM ({sql}) b"
    )
    sql = f"SELECT MIN(s), MAX(e), COUNT(*) FROM ({sql}) c GROUP BY number ORDER BY number DESC"
    with connection.cursor() as cursor:
        cursor.execute(sql, [gap_ms, listener.pk, *params])
        return [(int(s), int(e), n) for s, e, n in cursor.fetchall()]


def _micros(instant):
    return (instant - _EPOCH) // timedelta(microseconds=1)


def _break(listener_id, condition, params, order):
    """(start_ms, before_end_ms, plays_before) of the first stored pause by `order` meeting
    `condition`, or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT start_ms, before_end_ms, plays_before FROM plays_sessionbreak "
            f"WHERE listener_id = %s AND {condition} ORDER BY start_ms {order} LIMIT 1",
            [listener_id, *params],
        )
        return cursor.fetchone()


class _Sessions:
    """The sessions of a window for one gap, as sums: the ones at the window's edges (walked
    from the plays, joined to their neighbours) listed, the ones between them summed in SQL."""

    def __init__(self, limit):
        self.limit = limit
        self.count = 0
        self.plays = 0
        self.total_ms = 0
        self.histogram = [0] * len(HISTOGRAM_EDGES)
        self.longest = []  # (start ms, end ms, plays), the `limit` longest among those summed

    def add(self, s, e, n):
        self.count += 1
        self.plays += n
        self.total_ms += e - s
        self.histogram[_bucket(e - s)] += 1
        self.longest.append((s, e, n))

    def best(self):
        return sorted(self.longest, key=lambda row: (-(row[1] - row[0]), row[0]))[: self.limit]


def _bucket(ms):
    bucket = 0
    for index, low in enumerate(HISTOGRAM_EDGES):
        if ms >= low * 60_000:
            bucket = index
    return bucket


def _sum_between(listener_id, first, last, gap_ms, found):
    """Adds to `found` the sessions starting at the stored pauses `first` (a session starts
    there whatever its pause) up to the pause `last` (excluded; the end of the last session is
    its `before_end_ms`), except the first and last of them, which it returns to be joined to
    the window's edges: [(start, end, plays)]."""
    low = first[0]
    high = last[0]
    cuts = (
        "SELECT start_ms, before_end_ms, plays_before FROM plays_sessionbreak "
        "WHERE listener_id = %s AND start_ms >= %s AND start_ms <= %s "
        "AND (idle_ms > %s OR start_ms = %s OR start_ms = %s)"
    )
    order = "OVER (ORDER BY start_ms)"
    sessions = (
        f"SELECT start_ms AS s, LEAD(before_end_ms) {order} AS e, "
        f"LEAD(plays_before) {order} - plays_before AS n, LEAD(start_ms) {order} AS next "
        f"FROM ({cuts}) c"
    )
    lengths = [edge * 60_000 for edge in HISTOGRAM_EDGES]
    buckets = ", ".join(
        f"SUM(CASE WHEN e - s >= {low_ms}"
        + (f" AND e - s < {high_ms}" if high_ms is not None else "")
        + " THEN 1 ELSE 0 END)"
        for low_ms, high_ms in zip(lengths, (*lengths[1:], None), strict=True)
    )
    # Two passes in the pauses' order (no sort of them all): every session summed (the two at
    # the edges too, taken back out in Python, and picked out), and the longest listed (a top-N
    # sort).
    sums = (
        f"SELECT COUNT(*), SUM(e - s), SUM(n), {buckets}, "
        "MAX(CASE WHEN s = %s THEN e END), MAX(CASE WHEN s = %s THEN n END), "
        "MAX(CASE WHEN next = %s THEN s END), MAX(CASE WHEN next = %s THEN e END), "
        f"MAX(CASE WHEN next = %s THEN n END) FROM ({sessions}) d WHERE next IS NOT NULL"
    )
    longest = (
        f"SELECT s, e, n, next FROM ({sessions}) d WHERE next IS NOT NULL "
        "ORDER BY e - s DESC, s LIMIT %s"
    )
    pauses = [listener_id, low, high, gap_ms, low, high]
    with connection.cursor() as cursor:
        cursor.execute(sums, [low, low, high, high, high, *pauses])
        total, ms, plays, *histogram = cursor.fetchone()
        cursor.execute(longest, [*pauses, found.limit + 2])
        rows = cursor.fetchall()
    histogram, (first_e, first_n, last_s, last_e, last_n) = histogram[:-5], histogram[-5:]
    edges = []
    if total:
        found.count += int(total)
        found.total_ms += int(ms)
        found.plays += int(plays)
        for index, value in enumerate(histogram):
            found.histogram[index] += int(value)
        edges.append((int(low), int(first_e), int(first_n)))
        if int(last_s) != low:
            edges.append((int(last_s), int(last_e), int(last_n)))
    for s, e, n, following in rows:
        if s != low and following != high:
            found.longest.append((int(s), int(e), int(n)))
    # The edge sessions are added again once joined to their neighbours.
    for s, e, n in edges:
        found.count -= 1
        found.total_ms -= e - s
        found.plays -= n
        found.histogram[_bucket(e - s)] -= 1
    return sorted(edges)


def _sessions(listener, window, gap_ms, limit):
    """The window's sessions for a gap, as `_Sessions`: read from the stored pauses
    (`plays.session_breaks`) between the window's edges, and from the plays at each edge.

    The window's plays split at each stored pause within it (`split_at`). A session can't cross
    a stored pause longer than the gap, and the pauses inside the window are the window's own:
    a play ended before the window ended before every one of the window's plays but the first,
    which starts a session anyway. The plays of the first part (before the first pause) are
    walked; so are those of the last part when it isn't whole in the window: a play ending
    after the window but started in it may hide pauses the window's plays alone have. Runs
    are joined across the edges when the pause between them is at most the gap.
    """
    listener_id = listener.pk
    found = _Sessions(limit)
    start_us = None if window.start is None else _micros(window.start)
    end_us = None if window.end is None else _micros(window.end)
    # A pause is in the window when its split instant is: start_ms - SPLIT_BACK_MS >= start.
    low = 0 if start_us is None else SPLIT_BACK_MS - (-start_us // 1000)
    first = _break(listener_id, "start_ms >= %s", [low], "ASC")
    last = None
    if end_us is not None:
        high = SPLIT_BACK_MS - (-end_us // 1000)  # in the window: start_ms < high
        last = _break(listener_id, "start_ms >= %s AND start_ms < %s", [low, high], "DESC")
    elif first is not None and first[0] != END_MARK:
        last = _break(listener_id, "start_ms < %s", [END_MARK], "DESC")
    if first is None or last is None or first[0] == END_MARK:
        # No pause inside the window: its plays are all in one run of the stored list.
        for row in _walk(listener, window.start, window.end, gap_ms):
            found.add(*row)
        return found
    after = _break(listener_id, "start_ms > %s", [last[0]], "ASC")
    pieces = []
    if window.start is not None:
        pieces += _walk(listener, window.start, split_at(first[0]), gap_ms)
    whole_last = end_us is None or (after[1] + 1) * 1000 <= end_us
    stop = after if whole_last else last
    if first[0] < stop[0]:
        pieces += _sum_between(listener_id, first, stop, gap_ms, found)
    if not whole_last:
        pieces += _walk(listener, split_at(last[0]), window.end, gap_ms)
    joined = []
    for s, e, n in pieces:
        if joined and s - joined[-1][1] <= gap_ms:
            joined[-1] = (joined[-1][0], max(joined[-1][1], e), joined[-1][2] + n)
        else:
            joined.append((s, e, n))
    for row in joined:
        found.add(*row)
    return found


def _aware(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC_ZONE)


def _moment(ms):
    return datetime.fromtimestamp(ms / 1000, UTC_ZONE)


# A session's plays ended within its span; the next session's start more than 5 minutes later.
_MARGIN = timedelta(minutes=1)


def _top_artists(listener, window, sessions):
    """The primary artist with the most plays (any length) of each session [start, end] in the
    window; ties go to the name first in alphabetical order. None for a session of podcasts
    only. A session's plays are the window's plays ended in its span: the sessions before
    ended, and the ones after start, more than the gap (5 minutes at least) away. Whole UTC
    months and days are counted from SessionArtistDay, the ragged ends from the plays (one scan
    for all of them); one query answers every session."""
    raw, rollup = [], []
    for index, (start_ms, end_ms, _n) in enumerate(sessions):
        first = moment(start_ms) - _MARGIN
        last = moment(end_ms) + _MARGIN
        if window.start is not None:
            first = max(first, window.start)
        if window.end is not None:
            last = min(last, window.end)
        _split_days(index, first, last, raw, rollup)
    if not sessions:
        return []
    parts, params = [], []
    if raw:
        which = " ".join("WHEN p.played_at >= %s AND p.played_at < %s THEN %s" for _ in raw)
        ranges = " OR ".join("(p.played_at >= %s AND p.played_at < %s)" for _ in raw)
        keep, keep_params = exclusion_of(listener).keep_sql("p.item_id")
        keep = f" AND {keep}" if keep else ""
        parts.append(
            f"SELECT CASE {which} END AS session, pi.primary_artist_id AS artist_id, "
            "1 AS plays FROM plays_play p JOIN plays_item pi ON pi.id = p.item_id "
            f"WHERE p.listener_id = %s AND ({ranges}) AND pi.primary_artist_id IS NOT NULL"
            f"{keep}"
        )
        for index, start, end in raw:
            params += [sql_param(start), sql_param(end), index]
        params.append(listener.pk)
        for _index, start, end in raw:
            params += [sql_param(start), sql_param(end)]
        params += keep_params
    for index, whole_month, start, end in rollup:
        parts.append(
            f"SELECT {int(index)} AS session, artist_id, plays FROM plays_sessionartistday "
            "WHERE listener_id = %s AND whole_month = %s AND day >= %s AND day < %s"
        )
        params += [listener.pk, whole_month, sql_param(start), sql_param(end)]
    sql = (
        "SELECT session, artist_id, SUM(plays) AS plays FROM ("
        + " UNION ALL ".join(parts)
        + ") u GROUP BY session, artist_id"
    )
    # Names in code point order, as Python compares them (SQLite's default; "C" in PostgreSQL).
    by_name = 'a.name COLLATE "C"' if connection.vendor == "postgresql" else "a.name"
    sql = (
        "SELECT session, a.name, ROW_NUMBER() OVER (PARTITION BY session "
        f"ORDER BY c.plays DESC, {by_name}, a.id) AS place FROM ({sql}) c "
        "JOIN plays_artist a ON a.id = c.artist_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT session, name FROM ({sql}) t WHERE place = 1", params)
        names = dict(cursor.fetchall())
    return [names.get(index) for index in range(len(sessions))]


def _midnight(day):
    return datetime(day.year, day.month, day.day, tzinfo=UTC_ZONE)


def _split_days(index, first, last, raw, rollup):
    """Splits [first, last) into whole UTC months and days, read from SessionArtistDay
    (`rollup`: (index, whole_month, first day, day after)), and ragged ends read from the
    plays (`raw`: (index, start, end))."""
    first_day = first.astimezone(UTC_ZONE).date()
    if _midnight(first_day) < first:
        first_day += timedelta(days=1)
    last_day = last.astimezone(UTC_ZONE).date()  # whole days: [first_day, last_day)
    if first_day >= last_day:
        if first < last:
            raw.append((index, first, last))
        return
    raw.append((index, first, _midnight(first_day)))
    raw.append((index, _midnight(last_day), last))
    first_month = first_day.replace(day=1)
    if first_month < first_day:
        first_month = month_after(first_month)
    last_month = last_day.replace(day=1)
    if first_month < last_month:
        rollup.append((index, True, first_month, last_month))
        rollup.append((index, False, first_day, first_month))
        rollup.append((index, False, last_month, last_day))
    else:
        rollup.append((index, False, first_day, last_day))


@says_excluded_artists
def listening_sessions(listener, window=None, *, gap_minutes=30, limit=10, tz=None) -> dict:
    """The listener's sessions in the window: how many, total and average minutes, the longest
    (start, end, plays, minutes, top artist), and a histogram of their lengths."""
    if (
        isinstance(gap_minutes, bool)
        or not isinstance(gap_minutes, int)
        or not MIN_GAP_MINUTES <= gap_minutes <= MAX_GAP_MINUTES
    ):
        raise QueryError(
            f"'gap_minutes' must be a whole number from {MIN_GAP_MINUTES} to {MAX_GAP_MINUTES}."
        )
    check_limit(limit)
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    ensure_built(listener)
    found = _sessions(listener, window, gap_minutes * 60_000, limit)
    longest = found.best()
    highs = (*HISTOGRAM_EDGES[1:], None)
    return {
        "sessions": found.count,
        "plays": found.plays,
        "total_minutes": to_minutes(found.total_ms),
        "average_minutes": to_minutes(found.total_ms / found.count) if found.count else None,
        "longest": [
            {
                "start": iso(_moment(s), tz),
                "end": iso(_moment(e), tz),
                "plays": n,
                "minutes": to_minutes(e - s),
                "top_artist": top,
            }
            for (s, e, n), top in zip(longest, _top_artists(listener, window, longest), strict=True)
        ],
        "histogram": [
            {"from_minutes": low, "to_minutes": high, "sessions": sessions}
            for low, high, sessions in zip(HISTOGRAM_EDGES, highs, found.histogram, strict=True)
        ],
        "gap_minutes": gap_minutes,
        "window": window.describe(tz),
        "time_zone": str(tz),
    }


def _runs(numbers):
    """[(first, last)] of the runs of consecutive days in a set of day numbers, in order."""
    runs = []
    for day in sorted(numbers):
        if runs and day - runs[-1][1] == 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def _active_days(listener, window, tz, artist, track):
    """The local days (numbered from 1970-01-01) with at least one counted play (of the artist
    or track, when given).

    The whole UTC hours of the window come from the day rollup (`days.hour_masks`), the ragged
    ends from the plays; zones without whole-hour offsets read the plays (or, overall, the
    hourly rollup) instead."""
    found, path = None, None
    if artist is None and track is None:
        scope, key = ItemDay.Scope.ALL, 0
    else:
        kind, text = ("artist", artist) if artist is not None else ("track", track)
        found = find_played(listener, text, kind)
        if found is None:
            raise QueryError(
                f"No {kind} matching '{kind}' is in this listener's history: try search_history "
                "with part of the name."
            )
        path = "item__primary_artist" if kind == "artist" else "item"
        scope = ItemDay.Scope.ARTIST if kind == "artist" else ItemDay.Scope.ITEM
        key = found.pk

    def plays(part):
        counted = counted_plays(listener, part)
        return counted.filter(**{path: found.pk}) if path else counted

    hours, ends = days.whole_hours(window)
    active = set()
    if hours is not None:
        masks = days.hour_masks(listener, scope, key, hours)
        active = days.local_days(masks, tz)
        if active is None:  # a zone not made of whole hours
            if found is None:
                by_day = time_sums(listener, window, tz, "day", ("plays",))
                return set(by_day), None
            return _local_days(listener, plays(window).values("played_at"), tz), found
    for end in ends:
        active |= _local_days(listener, plays(end).values("played_at"), tz)
    return active, found


def _local_days(listener, plays, tz):
    """The local days (numbered from 1970-01-01) in `tz` of a queryset of plays' `played_at`,
    worked out in SQL (epoch minutes moved by the zone's offsets, as `time_sums` does), so only
    distinct days come back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(epoch_hour), MAX(epoch_hour) FROM plays_hourtotal WHERE listener_id = %s",
            [listener.pk],
        )
        first_hour, last_hour = cursor.fetchone()
    if first_hour is None:
        return set()
    margin = 60 * 24 * 8
    local = local_minute_sql(tz, first_hour * 60 - margin, last_hour * 60 + margin)
    sql, params = subquery(plays.order_by())
    sql = (
        f"SELECT DISTINCT {local} / 1440 FROM (SELECT {epoch_minute('q.played_at')} AS m "
        f"FROM ({sql}) q) x"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {day for (day,) in cursor.fetchall()}


@says_excluded_artists
def listening_streaks(
    listener, window=None, *, artist=None, track=None, tz=None, limit=STREAKS_LISTED
) -> dict:
    """The longest runs of consecutive local days with a counted play (overall, or of one artist
    or track, by name or Spotify id), and the current one."""
    if artist is not None and track is not None:
        raise QueryError("Give either 'artist' or 'track', not both.")
    check_limit(limit, 50)
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    subject = None
    found, item = _active_days(listener, window, tz, artist, track)
    if item is not None:
        subject = {
            "kind": "artist" if artist is not None else "track",
            "name": item.name,
            "spotify_id": item.spotify_id or None,
        }
    runs = _runs(found)
    longest = sorted(runs, key=lambda run: (run[0] - run[1], run[0]))[:limit]
    today = (timezone.now().astimezone(tz).date() - days.EPOCH_DAY).days
    current = None
    if runs and runs[-1][1] >= today - 1 and window.contains(timezone.now()):
        current = runs[-1]
    return {
        "longest": [_streak(run) for run in longest],
        "current": _streak(current) if current else None,
        "active_days": len(found),
        "subject": subject,
        "window": window.describe(tz),
        "time_zone": str(tz),
    }


def _streak(run):
    first, last = (days.EPOCH_DAY + timedelta(days=day) for day in run)
    return {"start": first.isoformat(), "end": last.isoformat(), "days": (last - first).days + 1}
