"""Who is calling the MCP endpoint: a listener's MCP token, or the operator's ADMIN_TOKEN.

Tokens are read from the `Authorization: Bearer ...` header only, never from the query string
(URLs end up in proxy logs). A listener token answers about its own listener only; the admin
token answers about whichever listener a call names with `user_id` (see `mcp.calls`). A refused
caller gets 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750); the reason is
the same sentence whether the token was missing, unknown or revoked, so a response never tells
which tokens exist. No OAuth protected-resource metadata is advertised: there is no
authorization server, and clients would try to use it.
"""

from dataclasses import dataclass

from django.conf import settings

from accounts.credentials import same_secret, split_authorization
from mcp import ratelimit, tokens

REALM = "spotify-history"
CHALLENGE = f'Bearer realm="{REALM}", error="invalid_token"'
HOW_TO_AUTHENTICATE = (
    "Missing, unknown or revoked token: send 'Authorization: Bearer <token>' with an MCP token "
    "from your listener page (or the operator's ADMIN_TOKEN)."
)


@dataclass(frozen=True)
class Caller:
    """An authenticated caller. `token` is None for the operator's admin token."""

    token: object = None

    @property
    def is_admin(self):
        return self.token is None

    @property
    def listener(self):
        return None if self.token is None else self.token.listener

    @property
    def rate_key(self):
        """Whose allowance a request uses: the listener's (shared by all their tokens) or the
        admin token's."""
        if self.is_admin:
            return ratelimit.ADMIN_KEY
        return ratelimit.key_for_listener(self.listener.pk)

    @property
    def label(self):
        """How logs name the caller: never the secret, only its visible prefix."""
        return "admin token" if self.token is None else f"token {self.token.prefix}"


ADMIN = Caller()


def bearer_secret(request):
    scheme, credentials = split_authorization(request)
    return credentials if scheme == "bearer" else ""


def _is_admin_token(secret):
    # An unset ADMIN_TOKEN matches nothing, so a deployment that forgot it is closed.
    return same_secret(secret, settings.ADMIN_TOKEN)


def authenticate_request(request):
    """The Caller the request's bearer token belongs to, or None."""
    secret = bearer_secret(request)
    if not secret:
        return None
    token = tokens.authenticate(secret)
    if token is not None:
        return Caller(token=token)
    if _is_admin_token(secret):
        return ADMIN
    return None
