"""Spotify login (authorization code flow with PKCE), apart from the views that serve it.

`begin_login()` adds a random, single-use `state` and a PKCE verifier to the browser's pending
logins and returns the Spotify URL to send the browser to. `complete_login()` takes the state out
of them again (single use), checks what Spotify sent back and, only when every step succeeded,
creates or updates the listener. Each way it can fail is a `LoginFailed` with the status and the
words the page shows; nothing is stored then.

The pending logins live in a cookie signed with SECRET_KEY (`pending_to_cookie()`), not in a
database session: anyone may open /auth/login as often as they like, and that must not store a
row each time. The browser sends the cookie back with the callback; a value it altered fails the
signature, and each state carries its own creation time, so the 10-minute limit holds whatever
the browser does with the cookie. A session is only created once a login has succeeded.
"""

import base64
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from accounts.logs import log_event
from accounts.models import Listener
from accounts.signals import listener_connected
from accounts.spotify import (
    SCOPES,
    InvalidGrant,
    NotRegistered,
    SpotifyClient,
    SpotifyError,
    SpotifyUnavailable,
)
from accounts.tokens import store_new_authorization

logger = logging.getLogger(__name__)

PENDING_COOKIE = "spotify_login"
PENDING_COOKIE_SALT = "accounts.oauth.pending-logins"
STATE_LIFETIME_SECONDS = 10 * 60
# The cookie outlives its states, so a late callback is told "expired" rather than "not valid".
PENDING_COOKIE_LIFETIME_SECONDS = 60 * 60
MAX_PENDING_STATES = 5
# A longer return path is dropped (the login then ends on the "connected" page): the cookie that
# carries it must stay well under browsers' 4 kB. Measured in its URI form (non-ASCII characters
# percent-encoded), so a character is never more than one byte of the cookie.
MAX_RETURN_PATH = 512
# The signed cookie's value never grows past this: the oldest pending logins give way first.
# With the name and attributes the whole cookie stays under the 4,096 bytes browsers keep.
MAX_PENDING_COOKIE_BYTES = 3500
LISTENER_SESSION_KEY = "listener_id"

NOT_REGISTERED_HELP = (
    "Spotify says this account is not registered for this app. While a Spotify app is in "
    "Development Mode, only accounts on its allow-list can log in: the app's owner must add your "
    "Spotify e-mail address under Users and Access in the Spotify Developer Dashboard "
    "(at most 5 accounts), then you can log in again."
)


@dataclass
class LoginFailed(Exception):
    status: int
    title: str
    message: str

    def __str__(self):
        return f"{self.title}: {self.message}"


def session_listener(session):
    """The listener logged in with Spotify in `session`, or None (none, or since deleted).

    The one way every page (accounts, the OAuth consent page, /me) finds who is logged in."""
    listener_id = session.get(LISTENER_SESSION_KEY)
    if listener_id is None:
        return None
    return Listener.objects.filter(pk=listener_id).first()


def local_path(path):
    """`path` when it is a path on this site, else None: a return path taken from a request can
    never send the browser to another site."""
    if isinstance(path, str) and path.startswith("/") and not path.startswith(("//", "/\\")):
        return path
    return None


def return_path_of(pending, state):
    """Where the login started with `state` should end (a local path), or None for the
    "connected" page. Read before `complete_login`, which uses the state up."""
    entry = pending.get(state) if isinstance(state, str) else None
    return local_path(entry.get("next")) if isinstance(entry, dict) else None


def public_login_url():
    """The full address of the Spotify login (/auth/login) to send a listener who must log in.

    It is on the host of SPOTIFY_REDIRECT_URI, the service's public address (Spotify sends the
    browser back there): a login started on any other host would not find its state in the
    browser's login cookie when Spotify sends it back.
    """
    return urljoin(settings.SPOTIFY_REDIRECT_URI, reverse("accounts:login"))


def keeps_granted(pending, state):
    """Whether the login started with `state` was a plain one (see `begin_login`). Read before
    `complete_login`, which uses the state up."""
    entry = pending.get(state) if isinstance(state, str) else None
    return isinstance(entry, dict) and entry.get("keep") == 1


def _pkce_pair():
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def pending_to_cookie(pending):
    """The signed cookie value that holds `pending` ({state: {"verifier", "created"}})."""
    return signing.dumps(pending, salt=PENDING_COOKIE_SALT, compress=True)


def pending_from_cookie(value):
    """The pending logins a cookie value holds; none when it is missing, altered or too old."""
    if not value:
        return {}
    try:
        pending = signing.loads(
            value, salt=PENDING_COOKIE_SALT, max_age=PENDING_COOKIE_LIFETIME_SECONDS
        )
    except signing.BadSignature:  # SignatureExpired is one too
        return {}
    if not isinstance(pending, dict):
        return {}
    return {
        state: entry
        for state, entry in pending.items()
        if isinstance(entry, dict)
        and isinstance(entry.get("verifier"), str)
        and isinstance(entry.get("created"), int | float)
    }


