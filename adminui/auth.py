"""Who may call the admin API: the operator, by ADMIN_TOKEN or by ADMIN_USERNAME/ADMIN_PASSWORD.

The deployment guide offers two ways in, picked by ADMIN_AUTH_MODE: `token` (`Authorization:
Bearer $ADMIN_TOKEN`, for scripts and curl) and `basic` (HTTP Basic, which a browser can prompt
for). One `AdminAuth` object guards the whole API and reads the mode and the secrets from the
settings on every request, so a changed setting (or a test's override) applies at once.

Wrong credentials count against the client's address (`accounts.auth_failures`): past
API_AUTH_FAILURE_LIMIT of them in a window the client is answered 429 until the window ends.

The same object refuses, before looking at any credentials, a state-changing request that a page
of another site made the operator's browser send (`accounts.origins`): with Basic credentials
cached by the browser, that would otherwise be a working cross-site request forgery.

Ninja's own `HttpBearer` and `HttpBasicAuth` are not used because, with DEBUG on, they log the
Authorization header they could not parse; credentials must never reach a log. Secrets are compared
in constant time, and an empty configured secret matches nothing, so a deployment that forgot to
set one is closed rather than open.
"""

import binascii
from base64 import b64decode

from django.conf import settings
from ninja.security.base import SecuritySchema

from accounts import auth_failures
from accounts.credentials import same_secret, split_authorization
from accounts.origins import is_cross_site_write

TOKEN_MODE = "token"  # noqa: S105 - the name of a mode, not a secret
BASIC_MODE = "basic"
BASIC_REALM = "spotify-history admin"


def active_mode():
    return settings.ADMIN_AUTH_MODE


def challenge(mode):
    """The WWW-Authenticate value that tells a refused client which scheme to use."""
    if mode == BASIC_MODE:
        return f'Basic realm="{BASIC_REALM}"'
    return "Bearer"


def how_to_authenticate(mode):
    """A sentence for the 401 body: what to send, never what was sent."""
    if mode == BASIC_MODE:
        return (
            "Missing or wrong admin credentials: log in with ADMIN_USERNAME and ADMIN_PASSWORD "
            "(HTTP Basic)."
        )
    return "Missing or wrong admin credentials: send 'Authorization: Bearer <ADMIN_TOKEN>'."


class CrossSiteRequest(Exception):
    """A state-changing request sent from another site's page; answered 403."""

    message = (
        "Refused: this request changes something and was sent by a page of another site. "
        "Call the admin API from a script (no Origin header) or from this server's own pages."
    )


class TooManyFailures(Exception):
    """This client sent too many wrong credentials lately; answered 429 with Retry-After."""

    def __init__(self, retry_after):
        super().__init__(retry_after)
        self.retry_after = retry_after

    @property
    def message(self):
        return (
            "Too many wrong credentials from this address: try again in "
            f"{self.retry_after} seconds."
        )


def _decode_basic_credentials(credentials):
    """(username, password) from a Basic header's base64 part, or None when it is malformed."""
    try:
        decoded = b64decode(credentials, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    return (username, password) if colon else None


class AdminAuth:
    """Ninja auth callable: returns the operator's identity, or None (which ninja turns into 401).

    Ninja needs only a callable; `openapi_security_schema` tells the OpenAPI document (built on
    every request) which scheme the active mode expects, so the docs page's "Authorize" asks for
    the right thing.
    """

    def __call__(self, request):
        if is_cross_site_write(request):
            raise CrossSiteRequest
        scheme, credentials = split_authorization(request)
        if not scheme:
            return None  # nothing presented, nothing guessed: a plain 401
        wait = auth_failures.retry_after(request)
        if wait:
            raise TooManyFailures(wait)
        identity = self._authenticate(scheme, credentials)
        if identity is None:
            auth_failures.record_failure(request)
        return identity

    def _authenticate(self, scheme, credentials):
        mode = active_mode()
        if mode == TOKEN_MODE and scheme == "bearer":
            return self._authenticate_token(credentials)
        if mode == BASIC_MODE and scheme == "basic":
            return self._authenticate_basic(credentials)
        return None

    @staticmethod
    def _authenticate_token(token):
        if same_secret(token, settings.ADMIN_TOKEN):
            return "admin-token"
        return None

    @staticmethod
    def _authenticate_basic(credentials):
        decoded = _decode_basic_credentials(credentials)
        if decoded is None:
            return None
        username, password = decoded
        # Both comparisons always run: the time taken doesn't tell whether the username was right.
        username_matches = same_secret(username, settings.ADMIN_USERNAME)
        password_matches = same_secret(password, settings.ADMIN_PASSWORD)
        if username_matches and password_matches:
            return username
        return None

    @property
    def openapi_security_schema(self):
        if active_mode() == BASIC_MODE:
            return SecuritySchema(type="http", scheme="basic")
        return SecuritySchema(type="http", scheme="bearer")
