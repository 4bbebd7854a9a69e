"""The address of the client a request came from, for the brute-force limits.

Directly connected, it is REMOTE_ADDR. Behind the TLS proxy of the deployment guide, REMOTE_ADDR is
the proxy's own address for every client, so with TRUST_X_FORWARDED_FOR on the address the proxy
itself appended to `X-Forwarded-For` (the last one) is used instead. Only that last entry is
trusted: the ones before it came from the client and could say anything.
"""

import ipaddress

from django.conf import settings


def _valid(address):
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The client's IP address as a string ("" when the request carries none)."""
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or ""
    if not settings.TRUST_X_FORWARDED_FOR:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    last = forwarded.rsplit(",", 1)[-1] if forwarded else ""
    return _valid(last) or remote
