"""The cross-source duplicate rule, shared by polling and imports.

Within one source a play's key (listener, end time, item) is exact, and the database's unique
constraint drops repeats. Across sources the same listen is reported with end times that differ
by a few seconds (API vs extended export), or truncated to the minute (account-data export).
Two plays of the same item from different sources are one listen when their possible end times
lie within END_TIME_TOLERANCE of each other; plays from the same source never merge, so two real
back-to-back plays of a short track, reported by one source, stay two.
"""

from bisect import bisect_left
from collections import defaultdict
from datetime import datetime, timedelta

from plays.models import Play

END_TIME_TOLERANCE = timedelta(seconds=10)
# Account data gives "2024-05-06 18:43": the play ended somewhere in that minute.
_MINUTE_PRECISION_SOURCES = frozenset({Play.Source.ACCOUNT_DATA})
_LONGEST_UNCERTAINTY = timedelta(minutes=1)


def end_time_bounds(played_at: datetime, source: str) -> tuple[datetime, datetime]:
    """The earliest and latest moment the play can have ended, given its source's precision."""
    if source in _MINUTE_PRECISION_SOURCES:
        return played_at, played_at + _LONGEST_UNCERTAINTY
    return played_at, played_at


def is_same_listen(a_played_at, a_source, b_played_at, b_source) -> bool:
    """True when two plays of one item, from different sources, are the same listen."""
    if a_source == b_source:
        return False
    a_low, a_high = end_time_bounds(a_played_at, a_source)
    b_low, b_high = end_time_bounds(b_played_at, b_source)
    gap = max(a_low - b_high, b_low - a_high, timedelta(0))
    return gap <= END_TIME_TOLERANCE


def search_window(earliest: datetime, latest: datetime) -> tuple[datetime, datetime]:
    """The range of stored end times that can duplicate plays ending between the two moments."""
    margin = END_TIME_TOLERANCE + _LONGEST_UNCERTAINTY
    return earliest - margin, latest + margin


def cross_source_duplicates(candidates, existing) -> set[int]:
    """Positions in `candidates` that repeat a play in `existing` reported by another source.

    Both are sequences of (item_id, played_at, source) of one listener.
    """
    by_item = defaultdict(list)
    for item_id, played_at, source in existing:
        by_item[item_id].append((played_at, source))
    for plays in by_item.values():
        plays.sort()
    margin = END_TIME_TOLERANCE + _LONGEST_UNCERTAINTY
    duplicates = set()
    for position, (item_id, played_at, source) in enumerate(candidates):
        plays = by_item.get(item_id)
        if not plays:
            continue
        start = bisect_left(plays, (played_at - margin,))
        for stored_at, stored_source in plays[start:]:
            if stored_at > played_at + margin:
                break
            if is_same_listen(played_at, source, stored_at, stored_source):
                duplicates.add(position)
                break
    return duplicates
