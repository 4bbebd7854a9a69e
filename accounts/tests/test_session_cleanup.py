"""Expired sessions are deleted by the worker's daily task, so the table can't grow for ever."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import clear_expired_sessions

pytestmark = pytest.mark.django_db


def session(expires_in):
    store = SessionStore()
    store["listener_id"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


def test_it_deletes_expired_sessions_and_keeps_live_ones():
    expired = [session(timedelta(seconds=-1)), session(timedelta(days=-30))]
    live = session(timedelta(days=1))
    assert clear_expired_sessions() == 2
    assert list(Session.objects.values_list("pk", flat=True)) == [live]
    assert not Session.objects.filter(pk__in=expired).exists()
