"""listening_timeline and listening_heatmap put each play in the right local day and hour."""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plays import queries
from plays.queries import QueryError, Window
from plays.tests.query_fixtures import in_window, minutes, two_listeners

pytestmark = pytest.mark.django_db

ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu"]
WINDOWS = {
    "all time": Window(),
    "ragged": Window(
        datetime(2021, 3, 14, 13, 37, 12, tzinfo=UTC), datetime(2024, 11, 3, 6, 0, 5, tzinfo=UTC)
    ),
    "from 2024": Window(datetime(2024, 1, 1, tzinfo=UTC), None),
}


def _bucket(day, granularity):
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "year":
        return day.replace(month=1, day=1)
    return day


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("granularity", ["day", "week", "month", "year"])
@pytest.mark.parametrize("window_name", list(WINDOWS))
def test_the_timeline_counts_each_play_in_its_local_bucket(zone, granularity, window_name):
    alice, plays, _, _ = two_listeners()
    tz, window = ZoneInfo(zone), WINDOWS[window_name]
    expected = defaultdict(lambda: [0, 0])
    for play in in_window(plays, window.start, window.end):
        bucket = expected[_bucket(play.at.astimezone(tz).date(), granularity)]
        bucket[0] += 1
        bucket[1] += play.ms
    answer = queries.listening_timeline(alice, window=window, granularity=granularity, tz=tz)
    found = {
        date.fromisoformat(b["start"]): (b["plays"], b["minutes"])
        for b in answer["buckets"]
        if b["plays"]
    }
    assert found == {day: (count, minutes(ms)) for day, (count, ms) in expected.items()}
    assert answer["plays"] == sum(count for count, _ in expected.values())
    starts = [date.fromisoformat(b["start"]) for b in answer["buckets"]]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert all(_bucket(day, granularity) == day for day in starts)


def test_the_timeline_has_no_gaps_and_spans_the_whole_window():
    alice, _, _, _ = two_listeners()
    window = Window.parse("2024-02-26", "2024-03-10", tz=UTC)
    buckets = queries.listening_timeline(alice, window=window, granularity="day", tz=UTC)["buckets"]
    assert [b["start"] for b in buckets] == [
        (date(2024, 2, 26) + timedelta(days=n)).isoformat() for n in range(14)
    ]


@pytest.mark.parametrize(("start", "end"), [(None, "1999"), ("2090", None)])
def test_a_window_open_on_one_side_without_a_play_has_no_buckets(start, end):
    alice, _, _, _ = two_listeners()
    window = Window.parse(start, end, tz=UTC)
    answer = queries.listening_timeline(alice, window=window, granularity="month", tz=UTC)
    assert (answer["buckets"], answer["plays"]) == ([], 0)


def test_a_play_just_before_new_year_in_utc_is_already_next_year_in_paris():
    alice, _, _, _ = two_listeners()
    paris = queries.listening_timeline(
        alice,
        window=Window.parse("2022-12-31", "2023-01-01", tz=UTC),
        granularity="day",
        tz=ZoneInfo("Europe/Paris"),
    )
    # The fixture's 2022-12-31 23:30 UTC play is on January 1st in Paris.
    assert {b["start"]: b["plays"] for b in paris["buckets"]}.get("2023-01-01", 0) >= 1


def test_too_many_buckets_is_refused_with_a_sentence():
    alice, _, _, _ = two_listeners()
    with pytest.raises(QueryError, match="coarser 'granularity'"):
        queries.listening_timeline(
            alice, window=Window.parse("1990-01-01", "2025-01-01", tz=UTC), granularity="day"
        )
    with pytest.raises(QueryError, match="'granularity' must be one of"):
        queries.listening_timeline(alice, granularity="hour")


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("window_name", list(WINDOWS))
def test_the_heatmap_counts_each_play_in_its_local_weekday_and_hour(zone, window_name):
    alice, plays, _, _ = two_listeners()
    tz, window = ZoneInfo(zone), WINDOWS[window_name]
    expected = Counter(
        (p.at.astimezone(tz).isoweekday(), p.at.astimezone(tz).hour)
        for p in in_window(plays, window.start, window.end)
    )
    answer = queries.listening_heatmap(alice, window=window, tz=tz)
    assert answer["cells"] == [[expected[(wd, hr)] for hr in range(24)] for wd in range(1, 8)]
    assert answer["plays"] == sum(expected.values())
    peak = answer["peak"]
    assert peak["plays"] == max(expected.values())
    assert expected[(queries.WEEKDAYS.index(peak["weekday"]) + 1, peak["hour"])] == peak["plays"]


def test_the_heatmap_follows_daylight_saving_time():
    alice, _, _, _ = two_listeners()
    paris = ZoneInfo("Europe/Paris")
    # 2024-10-27 00:30 and 01:30 UTC are both 02:30 in Paris, before and after the clocks go back.
    window = Window(datetime(2024, 10, 27, 0, tzinfo=UTC), datetime(2024, 10, 27, 2, tzinfo=UTC))
    cells = queries.listening_heatmap(alice, window=window, tz=paris)["cells"]
    assert cells[6][2] == 2  # Sunday, 02:00-02:59
    # 2024-03-31 00:50 UTC is 01:50 CET and 01:10 UTC is 03:10 CEST: there is no 02:xx that day.
    window = Window(datetime(2024, 3, 31, 0, tzinfo=UTC), datetime(2024, 3, 31, 2, tzinfo=UTC))
    cells = queries.listening_heatmap(alice, window=window, tz=paris)["cells"]
    assert (cells[6][1], cells[6][2], cells[6][3]) == (1, 0, 1)


def test_the_listeners_own_time_zone_is_the_default():
    alice, plays, _, _ = two_listeners()
    paris = ZoneInfo("Europe/Paris")
    assert alice.time_zone == "Europe/Paris"
    answer = queries.listening_heatmap(alice)
    assert answer["time_zone"] == "Europe/Paris"
    assert answer["cells"] == queries.listening_heatmap(alice, tz=paris)["cells"]
    hours = Counter(p.at.astimezone(paris).hour for p in plays if p.counted)
    assert [sum(row[hr] for row in answer["cells"]) for hr in range(24)] == [
        hours[hr] for hr in range(24)
    ]
