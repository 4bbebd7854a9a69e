"""Windows of time a question is asked about, and the listener's time zone."""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone

MAX_DAYS = 36_600


UTC_ZONE = ZoneInfo("UTC")


class QueryError(ValueError):
    """A question that can't be answered as asked; the message says how to ask it instead."""


def min_play_ms() -> int:
    return settings.MIN_PLAY_MS


def listener_tz(listener, timezone_name=None) -> ZoneInfo:
    """The zone to show times in: the argument, else the listener's setting, else UTC."""
    name = timezone_name or getattr(listener, "time_zone", "") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise QueryError(
            "Unknown time zone: use an IANA name such as 'Europe/Paris', 'America/New_York' or "
            "'UTC'."
        ) from None


_YEAR = re.compile(r"^\d{4}$")


_MONTH = re.compile(r"^\d{4}-\d{2}$")


def _parse_moment(value, tz, *, is_end, name):
    """An ISO year, month, date or datetime as an aware datetime.

    A start is the first instant of what it names; an end names the last day (or month, year)
    included, so it becomes the first instant after it. Naive datetimes are in `tz`.
    """
    if isinstance(value, datetime):
        moment = value if timezone.is_aware(value) else value.replace(tzinfo=tz)
        return moment
    if isinstance(value, date):
        day = value
        return _midnight(day + timedelta(days=1) if is_end else day, tz)
    if not isinstance(value, str) or not value.strip():
        raise QueryError(
            f"'{name}' must be an ISO date such as '2024-03-01' or a datetime such as "
            "'2024-03-01T18:00:00'."
        )
    text = value.strip()
    try:
        if _YEAR.match(text):
            year = int(text)
            return _midnight(date(year + 1 if is_end else year, 1, 1), tz)
        if _MONTH.match(text):
            first = date.fromisoformat(f"{text}-01")
            if is_end:
                first = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
            return _midnight(first, tz)
        if "T" not in text.upper() and " " not in text:
            # A date in any ISO form ('2024-03-31', '20240331', '2024-091'): the whole day.
            day = date.fromisoformat(text)
            return _midnight(day + timedelta(days=1) if is_end else day, tz)
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise QueryError(
            f"'{name}' is not a date: use an ISO date such as '2024-03-01', a month '2024-03', "
            "a year '2024' or a datetime such as '2024-03-01T18:00:00'."
        ) from None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=tz)


def _midnight(day, tz):
    return datetime.combine(day, time(0), tzinfo=tz)


@dataclass(frozen=True)
class Window:
    """A half-open span of time [start, end); None on either side means unbounded."""

    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def all_time(cls) -> Window:
        return cls()

    @classmethod
    def parse(cls, start=None, end=None, days=None, *, tz) -> Window:
        """A window from tool arguments: ISO start/end (end date included), or the last N days."""
        if days is not None:
            if start not in (None, ""):
                raise QueryError(
                    "Give either 'days' or 'start' (with an optional 'end'), not both."
                )
            if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
                raise QueryError(f"'days' must be a whole number from 1 to {MAX_DAYS}.")
        try:
            start_at = (
                None
                if start in (None, "")
                else _parse_moment(start, tz, is_end=False, name="start")
            )
            end_at = None if end in (None, "") else _parse_moment(end, tz, is_end=True, name="end")
            if days is not None:
                end_at = end_at or timezone.now()
                start_at = end_at - timedelta(days=days)
            for moment in (start_at, end_at):
                if moment is not None:
                    moment.astimezone(UTC_ZONE)  # the queries compare in UTC
        except OverflowError:
            raise QueryError(
                "The window reaches past the calendar's ends: use dates between the years 2 and "
                "9998."
            ) from None
        if start_at and end_at and start_at >= end_at:
            raise QueryError(
                "The window's 'start' must come before its 'end' (the end date is included)."
            )
        return cls(start=start_at, end=end_at)

    @property
    def is_all_time(self) -> bool:
        return self.start is None and self.end is None

    def filter(self, queryset, field="played_at"):
        if self.start is not None:
            queryset = queryset.filter(**{f"{field}__gte": self.start})
        if self.end is not None:
            queryset = queryset.filter(**{f"{field}__lt": self.end})
        return queryset

    def contains(self, moment) -> bool:
        return (self.start is None or moment >= self.start) and (
            self.end is None or moment < self.end
        )

    def describe(self, tz=None) -> dict:
        """The window as JSON: its bounds in `tz` (end exclusive), or all time."""
        return {
            "start": iso(self.start, tz),
            "end": iso(self.end, tz),
            "all_time": self.is_all_time,
        }


def iso(moment, tz=None):
    if moment is None:
        return None
    return moment.astimezone(tz or UTC_ZONE).isoformat()
