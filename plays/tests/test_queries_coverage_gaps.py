"""coverage_gaps finds the holes of a history (at least N days without any stored play), as a
plain Python walk over the fixture history finds them, and nothing of another listener's."""

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plays import queries
from plays.ingest import ingest_plays
from plays.queries import QueryError
from plays.records import PlayRecord
from plays.tests.query_fixtures import two_listeners

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def expected_gaps(plays, min_days):
    """(last play before, first play after) of every gap, from the plays' times alone: every
    stored play counts, short ones and every source included."""
    times = sorted(p.at for p in plays)
    return [
        (before, after)
        for before, after in itertools.pairwise(times)
        if after - before >= timedelta(days=min_days)
    ]


@pytest.mark.parametrize("min_days", [7, 14, 30])
def test_gaps_are_the_spans_between_consecutive_plays_at_least_that_long(min_days):
    alice, plays, _bob, _ = two_listeners()
    answer = queries.coverage_gaps(alice, min_gap_days=min_days, tz=PARIS)
    expected = expected_gaps(plays, min_days)
    assert expected, "the fixture history has gaps of this length"
    assert [(g["start"], g["end"]) for g in answer["gaps"]] == [
        (before.astimezone(PARIS).isoformat(), after.astimezone(PARIS).isoformat())
        for before, after in expected
    ]
    assert [g["days"] for g in answer["gaps"]] == [
        round((after - before).total_seconds() / 86400, 1) for before, after in expected
    ]
    longest = max(expected, key=lambda pair: pair[1] - pair[0])
    assert answer["longest"]["start"] == longest[0].astimezone(PARIS).isoformat()
    assert answer["min_gap_days"] == min_days


def _track(at, source="extended"):
    return PlayRecord(
        played_at=at,
        source=source,
        kind="track",
        item_name="Song",
        item_uri="spotify:track:" + "g" * 22,
        artist_names=("Band",),
        ms_played=None if source == "api" else 10_000,  # short: still stored, still coverage
    )


def test_a_four_year_hole_between_an_export_and_polling_is_one_gap(listener):
    export_end = datetime(2022, 12, 23, 21, 15, tzinfo=UTC)
    polled = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    ingest_plays(listener, [_track(export_end - timedelta(hours=h)) for h in range(0, 500, 5)])
    ingest_plays(listener, [_track(polled + timedelta(hours=h), "api") for h in range(10)])
    answer = queries.coverage_gaps(listener, tz=UTC)
    assert answer["gaps"] == [
        {
            "start": export_end.isoformat(),
            "end": polled.isoformat(),
            "days": round((polled - export_end).total_seconds() / 86400, 1),
        }
    ]
    assert answer["missing_days"] == answer["gaps"][0]["days"] > 1400
    assert answer["min_gap_days"] == queries.MIN_GAP_DAYS == 14


def test_hours_just_under_the_minimum_apart_are_no_gap(listener):
    start = datetime(2024, 1, 1, 0, 59, tzinfo=UTC)
    # 13 days 23 hours 2 minutes: 336 hours between the hours that hold them, yet under 14 days.
    ingest_plays(listener, [_track(start), _track(start + timedelta(days=14, minutes=-58))])
    assert queries.coverage_gaps(listener)["gaps"] == []
    ingest_plays(listener, [_track(start + timedelta(days=28, minutes=2))])
    [gap] = queries.coverage_gaps(listener, tz=UTC)["gaps"]
    assert gap["days"] == 14.0


def test_a_history_without_plays_or_with_one_has_no_gap(listener):
    assert queries.coverage_gaps(listener)["gaps"] == []
    ingest_plays(listener, [_track(datetime(2024, 1, 1, tzinfo=UTC))])
    assert queries.coverage_gaps(listener)["gaps"] == []


@pytest.mark.parametrize("bad", [0, -3, "14", None, True, 40_000])
def test_the_minimum_must_be_a_sensible_number_of_days(listener, bad):
    with pytest.raises(QueryError, match="min_gap_days"):
        queries.coverage_gaps(listener, min_gap_days=bad)
