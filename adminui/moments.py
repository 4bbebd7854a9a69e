"""Times a client sends to filter a list (`since`, `until`): in UTC, refused when out of range.

`9999-12-31T23:59:59-14:00` is a valid ISO 8601 time, but in UTC it falls in the year 10000,
which Python's datetime can't hold: SQLite's adapter converts every time to UTC and would raise
OverflowError (a 500). The admin API (`UtcMoment`) and the pages' filter forms
(`UtcDateTimeField`) both read times through `in_utc`, so such a time is a clear 422 or 400.
"""

from datetime import UTC, datetime
from typing import Annotated

from django import forms
from pydantic import AfterValidator


def in_utc(moment: datetime) -> datetime:
    """`moment` in UTC (a time without an offset is taken as UTC); ValueError when it falls
    outside the years 1 to 9999 there."""
    if moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            f"{moment.isoformat()} falls outside the years 1 to 9999 in UTC."
        ) from None


UtcMoment = Annotated[datetime, AfterValidator(in_utc)]


class UtcDateTimeField(forms.DateTimeField):
    """A form's date and time, in UTC; out-of-range times are a validation error."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return in_utc(moment)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="out_of_range") from None
