"""POST /admin/users/{user_id}/import stores an export and queues its import, up to a size limit."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django_q.models import OrmQ

from accounts.models import Listener
from imports.models import ImportJob

pytestmark = pytest.mark.django_db

TOKEN = "the-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MEGABYTE = 1024 * 1024


@pytest.fixture(autouse=True)
def admin_token(settings):
    settings.ADMIN_AUTH_MODE = "token"
    settings.ADMIN_TOKEN = TOKEN


def stored_files(upload_dir):
    return sorted(upload_dir.iterdir()) if upload_dir.exists() else []


def upload(client, data, *, name="my_spotify_data.zip", user_id="alice", headers=AUTH):
    file = SimpleUploadedFile(name, data, content_type="application/zip")
    return client.post(f"/admin/users/{user_id}/import", {"file": file}, headers=headers)


class RecordingInput:
    """A wsgi.input that counts reads: a refused upload must never be read at all."""

    def __init__(self, data):
        self.data = io.BytesIO(data)
        self.reads = 0

    def read(self, size=-1):
        self.reads += 1
        return self.data.read(size)

    def readline(self, size=-1):
        self.reads += 1
        return self.data.readline(size)


def post_declaring(client, content_length, *, headers=AUTH):
    """Posts a tiny multipart body whose Content-Length claims `content_length` bytes."""
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("huge.zip", b"PK\x03\x04")})
    wsgi_input = RecordingInput(body)
    response = client.generic(
        "POST",
        "/admin/users/alice/import",
        headers=headers,
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(content_length),
        **{"wsgi.input": wsgi_input},
    )
    return response, wsgi_input


def test_an_upload_is_stored_and_its_import_queued(
    client, listener, upload_dir, django_capture_on_commit_callbacks
):
    # Over FILE_UPLOAD_MAX_MEMORY_SIZE, so Django spools it to a temporary file on the way.
    data = os.urandom(3 * MEGABYTE + 17)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, data)
    assert response.status_code == 202
    job = ImportJob.objects.get()
    assert response.json() == {
        "job_id": job.pk,
        "status": "queued",
        "file_name": "my_spotify_data.zip",
        "file_size": len(data),
        "status_url": f"/admin/import-jobs/{job.pk}",
    }
    assert job.listener == listener
    [queued] = [task.task for task in OrmQ.objects.all()]  # the worker's queue
    assert (queued["func"], queued["args"]) == ("imports.tasks.run_import", (job.pk,))
    [stored] = stored_files(upload_dir)
    assert stored.read_bytes() == data


def test_an_unknown_listener_is_404_and_nothing_is_stored_or_created(client, listener, upload_dir):
    response = upload(client, b"PK\x03\x04", user_id="bob")
    assert response.status_code == 404
    assert response.json() == {"detail": "No listener with Spotify user id 'bob'."}
    assert list(Listener.objects.values_list("spotify_user_id", flat=True)) == ["alice"]
    assert not ImportJob.objects.exists()
    assert stored_files(upload_dir) == []


def test_a_declared_size_over_the_limit_is_refused_before_the_body_is_read(
    client, listener, upload_dir, settings
):
    settings.IMPORT_MAX_ZIP_SIZE_MB = 500
    response, wsgi_input = post_declaring(client, 2048 * MEGABYTE)
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The upload is 2048 MB; the most an import may be is 500 MB. Upload a smaller "
        "file: the JSON files inside Spotify's ZIP can be uploaded one at a time. The limit is "
        "set by IMPORT_MAX_ZIP_SIZE_MB."
    }
    assert wsgi_input.reads == 0
    assert not ImportJob.objects.exists()
    assert stored_files(upload_dir) == []


def test_the_size_in_the_refusal_is_rounded_up(client, listener, upload_dir, settings):
    settings.IMPORT_MAX_ZIP_SIZE_MB = 1
    response, _ = post_declaring(client, 2 * MEGABYTE + 1)
    assert response.json()["detail"].startswith("The upload is 2.1 MB;")


def test_an_unauthenticated_upload_is_refused_without_reading_it(client, listener, upload_dir):
    response, wsgi_input = post_declaring(client, 2048 * MEGABYTE, headers={})
    assert response.status_code == 401
    assert wsgi_input.reads == 0
    assert stored_files(upload_dir) == []


def test_a_chunked_upload_is_asked_for_a_content_length_without_being_read(
    client, listener, upload_dir
):
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("export.zip", b"PK\x03\x04")})
    wsgi_input = RecordingInput(body)
    response = client.generic(
        "POST",
        "/admin/users/alice/import",
        headers={**AUTH, "Transfer-Encoding": "chunked"},
        CONTENT_TYPE=MULTIPART_CONTENT,
        **{"wsgi.input": wsgi_input},
    )
    assert response.status_code == 411
    assert "no Content-Length" in response.json()["detail"]
    assert wsgi_input.reads == 0
    assert stored_files(upload_dir) == []


def test_a_file_over_the_limit_is_stopped_while_it_streams(client, listener, upload_dir, settings):
    # The body is within the limit plus the form's envelope, so only counting the file's own
    # bytes catches it: the same check that caps a body whose length was not declared.
    settings.IMPORT_MAX_ZIP_SIZE_MB = 1
    response = upload(client, os.urandom(MEGABYTE + 1))
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The upload is more than 1 MB; the most an import may be is 1 MB. Upload a "
        "smaller file: the JSON files inside Spotify's ZIP can be uploaded one at a time. The "
        "limit is set by IMPORT_MAX_ZIP_SIZE_MB."
    }
    assert not ImportJob.objects.exists()
    assert stored_files(upload_dir) == []


def test_a_file_of_exactly_the_limit_is_accepted(client, listener, upload_dir, settings):
    settings.IMPORT_MAX_ZIP_SIZE_MB = 1
    data = os.urandom(MEGABYTE)
    response = upload(client, data)
    assert response.status_code == 202
    assert response.json()["file_size"] == MEGABYTE
    [stored] = stored_files(upload_dir)
    assert stored.read_bytes() == data


def test_a_request_without_the_file_field_says_which_field_is_missing(client, listener, upload_dir):
    wrong_field = SimpleUploadedFile("my_spotify_data.zip", b"PK\x03\x04")
    for response in [
        client.post("/admin/users/alice/import", {"upload": wrong_field}, headers=AUTH),
        client.post("/admin/users/alice/import", headers=AUTH),
    ]:
        assert response.status_code == 422
        [problem] = response.json()["detail"]
        assert problem["loc"][-1] == "file"
        assert problem["msg"] == "Field required"
    assert not ImportJob.objects.exists()
    assert stored_files(upload_dir) == []
