"""`/me...`: a listener's own page after the Spotify login, and never anyone else's data."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_q.models import OrmQ

from accounts.models import Listener
from adminui.tests.conftest import add_plays
from imports.models import ImportJob
from imports.tests.fixtures import extended_track_row, write_zip
from mcp.tokens import active_tokens, issue_token
from plays.models import Play

pytestmark = pytest.mark.django_db

AUDIO = "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json"


@pytest.fixture
def neighbour(listener):
    """Another listener (alice) with plays, a token and an import of her own."""
    add_plays(listener, 5, start=timezone.now() - timedelta(days=3), artist="Alice Only Band")
    issue_token(listener, name="alice-laptop")
    ImportJob.objects.create(listener=listener, file_name="alice-export.zip")
    return listener


def test_the_connected_page_leads_to_my_page(listener_client):
    page = listener_client.get("/auth/connected").content.decode()
    assert 'href="/me"' in page


def test_my_page_shows_my_counts_and_charts_and_nothing_of_anyone_else(
    listener_client, active_listener, neighbour
):
    add_plays(active_listener, 3, start=timezone.now() - timedelta(days=2))
    response = listener_client.get("/me")
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["listener"] == active_listener
    assert response.context["status"]["plays"] == 3
    assert "Greta Lindqvist" in page
    for theirs in ("Alice Only Band", "alice-laptop", "alice-export.zip", "alice"):
        assert theirs not in page
    assert 'action="/me/logout"' in page
    assert "/listeners/" not in page and 'href="/jobs"' not in page  # no operator links


def test_an_export_i_upload_is_queued_for_me(
    listener_client, active_listener, neighbour, upload_dir, tmp_path
):
    path = write_zip(tmp_path / "mine.zip", {AUDIO: [extended_track_row()]})
    response = listener_client.post(
        "/me/import", {"file": SimpleUploadedFile("mine.zip", path.read_bytes())}
    )
    assert (response.status_code, response["Location"]) == (302, "/me#imports")
    job = ImportJob.objects.get(file_name="mine.zip")
    assert job.listener == active_listener
    # The form has no listener field: a listener id sent anyway is ignored.
    listener_client.post(
        "/me/import",
        {"file": SimpleUploadedFile("again.zip", path.read_bytes()), "listener": "alice"},
    )
    assert ImportJob.objects.get(file_name="again.zip").listener == active_listener


def test_a_wrong_file_is_refused_on_my_page_with_the_reason(
    listener_client, active_listener, upload_dir
):
    response = listener_client.post("/me/import", {"file": SimpleUploadedFile("notes.txt", b"hi")})
    assert response.status_code == 400
    assert "notes.txt is not a ZIP, JSON or CSV file" in response.content.decode()
    assert not ImportJob.objects.exists() and not OrmQ.objects.exists()


def test_an_upload_over_the_limit_is_refused_on_my_page(
    listener_client, active_listener, upload_dir, settings
):
    settings.IMPORT_MAX_ZIP_SIZE_MB = 1
    big = SimpleUploadedFile("big.zip", b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024))
    response = listener_client.post("/me/import", {"file": big})
    assert response.status_code == 413
    page = response.content.decode()
    assert "the most an import may be is 1 MB." in page
    assert "IMPORT_MAX_ZIP_SIZE_MB" not in page
    assert not ImportJob.objects.exists()


def test_a_refused_upload_brings_me_back_to_the_upload_card(listener_client, upload_dir):
    page = listener_client.get("/me").content.decode()
    assert 'action="/me/import#imports"' in page
    response = listener_client.post("/me/import", {"file": SimpleUploadedFile("a.txt", b"hi")})
    page = response.content.decode()
    card = page.index('id="imports"')
    assert card < page.index("a.txt is not a ZIP, JSON or CSV file") < page.index('id="id_file"')


def test_progress_reports_my_jobs_only(listener_client, active_listener, neighbour):
    mine = ImportJob.objects.create(listener=active_listener, file_name="mine.zip")
    theirs = ImportJob.objects.get(listener=neighbour)
    response = listener_client.get(f"/me/imports/progress?ids={mine.pk},{theirs.pk}")
    assert [job["id"] for job in response.json()["jobs"]] == [mine.pk]
    assert listener_client.get("/me/imports/progress?ids=x").status_code == 400


def test_i_create_a_token_see_it_once_with_client_configuration_and_revoke_it(
    listener_client, active_listener
):
    response = listener_client.post("/me/tokens", {"name": "Claude"})
    assert (response.status_code, response["Location"]) == (302, "/me/tokens/new")
    response = listener_client.get("/me/tokens/new")
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    page = response.content.decode()
    assert page.count(secret) >= 2  # the token itself, and inside the configurations
    assert 'id="client-configs"' in page
    [token] = active_tokens(active_listener)
    assert secret not in listener_client.get("/me").content.decode()
    page = listener_client.get("/me").content.decode()
    assert f'action="/me/tokens/{token.pk}/revoke"' in page
    assert "Revoke “Claude”</button>" in page and "<details" in page
    response = listener_client.post(f"/me/tokens/{token.pk}/revoke", follow=True)
    assert "Revoked the token Claude." in response.content.decode()
    assert not active_tokens(active_listener).exists()


def test_i_cannot_revoke_someone_elses_token(listener_client, neighbour):
    [theirs] = active_tokens(neighbour)
    assert listener_client.post(f"/me/tokens/{theirs.pk}/revoke").status_code == 404
    assert list(active_tokens(neighbour)) == [theirs]


def test_deleting_my_data_needs_my_user_id_and_then_removes_all_of_it(
    listener_client, active_listener, neighbour
):
    add_plays(active_listener, 3, start=timezone.now() - timedelta(days=2))
    wrong = listener_client.post("/me/delete", {"confirm": "alice"})
    assert wrong.status_code == 400
    assert Listener.objects.filter(pk=active_listener.pk).exists()

    response = listener_client.post("/me/delete", {"confirm": "carol"})
    assert response.status_code == 200
    assert "Your data is deleted" in response.content.decode()
    assert "3 plays" in response.content.decode()
    assert not Listener.objects.filter(spotify_user_id="carol").exists()
    assert not Play.objects.filter(listener_id=active_listener.pk).exists()
    assert Play.objects.filter(listener=neighbour).count() == 5
    assert listener_client.get("/me")["Location"] == "/auth/login"  # the session is over


def test_logging_out_ends_my_session_but_keeps_my_data(listener_client, active_listener):
    response = listener_client.post("/me/logout", follow=True)
    assert "Logged out" in response.content.decode()
    assert listener_client.get("/me")["Location"] == "/auth/login"
    assert Listener.objects.filter(pk=active_listener.pk).exists()


def test_i_set_my_own_time_zone(listener_client, active_listener, neighbour):
    response = listener_client.post("/me/time-zone", {"time_zone": "America/Chicago"}, follow=True)
    assert "Times are now shown in America/Chicago." in response.content.decode()
    assert Listener.objects.get(pk=active_listener.pk).time_zone == "America/Chicago"
    assert Listener.objects.get(pk=neighbour.pk).time_zone == "UTC"
    response = listener_client.post("/me/time-zone", {"time_zone": ""}, follow=True)
    assert "Type a time zone such as Europe/Paris." in response.content.decode()
    # Typed in any case, a zone is stored under its IANA name.
    listener_client.post("/me/time-zone", {"time_zone": " europe/lisbon "})
    assert Listener.objects.get(pk=active_listener.pk).time_zone == "Europe/Lisbon"
