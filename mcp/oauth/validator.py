"""django-oauth-toolkit's request validator, plus the one thing this project records on top.

When an authorization code is exchanged for the first pair of tokens, the new refresh-token
family becomes a `Connection` (a connected assistant the listener sees on /me). Everything else,
PKCE, codes, rotation, replay detection, resource indicators, revocation, is the toolkit's.
"""

import hashlib
import logging

from oauth2_provider.oauth2_validators import OAuth2Validator

from accounts.logs import log_event
from mcp.oauth.models import Connection, RefreshToken

logger = logging.getLogger(__name__)


def _checksum(raw):
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class Validator(OAuth2Validator):
    def save_bearer_token(self, token, request, *args, **kwargs):
        result = super().save_bearer_token(token, request, *args, **kwargs)
        if request.grant_type == "authorization_code" and token.get("refresh_token"):
            family = (
                RefreshToken.objects.filter(token_checksum=_checksum(token["refresh_token"]))
                .values_list("token_family", flat=True)
                .first()
            )
            if family is not None:
                Connection.objects.get_or_create(
                    token_family=family,
                    defaults={"listener": request.user, "application": request.client},
                )
                log_event(
                    logger,
                    "oauth.connected",
                    f"{request.client.display_name} connected to the history of "
                    f"{request.user.spotify_user_id}",
                    listener=request.user,
                    client_id=request.client.client_id[:200],
                )
        return result
