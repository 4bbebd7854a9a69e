"""Checking an OAuth access token presented to /mcp: the resource-server side of the flow.

A token is accepted only when every one of these holds: its SHA-256 is stored; it has not expired
(ACCESS_TOKEN lifetime, an hour by default) nor been revoked (revocation deletes it); it carries
the `history:read` scope; it belongs to a listener (not a DCR registration-management token);
it was issued for this server's /mcp (RFC 8707: its `resource` names PUBLIC_BASE_URL + /mcp, the
canonical URL, not whatever Host the request came in on); and its client is still allowed
(`Application.is_usable`). Anything else is the same 401 as an unknown token.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from mcp.oauth.models import AccessToken, Connection, RefreshToken
from mcp.oauth.provider_settings import SCOPE, resource_url

# last_used_at is written at most this often per token, as for the static MCP tokens.
LAST_USED_RESOLUTION = timedelta(seconds=30)


def authenticate(secret):
    """The valid access token for /mcp whose secret this is (its use recorded), or None."""
    if not isinstance(secret, str) or not secret:
        return None
    checksum = hashlib.sha256(secret.encode("utf-8")).hexdigest()
    token = (
        AccessToken.objects.select_related("application", "user")
        .filter(token_checksum=checksum)
        .first()
    )
    if token is None or token.user is None or token.application is None:
        return None
    if not token.is_valid([SCOPE]):
        return None
    if not token.resource or not token.allows_audience(resource_url(settings.PUBLIC_BASE_URL)):
        return None
    if not token.application.is_usable(None):
        return None
    _record_use(token)
    return token


def _record_use(token):
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    families = RefreshToken.objects.filter(access_token=token).values("token_family")
    Connection.objects.filter(token_family__in=families).update(last_used_at=now)
