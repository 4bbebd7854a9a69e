"""Listening sessions and streaks: how long the listener listens in one go, and how many days in a
row.

A play starts at `played_at - ms_played` (the item's duration when the source didn't say how long)
and ends at `played_at`. Sessions use every stored play in the window, counted or not (a skipped
track is still listening); plays sorted by start form one session while each starts at most
`gap_minutes` after the latest end so far. A session's length is from its first start to its last
end, in real minutes (a DST change doesn't stretch or shrink it).

Streaks use counted plays only, on the listener's local days: a streak is a run of consecutive
local dates each holding at least one counted play (of the artist or track, when one is asked).
"""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from plays.models import Artist, ItemDay
from plays.queries import days
from plays.queries.exclusions import exclusion_of, says_excluded_artists
from plays.queries.hours import epoch_minute, local_minute_sql, time_sums
from plays.queries.lookup import find_played
from plays.queries.sums import (
    check_limit,
    counted_plays,
    range_sql,
    stored_plays,
    subquery,
    to_minutes,
)
from plays.queries.windows import UTC_ZONE, QueryError, Window, iso, listener_tz
from plays.rollups import ensure_fresh

MIN_GAP_MINUTES, MAX_GAP_MINUTES = 5, 240

# The session lengths the histogram counts, in minutes: [0, 15), [15, 30), ... [240, no end).
HISTOGRAM_EDGES = (0, 15, 30, 60, 120, 240)

STREAKS_LISTED = 5


def _epoch_ms(column):
    if connection.vendor == "postgresql":
        # date_part gives a double (EXTRACT a numeric, several times slower to compute with).
        return f"CAST(ROUND(date_part('epoch', {column}) * 1000) AS BIGINT)"
    return (
        f"(CAST(strftime('%%s', {column}) AS INTEGER) * 1000 "
        f"+ CAST(substr(strftime('%%f', {column}), 4, 3) AS INTEGER))"
    )


def _sessions(listener, window, gap_ms):
    """[(start ms, end ms, plays, first played_at, last played_at)] of every session, newest first.

    The sessions are the connected parts of the plays' spans [start, end + gap], which the
    definition's walk by start finds; here they are found walking the plays by end instead
    (newest first, the order of the (listener, played_at, item) index, so nothing is sorted): a
    session ends at a play when every later-ending play starts more than `gap_ms` after its end.
    A running count of those ends numbers the sessions.
    """
    where, params = range_sql("p.played_at", window.start, window.end)
    keep, keep_params = exclusion_of(listener).keep_sql("p.item_id")
    if keep:
        where, params = f"{where} AND {keep}", [*params, *keep_params]
    end = _epoch_ms("p.played_at")
    sql = (
        f"SELECT {end} - COALESCE(p.ms_played, pi.duration_ms, 0) AS s, {end} AS e, "
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
        "SELECT s, e, at, SUM(CASE WHEN later IS NULL OR later > e + %s THEN 1 ELSE 0 END) "
        f"OVER ({newest_first} ROWS UNBOUNDED PRECEDING) AS number FROM ({sql}) b"
    )
    sql = (
        "SELECT MIN(s), MAX(e), COUNT(*), MIN(at), MAX(at) "
        f"FROM ({sql}) c GROUP BY number ORDER BY number"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [gap_ms, listener.pk, *params])
        return [
            (int(s), int(e), n, _aware(first), _aware(last))
            for s, e, n, first, last in cursor.fetchall()
        ]


def _aware(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC_ZONE)


def _moment(ms):
    return datetime.fromtimestamp(ms / 1000, UTC_ZONE)


def _top_artist(listener, first, last):
    """The primary artist with the most plays (any length) between two play ends, inclusive;
    ties go to the name first in alphabetical order. None for a session of podcasts only."""
    counts = Counter(
        stored_plays(listener)
        .filter(
            played_at__gte=first,
            played_at__lte=last,
            item__primary_artist__isnull=False,
        )
        .values_list("item__primary_artist", flat=True)
    )
    if not counts:
        return None
    names = dict(Artist.objects.filter(pk__in=counts).values_list("pk", "name"))
    key = min(counts, key=lambda pk: (-counts[pk], names[pk], pk))
    return names[key]


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
    sessions = _sessions(listener, window, gap_minutes * 60_000)
    total_ms = sum(e - s for s, e, *_ in sessions)
    longest = sorted(sessions, key=lambda row: (-(row[1] - row[0]), row[0]))[:limit]
    histogram = []
    for low, high in zip(HISTOGRAM_EDGES, (*HISTOGRAM_EDGES[1:], None), strict=True):
        histogram.append(
            {
                "from_minutes": low,
                "to_minutes": high,
                "sessions": sum(
                    1
                    for s, e, *_ in sessions
                    if (e - s) >= low * 60_000 and (high is None or (e - s) < high * 60_000)
                ),
            }
        )
    return {
        "sessions": len(sessions),
        "plays": sum(n for _s, _e, n, *_ in sessions),
        "total_minutes": to_minutes(total_ms),
        "average_minutes": to_minutes(total_ms / len(sessions)) if sessions else None,
        "longest": [
            {
                "start": iso(_moment(s), tz),
                "end": iso(_moment(e), tz),
                "plays": n,
                "minutes": to_minutes(e - s),
                "top_artist": _top_artist(listener, first, last),
            }
            for s, e, n, first, last in longest
        ],
        "histogram": histogram,
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
