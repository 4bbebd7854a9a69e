"""Spotify login (authorization code flow with PKCE), apart from the views that serve it.

`begin_login()` remembers a random, single-use `state` and a PKCE verifier in the browser's
session and returns the Spotify URL to send the browser to. `complete_login()` checks what Spotify
sent back and, only when every step succeeded, creates or updates the listener. Each way it can
fail is a `LoginFailed` with the status and the words the page shows; nothing is stored then.
"""

import base64
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

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

SESSION_KEY = "spotify_login_states"
STATE_LIFETIME_SECONDS = 10 * 60
MAX_PENDING_STATES = 5
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


def _pkce_pair():
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def begin_login(session, *, client=None, scopes=SCOPES):
    """Stores a fresh state and PKCE verifier in `session`; returns Spotify's authorize URL,
    asking for `scopes` (see `accounts.scopes`; what is granted is stored at the callback)."""
    client = client or SpotifyClient.from_settings()
    state = secrets.token_urlsafe(32)
    verifier, challenge = _pkce_pair()
    now = time.time()
    pending = {
        key: value
        for key, value in session.get(SESSION_KEY, {}).items()
        if now - value["created"] < STATE_LIFETIME_SECONDS
    }
    # A few logins may be pending at once (several tabs); the oldest give way.
    newest = sorted(pending.items(), key=lambda kv: kv[1]["created"])[-(MAX_PENDING_STATES - 1) :]
    session[SESSION_KEY] = {**dict(newest), state: {"verifier": verifier, "created": now}}
    return client.authorize_url(
        redirect_uri=settings.SPOTIFY_REDIRECT_URI,
        state=state,
        code_challenge=challenge,
        scopes=scopes,
    )


def _take_state(session, state):
    """Removes `state` from the session (single use) and returns its PKCE verifier."""
    if not state:
        raise LoginFailed(
            400,
            "This login link is incomplete",
            "Spotify sent no state parameter back, so this can't be matched to a login "
            "started here. Start again from the login page.",
        )
    pending = dict(session.get(SESSION_KEY, {}))
    entry = pending.pop(state, None)
    session[SESSION_KEY] = pending
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


def complete_login(session, params, *, client=None):
    """Finishes a login from the callback's query `params`; returns the stored listener."""
    verifier = _take_state(session, params.get("state"))
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
