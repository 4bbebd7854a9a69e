"""Fixtures of the page tests: a staff client, a listener's client, a few listeners with plays."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from accounts.crypto import encrypt_token
from accounts.models import Listener
from accounts.oauth import LISTENER_SESSION_KEY
from plays.models import Artist, Item, Play

STAFF_PASSWORD = "a-long-staff-password-42"


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user("operator", password=STAFF_PASSWORD, is_staff=True)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def log_in_as_listener(client, listener):
    session = client.session
    session[LISTENER_SESSION_KEY] = listener.pk
    session.save()
    return client


@pytest.fixture
def active_listener(db):
    """An active listener with a refresh token (ciphertext), in Paris."""
    return Listener.objects.create(
        spotify_user_id="carol",
        display_name="Carol",
        status=Listener.Status.ACTIVE,
        encrypted_refresh_token=encrypt_token("carol-refresh-token-secret"),
        time_zone="Europe/Paris",
        refresh_token_expires_at=datetime.now(UTC) + timedelta(days=150),
    )


@pytest.fixture
def listener_client(client, active_listener):
    return log_in_as_listener(client, active_listener)


def add_plays(
    listener,
    count,
    *,
    start,
    artist="Greta Lindqvist",
    every=timedelta(hours=1),
    source=Play.Source.EXTENDED,
    ms_played=200_000,
):
    """`count` plays of one track by `artist`, one every `every` from `start`."""
    artist_row, _ = Artist.objects.get_or_create(key=f"local:{artist}", defaults={"name": artist})
    item, _ = Item.objects.get_or_create(
        key=f"local:{artist}:song",
        defaults={"name": f"Song by {artist}", "primary_artist": artist_row},
    )
    Play.objects.bulk_create(
        Play(
            listener=listener,
            item=item,
            played_at=start + n * every,
            source=source,
            ms_played=ms_played,
        )
        for n in range(count)
    )
    return item


@pytest.fixture
def upload_dir(settings, tmp_path):
    """Uploads go to a folder of the test's own (IMPORT_UPLOAD_DIR), returned for inspection."""
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


# The dashboard tests' clock.
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def make(user_id, status, **fields):
    return Listener.objects.create(spotify_user_id=user_id, status=status, **fields)


@pytest.fixture
def crowd():
    """One listener in every state worth telling apart."""
    return {
        "active": make("active", "active", refresh_token_expires_at=NOW + timedelta(days=100)),
        "expiring": make("expiring", "active", refresh_token_expires_at=NOW + timedelta(days=5)),
        "expired": make("expired", "paused", refresh_token_expires_at=NOW - timedelta(days=1)),
        "reauth": make("reauth", "needs_reauth"),
        "unregistered": make("unregistered", "not_registered"),
        "limited": make(
            "limited",
            "active",
            rate_limited_until=NOW + timedelta(minutes=30),
            refresh_token_expires_at=NOW + timedelta(days=100),
        ),
        "paused": make("paused", "paused"),
        "imported": make("imported", "import_only"),
    }
