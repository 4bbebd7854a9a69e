"""Issuing, checking and revoking MCP tokens: the only code that ever sees a token's secret.

A secret is `shm_` plus 43 random URL-safe characters (256 bits). Only its SHA-256 is stored: a
random secret that long needs no salt or slow hash, and a hash lookup finds the token without
comparing secrets one by one. The secret is returned once, by `issue_token`, and shown once by
whoever asked (the listener's page, the operator's page, `manage.py mcp_token`).

A listener holds at most MCP_MAX_TOKENS_PER_LISTENER live tokens; `issue_token` refuses one more
with `TooManyTokens`, whose message each of those callers shows as it is.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Listener
from mcp.models import McpToken

SECRET_PREFIX = "shm_"  # noqa: S105 - the marker in front of every secret, not a secret
VISIBLE_CHARS = 10  # "shm_" and six random characters: enough to tell tokens apart on a page
# last_used_at is written at most this often per token, so a burst of calls costs one UPDATE.
LAST_USED_RESOLUTION = timedelta(seconds=30)


def hash_secret(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


class TooManyTokens(Exception):
    """The listener holds the most live tokens allowed; `str(exc)` says what to do."""


def issue_token(listener, name=""):
    """A new token for `listener`: (the stored token, its secret, which is not kept anywhere).

    Raises TooManyTokens when the listener already holds MCP_MAX_TOKENS_PER_LISTENER live ones.
    """
    most = settings.MCP_MAX_TOKENS_PER_LISTENER
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        # Two requests at once take turns here, so neither can slip past the count.
        Listener.objects.select_for_update().filter(pk=listener.pk).exists()
        if active_tokens(listener).count() >= most:
            raise TooManyTokens(
                f"{listener.spotify_user_id} already holds {most} live MCP tokens, the most one "
                "listener may hold (MCP_MAX_TOKENS_PER_LISTENER): revoke one before creating "
                "another."
            )
        token = McpToken.objects.create(
            listener=listener,
            name=name.strip()[:100],
            token_hash=hash_secret(secret),
            prefix=secret[:VISIBLE_CHARS],
        )
    return token, secret


def revoke_token(token):
    """Stops `token` from working, at once; it stays listed as revoked. Revoking twice is fine."""
    McpToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])


def active_tokens(listener):
    """The listener's tokens that still work, newest first."""
    return McpToken.objects.filter(listener=listener, revoked_at__isnull=True)


def authenticate(secret):
    """The active token whose secret this is (its last use recorded), or None."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        return None
    token = (
        McpToken.objects.select_related("listener")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        McpToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
