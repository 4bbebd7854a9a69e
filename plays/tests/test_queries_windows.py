"""Windows and time zones: what `start`, `end` and `days` mean, and the errors for bad ones."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from plays.queries import QueryError, Window, listener_tz

PARIS = ZoneInfo("Europe/Paris")


def test_no_bounds_means_all_time():
    window = Window.parse(tz=UTC)
    assert window == Window.all_time()
    assert window.describe() == {"start": None, "end": None, "all_time": True}


def test_an_end_date_includes_that_whole_day_in_the_time_zone():
    window = Window.parse("2024-03-01", "2024-03-31", tz=PARIS)
    assert window.start == datetime(2024, 2, 29, 23, 0, tzinfo=UTC)
    # March 31st 2024 is the day Paris moves to summer time: it ends at 22:00 UTC.
    assert window.end == datetime(2024, 3, 31, 22, 0, tzinfo=UTC)
    assert window.describe(PARIS)["start"] == "2024-03-01T00:00:00+01:00"
    assert window.describe(PARIS)["end"] == "2024-04-01T00:00:00+02:00"


def test_a_year_or_a_month_names_the_whole_of_it():
    assert Window.parse("2023", "2023", tz=UTC) == Window(
        datetime(2023, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)
    )
    assert Window.parse("2024-02", "2024-12", tz=UTC) == Window(
        datetime(2024, 2, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
    )


def test_datetimes_are_exact_and_naive_ones_are_in_the_time_zone():
    window = Window.parse("2024-06-01T18:30:00", "2024-06-01T20:00:00Z", tz=PARIS)
    assert window.start == datetime(2024, 6, 1, 16, 30, tzinfo=UTC)
    assert window.end == datetime(2024, 6, 1, 20, 0, tzinfo=UTC)


def test_days_counts_back_from_now_or_from_the_end():
    before = timezone.now()
    window = Window.parse(days=7, tz=UTC)
    assert before <= window.end <= timezone.now()
    assert window.end - window.start == timedelta(days=7)
    ending = Window.parse(end="2024-01-31", days=31, tz=UTC)
    assert ending == Window(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"start": "yesterday"}, "'start' is not a date"),
        ({"end": "2024-13-01"}, "'end' is not a date"),
        ({"start": "2024-02-30"}, "'start' is not a date"),
        ({"start": "2024-05-01", "end": "2024-04-01"}, "must come before its 'end'"),
        ({"start": "2024-01-01", "days": 3}, "either 'days' or 'start'"),
        ({"days": 0}, "'days' must be a whole number from 1"),
        ({"days": "7"}, "'days' must be a whole number from 1"),
        ({"end": "9999-12-31"}, "past the calendar's ends"),
        ({"end": "9999-12"}, "past the calendar's ends"),
        ({"end": "0050", "days": 36600}, "past the calendar's ends"),
    ],
)
def test_a_bad_window_is_refused_with_a_sentence_saying_what_to_send(arguments, message):
    with pytest.raises(QueryError, match=message):
        Window.parse(**arguments, tz=UTC)


def test_a_start_before_year_one_in_utc_is_refused_not_crashed():
    with pytest.raises(QueryError, match="past the calendar's ends"):
        Window.parse(start="0001-01-01", tz=ZoneInfo("Asia/Tokyo"))


def test_an_end_date_in_basic_iso_form_still_includes_the_whole_day():
    assert Window.parse(end="20240331", tz=PARIS) == Window.parse(end="2024-03-31", tz=PARIS)


def test_contains_is_half_open():
    window = Window.parse("2024-01-01", "2024-01-01", tz=UTC)
    assert window.contains(datetime(2024, 1, 1, tzinfo=UTC))
    assert window.contains(datetime(2024, 1, 1, 23, 59, 59, tzinfo=UTC))
    assert not window.contains(datetime(2024, 1, 2, tzinfo=UTC))


def test_the_time_zone_is_the_argument_else_the_listeners_else_utc(listener):
    assert listener_tz(listener) == ZoneInfo("UTC")
    listener.time_zone = "America/New_York"
    assert listener_tz(listener) == ZoneInfo("America/New_York")
    assert listener_tz(listener, "Asia/Tokyo") == ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize("name", ["Mars/Olympus", "../etc/passwd", "Europe/"])
def test_an_unknown_time_zone_is_refused_with_examples(listener, name):
    with pytest.raises(QueryError, match=r"Unknown time zone: .* such as 'Europe/Paris'"):
        listener_tz(listener, name)
