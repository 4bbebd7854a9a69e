"""Fixtures for collector tests: a Spotify stand-in on 127.0.0.1 and listeners connected to it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.crypto import encrypt_token
from accounts.models import Listener
from spotify_standin import StandinServer


@pytest.fixture
def standin(settings):
    with StandinServer("127.0.0.1", 0) as server:
        settings.SPOTIFY_ACCOUNTS_BASE_URL = server.url
        settings.SPOTIFY_API_BASE_URL = server.api_url
        yield server


@pytest.fixture
def connect(standin):
    """Creates a listener who logged in through the stand-in (tokens minted there)."""

    def connect(spotify_user_id, **fields):
        tokens = standin.state.mint_tokens(spotify_user_id)
        values = {
            "status": Listener.Status.ACTIVE,
            "encrypted_access_token": encrypt_token(tokens["access_token"]),
            "encrypted_refresh_token": encrypt_token(tokens["refresh_token"]),
            "access_token_expires_at": timezone.now() + timedelta(seconds=tokens["expires_in"]),
            "next_poll_at": timezone.now(),
            **fields,
        }
        return Listener.objects.create(spotify_user_id=spotify_user_id, **values)

    return connect


def visible_plays(standin, spotify_user_id):
    """The stand-in's plays that its recently-played feed shows: (ISO time, track id)."""
    return {
        (play["played_at"], play["track_id"])
        for play in standin.state.plays(spotify_user_id)
        if play["visible"]
    }


def stored_plays(listener):
    from plays.models import Play

    return {
        (f"{played_at:%Y-%m-%dT%H:%M:%S}.{played_at.microsecond // 1000:03d}Z", key.split(":")[-1])
        for played_at, key in Play.objects.filter(listener=listener).values_list(
            "played_at", "item__key"
        )
    }
