"""Tasks that reach across the apps, run by the django-q2 worker (`spotify_history.schedules`).

`clear_expired_counters` empties every rate-limit and failure-count table of rows whose window
has ended, so keys that came once (addresses, OAuth clients, visitors) don't pile up: the
failures per address (`accounts.auth_failures`), the /mcp and OAuth endpoint counts
(`mcp.ratelimit`) and the page counts (`adminui.page_limits`).
"""

import logging

from accounts import auth_failures
from accounts.logs import log_event
from adminui import page_limits
from mcp import ratelimit

logger = logging.getLogger(__name__)


def clear_expired_counters(now=None):
    """Deletes the ended windows' rows of every counter table; returns how many per table."""
    deleted = {
        "auth_failures": auth_failures.clear_expired(now),
        "mcp": ratelimit.clear_expired(now),
        "pages": page_limits.clear_expired(now),
    }
    if not any(deleted.values()):
        return deleted  # every ten minutes: an empty sweep is not worth a log row
    log_event(
        logger,
        "counters.cleared",
        f"Deleted {sum(deleted.values())} expired rate-limit counts",
        **deleted,
    )
    return deleted
