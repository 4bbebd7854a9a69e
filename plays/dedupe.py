"""The cross-source duplicate rule, shared by polling and imports.

Within one source a play's key (listener, end time, item) is exact, and the database's unique
constraint drops repeats. Across sources the same listen is reported with end times that differ
by a few seconds (API vs extended export), or truncated to the minute (account-data export).
Two plays of the same item from different sources are one listen when their possible end times
lie within END_TIME_TOLERANCE of each other; plays from the same source never merge, so two real
back-to-back plays of a short track, reported by one source, stay two.

Other services (Last.fm, ListenBrainz, Maloja: `START_TIME_SOURCES`) record when a play
*started*. Their plays are stored at start + duration with `ms_played` = that duration when the
duration is known, else at the start with `ms_played` unknown, so `played_at - ms_played` is
always the start they recorded. Such a play could have ended anywhere from its start to
SCROBBLE_END_WINDOW after it, or to the end of its duration if that is later (a listener who
pauses or skips ends earlier or later than the duration says): those are its possible end times.
A Last.fm scrobble of a song that Spotify's export also holds is then the same listen as the
Spotify play ending a song's length later.
"""

from bisect import bisect_left
from collections import defaultdict
from datetime import datetime, timedelta

from plays.models import Play

END_TIME_TOLERANCE = timedelta(seconds=10)
# Account data gives "2024-05-06 18:43": the play ended somewhere in that minute.
_MINUTE_PRECISION_SOURCES = frozenset({Play.Source.ACCOUNT_DATA})
_MINUTE = timedelta(minutes=1)
# Sources whose time is the play's start (their plays are stored as described above).
START_TIME_SOURCES = frozenset({Play.Source.LASTFM, Play.Source.LISTENBRAINZ, Play.Source.MALOJA})
# How long after its recorded start a play of unknown length may have ended.
SCROBBLE_END_WINDOW = timedelta(minutes=15)
# Longer plays from those sources are treated as this long (a DJ set, an audiobook chapter).
LONGEST_SPAN = timedelta(hours=2)
_LONGEST_UNCERTAINTY = LONGEST_SPAN  # widest range of end times any one play may have


def end_time_bounds(
    played_at: datetime, source: str, ms_played: int | None = None
) -> tuple[datetime, datetime]:
    """The earliest and latest moment the play can have ended, given its source's precision."""
    if source in _MINUTE_PRECISION_SOURCES:
        return played_at, played_at + _MINUTE
    if source in START_TIME_SOURCES:
        span = min(timedelta(milliseconds=ms_played or 0), LONGEST_SPAN)
        start = played_at - span
        return start, start + max(span, SCROBBLE_END_WINDOW)
    return played_at, played_at


def is_same_listen(
    a_played_at, a_source, b_played_at, b_source, a_ms_played=None, b_ms_played=None
) -> bool:
    """True when two plays of one item, from different sources, are the same listen."""
    if a_source == b_source:
        return False
    a_low, a_high = end_time_bounds(a_played_at, a_source, a_ms_played)
    b_low, b_high = end_time_bounds(b_played_at, b_source, b_ms_played)
    gap = max(a_low - b_high, b_low - a_high, timedelta(0))
    return gap <= END_TIME_TOLERANCE


def search_window(earliest: datetime, latest: datetime) -> tuple[datetime, datetime]:
    """The range of stored end times that can duplicate plays ending between the two moments."""
    margin = END_TIME_TOLERANCE + _LONGEST_UNCERTAINTY
    return earliest - margin, latest + margin


def cross_source_duplicates(candidates, existing) -> set[int]:
    """Positions in `candidates` that repeat a play in `existing` reported by another source.

    Both are sequences of (item_id, played_at, source[, ms_played]) of one listener; ms_played
    matters only for START_TIME_SOURCES. Stored plays of those sources are kept apart, so a
    Spotify play is compared only with the Spotify plays a minute around it, as before they
    existed, plus the few scrobbles of its item in the wider window.
    """
    by_item = defaultdict(lambda: ([], []))  # item -> (narrow plays, start-time plays)
    for item_id, played_at, source, *rest in existing:
        wide = source in START_TIME_SOURCES
        by_item[item_id][wide].append((played_at, source, rest[0] if rest else None))
    for lists in by_item.values():
        for plays in lists:
            plays.sort(key=_first)
    duplicates = set()
    for position, (item_id, played_at, source, *rest) in enumerate(candidates):
        lists = by_item.get(item_id)
        if lists is None:
            continue
        ms_played = rest[0] if rest else None
        candidate_wide = source in START_TIME_SOURCES
        for wide, plays in enumerate(lists):
            margin = _WIDE_MARGIN if wide or candidate_wide else _NARROW_MARGIN
            if _repeats_one_of(plays, played_at, source, ms_played, margin):
                duplicates.add(position)
                break
    return duplicates


_NARROW_MARGIN = END_TIME_TOLERANCE + _MINUTE
_WIDE_MARGIN = END_TIME_TOLERANCE + _LONGEST_UNCERTAINTY


def _repeats_one_of(plays, played_at, source, ms_played, margin) -> bool:
    start = bisect_left(plays, played_at - margin, key=_first)
    for stored_at, stored_source, stored_ms in plays[start:]:
        if stored_at > played_at + margin:
            return False
        if is_same_listen(played_at, source, stored_at, stored_source, ms_played, stored_ms):
            return True
    return False


def _first(play):
    return play[0]
