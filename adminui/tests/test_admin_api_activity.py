"""/admin/sync-runs, /admin/import-jobs, /admin/logs and /admin/status: what the service did."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule

from accounts.models import Listener, LogEntry
from imports.models import ImportJob
from plays.models import Item, Play, SyncRun

pytestmark = pytest.mark.django_db

TOKEN = "the-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def admin_token(settings):
    settings.ADMIN_AUTH_MODE = "token"
    settings.ADMIN_TOKEN = TOKEN


@pytest.fixture
def carol():
    return Listener.objects.create(spotify_user_id="carol", status=Listener.Status.ACTIVE)


def hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def get(client, path, **query):
    return client.get(path, query, headers=AUTH)


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()]


def run(listener, hours, kind="poll", status="succeeded"):
    return SyncRun.objects.create(
        listener=listener, kind=kind, status=status, started_at=hours_ago(hours)
    )


def job(listener, hours, status="succeeded"):
    return ImportJob.objects.create(
        listener=listener, file_name="export.zip", created_at=hours_ago(hours), status=status
    )


def log(level, hours, *, logger="plays.poller", event="poll.done", message="ok", listener=None):
    return LogEntry.objects.create(
        created=hours_ago(hours),
        level=level,
        logger=logger,
        event=event,
        message=message,
        listener=listener,
    )


def test_the_activity_endpoints_need_credentials(client):
    for path in ["/admin/sync-runs", "/admin/import-jobs", "/admin/logs", "/admin/status"]:
        response = client.get(path)
        assert response.status_code == 401, path
        assert "Missing or wrong admin credentials" in response.json()["detail"]


# --- sync runs -----------------------------------------------------------------------------------


@pytest.fixture
def runs(listener, carol):
    return {
        "alice_poll": run(listener, 1),
        "alice_initial": run(listener, 30, kind="initial_sync"),
        "carol_failed": run(carol, 2, status="failed"),
        "carol_limited": run(carol, 50, status="rate_limited"),
    }


def test_sync_runs_are_listed_newest_first(client, runs):
    response = get(client, "/admin/sync-runs")
    assert ids(response) == [
        runs[name].pk for name in ["alice_poll", "carol_failed", "alice_initial", "carol_limited"]
    ]
    first = response.json()[0]
    assert (first["user_id"], first["kind"], first["status"]) == ("alice", "poll", "succeeded")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"user_id": "carol"}, ["carol_failed", "carol_limited"]),
        ({"kind": "initial_sync"}, ["alice_initial"]),
        ({"status": "failed"}, ["carol_failed"]),
        ({"since": iso(hours_ago(3))}, ["alice_poll", "carol_failed"]),
        ({"until": iso(hours_ago(3))}, ["alice_initial", "carol_limited"]),
        (
            {"since": iso(hours_ago(40)), "until": iso(hours_ago(1.5))},
            ["carol_failed", "alice_initial"],
        ),
        ({"limit": "2"}, ["alice_poll", "carol_failed"]),
        ({"user_id": "alice", "kind": "poll"}, ["alice_poll"]),
    ],
)
def test_each_sync_run_filter_narrows_the_list(client, runs, query, expected):
    assert ids(get(client, "/admin/sync-runs", **query)) == [runs[name].pk for name in expected]


def test_a_time_without_an_offset_is_utc(client, runs):
    naive = hours_ago(3).replace(tzinfo=None).isoformat()
    assert ids(get(client, "/admin/sync-runs", since=naive)) == [
        runs["alice_poll"].pk,
        runs["carol_failed"].pk,
    ]


def test_the_default_limit_is_fifty(client, listener):
    SyncRun.objects.bulk_create(
        SyncRun(listener=listener, kind="poll", started_at=hours_ago(n)) for n in range(55)
    )
    assert len(ids(get(client, "/admin/sync-runs"))) == 50


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"kind": "nap"}, "kind", "Input should be 'poll' or 'initial_sync'"),
        ({"status": "done"}, "status", "Input should be 'running', 'succeeded', 'failed' or"),
        ({"since": "yesterday"}, "since", "Input should be a valid datetime"),
        ({"until": "2026-13-45T00:00"}, "until", "Input should be a valid datetime"),
        ({"limit": "0"}, "limit", "Input should be greater than or equal to 1"),
        ({"limit": "501"}, "limit", "Input should be less than or equal to 500"),
        ({"limit": "many"}, "limit", "Input should be a valid integer"),
    ],
)
def test_a_bad_sync_run_filter_is_422_naming_the_parameter(client, runs, query, field, message):
    response = get(client, "/admin/sync-runs", **query)
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["query", field]
    assert problem["msg"].startswith(message)


@pytest.mark.parametrize("path", ["/admin/sync-runs", "/admin/import-jobs", "/admin/logs"])
def test_filtering_by_an_unknown_listener_is_404(client, listener, path):
    response = get(client, path, user_id="bob")
    assert response.status_code == 404
    assert response.json() == {"detail": "No listener with Spotify user id 'bob'."}


# --- import jobs ---------------------------------------------------------------------------------


@pytest.fixture
def jobs(listener, carol):
    return {
        "alice_new": job(listener, 1, status="queued"),
        "carol_failed": job(carol, 5, status="failed"),
        "alice_old": job(listener, 48),
    }


def test_import_jobs_are_listed_newest_first_with_their_summary(client, jobs):
    response = get(client, "/admin/import-jobs")
    assert ids(response) == [jobs[name].pk for name in ["alice_new", "carol_failed", "alice_old"]]
    first = response.json()[0]
    assert first["job_id"] == jobs["alice_new"].pk
    assert (first["listener"], first["file_name"], first["status"]) == (
        "alice",
        "export.zip",
        "queued",
    )
    assert {"file_size", "created_at", "records_total", "skipped", "errors"} <= set(first)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"user_id": "alice"}, ["alice_new", "alice_old"]),
        ({"status": "failed"}, ["carol_failed"]),
        ({"since": iso(hours_ago(10))}, ["alice_new", "carol_failed"]),
        ({"until": iso(hours_ago(2))}, ["carol_failed", "alice_old"]),
        ({"limit": "1"}, ["alice_new"]),
    ],
)
def test_each_import_job_filter_narrows_the_list(client, jobs, query, expected):
    assert ids(get(client, "/admin/import-jobs", **query)) == [jobs[name].pk for name in expected]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "done"}, "status"), ({"since": "soon"}, "since"), ({"limit": "600"}, "limit")],
)
def test_a_bad_import_job_filter_is_422(client, jobs, query, field):
    response = get(client, "/admin/import-jobs", **query)
    assert response.status_code == 422
    assert [problem["loc"] for problem in response.json()["detail"]] == [["query", field]]


# --- logs ----------------------------------------------------------------------------------------


@pytest.fixture
def entries(listener):
    return {
        "debug": log("DEBUG", 1, message="fetched a page"),
        "info": log("INFO", 2, logger="plays", event="poll.done", listener=listener),
        "warning": log("WARNING", 3, logger="imports.jobs", event="import.failed", message="Bad"),
        "error": log("ERROR", 30, logger="playsx", event="crash", message="Token REFRESH failed"),
        "critical": log("CRITICAL", 40, logger="accounts", event="boom"),
    }


def shown(response, entries):
    by_id = {entry.pk: name for name, entry in entries.items()}
    return [by_id[row_id] for row_id in ids(response) if row_id in by_id]


def test_logs_are_listed_newest_first(client, entries):
    response = get(client, "/admin/logs", logger="plays")
    assert shown(response, entries) == ["debug", "info"]
    info = response.json()[1]
    assert (info["level"], info["event"], info["user_id"]) == ("INFO", "poll.done", "alice")
    assert response.json()[0]["user_id"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"level": "DEBUG"}, ["debug", "info", "warning", "error", "critical"]),
        ({"level": "WARNING"}, ["warning", "error", "critical"]),
        ({"level": "CRITICAL"}, ["critical"]),
        ({"logger": "plays"}, ["debug", "info"]),  # plays and plays.poller, not playsx
        ({"logger": "imports.jobs"}, ["warning"]),
        ({"user_id": "alice"}, ["info"]),
        ({"q": "refresh"}, ["error"]),  # in the message, any case
        ({"q": "IMPORT.fail"}, ["warning"]),  # in the event
        ({"since": iso(hours_ago(2.5))}, ["debug", "info"]),
        ({"until": iso(hours_ago(2.5)), "level": "INFO"}, ["warning", "error", "critical"]),
        ({"limit": "1", "logger": "plays"}, ["debug"]),
    ],
)
def test_each_log_filter_narrows_the_list(client, entries, query, expected):
    assert shown(get(client, "/admin/logs", **query), entries) == expected


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"level": "LOUD"}, "level", "Input should be 'DEBUG', 'INFO', 'WARNING', 'ERROR' or"),
        ({"level": "warning"}, "level", "Input should be 'DEBUG'"),
        ({"since": "last week"}, "since", "Input should be a valid datetime"),
        ({"limit": "-1"}, "limit", "Input should be greater than or equal to 1"),
    ],
)
def test_a_bad_log_filter_is_422(client, entries, query, field, message):
    response = get(client, "/admin/logs", **query)
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["query", field]
    assert problem["msg"].startswith(message)


# --- status --------------------------------------------------------------------------------------


def test_the_status_sums_up_listeners_plays_runs_jobs_and_schedules(client, listener, carol):
    item = Item.objects.create(key="spotify:track:1", name="One")
    for n, source in enumerate(["api", "api", "extended"]):
        Play.objects.create(listener=carol, item=item, played_at=hours_ago(n), source=source)
    finished = hours_ago(1)
    SyncRun.objects.create(
        listener=carol,
        kind="poll",
        status="succeeded",
        started_at=hours_ago(2),
        finished_at=finished,
    )
    run(carol, 3, status="failed")
    run(carol, 30, status="succeeded")  # more than a day ago
    job(listener, 1, status="failed")
    job(listener, 100)

    response = get(client, "/admin/status")

    assert response.status_code == 200
    body = response.json()
    assert body["listeners"] == {
        "active": 1,
        "paused": 0,
        "needs_reauth": 0,
        "not_registered": 0,
        "import_only": 1,
    }
    assert body["plays"] == {
        "total": 3,
        "by_source": {
            "api": 2,
            "extended": 1,
            "account_data": 0,
            "lastfm": 0,
            "listenbrainz": 0,
            "maloja": 0,
        },
    }
    last_success = datetime.fromisoformat(body["last_successful_poll"])
    assert abs(last_success - finished) < timedelta(milliseconds=1)  # JSON keeps milliseconds
    assert body["sync_runs_last_24h"] == {
        "running": 0,
        "succeeded": 1,
        "failed": 1,
        "rate_limited": 0,
    }
    assert body["import_jobs"] == {
        "queued": 0,
        "running": 0,
        "succeeded": 1,
        "succeeded_with_warnings": 0,
        "failed": 1,
    }
    expected = sorted(Schedule.objects.values_list("name", flat=True))
    assert expected  # migrate creates the worker's schedules
    assert [schedule["name"] for schedule in body["schedules"]] == expected
    assert all(schedule["next_run"] for schedule in body["schedules"])
    assert body["database"] == connection.vendor


def test_the_status_of_an_empty_service_is_all_zeros(client):
    body = get(client, "/admin/status").json()
    assert body["plays"]["total"] == 0
    assert set(body["listeners"].values()) == {0}
    assert body["last_successful_poll"] is None


def test_one_import_job_shows_its_progress_and_counts(client, listener):
    shown = job(listener, 1, status="running")
    response = get(client, f"/admin/import-jobs/{shown.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["listener"]) == (shown.pk, "running", "alice")


def test_an_unknown_import_job_is_404(client, db):
    response = get(client, "/admin/import-jobs/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "No import job 999999."}
