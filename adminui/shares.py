"""Share links of a listener's Wrapped: made, found and revoked here, and nowhere else.

A link is `PUBLIC_BASE_URL/wrapped/<secret>`, the secret 43 random URL-safe characters (256 bits),
so it can't be guessed. As with MCP tokens (`mcp.tokens`, whose hash this reuses) only the
secret's SHA-256 is stored: the database holds no usable link, and the listener sees the link once,
when it is made (`adminui.shown_once`). A link is bound to one listener and one range of dates and
answers until the listener revokes it; after that it is a 404, like a link that never existed.

Making links is limited per listener: at most MAX_LIVE_SHARES live at once and MAX_NEW_PER_HOUR
made in any hour (revoked ones count), counted in the database under a lock on the listener's
row, so two requests at once can't slip past either count.
"""

import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import Listener
from adminui.models import WrappedShare
from mcp.tokens import hash_secret
from plays.queries import Window

MAX_LIVE_SHARES = 10
MAX_NEW_PER_HOUR = 5
VISIBLE_CHARS = 6
NEW_SHARE_SESSION_KEY = "new_wrapped_share"
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")


class ShareRefused(Exception):
    """Making a share link is not allowed now; `str(exc)` says why and what to do."""


def active_shares(listener):
    """The listener's links that still work, newest first."""
    return WrappedShare.objects.filter(listener=listener, revoked_at__isnull=True)


def create(listener, start, end, tz):
    """A new link to `listener`'s Wrapped from `start` to `end` (as `Window.parse` reads them, in
    `tz`): (the stored share, its secret, which is kept nowhere). Raises `QueryError` for a range
    that can't be read and ShareRefused past the limits."""
    Window.parse(start=start, end=end, tz=tz)  # refuses what the page would refuse
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        Listener.objects.select_for_update().filter(pk=listener.pk).exists()
        if active_shares(listener).count() >= MAX_LIVE_SHARES:
            raise ShareRefused(
                f"You already have {MAX_LIVE_SHARES} share links, the most one listener may "
                "have: revoke one before making another."
            )
        hour_ago = timezone.now() - timedelta(hours=1)
        made = WrappedShare.objects.filter(listener=listener, created_at__gte=hour_ago).count()
        if made >= MAX_NEW_PER_HOUR:
            raise ShareRefused(
                f"You made {MAX_NEW_PER_HOUR} share links in the last hour, the most allowed: "
                "try again later."
            )
        share = WrappedShare.objects.create(
            listener=listener,
            token_hash=hash_secret(secret),
            prefix=secret[:VISIBLE_CHARS],
            start=start,
            end=end,
        )
    return share, secret


def find(secret):
    """The live share whose secret this is, with its listener, or None."""
    if not isinstance(secret, str) or not _SECRET.match(secret):
        return None
    return (
        WrappedShare.objects.select_related("listener")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True)
        .first()
    )


def revoke(listener, share_id):
    """Revokes `listener`'s live share `share_id` at once (404 for anyone else's); returns it."""
    share = active_shares(listener).filter(pk=share_id).first()
    if share is None:
        raise Http404("No such share link.")
    WrappedShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return share
