"""Ranks over time: where one artist, track or album stood in each month or year, and the number
ones of each week, month or year.

Periods are whole local weeks (from Monday), months or years in the listener's time zone: every
period the window touches is counted whole (the window only picks the periods; without one, from
the first counted play to the last). In each period the artists (by each track's primary artist),
tracks or albums are ranked by counted plays of tracks; ties share a rank, with standard
competition ranking ("1224": two items tied first are both 1, the next is 3).

Speed: months and years are summed from the monthly rollup (UTC months), then the plays between
a UTC month's start and the local one's (at most the zone's offset apart) are moved across, as
`item_detail` does; weeks are summed from the plays.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Max, Min, Q, Sum

from plays.models import Album, Artist, Item, ItemMonth, ItemTotal
from plays.queries.lookup import find_played
from plays.queries.sums import artist_names, counted_plays, month_ceil, month_floor, spotify_id_of
from plays.queries.windows import UTC_ZONE, QueryError, Window, listener_tz
from plays.rollups import ensure_fresh

RANK_KINDS = ("artist", "track", "album")
RANK_GRANULARITIES = ("month", "year")
NUMBER_ONE_GRANULARITIES = ("week", "month", "year")
MAX_PERIODS = 5000

_GROUP = {"artist": "item__primary_artist", "track": "item", "album": "item__album"}
_MODEL = {"artist": Artist, "track": Item, "album": Album}


def _period_of(day, granularity):
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _next_period(day, granularity):
    if granularity == "week":
        return day + timedelta(days=7)
    if granularity == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day.replace(year=day.year + 1)


def _label(day, granularity):
    return {"week": day.isoformat(), "month": day.isoformat()[:7], "year": str(day.year)}[
        granularity
    ]


def _local_start(day, tz):
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC_ZONE)


def _periods(listener, window, granularity, tz):
    """[first day of each period] the window touches (the history's span when unbounded)."""
    start, end = window.start, window.end
    if start is None or end is None:
        span = ItemTotal.objects.filter(listener=listener).aggregate(
            first=Min("first_at"), last=Max("last_at")
        )
        if span["first"] is None:
            return []
        start = start or span["first"]
        end = end or span["last"] + timedelta(microseconds=1)
    if start >= end:
        return []
    day = _period_of(start.astimezone(tz).date(), granularity)
    last = _period_of((end - timedelta(microseconds=1)).astimezone(tz).date(), granularity)
    periods = []
    while day <= last:
        if len(periods) >= MAX_PERIODS:
            raise QueryError(
                f"That is more than {MAX_PERIODS} {granularity}s: use a coarser 'granularity' "
                "or a shorter window."
            )
        periods.append(day)
        day = _next_period(day, granularity)
    return periods


def period_counts(listener, kind, periods, granularity, tz):
    """{period: Counter({key: counted plays of tracks})}, for keys of `kind` (artist, track,
    album), over whole local periods."""
    group = _GROUP[kind]
    wanted = set(periods)
    counts = defaultdict(Counter)
    if not periods:
        return counts
    start = _local_start(periods[0], tz)
    end = _local_start(_next_period(periods[-1], granularity), tz)
    plays = counted_plays(listener).filter(item__kind="track", **{f"{group}__isnull": False})
    if granularity == "week":
        rows = plays.filter(played_at__gte=start, played_at__lt=end).values_list("played_at", group)
        for played_at, key in rows.order_by():
            counts[_period_of(played_at.astimezone(tz).date(), "week")][key] += 1
        return counts
    first_month, end_month = month_floor(start), month_ceil(end)
    rows = (
        ItemMonth.objects.filter(
            listener=listener,
            month__gte=first_month.date(),
            month__lt=end_month.date(),
            item__kind="track",
            **{f"{group}__isnull": False},
        )
        .values("month", group)
        .annotate(n=Sum("plays"))
        .values_list("month", group, "n")
        .order_by()
    )
    for month, key, n in rows:
        period = _period_of(month, granularity)
        if period in wanted:
            counts[period][key] += n
    # The plays between each UTC month's start and the local one's belong to the other month.
    slivers = Q()
    month = first_month.date()
    while month <= end_month.date():
        if granularity == "month" or month.month == 1:
            utc, local = _local_start(month, UTC_ZONE), _local_start(month, tz)
            if utc != local:
                low, high = sorted((utc, local))
                slivers |= Q(played_at__gte=low, played_at__lt=high)
        month = _next_period(month, "month")
    if slivers:
        for played_at, key in plays.filter(slivers).values_list("played_at", group).order_by():
            counted_in = _period_of(played_at.astimezone(UTC_ZONE).date(), granularity)
            belongs_to = _period_of(played_at.astimezone(tz).date(), granularity)
            if counted_in != belongs_to:
                if counted_in in wanted:
                    counts[counted_in][key] -= 1
                if belongs_to in wanted:
                    counts[belongs_to][key] += 1
    return counts


def _check(kind, granularity, granularities):
    if kind not in RANK_KINDS:
        raise QueryError("'kind' must be one of: artist, track, album.")
    if granularity not in granularities:
        raise QueryError(f"'granularity' must be one of: {', '.join(granularities)}.")


def _describe_item(kind, obj):
    described = {"kind": kind, "name": obj.name, "spotify_id": spotify_id_of(obj)}
    if kind == "track":
        described["artists"] = artist_names([obj.pk]).get(obj.pk, [])
    elif kind == "album":
        described["artists"] = [obj.artist.name] if obj.artist_id else []
    else:
        described["artists"] = []
    return described


def rank_history(listener, kind, item, window=None, *, granularity="month", tz=None) -> dict:
    """One artist, track or album (by name, Spotify id, URI or link): its rank among the
    listener's counted plays in each period, ties sharing a rank (competition ranking), with its
    plays; rank null in a period without a play of it."""
    _check(kind, granularity, RANK_GRANULARITIES)
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    obj = find_played(listener, item, kind)
    if obj is None:
        raise QueryError(
            f"No {kind} matching 'item' is in this listener's history: try search_history with "
            "part of the name."
        )
    periods = _periods(listener, window, granularity, tz)
    counts = period_counts(listener, kind, periods, granularity, tz)
    rows = []
    for period in periods:
        found = counts.get(period, Counter())
        plays = found.get(obj.pk, 0)
        ranked = sum(1 for n in found.values() if n > 0)
        rows.append(
            {
                "period": _label(period, granularity),
                "start": period.isoformat(),
                "rank": 1 + sum(1 for n in found.values() if n > plays) if plays else None,
                "plays": plays,
                "tied": sum(1 for key, n in found.items() if n == plays and key != obj.pk)
                if plays
                else 0,
                "ranked": ranked,
            }
        )
    ranks = [row["rank"] for row in rows if row["rank"] is not None]
    return {
        "item": _describe_item(kind, obj),
        "granularity": granularity,
        "ranking": "competition",
        "periods": rows,
        "best_rank": min(ranks) if ranks else None,
        "window": window.describe(tz),
        "time_zone": str(tz),
    }


def number_ones(listener, kind, window=None, *, granularity="month", tz=None) -> dict:
    """The artist, track or album with the most counted plays in each week, month or year; a tie
    gives the first name in alphabetical order, and names the others in `tied_with`."""
    _check(kind, granularity, NUMBER_ONE_GRANULARITIES)
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    periods = _periods(listener, window, granularity, tz)
    counts = period_counts(listener, kind, periods, granularity, tz)
    tops = {}
    for period in periods:
        found = {key: n for key, n in counts.get(period, Counter()).items() if n > 0}
        if found:
            most = max(found.values())
            tops[period] = (most, [key for key, n in found.items() if n == most])
    keys = {key for _, tied in tops.values() for key in tied}
    model = _MODEL[kind]
    objs = (model.objects.select_related("artist") if kind == "album" else model.objects).in_bulk(
        keys
    )
    names = artist_names(keys) if kind == "track" else {}
    rows = []
    for period in periods:
        if period not in tops:
            continue
        most, tied = tops[period]
        tied = sorted(tied, key=lambda key: (objs[key].name, key))
        top = objs[tied[0]]
        rows.append(
            {
                "period": _label(period, granularity),
                "start": period.isoformat(),
                "name": top.name,
                "artists": names.get(top.pk, [])
                if kind == "track"
                else ([top.artist.name] if kind == "album" and top.artist_id else []),
                "spotify_id": spotify_id_of(top),
                "plays": most,
                "tied_with": [objs[key].name for key in tied[1:]],
            }
        )
    reigns = Counter(row["name"] for row in rows)
    return {
        "kind": kind,
        "granularity": granularity,
        "periods": rows,
        "most_periods": [
            {"name": name, "periods": n}
            for name, n in sorted(reigns.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        ],
        "window": window.describe(tz),
        "time_zone": str(tz),
    }
