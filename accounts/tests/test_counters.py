"""accounts.counters: events per key and fixed window, counted in one statement."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.counters import count_one, current_count
from accounts.models import AuthFailureCounter

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_it_counts_each_event_and_starts_again_in_a_new_window():
    assert [count_one(AuthFailureCounter, "a", START) for _ in range(3)] == [1, 2, 3]
    assert count_one(AuthFailureCounter, "b", START) == 1
    later = START + timedelta(minutes=15)
    assert count_one(AuthFailureCounter, "a", later) == 1
    assert AuthFailureCounter.objects.count() == 2


def test_it_reads_a_count_without_adding_to_it():
    count_one(AuthFailureCounter, "a", START)
    count_one(AuthFailureCounter, "a", START)
    assert current_count(AuthFailureCounter, "a", START) == 2
    assert current_count(AuthFailureCounter, "a", START + timedelta(minutes=15)) == 0
    assert current_count(AuthFailureCounter, "nobody", START) == 0
