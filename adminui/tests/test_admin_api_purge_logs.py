"""POST /admin/maintenance/purge-logs deletes stored log entries past their retention."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import LogEntry

pytestmark = pytest.mark.django_db

TOKEN = "the-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def admin_token(settings):
    settings.ADMIN_AUTH_MODE = "token"
    settings.ADMIN_TOKEN = TOKEN


def log_entry_aged(days, event):
    return LogEntry.objects.create(
        created=timezone.now() - timedelta(days=days),
        level="INFO",
        logger="tests",
        event=event,
        message=f"{days} days old",
    )


def purge(client, query=""):
    return client.post(f"/admin/maintenance/purge-logs{query}", headers=AUTH)


def surviving_test_events():
    return set(LogEntry.objects.filter(logger="tests").values_list("event", flat=True))


def test_it_deletes_only_entries_older_than_the_days_given_and_counts_them(client):
    log_entry_aged(200, "ancient")
    log_entry_aged(100, "old")
    log_entry_aged(89, "recent")
    log_entry_aged(0, "today")
    response = purge(client, "?days=90")
    assert response.status_code == 200
    assert response.json() == {"deleted": 2, "days": 90}
    assert surviving_test_events() == {"recent", "today"}


def test_without_days_it_keeps_log_retention_days(client, settings):
    settings.LOG_RETENTION_DAYS = 30
    log_entry_aged(31, "old")
    log_entry_aged(29, "recent")
    response = purge(client)
    assert response.json() == {"deleted": 1, "days": 30}
    assert surviving_test_events() == {"recent"}


def test_the_purge_is_itself_logged(client, django_capture_on_commit_callbacks):
    log_entry_aged(100, "old")
    with django_capture_on_commit_callbacks(execute=True):  # log rows are written on commit
        purge(client, "?days=90")
    entry = LogEntry.objects.get(event="logs.purged")
    assert entry.context == {"deleted": 1, "days": 90}


def test_with_nothing_to_delete_it_says_zero(client):
    log_entry_aged(1, "recent")
    assert purge(client, "?days=90").json() == {"deleted": 0, "days": 90}


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("?days=0", "Input should be greater than or equal to 1"),
        ("?days=-5", "Input should be greater than or equal to 1"),
        ("?days=ninety", "Input should be a valid integer, unable to parse string as an integer"),
        ("?days=1.5", "Input should be a valid integer, unable to parse string as an integer"),
    ],
)
def test_days_must_be_a_whole_number_of_at_least_one(client, query, problem):
    log_entry_aged(100, "old")
    response = purge(client, query)
    assert response.status_code == 422
    [reported] = response.json()["detail"]
    assert reported["loc"] == ["query", "days"]
    assert reported["msg"] == problem
    assert surviving_test_events() == {"old"}


def test_it_only_answers_post(client):
    assert client.get("/admin/maintenance/purge-logs", headers=AUTH).status_code == 405
