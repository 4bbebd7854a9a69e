"""`/imports` can create an import-only listener with their first upload: no shell needed.

The listener, the job and the stored file are kept together or not at all.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Listener
from imports.models import ImportJob
from imports.tests.fixtures import extended_track_row, write_zip

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("upload_dir")]

AUDIO = "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json"


@pytest.fixture
def export_zip(tmp_path):
    path = write_zip(tmp_path / "my_spotify_data.zip", {AUDIO: [extended_track_row()]})
    return SimpleUploadedFile("my_spotify_data.zip", path.read_bytes(), "application/zip")


def post(client, file, *, listener="", new_listener=""):
    return client.post(
        "/imports", {"listener": listener, "new_listener": new_listener, "file": file}
    )


def test_an_upload_for_a_new_listener_creates_them_import_only_with_the_job(
    staff_client, export_zip
):
    response = post(staff_client, export_zip, new_listener="grandma.k")
    assert (response.status_code, response["Location"]) == (302, "/imports")
    listener = Listener.objects.get(spotify_user_id="grandma.k")
    assert listener.status == Listener.Status.IMPORT_ONLY
    assert not listener.encrypted_refresh_token
    assert ImportJob.objects.get().listener == listener


def test_a_refused_upload_for_a_new_listener_leaves_no_listener(staff_client):
    response = post(
        staff_client, SimpleUploadedFile("my_spotify_data.zip", b"no zip"), new_listener="newbie"
    )
    assert response.status_code == 400
    assert "neither a ZIP file nor a JSON file" in response.content.decode()
    assert not Listener.objects.filter(spotify_user_id="newbie").exists()
    assert not ImportJob.objects.exists()


def test_naming_an_existing_listener_as_new_points_to_the_list(
    staff_client, active_listener, export_zip
):
    response = post(staff_client, export_zip, new_listener="carol")
    assert response.status_code == 400
    assert "carol exists already: pick them in the list" in response.content.decode()
    assert Listener.objects.filter(spotify_user_id="carol").count() == 1
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("listener", "new_listener", "message"),
    [
        ("", "", "Pick a listener, or give the Spotify user id of a new import-only listener."),
        ("carol", "someone", "Pick a listener or name a new one, not both."),
        ("", "bad id!", "letters or digits, and otherwise only dots, dashes"),
        ("", "..", "letters or digits, and otherwise only dots, dashes"),
    ],
)
def test_a_form_naming_no_one_both_or_a_bad_id_says_so_and_saves_nothing(
    staff_client, active_listener, export_zip, listener, new_listener, message
):
    response = post(staff_client, export_zip, listener=listener, new_listener=new_listener)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(Listener.objects.values_list("spotify_user_id", flat=True)) == ["carol"]
    assert not ImportJob.objects.exists()


def test_an_unexpected_error_while_checking_an_upload_leaves_no_file_behind(
    staff_client, active_listener, export_zip, upload_dir, monkeypatch
):
    def breaks(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("adminui.import_upload.open_export", breaks)
    staff_client.raise_request_exception = False
    response = post(staff_client, export_zip, listener="carol")
    assert response.status_code == 500
    assert not ImportJob.objects.exists()
    assert list(upload_dir.glob("*")) == []


def test_a_deeply_nested_json_upload_is_refused_as_invalid_json(staff_client, upload_dir):
    nested = SimpleUploadedFile("history.json", b"[" * 100_000, "application/json")
    response = post(staff_client, nested, new_listener="deep")
    assert response.status_code == 400
    assert "history.json is not valid JSON" in response.content.decode()
    assert not Listener.objects.filter(spotify_user_id="deep").exists()
    assert list(upload_dir.glob("*")) == []
