"""The limit on MCP calls: MCP_RATE_LIMIT_PER_MINUTE requests per minute and caller.

A caller is a listener, whatever token they call with (every MCP token of theirs, and any other
kind of token that acts for them, counts on one allowance, so minting more tokens buys nothing),
or the operator's admin token. `key_for_listener` and `ADMIN_KEY` name the counts.

Counted by the project's one limiter (`accounts.ratelimit`) in `McpRateCounter`, one row per
caller, in one-minute windows; `clear_expired()` removes the rows of ended windows (the worker's
`clear-expired-counters`).
"""

from datetime import timedelta

from django.conf import settings

from accounts import ratelimit as limiter
from accounts.ratelimit import Decision
from mcp.models import McpRateCounter

WINDOW = timedelta(minutes=1)
ADMIN_KEY = "admin"

__all__ = ["ADMIN_KEY", "WINDOW", "Decision", "clear_expired", "hit", "key_for_listener"]


def key_for_listener(listener_id):
    """The count every token acting for this listener shares."""
    return f"listener:{listener_id}"


def forget_listener(sender, instance, **kwargs):
    """The post_delete receiver of Listener: a deleted listener's count goes with them."""
    McpRateCounter.objects.filter(key=key_for_listener(instance.pk)).delete()


def hit(key, *, limit=None, now=None):
    """Counts one request by `key` and says whether it is within the limit (default
    MCP_RATE_LIMIT_PER_MINUTE)."""
    limit = settings.MCP_RATE_LIMIT_PER_MINUTE if limit is None else limit
    return limiter.hit(McpRateCounter, key, limit=limit, window=WINDOW, now=now)


def clear_expired(now=None):
    """Deletes the counts of windows that ended; returns how many."""
    return limiter.delete_expired(McpRateCounter, WINDOW, now)
