"""Exports over HTTP: the admin API's GET /admin/users/{user_id}/export and the listener's
download on /me, streamed, gzip-compressed when the client accepts it, each listener's own only."""

import csv
import gzip
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.http import StreamingHttpResponse

from accounts.models import Listener
from adminui.tests.conftest import add_plays

pytestmark = pytest.mark.django_db

TOKEN = "the-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def admin_token(settings):
    settings.ADMIN_AUTH_MODE = "token"
    settings.ADMIN_TOKEN = TOKEN


@pytest.fixture
def carols_plays(active_listener):
    add_plays(active_listener, 40, start=START, artist="Carol's Band")
    return active_listener


@pytest.fixture
def neighbour(db):
    alice = Listener.objects.create(spotify_user_id="alice")
    add_plays(alice, 7, start=START, artist="Alice Only Band")
    return alice


def body(response):
    assert isinstance(response, StreamingHttpResponse)
    data = b"".join(response.streaming_content)
    if response.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return data


# --- admin API -----------------------------------------------------------------------------------


def test_the_admin_api_streams_a_listeners_plays_in_each_format(client, carols_plays, neighbour):
    for format, content_type in [
        ("json", "application/x-ndjson; charset=utf-8"),
        ("csv", "text/csv; charset=utf-8"),
        ("listenbrainz", "application/x-ndjson; charset=utf-8"),
    ]:
        response = client.get(f"/admin/users/carol/export?format={format}", headers=AUTH)
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith(
            'attachment; filename="spotify-history-carol-'
        )
        data = body(response).decode("utf-8-sig")
        assert "Carol's Band" in data and "Alice Only Band" not in data
        rows = (
            list(csv.reader(io.StringIO(data)))[1:]
            if format == "csv"
            else [json.loads(line) for line in data.splitlines()]
        )
        assert len(rows) == 40 + (format == "json")


def test_the_admin_api_compresses_with_gzip_only_when_the_client_accepts_it(client, carols_plays):
    url = "/admin/users/carol/export?format=csv"
    plain = client.get(url, headers=AUTH)
    zipped = client.get(url, headers={**AUTH, "Accept-Encoding": "gzip, deflate"})
    assert plain.get("Content-Encoding") is None
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    compressed = b"".join(zipped.streaming_content)
    assert gzip.decompress(compressed) == b"".join(plain.streaming_content)
    assert len(compressed) < len(gzip.decompress(compressed)) / 4


def test_the_admin_api_export_takes_a_window(client, carols_plays):
    response = client.get(
        "/admin/users/carol/export?start=2024-05-01T20:00:00&end=2024-05-01", headers=AUTH
    )
    plays = [json.loads(line) for line in body(response).splitlines()[1:]]
    assert [p["played_at"] for p in plays] == [
        f"2024-05-01T{hour}:00:00Z" for hour in range(20, 24)
    ]


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ("format=xml", 400, "Unknown export format 'xml': use json, csv, listenbrainz"),
        ("start=soon", 400, "'start' is not a date"),
        ("start=2024-06-01&end=2024-05-01", 400, "The window's 'start' must come before"),
    ],
)
def test_the_admin_api_refuses_what_it_cannot_export_with_a_sentence(
    client, carols_plays, query, status, detail
):
    response = client.get(f"/admin/users/carol/export?{query}", headers=AUTH)
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)


def test_the_admin_api_export_needs_the_token_and_a_listener(client, carols_plays):
    assert client.get("/admin/users/carol/export").status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert client.get("/admin/users/carol/export", headers=wrong).status_code == 401
    missing = client.get("/admin/users/nobody/export", headers=AUTH)
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "No listener with Spotify user id 'nobody'."},
    )


def test_the_export_is_in_the_admin_apis_openapi_document(client):
    paths = client.get("/admin/openapi.json").json()["paths"]
    parameters = {p["name"] for p in paths["/admin/users/{user_id}/export"]["get"]["parameters"]}
    assert parameters == {"user_id", "format", "start", "end"}


# --- the listener's page -----------------------------------------------------------------------


def test_my_page_offers_the_download_in_each_format(listener_client):
    page = listener_client.get("/me").content.decode()
    assert 'action="/me/export"' in page
    for format in ("json", "csv", "listenbrainz"):
        assert f'<option value="{format}">' in page


def test_i_download_my_own_plays_and_nobody_elses(listener_client, carols_plays, neighbour):
    response = listener_client.get(
        "/me/export?format=listenbrainz&start=&end=", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    listens = [json.loads(line) for line in body(response).splitlines()]
    assert len(listens) == 40
    assert {listen["track_metadata"]["artist_name"] for listen in listens} == {"Carol's Band"}


def test_the_page_export_names_no_listener_so_none_other_can_be_asked_for(
    listener_client, carols_plays, neighbour
):
    response = listener_client.get("/me/export?format=json&user_id=alice&listener=alice")
    header = json.loads(body(response).splitlines()[0])
    assert header["listener"] == "carol"


def test_a_bad_date_on_my_page_is_refused_with_a_sentence(listener_client, carols_plays):
    response = listener_client.get("/me/export?format=csv&start=2024-13-45")
    assert response.status_code == 400
    assert "is not a date" in response.content.decode()


def test_without_a_listener_session_the_download_leads_to_the_login(client, carols_plays):
    response = client.get("/me/export?format=json")
    assert (response.status_code, response["Location"]) == (302, "/auth/login")


def test_an_operator_login_is_not_a_listener_session(staff_client, carols_plays):
    response = staff_client.get("/me/export")
    assert response.status_code == 302
    assert response["Location"] == "/auth/login"


def test_a_long_export_streams_without_holding_every_play(client, active_listener):
    add_plays(active_listener, 3000, start=START, every=timedelta(minutes=3))
    response = client.get("/admin/users/carol/export?format=json", headers=AUTH)
    blocks = list(response.streaming_content)
    assert len(blocks) > 5  # sent as it was made, a block at a time
    assert sum(block.count(b"\n") for block in blocks) == 3001


# --- other services' files through the upload endpoints ----------------------------------------


def test_a_listener_uploads_last_fm_scrobbles_on_their_page(listener_client, upload_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.models import ImportJob
    from imports.tests.other_services import csv_bytes, lastfm_csv_rows

    upload = SimpleUploadedFile("scrobbles.csv", csv_bytes(lastfm_csv_rows()))
    response = listener_client.post("/me/import", {"file": upload})
    assert (response.status_code, response["Location"]) == (302, "/me#imports")
    assert ImportJob.objects.get().file_name == "scrobbles.csv"


def test_a_csv_with_other_columns_is_refused_on_the_page_at_once(listener_client, upload_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.models import ImportJob

    upload = SimpleUploadedFile("scrobbles.csv", b"uts,artist,track\n1,a,b\n")
    response = listener_client.post("/me/import", {"file": upload})
    assert response.status_code == 400
    assert "Line 1 of scrobbles.csv has 3 columns" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not any(upload_dir.iterdir()) if upload_dir.exists() else True


def test_the_admin_api_queues_a_maloja_export(client, active_listener, upload_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.jobs import run_import_job
    from imports.tests.other_services import SCROBBLES, maloja_export

    upload = SimpleUploadedFile("maloja_export_2023.json", maloja_export())
    response = client.post("/admin/users/carol/import", {"file": upload}, headers=AUTH)
    assert response.status_code == 202
    job = run_import_job(response.json()["job_id"])
    assert (job.status, job.format, job.inserted) == ("succeeded", "maloja", len(SCROBBLES) - 1)
