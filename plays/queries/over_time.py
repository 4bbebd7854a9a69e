"""Listening over time: the weekday x hour heatmap and the timeline by day, week, month or year."""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from plays.queries.exclusions import says_excluded_artists
from plays.queries.hours import WEEKDAYS, heat, time_sums
from plays.queries.sums import to_minutes
from plays.queries.windows import QueryError, Window, listener_tz
from plays.rollups import ensure_fresh

GRANULARITIES = ("day", "week", "month", "year")


MAX_BUCKETS = 5000


@says_excluded_artists
def listening_heatmap(listener, *, window=None, tz=None) -> dict:
    """Counted plays per weekday (Monday first) and hour of the day, in the listener's zone."""
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    counts = {key: sums["plays"] for key, sums in heat(listener, window, tz, ("plays",)).items()}
    cells = [[counts.get((wd, hr), 0) for hr in range(24)] for wd in range(1, 8)]
    peak = max(counts.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]), default=None)
    return {
        "cells": cells,
        "weekdays": list(WEEKDAYS),
        "plays": sum(counts.values()),
        "peak": {"weekday": WEEKDAYS[peak[0][0] - 1], "hour": peak[0][1], "plays": peak[1]}
        if peak
        else None,
        "window": window.describe(tz),
        "time_zone": str(tz),
    }


def _next_bucket(day, granularity):
    if granularity == "day":
        return day + timedelta(days=1)
    if granularity == "week":
        return day + timedelta(days=7)
    if granularity == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day.replace(year=day.year + 1)


def _bucket_of(day, granularity):
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _bucket_starts(first, last, granularity):
    """The bucket starts from `first` to `last` (both bucket starts), at most MAX_BUCKETS + 1."""
    if granularity == "day":  # the common long case: ordinals, no date arithmetic
        end = min(last.toordinal(), first.toordinal() + MAX_BUCKETS, date.max.toordinal())
        return [date.fromordinal(n) for n in range(first.toordinal(), end + 1)]
    starts, day = [], first
    while day <= last and len(starts) <= MAX_BUCKETS:
        starts.append(day)
        day = _next_bucket(day, granularity)
    return starts


@says_excluded_artists
def listening_timeline(listener, *, window=None, granularity="month", tz=None) -> dict:
    """Counted plays and minutes per day, week (from Monday), month or year in the listener's zone.

    Buckets run without gaps from the first to the last (the window's bounds when it has them).
    """
    if granularity not in GRANULARITIES:
        raise QueryError("'granularity' must be one of: day, week, month, year.")
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    found = defaultdict(lambda: [0, 0])
    for day, sums in time_sums(listener, window, tz, "day", ("plays", "ms")).items():
        if sums["plays"]:
            bucket = found[_bucket_of(date.fromordinal(_EPOCH_ORDINAL + day), granularity)]
            bucket[0] += sums["plays"]
            bucket[1] += sums["ms"]
    buckets = []
    # Without a play, only a window bounded on both sides has buckets to list (all empty).
    if found or (window.start is not None and window.end is not None):
        first = (
            _bucket_of(window.start.astimezone(tz).date(), granularity)
            if window.start
            else min(found)
        )
        last = (
            _bucket_of((window.end - timedelta(microseconds=1)).astimezone(tz).date(), granularity)
            if window.end
            else max(found)
        )
        if found:
            first, last = min(first, min(found)), max(last, max(found))
        starts = _bucket_starts(first, last, granularity)
        if len(starts) > MAX_BUCKETS:
            raise QueryError(
                f"That is more than {MAX_BUCKETS} {granularity}s: use a coarser "
                "'granularity' or a shorter window."
            )
        empty = (0, 0)
        for day in starts:
            plays, ms = found.get(day, empty)
            buckets.append(
                {"start": day.isoformat(), "plays": plays, "minutes": to_minutes(ms) if ms else 0.0}
            )
    return {
        "granularity": granularity,
        "buckets": buckets,
        "plays": sum(plays for plays, _ in found.values()),
        "minutes": to_minutes(sum(ms for _, ms in found.values())),
        "window": window.describe(tz),
        "time_zone": str(tz),
    }
