"""Producing the next items of an iterator in a background thread while the caller uses the last.

An import spends its time in two places: reading and parsing the export (Python) and storing each
batch (the database). Done one after the other, each waits for the other; on two cores they can
overlap. `ReadAhead` runs the reading side in a thread, at most `depth` items ahead, so memory stays
bounded. The database side stays in the calling thread (Django connections belong to threads, and
the batch's transaction with it); psycopg releases the GIL while it waits for PostgreSQL, which is
when the reading thread parses.

Whatever the producer raises is raised in the caller's thread, at the point the item would have
come, so errors keep their order relative to the items before them. Leaving the `with` block early
(an error in the caller, or a BaseException like a worker being stopped) stops the producer at its
next item and waits for its thread, so nothing it holds (an open file) is used after the block.
"""

import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator

_END = object()
_POLL_SECONDS = 0.05
# While reading ahead, the thread that waited for the database gets the GIL back within this
# instead of Python's default 5 ms: it waits a dozen times a batch, and the database idles
# while it waits for the GIL (measured: a 1M-record import 2-7 s faster).
SWITCH_INTERVAL = 0.0005


class ReadAhead:
    """Iterates `produce()` in a background thread, `depth` items ahead; a context manager."""

    def __init__(self, produce: Callable[[], Iterable], *, depth=1, name="read-ahead"):
        self._produce = produce
        self._queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)

    def __enter__(self) -> "ReadAhead":
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(SWITCH_INTERVAL, self._switch_interval))
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
        sys.setswitchinterval(self._switch_interval)

    def __iter__(self) -> Iterator:
        while True:
            item, error = self._queue.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item

    def _work(self) -> None:
        items = iter(())
        try:
            items = iter(self._produce())
            for item in items:
                if not self._put((item, None)):
                    return
            self._put((_END, None))
        except BaseException as error:  # handed to the caller's thread
            self._put((None, error))
        finally:
            if hasattr(items, "close"):
                items.close()  # a generator's cleanup runs here, in this thread, before join

    def _put(self, entry) -> bool:
        """Queues an entry unless the caller stopped listening; False when it did."""
        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False
