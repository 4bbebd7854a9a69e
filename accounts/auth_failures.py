"""The per-client limit on wrong credentials for the admin API and /mcp (brute force).

A client (by address, `accounts.client_ip`) that sends API_AUTH_FAILURE_LIMIT wrong credentials
(a bearer token or Basic password that matches nothing) within one API_AUTH_FAILURE_WINDOW_MINUTES
window is answered 429 with `Retry-After` until that window ends, whatever it sends, the right
credentials included, so guessing can't go on. Requests without credentials are not counted: they
guess nothing. Counts live in the database (`AuthFailureCounter`, via `accounts.counters`), so
every gunicorn worker sees them. The login forms have their own lockout (django-axes).
"""

import math
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts import metric_counts
from accounts.client_ip import client_ip
from accounts.counters import count_one, current_count
from accounts.models import AuthFailureCounter

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _window():
    return timedelta(minutes=max(1, settings.API_AUTH_FAILURE_WINDOW_MINUTES))


def window_start(now):
    """The start of the fixed window `now` falls in (windows are counted from the epoch)."""
    window = _window()
    return now - (now - EPOCH) % window


def _key(request):
    return f"ip:{client_ip(request)}"[:64]


def retry_after(request, *, now=None):
    """Seconds this client must wait before its credentials are looked at again; 0 if none.

    Every caller refuses the request when it is not 0, so that refusal is counted here (once)."""
    limit = settings.API_AUTH_FAILURE_LIMIT
    if limit <= 0:
        return 0
    now = now or timezone.now()
    start = window_start(now)
    if current_count(AuthFailureCounter, _key(request), start) < limit:
        return 0
    metric_counts.add(metric_counts.RATE_LIMIT_REFUSALS, limit="auth_failures")
    return max(1, math.ceil((start + _window() - now).total_seconds()))


def record_failure(request, *, now=None):
    """Counts one wrong credential from this client; returns its count in the window."""
    if settings.API_AUTH_FAILURE_LIMIT <= 0:
        return 0
    now = now or timezone.now()
    return count_one(AuthFailureCounter, _key(request), window_start(now))
