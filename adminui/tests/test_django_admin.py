"""The Django admin at /admin/db/: every raw record's list opens, with its filters, for staff."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from accounts.models import LogEntry
from adminui.tests.conftest import add_plays
from imports.models import ImportJob
from plays.models import SyncRun

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "accounts/listener",
    "accounts/logentry",
    "plays/play",
    "plays/item",
    "plays/artist",
    "plays/syncrun",
    "imports/importjob",
]


@pytest.fixture
def superuser_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", password="root-pass-123"))
    return client


@pytest.fixture
def records(active_listener):
    add_plays(active_listener, 3, start=datetime(2025, 1, 1, tzinfo=UTC))
    SyncRun.objects.create(listener=active_listener, kind="poll", started_at=datetime.now(UTC))
    ImportJob.objects.create(listener=active_listener, file_name="x.zip", error="bad file")
    LogEntry.objects.create(
        level="INFO", logger="plays", event="e", message="m", listener=active_listener
    )


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_every_changelist_opens_with_records_in_it(superuser_client, records, changelist):
    response = superuser_client.get(f"/admin/db/{changelist}/")
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize(
    ("changelist", "query"),
    [
        ("plays/play", "listener__id__exact"),
        ("plays/syncrun", "listener__id__exact"),
        ("imports/importjob", "listener__id__exact"),
        ("accounts/logentry", "listener__id__exact"),
    ],
)
def test_records_filter_by_listener(
    superuser_client, records, active_listener, listener, changelist, query
):
    add_plays(listener, 2, start=datetime(2025, 2, 1, tzinfo=UTC), artist="Other")
    SyncRun.objects.create(listener=listener, kind="poll", started_at=datetime.now(UTC))
    ImportJob.objects.create(listener=listener, file_name="y.zip")
    LogEntry.objects.create(level="INFO", logger="plays", event="e", message="m", listener=listener)
    everyone = superuser_client.get(f"/admin/db/{changelist}/").context["cl"].result_count
    theirs = superuser_client.get(f"/admin/db/{changelist}/?{query}={listener.pk}").context["cl"]
    assert 0 < theirs.result_count < everyone
    assert {row.listener_id for row in theirs.result_list} == {listener.pk}


def test_a_listeners_token_ciphertext_is_never_shown(superuser_client, active_listener):
    page = superuser_client.get(f"/admin/db/accounts/listener/{active_listener.pk}/change/")
    assert page.status_code == 200
    assert active_listener.encrypted_refresh_token not in page.content.decode()
