"""The daily OAuth clean-up, run by the django-q2 worker (`spotify_history.schedules`).

Deletes what can never be used again: expired access tokens, authorization codes and refresh
tokens past their idle lifetime (django-oauth-toolkit's `clear_expired`), connections left with
no refresh token, and dynamically registered clients that never completed an authorization
within a day (`mcp.oauth.clients`).
"""

import logging

from django.db.models import Exists, OuterRef
from oauth2_provider.models import clear_expired

from accounts.logs import log_event
from mcp.oauth import clients
from mcp.oauth.models import Connection, RefreshToken

logger = logging.getLogger(__name__)


def clean_up():
    clear_expired()
    tokens = RefreshToken.objects.filter(token_family=OuterRef("token_family"))
    ended = Connection.objects.exclude(Exists(tokens)).delete()[1].get(Connection._meta.label, 0)
    stale = clients.delete_stale_clients()
    log_event(
        logger,
        "oauth.cleaned_up",
        f"OAuth clean-up: {ended} ended connections, {stale} unused clients deleted",
        ended_connections=ended,
        unused_clients=stale,
    )
    return {"ended_connections": ended, "unused_clients": stale}
