"""Who is calling the MCP endpoint: a listener's MCP token, an assistant's OAuth access token,
or the operator's ADMIN_TOKEN.

Tokens are read from the `Authorization: Bearer ...` header only, never from the query string
(URLs end up in proxy logs). A listener token and an OAuth access token answer about their own
listener only; the admin token answers about whichever listener a call names with `user_id` (see
`mcp.calls`). A refused caller gets 401 with `WWW-Authenticate: Bearer error="invalid_token"`
(RFC 6750) and `resource_metadata` (RFC 9728), which tells an OAuth-capable assistant where to
find this server's authorization server (`mcp.oauth`); the reason is the same sentence whether
the token was missing, unknown, expired or revoked, so a response never tells which tokens exist.
"""

from dataclasses import dataclass

from django.conf import settings

from accounts.credentials import same_secret, split_authorization
from mcp import ratelimit, tokens
from mcp.oauth import bearer
from mcp.oauth.provider_settings import SCOPE, WRITE_SCOPE

REALM = "spotify-history"
HOW_TO_AUTHENTICATE = (
    "Missing, unknown, expired or revoked token: connect your assistant to this server's URL "
    "(it signs in with OAuth), or send 'Authorization: Bearer <token>' with an MCP token from "
    "your listener page (or the operator's ADMIN_TOKEN)."
)


def resource_metadata_url():
    """Where the protected resource metadata (RFC 9728) of /mcp is, from PUBLIC_BASE_URL."""
    return f"{settings.PUBLIC_BASE_URL}/.well-known/oauth-protected-resource/mcp"


def challenge():
    """The WWW-Authenticate value of a 401 from /mcp."""
    return (
        f'Bearer realm="{REALM}", error="invalid_token", '
        f'resource_metadata="{resource_metadata_url()}", scope="{SCOPE}"'
    )


# What a tool that changes something needs (RFC 6750 3.1, the MCP authorization spec's scope
# challenge): the scopes to ask for in a new authorization.
WRITE_SCOPES = f"{SCOPE} {WRITE_SCOPE}"


def insufficient_scope_challenge():
    """The WWW-Authenticate value of a 403 for an OAuth token without the write scope."""
    return (
        f'Bearer realm="{REALM}", error="insufficient_scope", scope="{WRITE_SCOPES}", '
        f'resource_metadata="{resource_metadata_url()}", '
        f'error_description="This tool changes things: connect again and allow changes"'
    )


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: an MCP token (`token`), an OAuth access token (`access_token`),
    or, with neither, the operator's admin token."""

    token: object = None
    access_token: object = None

    @property
    def is_admin(self):
        return self.token is None and self.access_token is None

    @property
    def listener(self):
        if self.token is not None:
            return self.token.listener
        if self.access_token is not None:
            return self.access_token.user
        return None

    @property
    def may_write(self):
        """Whether tools that change something are open to this caller: always for an MCP token
        (made by the listener on their page) and the admin token; for an OAuth access token only
        when the listener granted the write scope on the consent page."""
        if self.access_token is None:
            return True
        return self.access_token.allow_scopes([WRITE_SCOPE])

    @property
    def rate_key(self):
        """Whose allowance a request uses: the listener's (shared by all their tokens) or the
        admin token's."""
        if self.is_admin:
            return ratelimit.ADMIN_KEY
        return ratelimit.key_for_listener(self.listener.pk)

    @property
    def label(self):
        """How logs name the caller: never the secret, only its visible prefix or the client."""
        if self.token is not None:
            return f"token {self.token.prefix}"
        if self.access_token is not None:
            return f"assistant {self.access_token.application.display_name[:60]}"
        return "admin token"

    @property
    def client_name(self):
        """Which client is calling, as ledgers and events record it: the MCP token's name (its
        prefix when unnamed), the connected assistant's name, or "admin token". The one place
        that name comes from."""
        if self.token is not None:
            return self.token.name or self.token.prefix
        if self.access_token is not None:
            return self.access_token.application.display_name[:60]
        return "admin token"


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
    access_token = bearer.authenticate(secret)
    if access_token is not None:
        return Caller(access_token=access_token)
    if _is_admin_token(secret):
        return ADMIN
    return None
