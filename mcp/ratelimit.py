"""The limit on MCP calls: MCP_RATE_LIMIT_PER_MINUTE requests per minute and caller.

A caller is a listener, whatever token they call with (every MCP token of theirs, and any other
kind of token that acts for them, counts on one allowance, so minting more tokens buys nothing),
or the operator's admin token. `key_for_listener` and `ADMIN_KEY` name the counts.

A fixed one-minute window counted in the database (`McpRateCounter`, one row per caller), so every
gunicorn worker and every machine sharing the database sees the same count. Each request costs
one UPDATE (`accounts.counters.count_one`): it adds one to the row when the row is in the current
window, else starts the window again at one, and returns the new count in the same statement. A
refused request is counted too, so hammering through a refusal doesn't help.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.counters import count_one
from mcp.models import McpRateCounter

WINDOW = timedelta(minutes=1)
ADMIN_KEY = "admin"


def key_for_listener(listener_id):
    """The count every token acting for this listener shares."""
    return f"listener:{listener_id}"


def forget_listener(sender, instance, **kwargs):
    """The post_delete receiver of Listener: a deleted listener's count goes with them."""
    McpRateCounter.objects.filter(key=key_for_listener(instance.pk)).delete()


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # whole seconds until the window ends; 0 when allowed


def window_start(now):
    return now.replace(second=0, microsecond=0)


def hit(key, *, limit=None, now=None):
    """Counts one request by `key` and says whether it is within the limit."""
    limit = settings.MCP_RATE_LIMIT_PER_MINUTE if limit is None else limit
    if limit <= 0:
        return Decision(allowed=True, count=0, limit=limit, retry_after=0)
    now = now or timezone.now()
    start = window_start(now)
    count = _count_one(key, start)
    if count <= limit:
        return Decision(allowed=True, count=count, limit=limit, retry_after=0)
    retry_after = max(1, math.ceil((start + WINDOW - now).total_seconds()))
    return Decision(allowed=False, count=count, limit=limit, retry_after=retry_after)


def _count_one(key, start):
    """Adds this request to `key`'s count and returns the count, atomically."""
    return count_one(McpRateCounter, key, start)
