"""`manage.py poll_spotify`: one pass, one listener now, or a loop."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Listener
from plays.models import Play
from plays.poller import claim

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_pass_polls_every_due_listener_and_reports(standin, connect, capsys):
    connect("alice")
    connect("bob")
    call_command("poll_spotify")
    out = capsys.readouterr().out
    assert "alice: poll succeeded, 50 fetched, 50 new" in out
    assert "Polled 2 listener(s)." in out
    assert Play.objects.count() == 100


def test_account_polls_one_listener_now_even_if_not_due(standin, connect, capsys):
    from datetime import timedelta

    from django.utils import timezone

    connect("alice", next_poll_at=timezone.now() + timedelta(hours=1))
    connect("bob")
    call_command("poll_spotify", "--account", "alice")
    assert "Polled 1 listener(s)." in capsys.readouterr().out
    assert set(Play.objects.values_list("listener__spotify_user_id", flat=True)) == {"alice"}


def test_account_names_an_unknown_listener(db):
    with pytest.raises(CommandError, match="No listener with Spotify user id 'nobody'"):
        call_command("poll_spotify", "--account", "nobody")


def test_account_explains_why_a_listener_cant_be_polled(connect):
    connect("alice", status=Listener.Status.NEEDS_REAUTH, status_reason="Refresh token revoked")
    with pytest.raises(CommandError, match=r"Needs re-authorisation \(Refresh token revoked\)"):
        call_command("poll_spotify", "--account", "alice")


def test_account_says_when_another_worker_is_polling(standin, connect):
    alice = connect("alice")
    claim(alice.pk, "other-worker")
    with pytest.raises(CommandError, match="being polled by another worker"):
        call_command("poll_spotify", "--account", "alice")
