"""The period a listener's page shows, read from its query string.

A page opens on the whole history (a listener who imported eight years sees eight years on their
first visit). It also offers the last 30 / 90 / 365 days (`?days=`), one calendar year
(`?year=2021`) and any range of dates (`?start=2021-03-01&end=2021-06-30`, both days included,
either side may be left open). Everything is in the listener's time zone. A value the page can't
use is reported in one sentence and the page shows the whole history instead (status 400).

No database: the window it builds is a `plays.queries.Window`, answered by the queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from plays.queries import MAX_DAYS, QueryError, Window

DAY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("all", "All time")]
DAILY_UP_TO = 92  # days; longer spans are charted per week,
WEEKLY_UP_TO = 3 * 366  # and longer than three years per month


@dataclass(frozen=True)
class Period:
    choice: str  # "30", "90", "365", "all", "year" or "range"
    window: Window
    label: str  # "All time", "Last 30 days", "2021", "2021-03-01 to 2021-06-30"
    year: int | None = None
    start: str = ""  # the range's dates as typed back into the form
    end: str = ""
    error: str | None = None

    @property
    def is_all_time(self):
        return self.window.is_all_time

    def granularity(self, first_play: date | None, last_play: date | None) -> str:
        """Bars per day, week or month, so a chart has between about 30 and 150 of them."""
        start = self.window.start.date() if self.window.start else first_play
        end = self.window.end.date() if self.window.end else last_play
        if start is None or end is None:
            return "day"
        span = (end - start).days
        if span <= DAILY_UP_TO:
            return "day"
        if span <= WEEKLY_UP_TO:
            return "week"
        return "month"

    def query(self) -> str:
        """The query string that shows this period again (for links that keep it)."""
        if self.choice == "year":
            return f"year={self.year}"
        if self.choice == "range":
            parts = [
                f"start={self.start}" if self.start else "",
                f"end={self.end}" if self.end else "",
            ]
            return "&".join(part for part in parts if part)
        if self.choice == "all":
            return ""
        return f"days={self.choice}"


def too_long(window) -> str | None:
    """Why the pages won't chart `window` (a span of more than MAX_DAYS days, about a century,
    counted to now when it has no end), or None. Charts per month or year would otherwise run to
    thousands of bars."""
    if window.start is None:
        return None
    end = window.end or max(timezone.now(), window.start)
    if end - window.start > _MAX_SPAN:
        return f"A range can span at most {MAX_DAYS:,} days (about 100 years): pick a shorter one."
    return None


_MAX_SPAN = timedelta(days=MAX_DAYS)


def _all_time(error=None):
    return Period("all", Window.all_time(), "All time", error=error)


FIRST_YEAR, LAST_YEAR = 1900, 9998  # the years offered; a window's ends stay inside the calendar
DATE_FORM = "use the form 2021-03-01, between the years 2 and 9998"


def parse_period(params, tz) -> Period:
    """The Period asked for by `params` (a QueryDict or dict) in the zone `tz`.

    A refusal names the field by its label on the page and never repeats what was typed.
    """
    days = (params.get("days") or "").strip()
    year = (params.get("year") or "").strip()
    start = (params.get("start") or "").strip()
    end = (params.get("end") or "").strip()
    if year:
        if not (_is_number(year) and len(year) == 4 and FIRST_YEAR <= int(year) <= LAST_YEAR):
            return _all_time(
                f"The year must be one from {FIRST_YEAR} to {LAST_YEAR}, such as 2021: "
                "showing all time."
            )
        window = Window.parse(start=year, end=year, tz=tz)
        return Period("year", window, year, year=int(year))
    if start or end:
        return _range(start, end, tz)
    if days in ("", "all"):
        return _all_time()
    if days not in dict(DAY_CHOICES):
        return _all_time(
            "The period must be the last 30, 90 or 365 days, or all time: showing all time."
        )
    window = Window.parse(days=int(days), tz=tz)
    return Period(days, window, f"Last {dict(DAY_CHOICES)[days]}")


def _range(start, end, tz):
    for label, value in (("From", start), ("To", end)):
        if value and _date(value) is None:
            return _all_time(f"'{label}' is not a date: {DATE_FORM}.")
    if start and end and _date(start) > _date(end):
        return _all_time("'From' must not be after 'to'.")
    try:
        window = Window.parse(start=start or None, end=end or None, tz=tz)
    except QueryError:  # a day whose edge falls outside the calendar in UTC
        return _all_time("'From' and 'to' must be dates between the years 2 and 9998.")
    if too_long(window):
        return _all_time(too_long(window))
    label = f"{start or 'the first play'} to {end or 'now'}"
    return Period("range", window, label, start=start, end=end)


def _is_number(value):
    return value.isascii() and value.isdigit()


def _date(value):
    """The date `value` names in the form 2021-03-01 (ASCII digits only), else None."""
    if len(value) != 10 or not value.isascii():
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
