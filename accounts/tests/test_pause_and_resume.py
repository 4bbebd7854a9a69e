"""Listeners can be paused and resumed: on the model and from the Django admin."""

import pytest

from accounts.models import Listener

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return Listener.objects.create(
        spotify_user_id="alice", status=Listener.Status.ACTIVE, encrypted_refresh_token="x"
    )


def test_pausing_stops_and_resuming_restarts_polling_now(alice):
    alice.pause()
    assert not Listener.objects.get(pk=alice.pk).can_be_polled
    alice.resume()
    stored = Listener.objects.get(pk=alice.pk)
    assert stored.can_be_polled
    assert stored.next_poll_at is not None


def test_only_active_listeners_are_paused_and_only_paused_ones_resumed(alice):
    alice.status = Listener.Status.NEEDS_REAUTH
    alice.save()
    alice.pause()
    alice.resume()
    assert Listener.objects.get(pk=alice.pk).status == Listener.Status.NEEDS_REAUTH


def test_the_admin_pauses_and_resumes_listeners(admin_client, alice):
    admin_client.post(
        "/admin/db/accounts/listener/", {"action": "pause", "_selected_action": [alice.pk]}
    )
    alice.refresh_from_db()
    assert alice.status == Listener.Status.PAUSED
    admin_client.post(
        "/admin/db/accounts/listener/", {"action": "resume", "_selected_action": [alice.pk]}
    )
    alice.refresh_from_db()
    assert alice.status == Listener.Status.ACTIVE
    assert alice.next_poll_at is not None