def begin_login(pending, *, return_path=None, scopes=SCOPES, client=None, keep_granted=False):
    """Adds a fresh state and PKCE verifier to `pending` (a browser's pending logins), with the
    local path to go to after the login (e.g. an assistant's consent page), if any; the login asks
    Spotify for `scopes` (see `accounts.scopes`; what is granted is stored at the callback).
    `keep_granted` marks a plain login: its callback asks again for optional scopes the listener
    had granted and this grant lost (`keeps_granted`).

    Returns Spotify's authorize URL and the pending logins to give back to the browser.
    """
    client = client or SpotifyClient.from_settings()
    state = secrets.token_urlsafe(32)
    verifier, challenge = _pkce_pair()
    now = time.time()
    live = {
        key: value
        for key, value in pending.items()
        if now - value["created"] < STATE_LIFETIME_SECONDS
    }
    # A few logins may be pending at once (several tabs); the oldest give way.
    newest = sorted(live.items(), key=lambda kv: kv[1]["created"])[-(MAX_PENDING_STATES - 1) :]
    url = client.authorize_url(
        redirect_uri=settings.SPOTIFY_REDIRECT_URI,
        state=state,
        code_challenge=challenge,
        scopes=scopes,
    )
    entry = {"verifier": verifier, "created": now}
    if keep_granted:
        entry["keep"] = 1
    return_path = iri_to_uri(return_path) if local_path(return_path) else None
    if return_path and len(return_path) <= MAX_RETURN_PATH:
        entry["next"] = return_path
    kept = {**dict(newest), state: entry}
    while len(kept) > 1 and len(pending_to_cookie(kept)) > MAX_PENDING_COOKIE_BYTES:
        del kept[next(iter(kept))]  # the oldest first (the dict is in creation order)
    return url, kept


def _take_state(pending, state):
    """Removes `state` from `pending` (single use) and returns its PKCE verifier."""
    if not state:
        raise LoginFailed(
            400,
            "This login link is incomplete",
            "Spotify sent no state parameter back, so this can't be matched to a login "
            "started here. Start again from the login page.",
        )
    entry = pending.pop(state, None)
    if entry is None:
        raise LoginFailed(
            400,
            "This login link is not valid here",
            "It was already used, or it was started in another browser. "
            "Start again from the login page.",
        )
    if time.time() - entry["created"] >= STATE_LIFETIME_SECONDS:
        raise LoginFailed(
            400,
            "This login link has expired",
            f"Logins must be completed within {STATE_LIFETIME_SECONDS // 60} minutes. "
            "Start again from the login page.",
        )
    return entry["verifier"]


def complete_login(pending, params, *, client=None):
    """Finishes a login from the callback's query `params`; returns the stored listener.

    The callback's state is removed from `pending` whatever happens next, so it is never
    accepted twice.
    """
    verifier = _take_state(pending, params.get("state"))
    if params.get("error"):
        if params["error"] == "access_denied":
            raise LoginFailed(
                400,
                "Spotify access was not granted",
                "You declined the request on Spotify's page, so nothing was stored. "
                "Log in again if you change your mind.",
            )
        raise LoginFailed(400, "Spotify reported an error", f"Spotify said: {params['error']}.")
    if not params.get("code"):
        raise LoginFailed(400, "Spotify sent no code", "Start again from the login page.")

    client = client or SpotifyClient.from_settings()
    try:
        tokens = client.exchange_code(
            code=params["code"], redirect_uri=settings.SPOTIFY_REDIRECT_URI, code_verifier=verifier
        )
        profile = client.me(tokens.access_token)
    except NotRegistered:
        raise LoginFailed(
            403, "This Spotify account is not on the app's list", NOT_REGISTERED_HELP
        ) from None
    except InvalidGrant:
        raise LoginFailed(
            400,
            "Spotify did not accept the login",
            "The authorisation code was refused (it may have expired or been used already). "
            "Start again from the login page.",
        ) from None
    except (SpotifyUnavailable, SpotifyError) as error:
        log_event(
            logger,
            "login.spotify_failed",
            f"Spotify failed during login: {error}",
            level=logging.WARNING,
            status=error.status,
        )
        raise LoginFailed(
            502,
            "Spotify could not complete the login",
            "Spotify's service answered with an error or not at all. Nothing was stored; "
            "try again in a few minutes. If it keeps happening, check SPOTIFY_CLIENT_ID, "
            "SPOTIFY_CLIENT_SECRET and SPOTIFY_REDIRECT_URI against the Spotify app.",
        ) from None
    return _save_listener(profile, tokens)


def _save_listener(profile, tokens):
    spotify_user_id = profile.get("id")
    if not spotify_user_id:
        raise LoginFailed(502, "Spotify sent no user id", "Try again in a few minutes.")
    with transaction.atomic():
        listener, created = Listener.objects.select_for_update().get_or_create(
            spotify_user_id=spotify_user_id
        )
        listener.display_name = profile.get("display_name") or listener.display_name
        listener.account_id = profile.get("account_id") or listener.account_id
        listener.status = Listener.Status.ACTIVE
        listener.status_reason = ""
        # The optional scopes granted before and not now (see `accounts.scopes.dropped`).
        listener.scopes_before_login = listener.scope
        store_new_authorization(listener, tokens)
        listener.needs_initial_sync = settings.INITIAL_SYNC_ENABLED
        listener.next_poll_at = timezone.now()
        listener.rate_limited_until = None
        listener.consecutive_failures = 0
        listener.save()
    listener_connected.send(sender=Listener, listener=listener, created=created)
    log_event(
        logger,
        "login.completed",
        f"{listener.spotify_user_id} {'connected' if created else 'reconnected'} with Spotify",
        listener=listener,
        created=created,
    )
    return listener
