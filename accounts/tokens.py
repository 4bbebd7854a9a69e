"""Spotify tokens of a listener, handled in one place.

`access_token_for()` is the only way code gets an access token: it returns the stored one while
more than a minute of it is left, otherwise refreshes it, persisting a rotated refresh token
before anything else can happen. Spotify's refusal of a refresh token (`invalid_grant`: revoked,
or past the six months since the listener authorised) marks the listener `needs_reauth` with
Spotify's reason, once; nothing retries it.
"""

import calendar
import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.crypto import decrypt_token, encrypt_token
from accounts.logs import log_event
from accounts.models import Listener
from accounts.spotify import AccessTokenExpired, InvalidGrant, SpotifyClient

logger = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=1)
REFRESH_TOKEN_LIFETIME_MONTHS = 6


class ReauthorizationRequired(Exception):
    """The listener must log in with Spotify again before anything can be fetched."""


def months_after(moment: datetime, months: int) -> datetime:
    """`moment` plus calendar months, on the last day of the month when the day doesn't exist."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def store_new_authorization(listener, tokens, *, now=None):
    """Sets the tokens of a fresh login on `listener` (not saved): six months start now."""
    now = now or timezone.now()
    listener.authorized_at = now
    listener.refresh_token_expires_at = months_after(now, REFRESH_TOKEN_LIFETIME_MONTHS)
    listener.scope = tokens.scope
    _store_tokens(listener, tokens, now)


def _store_tokens(listener, tokens, now):
    listener.encrypted_access_token = encrypt_token(tokens.access_token)
    listener.access_token_expires_at = now + timedelta(seconds=tokens.expires_in)
    if tokens.refresh_token:
        listener.encrypted_refresh_token = encrypt_token(tokens.refresh_token)


TOKEN_FIELDS = ["encrypted_access_token", "access_token_expires_at", "encrypted_refresh_token"]


def _usable(listener, now):
    return bool(
        listener.encrypted_access_token
        and listener.access_token_expires_at
        and listener.access_token_expires_at - now > REFRESH_MARGIN
    )


def access_token_for(listener, *, client=None, force_refresh=False):
    """A valid access token for `listener`, refreshed when under a minute of it is left.

    `force_refresh` is for a 401 from the Web API: the stored token was refused, so refresh it
    even if it looks valid (unless another worker already replaced it meanwhile).
    """
    now = timezone.now()
    if not force_refresh and _usable(listener, now):
        return decrypt_token(listener.encrypted_access_token)

    refused = None
    with transaction.atomic():
        # The row lock makes concurrent refreshes of one listener take turns, so a rotated
        # refresh token is never used twice.
        current = Listener.objects.select_for_update().get(pk=listener.pk)
        replaced = current.encrypted_access_token != listener.encrypted_access_token
        if _usable(current, now) and (replaced or not force_refresh):
            _copy_fields(current, listener, TOKEN_FIELDS)
            return decrypt_token(current.encrypted_access_token)
        if current.status == Listener.Status.NEEDS_REAUTH or not current.encrypted_refresh_token:
            raise ReauthorizationRequired(current.status_reason or "no refresh token is stored")
        client = client or SpotifyClient.from_settings()
        try:
            tokens = client.refresh(decrypt_token(current.encrypted_refresh_token))
        except InvalidGrant as error:
            refused = error
            current.status = Listener.Status.NEEDS_REAUTH
            current.status_reason = f"Spotify refused the refresh token ({error})"
            current.save(update_fields=["status", "status_reason", "updated_at"])
        else:
            _store_tokens(current, tokens, timezone.now())
            current.save(update_fields=[*TOKEN_FIELDS, "updated_at"])
            rotated = tokens.refresh_token is not None
    if refused:
        _copy_fields(current, listener, ["status", "status_reason"])
        log_event(
            logger,
            "token.refresh_refused",
            f"Spotify refused the refresh token of {listener.spotify_user_id}; "
            "the listener must log in again",
            level=logging.WARNING,
            listener=listener,
            reason=str(refused),
        )
        raise ReauthorizationRequired(current.status_reason) from refused
    _copy_fields(current, listener, TOKEN_FIELDS)
    log_event(
        logger,
        "token.refreshed",
        f"Refreshed the access token of {listener.spotify_user_id}",
        listener=listener,
        rotated=rotated,
    )
    return tokens.access_token


def call_with_token(listener, request, *, client=None):
    """`request(access_token)` with the listener's token; on a 401 the token is refreshed once
    and the request tried once more (the collector's rule, for calls made on demand)."""
    try:
        return request(access_token_for(listener, client=client))
    except AccessTokenExpired:
        return request(access_token_for(listener, client=client, force_refresh=True))


def _copy_fields(source, target, names):
    for name in names:
        setattr(target, name, getattr(source, name))
