"""`/imports`: an operator uploads an export for a listener and follows every job's progress."""

import io
import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone
from django_q.models import OrmQ

from imports.jobs import run_import_job
from imports.models import ImportJob
from imports.tests.fixtures import extended_track_row, write_zip

pytestmark = pytest.mark.django_db

AUDIO = "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json"


def stored(upload_dir):
    return sorted(path.name for path in upload_dir.glob("*")) if upload_dir.exists() else []


@pytest.fixture
def export_zip(tmp_path):
    rows = [
        extended_track_row(
            ts=f"2024-03-01T12:{minute:02d}:00Z", spotify_track_uri=f"spotify:track:{minute:022d}"
        )
        for minute in range(12)
    ]
    path = write_zip(tmp_path / "my_spotify_data.zip", {AUDIO: rows})
    return SimpleUploadedFile("my_spotify_data.zip", path.read_bytes(), "application/zip")


def post(client, file, listener="carol"):
    data = {"listener": listener}
    if file is not None:
        data["file"] = file
    return client.post("/imports", data)


def test_the_page_offers_every_listener_and_preselects_one_from_the_query(
    staff_client, active_listener, listener, settings
):
    settings.IMPORT_MAX_ZIP_SIZE_MB = 42
    page = staff_client.get("/imports?listener=carol").content.decode()
    assert "at most 42 MB" in page
    assert '<option value="carol" selected>Carol (carol)</option>' in page
    assert '<option value="alice">Alice (alice)</option>' in page
    assert 'enctype="multipart/form-data"' in page


def test_an_upload_is_stored_and_queued_like_the_api_does(
    staff_client, active_listener, export_zip, upload_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(staff_client, export_zip)
    assert (response.status_code, response["Location"]) == (302, "/imports")
    job = ImportJob.objects.get()
    assert (job.listener, job.file_name, job.status) == (
        active_listener,
        "my_spotify_data.zip",
        "queued",
    )
    assert stored(upload_dir) == [os.path.basename(job.stored_path)]
    [task] = OrmQ.objects.all()
    assert (task.task["func"], task.task["args"]) == ("imports.tasks.run_import", (job.pk,))
    page = staff_client.get("/imports").content.decode()
    assert "Queued the import of my_spotify_data.zip for carol." in page
    assert f'data-job="{job.pk}" data-finished="0"' in page


def refused(response, status, message):
    assert response.status_code == status
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not OrmQ.objects.exists()


def test_a_file_that_is_not_a_zip_or_json_is_refused_and_nothing_is_kept(
    staff_client, active_listener, upload_dir
):
    response = post(staff_client, SimpleUploadedFile("holiday.png", b"\x89PNG....."))
    refused(response, 400, "holiday.png is not a ZIP, JSON or CSV file")
    assert stored(upload_dir) == []


def test_a_zip_named_file_that_is_no_export_is_refused_with_the_importers_reason(
    staff_client, active_listener, upload_dir
):
    response = post(staff_client, SimpleUploadedFile("my_spotify_data.zip", b"just some text"))
    refused(response, 400, "my_spotify_data.zip is neither a ZIP file nor a JSON file")
    assert stored(upload_dir) == []


def test_a_zip_without_history_files_is_refused_before_any_job_exists(
    staff_client, active_listener, upload_dir, tmp_path
):
    path = write_zip(tmp_path / "other.zip", {"notes/readme.txt": b"hello"})
    response = post(staff_client, SimpleUploadedFile("other.zip", path.read_bytes()))
    refused(response, 400, "other.zip")
    assert stored(upload_dir) == []


@pytest.mark.parametrize(
    "size",
    [2 * 1024 * 1024, 1024 * 1024 + 1],  # refused by its declared length / while it streams
    ids=["declared", "streamed"],
)
def test_an_upload_over_the_size_limit_keeps_the_listener_and_says_the_limit_in_words(
    staff_client, active_listener, listener, upload_dir, settings, size
):
    settings.IMPORT_MAX_ZIP_SIZE_MB = 1
    big = SimpleUploadedFile("my_spotify_data.zip", b"PK\x03\x04" + os.urandom(size))
    response = post(staff_client, big, listener="carol")
    refused(response, 413, "the most an import may be is 1 MB. Upload a smaller file")
    page = response.content.decode()
    assert "IMPORT_MAX_ZIP_SIZE_MB" not in page
    assert '<option value="carol" selected>' in page
    assert stored(upload_dir) == []


class CountingInput(io.BytesIO):
    """A wsgi.input that counts the bytes read from it."""

    bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def test_an_upload_declared_over_the_limit_is_refused_without_reading_the_file(
    staff_client, active_listener, upload_dir, settings
):
    settings.IMPORT_MAX_ZIP_SIZE_MB = 1
    file = SimpleUploadedFile("huge.zip", b"PK\x03\x04" + os.urandom(512 * 1024))
    body = encode_multipart(BOUNDARY, {"listener": "carol", "new_listener": "", "file": file})
    wsgi_input = CountingInput(body)
    response = staff_client.generic(
        "POST",
        "/imports",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(2048 * 1024 * 1024),
        **{"wsgi.input": wsgi_input},
    )
    refused(response, 413, "The upload is 2048 MB; the most an import may be is 1 MB.")
    assert '<option value="carol" selected>' in response.content.decode()
    assert wsgi_input.bytes_read <= 64 * 1024 < len(body)  # the fields' chunk, not the file


def test_the_file_field_carries_the_limit_for_the_browsers_own_check(staff_client, settings):
    settings.IMPORT_MAX_ZIP_SIZE_MB = 3
    page = staff_client.get("/imports").content.decode()
    assert f'data-max-bytes="{3 * 1024 * 1024}"' in page and 'data-max-label="3 MB"' in page
    assert "adminui/uploads.js" in page


def test_a_chunked_upload_is_asked_for_a_length(staff_client, active_listener, upload_dir):
    body = encode_multipart(
        BOUNDARY, {"listener": "carol", "file": SimpleUploadedFile("a.zip", b"PK")}
    )
    response = staff_client.generic(
        "POST",
        "/imports",
        headers={"Transfer-Encoding": "chunked"},
        CONTENT_TYPE=MULTIPART_CONTENT,
        **{"wsgi.input": io.BytesIO(body)},
    )
    refused(response, 411, "no Content-Length")
    assert stored(upload_dir) == []


def test_an_unknown_listener_is_refused_and_nothing_is_stored(
    staff_client, active_listener, export_zip, upload_dir
):
    response = post(staff_client, export_zip, listener="mallory")
    refused(response, 400, "No listener with that Spotify user id.")
    assert stored(upload_dir) == []


def test_a_form_without_a_file_says_so(staff_client, active_listener, upload_dir):
    refused(post(staff_client, None), 400, "Choose the export file to upload.")


def test_progress_reports_each_job_until_it_reaches_100_percent(
    staff_client, active_listener, export_zip, upload_dir
):
    post(staff_client, export_zip)
    job = ImportJob.objects.get()
    before = staff_client.get(f"/imports/progress?ids={job.pk}").json()["jobs"]
    assert [(j["id"], j["status"], j["percent"], j["finished"]) for j in before] == [
        (job.pk, "queued", 0, False)
    ]
    run_import_job(job.pk)
    [after] = staff_client.get(f"/imports/progress?ids={job.pk}").json()["jobs"]
    assert (after["status"], after["percent"], after["finished"]) == ("succeeded", 100, True)
    assert (after["records_done"], after["records_total"], after["inserted"]) == (12, 12, 12)
    assert after["errors"] == [] and after["warnings"] == []
    assert after["rate"] is None or after["rate"] > 0


def test_progress_shows_warnings_and_errors(staff_client, active_listener):
    job = ImportJob.objects.create(
        listener=active_listener,
        file_name="x.zip",
        status="failed",
        error="x.zip is cut off or damaged.",
        skipped={"missing_name": 925, "not_an_object": 1, "code_of_an_older_version": 2},
    )
    [shown] = staff_client.get(f"/imports/progress?ids={job.pk}").json()["jobs"]
    assert shown["errors"] == ["x.zip is cut off or damaged."]
    assert shown["warnings"] == [
        "925 rows had no track, episode or audiobook chapter name (Spotify leaves every name "
        "empty for some unavailable items) and were skipped.",
        "2 rows were skipped.",
        "1 row was not a JSON object and was skipped.",
    ]
    page = staff_client.get("/imports").content.decode()
    assert "925 rows had no track" in page
    assert "missing_name" not in page and "not_an_object" not in page
    assert shown["percent"] == 0


@pytest.mark.parametrize("ids", ["one,two", "1;2", ",".join(str(n) for n in range(101))])
def test_bad_progress_ids_are_a_400_with_the_expected_form(staff_client, ids):
    response = staff_client.get(f"/imports/progress?ids={ids}")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "ids must be a comma-separated list of at most 100 job ids."
    }


