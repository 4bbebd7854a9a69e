"""Parameters that used to end in a 500 with an ERROR log (issue 11, hole 4) get a clear 4xx:

- `?ids=` with an id past 64 bits on both live-progress URLs (OverflowError on SQLite); the
  ids in URLs are checked here too, though Django 5 already answers them 404;
- an upload whose file name is over 200 characters, on every upload path (the stored file was
  named after it, so the file system refused it: OSError "File name too long");
- `purge-logs?days=99999999999` on the admin API and the /logs page (timedelta overflow);
- `since` / `until` that fall outside the years 1 to 9999 in UTC on the admin API's lists and
  the /jobs and /logs pages (OverflowError on SQLite);
- a range of centuries on a listener's page, the operator's and a Wrapped (a chart of a hundred
  thousand months: QueryError).
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Listener, LogEntry
from adminui.ids import MAX_ID, parse_ids
from adminui.moments import in_utc
from imports.jobs import MAX_FILE_NAME_LENGTH
from imports.models import ImportJob
from imports.tests.fixtures import extended_track_row, json_bytes

pytestmark = pytest.mark.django_db

TOKEN = "the-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HUGE_ID = "99999999999999999999999"
FAR_FUTURE = "9999-12-31T23:59:59-14:00"  # year 10000 in UTC
FAR_PAST = "0001-01-01T00:00:00+14:00"  # year 0 in UTC


@pytest.fixture(autouse=True)
def admin_token(settings):
    settings.ADMIN_AUTH_MODE = "token"
    settings.ADMIN_TOKEN = TOKEN


def an_export(name):
    return SimpleUploadedFile(name, json_bytes([extended_track_row()]), "application/json")


# --- ids -----------------------------------------------------------------------------------------


def test_the_listener_progress_refuses_an_id_past_64_bits(listener_client, error_logs):
    response = listener_client.get("/me/imports/progress", {"ids": HUGE_ID})
    assert response.status_code == 400
    assert "comma-separated list" in response.json()["detail"]
    assert error_logs == []


def test_the_operator_progress_refuses_an_id_past_64_bits(staff_client, error_logs):
    response = staff_client.get("/imports/progress", {"ids": f"1,{HUGE_ID}"})
    assert response.status_code == 400
    assert error_logs == []


@pytest.mark.parametrize(
    ("raw", "ids"),
    [("", []), ("1, 2,3", [1, 2, 3]), (str(MAX_ID), [MAX_ID]), ("4,", [4])],
)
def test_parse_ids_reads_lists_of_positive_64_bit_ids(raw, ids):
    assert parse_ids(raw) == ids


@pytest.mark.parametrize(
    "raw", [HUGE_ID, str(MAX_ID + 1), "0", "-1", "+1", "1_000", "\N{SUPERSCRIPT TWO}", "x"]
)
def test_parse_ids_refuses_anything_else(raw):
    with pytest.raises(ValueError):
        parse_ids(raw)


@pytest.mark.parametrize(
    "path",
    [
        f"/imports/{HUGE_ID}/retry",
        f"/listeners/carol/tokens/{HUGE_ID}/revoke",
    ],
)
def test_an_operator_page_url_with_an_overlong_id_is_not_found(
    staff_client, active_listener, error_logs, path
):
    assert staff_client.post(path).status_code == 404
    assert error_logs == []


def test_a_listener_page_url_with_an_overlong_id_is_not_found(listener_client, error_logs):
    assert listener_client.post(f"/me/tokens/{HUGE_ID}/revoke").status_code == 404
    assert error_logs == []


def test_the_admin_api_finds_no_import_job_past_64_bits(client, error_logs):
    response = client.get(f"/admin/import-jobs/{HUGE_ID}", headers=AUTH)
    assert response.status_code == 404
    assert error_logs == []


# --- upload file names ---------------------------------------------------------------------------

LONG_NAME = "a" * 250 + ".json"


def test_the_admin_api_refuses_an_overlong_file_name(client, upload_dir, error_logs):
    Listener.objects.create(spotify_user_id="alice")
    response = client.post(
        "/admin/users/alice/import", {"file": an_export(LONG_NAME)}, headers=AUTH
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        f"The file name is {len(LONG_NAME)} characters long, more than the "
        f"{MAX_FILE_NAME_LENGTH} accepted: rename the file (Spotify calls it "
        "my_spotify_data.zip) and upload it again."
    )
    assert not ImportJob.objects.exists()
    assert not upload_dir.exists() or not any(upload_dir.iterdir())
    assert error_logs == []


def test_the_operator_upload_page_refuses_an_overlong_file_name(
    staff_client, active_listener, upload_dir, error_logs
):
    response = staff_client.post("/imports", {"listener": "carol", "file": an_export(LONG_NAME)})
    assert response.status_code == 400
    assert "more than the 200 accepted" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert error_logs == []


def test_the_listener_upload_page_refuses_an_overlong_file_name(
    listener_client, upload_dir, error_logs
):
    response = listener_client.post("/me/import", {"file": an_export(LONG_NAME)})
    assert response.status_code == 400
    assert "more than the 200 accepted" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert error_logs == []


def test_a_long_name_of_many_bytes_within_the_limit_is_stored_under_a_short_one(client, upload_dir):
    Listener.objects.create(spotify_user_id="alice")
    name = "\N{MUSICAL NOTE}" * (MAX_FILE_NAME_LENGTH - 5) + ".json"  # 784 bytes in UTF-8
    response = client.post("/admin/users/alice/import", {"file": an_export(name)}, headers=AUTH)
    assert response.status_code == 202
    job = ImportJob.objects.get()
    assert job.file_name == name
    (stored,) = upload_dir.iterdir()
    assert len(stored.name) == len("0123456789abcdef0123456789abcdef.json")
    assert stored.suffix == ".json"


# --- purge-logs days -----------------------------------------------------------------------------


def test_the_admin_api_refuses_a_purge_of_too_many_days(client, error_logs):
    response = client.post("/admin/maintenance/purge-logs?days=99999999999", headers=AUTH)
    assert response.status_code == 422
    assert "36500" in json.dumps(response.json())
    assert error_logs == []


def test_a_purge_of_a_hundred_years_works(client):
    response = client.post("/admin/maintenance/purge-logs?days=36500", headers=AUTH)
    assert response.json() == {"deleted": 0, "days": 36500}


def test_the_logs_page_refuses_a_purge_of_too_many_days(staff_client, error_logs):
    response = staff_client.post("/logs/purge", {"days": "99999999999"})
    assert response.status_code == 400
    assert "less than or equal to 36500" in response.content.decode()
    assert error_logs == []


def test_the_purge_itself_refuses_days_out_of_range():
    for days in (0, 36_501, 99_999_999_999):
        with pytest.raises(ValueError, match="from 1 to 36500"):
            LogEntry.purge_older_than(days)


# --- since / until -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/sync-runs", "/admin/import-jobs", "/admin/logs"])
@pytest.mark.parametrize(("field", "value"), [("since", FAR_FUTURE), ("until", FAR_PAST)])
def test_the_admin_api_refuses_times_outside_the_years_it_can_hold(
    client, error_logs, path, field, value
):
    response = client.get(path, {field: value}, headers=AUTH)
    assert response.status_code == 422
    assert "falls outside the years 1 to 9999 in UTC" in json.dumps(response.json())
    assert error_logs == []


@pytest.mark.parametrize("path", ["/jobs", "/logs"])
@pytest.mark.parametrize(("field", "value"), [("since", FAR_FUTURE), ("until", FAR_PAST)])
def test_the_pages_refuse_times_outside_the_years_they_can_hold(
    staff_client, error_logs, path, field, value
):
    response = staff_client.get(path, {field: value})
    assert response.status_code == 400
    assert "falls outside the years 1 to 9999 in UTC" in response.content.decode()
    assert error_logs == []


def test_times_at_the_edges_still_filter(client):
    response = client.get(
        "/admin/sync-runs",
        {"since": "0001-01-01T00:00:00", "until": "9999-12-31T09:00:00-14:00"},
        headers=AUTH,
    )
    assert (response.status_code, response.json()) == (200, [])


def test_in_utc_takes_a_naive_time_as_utc_and_converts_the_others():
    from datetime import UTC, datetime, timedelta, timezone

    assert in_utc(datetime(2024, 1, 1, 12)) == datetime(2024, 1, 1, 12, tzinfo=UTC)
    paris_noon = datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=1)))
    assert in_utc(paris_noon).hour == 11
    assert in_utc(paris_noon).utcoffset() == timedelta(0)


# --- ranges of centuries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/me?start=1900-01-01&end=9998-12-31",
        "/me?start=0002-01-01",
        "/me/podcasts?start=1900-01-01&end=9998-12-31",
        "/me/wrapped?start=1900&end=9998",
        "/me/wrapped?start=0002",
    ],
)
def test_a_listener_page_refuses_a_range_of_centuries(listener_client, error_logs, path):
    response = listener_client.get(path)
    assert response.status_code == 400
    assert "A range can span at most 36,600 days" in response.content.decode()
    assert error_logs == []


def test_the_operator_page_refuses_a_range_of_centuries(staff_client, active_listener, error_logs):
    response = staff_client.get("/listeners/carol?start=1900-01-01&end=9998-12-31")
    assert response.status_code == 400 and error_logs == []
