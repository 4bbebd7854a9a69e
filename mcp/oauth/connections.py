"""Connected assistants of a listener: the list on /me (and the operator's listener page) and the
disconnect button.

A connection is live while its family of refresh tokens has an unrevoked member. Disconnecting
revokes the whole family (every refresh token, and every access token issued from them), so the
assistant loses access at once and can only come back through the consent page.
"""

import logging

from django.db.models import Exists, OuterRef

from accounts.logs import log_event
from mcp.oauth.models import Connection, RefreshToken

logger = logging.getLogger(__name__)


def active_connections(listener):
    """The listener's connected assistants, newest first."""
    live = RefreshToken.objects.filter(token_family=OuterRef("token_family"), revoked__isnull=True)
    return (
        Connection.objects.filter(listener=listener)
        .filter(Exists(live))
        .select_related("application")
    )


def disconnect(listener, connection_id):
    """Revokes `listener`'s connection `connection_id`; returns it, or None when the listener has
    no such live connection (another listener's id included)."""
    connection = active_connections(listener).filter(pk=connection_id).first()
    if connection is None:
        return None
    RefreshToken.revoke_family(connection.token_family)
    log_event(
        logger,
        "oauth.disconnected",
        f"Disconnected {connection.application.display_name} from the history of "
        f"{listener.spotify_user_id}",
        listener=listener,
        client_id=connection.application.client_id[:200],
    )
    return connection
