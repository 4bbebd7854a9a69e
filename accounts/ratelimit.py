"""The one fixed-window rate limiter: /mcp, the OAuth endpoints and the state-changing pages.

A limit counts requests per key (a listener, the admin token, a staff account, an OAuth client) in
fixed windows, in a counter table with one row per key (`key` unique, `window_start`, `count`:
`McpRateCounter`, `PageRateCounter`), so every gunicorn worker and machine sharing the database
sees the same count. `hit()` costs one UPDATE (`accounts.counters.count_one`): a row in the current
window gains one, a row from an earlier window starts again at one. A refused request is counted
too, so hammering through a refusal doesn't help.

Rows never outnumber the keys, and a row whose window has ended says nothing any more:
`delete_expired()` removes those, run every few minutes by the worker (`clear-expired-counters`,
`spotify_history.tasks`), so keys that came once and never again don't pile up.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from accounts.counters import count_one

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # whole seconds until the window ends; 0 when allowed


def window_start(now, window):
    """The start of the fixed `window` that `now` falls in (windows are counted from the epoch)."""
    return now - (now - EPOCH) % window


def hit(model, key, *, limit, window, now=None):
    """Counts one request by `key` in `model`'s table and says whether it is within `limit` per
    `window`; a limit of 0 or less lets everything through (and counts nothing)."""
    if limit <= 0:
        return Decision(allowed=True, count=0, limit=limit, retry_after=0)
    now = now or timezone.now()
    start = window_start(now, window)
    count = count_one(model, key, start)
    if count <= limit:
        return Decision(allowed=True, count=count, limit=limit, retry_after=0)
    retry_after = max(1, math.ceil((start + window - now).total_seconds()))
    return Decision(allowed=False, count=count, limit=limit, retry_after=retry_after)


def delete_expired(model, window, now=None):
    """Deletes the rows of `model` whose window ended (started over a `window` ago); returns how
    many."""
    cutoff = window_start(now or timezone.now(), window)
    deleted, _ = model.objects.filter(window_start__lt=cutoff).delete()
    return deleted


def minutes(value):
    """A window of `value` minutes (at least one)."""
    return timedelta(minutes=max(1, value))