def test_a_failed_job_can_be_retried_from_its_kept_file(
    staff_client, active_listener, upload_dir, django_capture_on_commit_callbacks
):
    upload_dir.mkdir(parents=True)
    kept = upload_dir / "kept.zip"
    kept.write_bytes(b"PK")
    job = ImportJob.objects.create(
        listener=active_listener,
        file_name="kept.zip",
        stored_path=str(kept),
        status="failed",
        error="boom",
        finished_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/imports/{job.pk}/retry")
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.error) == ("queued", "")
    assert OrmQ.objects.count() == 1


def test_a_job_that_did_not_fail_is_not_retried_and_the_page_says_why(
    staff_client, active_listener
):
    job = ImportJob.objects.create(listener=active_listener, file_name="a.zip", status="succeeded")
    response = staff_client.post(f"/imports/{job.pk}/retry", follow=True)
    assert (
        "can&#x27;t be retried: only a failed import can be retried." in response.content.decode()
    )
    job.refresh_from_db()
    assert job.status == "succeeded"


def test_retrying_an_unknown_job_is_404(staff_client):
    assert staff_client.post("/imports/999/retry").status_code == 404


def test_the_list_shows_rate_and_counts_of_finished_jobs(staff_client, active_listener):
    start = timezone.now() - timedelta(seconds=10)
    ImportJob.objects.create(
        listener=active_listener,
        file_name="done.zip",
        status="succeeded",
        records_done=5000,
        records_total=5000,
        inserted=4000,
        duplicates=1000,
        started_at=start,
        finished_at=start + timedelta(seconds=10),
    )
    page = staff_client.get("/imports").content.decode()
    assert "5,000 / 5,000 records (100%)" in page
    assert "500/s" in page
    assert "4,000 / 1,000" in page


def test_a_running_job_never_shows_100_percent_before_it_has_finished(
    staff_client, active_listener
):
    # The total is an estimate while the import runs, and can be reached before the end.
    job = ImportJob.objects.create(
        listener=active_listener,
        file_name="big.zip",
        status="running",
        records_done=5000,
        records_total=5000,
        started_at=timezone.now() - timedelta(seconds=5),
    )
    [shown] = staff_client.get(f"/imports/progress?ids={job.pk}").json()["jobs"]
    assert (shown["percent"], shown["finished"]) == (99, False)
    assert 900 <= shown["rate"] <= 1000
