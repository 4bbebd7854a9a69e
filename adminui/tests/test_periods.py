"""The period a history page shows: all time by default, the last N days, a year, or a range of
dates in the listener's zone; anything else is refused in one sentence."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from adminui.periods import parse_period

PARIS = ZoneInfo("Europe/Paris")
SPAN_TOO_LONG = "A range can span at most 36,600 days (about 100 years): pick a shorter one."


def test_a_page_opens_on_the_whole_history():
    period = parse_period({}, PARIS)
    assert (period.choice, period.label, period.error) == ("all", "All time", None)
    assert period.window.is_all_time and period.query() == ""


def test_the_last_n_days_end_now():
    period = parse_period({"days": "30"}, PARIS)
    assert period.label == "Last 30 days" and period.query() == "days=30"
    assert abs((timezone.now() - period.window.end).total_seconds()) < 60
    assert (period.window.end - period.window.start).days == 30


def test_a_year_is_the_calendar_year_in_the_listeners_zone():
    period = parse_period({"year": "2021"}, PARIS)
    assert period.window.start == datetime(2020, 12, 31, 23, tzinfo=UTC)
    assert period.window.end == datetime(2021, 12, 31, 23, tzinfo=UTC)
    assert (period.label, period.year, period.query()) == ("2021", 2021, "year=2021")


def test_a_range_includes_both_days_and_may_be_open_on_either_side():
    period = parse_period({"start": "2021-03-01", "end": "2021-03-31"}, PARIS)
    assert period.window.start == datetime(2021, 2, 28, 23, tzinfo=UTC)
    assert period.window.end == datetime(2021, 3, 31, 22, tzinfo=UTC)  # April 1st, summer time
    assert period.query() == "start=2021-03-01&end=2021-03-31"
    assert parse_period({"end": "2021-03-31"}, PARIS).window.start is None
    assert parse_period({"start": "2021-03-01"}, PARIS).window.end is None


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"days": "7"},
            "The period must be the last 30, 90 or 365 days, or all time: showing all time.",
        ),
        ({"year": "21"}, "The year must be one from 1900 to 9998, such as 2021: showing all time."),
        (
            {"year": "1066"},
            "The year must be one from 1900 to 9998, such as 2021: showing all time.",
        ),
        (
            {"start": "2021-13-01"},
            "'From' is not a date: use the form 2021-03-01, between the years 2 and 9998.",
        ),
        (
            {"end": "March"},
            "'To' is not a date: use the form 2021-03-01, between the years 2 and 9998.",
        ),
        ({"start": "2021-05-01", "end": "2021-04-01"}, "'From' must not be after 'to'."),
        (
            {"end": "9999-12-31"},
            "'From' and 'to' must be dates between the years 2 and 9998.",
        ),
        ({"start": "1900-01-01", "end": "9998-12-31"}, SPAN_TOO_LONG),
        ({"start": "0002-01-01"}, SPAN_TOO_LONG),
    ],
)
def test_what_the_page_can_not_show_is_said_and_all_time_shown(params, message):
    period = parse_period(params, PARIS)
    assert period.error == message
    assert period.window.is_all_time


@pytest.mark.parametrize(
    "params",
    [{"days": "<b>x</b>"}, {"year": "<b>x</b>"}, {"start": "<b>x</b>"}, {"end": "<b>x</b>"}],
)
def test_a_refusal_never_repeats_what_was_typed(params):
    assert "<b>x</b>" not in parse_period(params, PARIS).error


@pytest.mark.parametrize(
    "first, last, expected",
    [
        (date(2024, 1, 1), date(2024, 3, 1), "day"),
        (date(2023, 1, 1), date(2024, 12, 31), "week"),
        (date(2015, 1, 1), date(2026, 12, 1), "month"),
        (None, None, "day"),
    ],
)
def test_bars_are_per_day_week_or_month_by_the_span_shown(first, last, expected):
    assert parse_period({}, PARIS).granularity(first, last) == expected


def test_a_window_chooses_the_bars_by_its_own_span():
    assert parse_period({"year": "2021"}, PARIS).granularity(None, None) == "week"
    assert parse_period({"days": "90"}, PARIS).granularity(None, None) == "day"
