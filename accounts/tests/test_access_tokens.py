"""`access_token_for()`: one place that returns a valid token, refreshing and rotating it."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import responses
from django.utils import timezone

from accounts.crypto import decrypt_token, encrypt_token
from accounts.models import Listener, LogEntry
from accounts.tokens import ReauthorizationRequired, access_token_for, months_after

TOKEN_URL = "https://accounts.spotify.com/api/token"
pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return Listener.objects.create(
        spotify_user_id="alice",
        status=Listener.Status.ACTIVE,
        encrypted_access_token=encrypt_token("old-access"),
        access_token_expires_at=timezone.now() + timedelta(minutes=30),
        encrypted_refresh_token=encrypt_token("old-refresh"),
    )


def expire_soon(listener, seconds=59):
    listener.access_token_expires_at = timezone.now() + timedelta(seconds=seconds)
    listener.save()


def token_body(access="new-access", refresh=None):
    body = {"access_token": access, "token_type": "Bearer", "expires_in": 3600, "scope": ""}
    if refresh:
        body["refresh_token"] = refresh
    return body


@responses.activate
def test_it_returns_the_stored_token_while_more_than_a_minute_is_left(alice):
    assert access_token_for(alice) == "old-access"
    assert len(responses.calls) == 0


@responses.activate
def test_it_refreshes_when_less_than_a_minute_is_left(alice):
    expire_soon(alice)
    responses.post(TOKEN_URL, json=token_body())
    assert access_token_for(alice) == "new-access"
    stored = Listener.objects.get(pk=alice.pk)
    assert decrypt_token(stored.encrypted_access_token) == "new-access"
    assert stored.access_token_expires_at > timezone.now() + timedelta(minutes=59)
    assert decrypt_token(stored.encrypted_refresh_token) == "old-refresh"
    assert "refresh_token=old-refresh" in responses.calls[0].request.body


@responses.activate
def test_it_persists_a_rotated_refresh_token_at_once(alice):
    expire_soon(alice)
    responses.post(TOKEN_URL, json=token_body(refresh="rotated-refresh"))
    access_token_for(alice)
    stored = Listener.objects.get(pk=alice.pk)
    assert decrypt_token(stored.encrypted_refresh_token) == "rotated-refresh"
    assert "rotated-refresh" not in stored.encrypted_refresh_token


@responses.activate
def test_it_uses_a_token_another_worker_refreshed_meanwhile(alice):
    expire_soon(alice)
    stale, refused = Listener.objects.get(pk=alice.pk), Listener.objects.get(pk=alice.pk)
    Listener.objects.filter(pk=alice.pk).update(
        encrypted_access_token=encrypt_token("fresh-from-elsewhere"),
        access_token_expires_at=timezone.now() + timedelta(hours=1),
    )
    assert access_token_for(stale) == "fresh-from-elsewhere"
    assert access_token_for(refused, force_refresh=True) == "fresh-from-elsewhere"
    assert len(responses.calls) == 0


@responses.activate
def test_force_refresh_refreshes_a_token_spotify_refused(alice):
    responses.post(TOKEN_URL, json=token_body(access="after-401"))
    assert access_token_for(alice, force_refresh=True) == "after-401"
    assert len(responses.calls) == 1


@responses.activate
def test_invalid_grant_marks_the_listener_needs_reauth_once(
    alice, django_capture_on_commit_callbacks
):
    expire_soon(alice)
    responses.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_grant", "error_description": "Refresh token revoked"},
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ReauthorizationRequired):
        access_token_for(alice)
    stored = Listener.objects.get(pk=alice.pk)
    assert stored.status == Listener.Status.NEEDS_REAUTH
    assert "Refresh token revoked" in stored.status_reason
    assert alice.status == Listener.Status.NEEDS_REAUTH
    # no retry loop: asking again does not call Spotify
    with pytest.raises(ReauthorizationRequired, match="Refresh token revoked"):
        access_token_for(stored)
    assert len(responses.calls) == 1
    entry = LogEntry.objects.get(event="token.refresh_refused")
    assert entry.level == "WARNING"
    assert entry.listener_id == alice.pk


@responses.activate
def test_a_listener_without_a_refresh_token_must_log_in(db):
    listener = Listener.objects.create(spotify_user_id="imported")
    with pytest.raises(ReauthorizationRequired):
        access_token_for(listener)
    assert len(responses.calls) == 0


@responses.activate
def test_no_token_reaches_the_logs(alice, caplog, django_capture_on_commit_callbacks):
    expire_soon(alice)
    responses.post(TOKEN_URL, json=token_body(access="secret-access", refresh="secret-refresh"))
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        access_token_for(alice)
    text = caplog.text + " ".join(f"{e.message} {e.context}" for e in LogEntry.objects.all())
    assert "token.refreshed" in " ".join(LogEntry.objects.values_list("event", flat=True))
    for secret in ("secret-access", "secret-refresh", "old-refresh"):
        assert secret not in text


def test_six_months_are_calendar_months():
    assert months_after(datetime(2026, 1, 15, tzinfo=UTC), 6) == datetime(2026, 7, 15, tzinfo=UTC)
    assert months_after(datetime(2026, 8, 31, tzinfo=UTC), 6) == datetime(2027, 2, 28, tzinfo=UTC)
    assert months_after(datetime(2027, 8, 31, tzinfo=UTC), 6) == datetime(2028, 2, 29, tzinfo=UTC)
