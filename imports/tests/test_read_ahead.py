"""Reading ahead in a thread: items in order, errors where they happened, nothing left running."""

import sys
import threading
import time

import pytest

from imports.readahead import SWITCH_INTERVAL, ReadAhead


def test_items_come_in_order_and_all_of_them():
    with ReadAhead(lambda: iter(range(1000))) as items:
        assert list(items) == list(range(1000))


def test_the_producer_runs_in_another_thread():
    threads = []

    def produce():
        threads.append(threading.current_thread())
        yield 1

    with ReadAhead(produce) as items:
        list(items)

    assert threads and threads[0] is not threading.current_thread()


def test_an_error_of_the_producer_comes_after_the_items_before_it():
    def produce():
        yield 1
        yield 2
        raise ValueError("row 3 is broken")

    seen = []
    with pytest.raises(ValueError, match="row 3 is broken"), ReadAhead(produce) as items:
        for item in items:
            seen.append(item)

    assert seen == [1, 2]


def test_it_reads_at_most_depth_items_ahead():
    produced = []

    def produce():
        for number in range(100):
            produced.append(number)
            yield number

    with ReadAhead(produce, depth=2) as items:
        first = next(iter(items))
        time.sleep(0.2)  # plenty of time for a runaway producer
        ahead = len(produced)

    assert first == 0
    assert ahead <= 1 + 2 + 1  # the one taken, a full queue, and one waiting to go in


def test_leaving_early_stops_the_producer_and_its_cleanup_runs():
    cleaned_up = threading.Event()

    def produce():
        try:
            number = 0
            while True:
                yield number
                number += 1
        finally:
            cleaned_up.set()

    class Stop(BaseException):
        pass

    with pytest.raises(Stop), ReadAhead(produce) as items:
        for item in items:
            if item == 5:
                raise Stop

    assert cleaned_up.is_set()
    assert not any(thread.name == "read-ahead" for thread in threading.enumerate())


def test_threads_switch_faster_while_reading_ahead_and_as_before_after():
    before = sys.getswitchinterval()
    with ReadAhead(lambda: iter(range(3))) as items:
        during = sys.getswitchinterval()
        list(items)

    assert during == min(SWITCH_INTERVAL, before) < 0.005
    assert sys.getswitchinterval() == before
