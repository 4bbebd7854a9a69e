"""`/jobs` (sync runs and imports, filtered) and `/logs` (search, filters, purge)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import Listener, LogEntry
from imports.models import ImportJob
from plays.models import SyncRun

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def activity(active_listener, listener):
    runs = {
        "carol_poll": SyncRun.objects.create(
            listener=active_listener, kind="poll", status="succeeded", started_at=NOON
        ),
        "carol_failed": SyncRun.objects.create(
            listener=active_listener,
            kind="poll",
            status="failed",
            started_at=NOON + timedelta(hours=1),
            error="Spotify answered 502",
        ),
        "alice_initial": SyncRun.objects.create(
            listener=listener, kind="initial_sync", status="succeeded", started_at=NOON
        ),
    }
    jobs = {
        "carol_import": ImportJob.objects.create(
            listener=active_listener, file_name="carol.zip", status="failed", created_at=NOON
        ),
        "alice_import": ImportJob.objects.create(
            listener=listener, file_name="alice.zip", status="succeeded", created_at=NOON
        ),
    }
    return runs, jobs


def shown(response):
    runs = response.context["runs"]
    jobs = response.context["jobs"]
    return (
        None if runs is None else sorted(run.pk for run in runs),
        None if jobs is None else sorted(job.pk for job, _ in jobs),
    )


def test_jobs_lists_sync_runs_and_imports_of_everyone(staff_client, activity):
    runs, jobs = activity
    response = staff_client.get("/jobs")
    assert response.status_code == 200
    assert shown(response) == (
        sorted(run.pk for run in runs.values()),
        sorted(job.pk for job in jobs.values()),
    )
    page = response.content.decode()
    assert "Spotify answered 502" in page
    assert "carol.zip" in page and "alice.zip" in page


@pytest.mark.parametrize(
    ("query", "expected_runs", "expected_jobs"),
    [
        ("listener=carol", ["carol_poll", "carol_failed"], ["carol_import"]),
        ("kind=sync", ["carol_poll", "carol_failed", "alice_initial"], None),
        ("kind=import", None, ["carol_import", "alice_import"]),
        ("status=failed", ["carol_failed"], ["carol_import"]),
        ("since=2026-03-01 12:30", ["carol_failed"], []),
        (
            "until=2026-03-01 12:30",
            ["carol_poll", "alice_initial"],
            ["carol_import", "alice_import"],
        ),
    ],
)
def test_jobs_filters(staff_client, activity, query, expected_runs, expected_jobs):
    runs, jobs = activity
    response = staff_client.get(f"/jobs?{query}")
    assert response.status_code == 200
    assert shown(response) == (
        None if expected_runs is None else sorted(runs[name].pk for name in expected_runs),
        None if expected_jobs is None else sorted(jobs[name].pk for name in expected_jobs),
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("listener=mallory", "No listener with that Spotify user id."),
        ("kind=everything", "Select a valid choice."),
        ("status=sleeping", "Select a valid choice."),
        ("since=yesterday", "Enter a valid date/time."),
    ],
)
def test_bad_job_filters_are_a_400_that_says_which(staff_client, activity, query, message):
    response = staff_client.get(f"/jobs?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_jobs_pages_past_the_first_hundred_keeping_the_filters(
    staff_client, active_listener, listener
):
    SyncRun.objects.bulk_create(
        SyncRun(
            listener=active_listener,
            kind="poll",
            status="succeeded",
            started_at=NOON + n * timedelta(minutes=1),
        )
        for n in range(230)
    )
    SyncRun.objects.create(listener=listener, kind="poll", status="succeeded", started_at=NOON)
    first = staff_client.get("/jobs?listener=carol&kind=sync")
    assert len(first.context["runs"]) == 100
    page = first.content.decode()
    assert "Page 1 of 3 (1 to 100 of 230)" in page
    assert 'href="?listener=carol&amp;kind=sync&amp;runs_page=2" rel="next"' in page
    last = staff_client.get("/jobs?listener=carol&kind=sync&runs_page=3")
    runs = last.context["runs"]
    assert len(runs) == 30 and {run.listener_id for run in runs} == {active_listener.pk}
    assert runs[-1].started_at == NOON  # newest first: the last page ends with the oldest
    assert 'rel="prev"' in last.content.decode() and 'rel="next"' not in last.content.decode()
    past_the_end = staff_client.get("/jobs?kind=sync&runs_page=99")
    assert past_the_end.status_code == 200 and past_the_end.context["runs_page"].number == 3
    assert staff_client.get("/jobs?runs_page=zero").context["runs_page"].number == 1


@pytest.fixture
def entries(active_listener):
    LogEntry.objects.all().delete()  # the migrations' own (the worker's schedules being created)

    def log(level, logger, event, message, minutes_ago, listener=None):
        return LogEntry.objects.create(
            level=level,
            logger=logger,
            event=event,
            message=message,
            listener=listener,
            created=timezone.now() - timedelta(minutes=minutes_ago),
        )

    return {
        "poll": log("INFO", "plays.poller", "poll.done", "Polled carol", 5, active_listener),
        "warn": log("WARNING", "imports.jobs", "import.failed", "Import failed: bad ZIP", 3),
        "error": log("ERROR", "django.request", "django.request", "Internal Server Error", 1),
        "old": log("INFO", "accounts.tasks", "logs.purged", "Purged", 60 * 24 * 40),
    }


def listed(response):
    return sorted(entry.pk for entry in response.context["entries"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["poll", "warn", "error", "old"]),
        ("level=WARNING", ["warn", "error"]),
        ("logger=plays", ["poll"]),
        ("q=ZIP", ["warn"]),
        ("q=import.failed", ["warn"]),
        ("listener=carol", ["poll"]),
        ("level=INFO&q=polled", ["poll"]),
    ],
)
def test_logs_filter_and_search(staff_client, entries, query, expected):
    response = staff_client.get(f"/logs?{query}")
    assert response.status_code == 200
    assert listed(response) == sorted(entries[name].pk for name in expected)


def test_the_logs_page_shows_context_and_exceptions(staff_client, entries):
    LogEntry.objects.create(
        level="ERROR",
        logger="plays",
        event="poll.crashed",
        message="crash",
        context={"job": 7},
        exception="Traceback: KeyError",
    )
    page = staff_client.get("/logs").content.decode()
    assert "{&#x27;job&#x27;: 7}" in page
    assert "Traceback: KeyError" in page


@pytest.mark.parametrize(("query", "message"), [("level=LOUD", "Select a valid choice.")])
def test_bad_log_filters_are_a_400(staff_client, entries, query, message):
    response = staff_client.get(f"/logs?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_purge_deletes_entries_older_than_the_days_given(
    staff_client, entries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/logs/purge", {"days": 30}, follow=True)
    assert "Deleted 1 log entries older than 30 days." in response.content.decode()
    assert not LogEntry.objects.filter(pk=entries["old"].pk).exists()
    assert LogEntry.objects.filter(pk=entries["poll"].pk).exists()
    # Purging is itself logged, like the worker's and the API's purge.
    assert LogEntry.objects.filter(event="logs.purged", context__days=30).exists()


@pytest.mark.parametrize("days", ["0", "-3", "soon", ""])
def test_a_bad_purge_is_refused_and_deletes_nothing(staff_client, entries, days):
    response = staff_client.post("/logs/purge", {"days": days})
    assert response.status_code == 400
    assert 'id="purge-form"' in response.content.decode()
    assert LogEntry.objects.count() == 4


def test_the_purge_form_starts_at_log_retention_days(staff_client, settings):
    settings.LOG_RETENTION_DAYS = 45
    page = staff_client.get("/logs").content.decode()
    assert 'name="days" value="45"' in page


def test_the_logs_page_is_only_for_staff(listener_client):
    assert listener_client.get("/logs").status_code == 302
    assert Listener.objects.count() == 1
