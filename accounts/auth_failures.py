"""The per-client limit on wrong credentials for the admin API and /mcp (brute force).

A client (by address, `accounts.client_ip`) that sends API_AUTH_FAILURE_LIMIT wrong credentials
(a bearer token or Basic password that matches nothing) within one API_AUTH_FAILURE_WINDOW_MINUTES
window is answered 429 with `Retry-After` until that window ends, whatever it sends, the right
credentials included, so guessing can't go on. Requests without credentials are not counted: they
guess nothing. Counts live in the database (`AuthFailureCounter`, via `accounts.counters`), so
every gunicorn worker sees them. The login forms have their own lockout (django-axes).

A client is one IPv4 address, or one IPv6 /64 (what one subscriber or machine is given: counting
single IPv6 addresses would give one attacker 2^64 fresh allowances, and as many rows). Rows of
ended windows are removed by the worker (`clear_expired`, the `clear-expired-counters` schedule),
so addresses that came once don't pile up.
"""

import ipaddress
import math

from django.conf import settings
from django.utils import timezone

from accounts import metric_counts, ratelimit
from accounts.client_ip import client_ip
from accounts.counters import count_one, current_count
from accounts.models import AuthFailureCounter

IPV6_PREFIX = 64


def _window():
    return ratelimit.minutes(settings.API_AUTH_FAILURE_WINDOW_MINUTES)


def window_start(now):
    """The start of the fixed window `now` falls in (windows are counted from the epoch)."""
    return ratelimit.window_start(now, _window())


def client_key(address):
    """The count an address falls in: itself for IPv4, its /64 for IPv6."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return f"ip:{address}"[:64]
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return f"ip:{parsed.ipv4_mapped}"
        network = ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False)
        return f"ip:{network}"[:64]
    return f"ip:{parsed}"


def _key(request):
    return client_key(client_ip(request))


def clear_expired(now=None):
    """Deletes the counts of windows that ended; returns how many."""
    return ratelimit.delete_expired(AuthFailureCounter, _window(), now)


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
