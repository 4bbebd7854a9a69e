"""Local days and hours with plays from the day rollup (`ItemDay`), for streaks and coverage.

An ItemDay row says which UTC hours of a UTC day held plays (overall, of a primary artist or of
an item). In a zone whose offset is a whole number of hours and changes only on whole UTC hours,
every local day is made of whole UTC hours, so a row's bits split into at most two local days by
the offset: a few thousand rows answer what a whole artist's plays used to. Other zones (India's
+05:30, say) get None, and the caller reads the plays as before.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date

from plays.models import ItemDay
from plays.queries.hours import _MINUTES_PER_WEEK, _offset_segments, _whole_hour_zone
from plays.queries.sums import hour_ceil, hour_floor, split_whole
from plays.rollups import epoch_hour

EPOCH_DAY = date(1970, 1, 1)
_FULL_DAY = (1 << 24) - 1


def hour_masks(listener, scope, key, hours, *, column="hours"):
    """[(UTC day, mask)] of the listener's rows of `scope` and `key` with `column`'s bits in the
    epoch hours [first, after) of `hours` (None ends are open), in order of day."""
    first, after = hours
    rows = ItemDay.objects.filter(listener_id=listener.pk, scope=scope, key=key)
    if first is not None:
        rows = rows.filter(day__gte=first // 24)
    if after is not None:
        rows = rows.filter(day__lte=(after - 1) // 24)
    found = []
    for day, mask in rows.order_by("day").values_list("day", column):
        if first is not None and day == first // 24:
            mask &= _FULL_DAY ^ ((1 << (first % 24)) - 1)
        if after is not None and day == (after - 1) // 24:
            mask &= (1 << ((after - 1) % 24 + 1)) - 1
        if mask:
            found.append((day, mask))
    return found


class Offsets:
    """The offsets of a zone in whole hours over a span of UTC days, asked day by day in order."""

    def __init__(self, starts, values):
        self.starts, self.values = starts, values  # values[i] in force until starts[i]
        self.at = 0

    @classmethod
    def of(cls, tz, first_day, last_day):
        """The zone's offsets over those days; None when an offset or a change of it isn't on a
        whole hour (the caller reads the plays then)."""
        if not _whole_hour_zone(tz):
            return None
        first, last = first_day * 1440, last_day * 1440 + 1440
        segments = _offset_segments(tz, first // _MINUTES_PER_WEEK, last // _MINUTES_PER_WEEK)
        if any((start or 0) % 60 or offset % 60 for start, offset in segments):
            return None
        return cls([start // 60 for start, _ in segments[1:]], [o // 60 for _, o in segments])

    def all_day(self, day):
        """The offset in force all that day; None when it changes during the day. Days must
        come in increasing order."""
        first = day * 24
        while self.at < len(self.starts) and self.starts[self.at] <= first:
            self.at += 1
        if self.at == len(self.starts) or self.starts[self.at] > first + 23:
            return self.values[self.at]
        return None

    def calm_until(self):
        """After `all_day` gave an offset: the first day that may not have it all day."""
        if self.at == len(self.starts):
            return float("inf")
        return self.starts[self.at] // 24

    def at_hour(self, hour):
        return self.values[bisect_right(self.starts, hour)]


def local_days(masks, tz):
    """The local days (numbered from 1970-01-01) in `tz` of the hours set in [(UTC day, mask)]
    (in order of day); None when the zone can't be worked out from whole hours (the caller
    reads the plays then)."""
    if not masks:
        return set()
    offsets = Offsets.of(tz, masks[0][0], masks[-1][0])
    if offsets is None:
        return None
    found = set()
    add = found.add
    until = -1  # the days before this one have the offset `offset` all day
    for day, mask in masks:
        if day >= until:
            offset = offsets.all_day(day)
            if offset is None:  # the day the offset changes: hour by hour
                for bit in range(24):
                    if mask >> bit & 1:
                        hour = day * 24 + bit
                        add((hour + offsets.at_hour(hour)) // 24)
                continue
            until = offsets.calm_until()
            # One offset all day: bits below `split` fall on one local day, the rest on the next.
            shift = offset // 24
            split = 24 * (shift + 1) - offset
            low = (1 << split) - 1
        if mask & low:
            add(day + shift)
        if mask >> split:
            add(day + shift + 1)
    return found


def whole_hours(window):
    """(epoch hours (first or None, after or None) or None, the ragged ends as Windows) of a
    window: the whole UTC hours come from the day rollup, the ends from the plays."""
    hours, ends = split_whole(window, hour_floor, hour_ceil)
    if hours is None:
        return None, ends
    return tuple(None if moment is None else epoch_hour(moment) for moment in hours), ends
