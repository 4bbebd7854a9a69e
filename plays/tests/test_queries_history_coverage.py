"""history_coverage counts every stored play per local month and source, as plain Python counts
the fixture history (short plays, three sources, DST zones and a zone half an hour off), without
a month missing between the first play and the last, and gives coverage_gaps' gaps."""

import itertools
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Listener
from plays import queries
from plays.queries import QueryError
from plays.tests.query_fixtures import two_listeners

pytestmark = pytest.mark.django_db


def months_between(first, last):
    month = first
    while month <= last:
        yield month
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Asia/Kolkata", "UTC"])
def test_plays_per_local_month_and_source_match_the_fixture(zone):
    alice, plays, _, _ = two_listeners()
    tz = ZoneInfo(zone)
    counts = Counter((p.at.astimezone(tz).date().replace(day=1), p.source) for p in plays)
    months = [month for month, _ in counts]
    answer = queries.history_coverage(alice, tz=tz)
    assert answer["months"] == [
        {
            "month": month.isoformat()[:7],
            "plays": sum(n for (m, _), n in counts.items() if m == month),
            "by_source": {
                source: counts[(month, source)]
                for source in ("api", "extended", "account_data")
                if counts[(month, source)]
            },
        }
        for month in months_between(min(months), max(months))
    ]
    assert answer["plays"] == len(plays)  # short plays included
    assert answer["by_source"] == dict(Counter(p.source for p in plays))
    assert answer["first_play"] == min(p.at for p in plays).astimezone(tz).isoformat()
    assert answer["last_play"] == max(p.at for p in plays).astimezone(tz).isoformat()
    assert answer["empty_months"] == sum(1 for m in answer["months"] if m["plays"] == 0)


@pytest.mark.parametrize("min_days", [14, 40])
def test_the_gaps_are_those_of_coverage_gaps(min_days):
    alice, plays, _, _ = two_listeners()
    answer = queries.history_coverage(alice, min_gap_days=min_days)
    gaps = queries.coverage_gaps(alice, min_gap_days=min_days)
    assert answer["gaps"] == gaps["gaps"] and answer["longest_gap"] == gaps["longest"]
    times = sorted(p.at for p in plays)
    long_enough = [b - a for a, b in itertools.pairwise(times) if b - a >= timedelta(days=min_days)]
    assert len(answer["gaps"]) == len(long_enough) > 0
    assert answer["min_gap_days"] == min_days


def test_a_listener_without_plays_has_no_months(listener):
    answer = queries.history_coverage(listener)
    assert (answer["plays"], answer["months"], answer["gaps"], answer["first_play"]) == (
        0,
        [],
        [],
        None,
    )


def test_only_the_listeners_own_plays_are_counted():
    alice, plays, bob, bob_plays = two_listeners()
    assert queries.history_coverage(bob)["plays"] == len(bob_plays)
    assert queries.history_coverage(alice)["plays"] == len(plays)
    assert Listener.objects.count() == 2


def test_a_bad_min_gap_is_refused(listener):
    with pytest.raises(QueryError, match="'min_gap_days'"):
        queries.history_coverage(listener, min_gap_days=0)
