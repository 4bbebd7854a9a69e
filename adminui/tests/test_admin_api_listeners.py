"""/admin/users[/{user_id}[/poll]]: list, show, change, poll and delete listeners."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from accounts.crypto import encrypt_token
from accounts.models import Listener, LogEntry
from imports.models import ImportJob
from plays import taste
from plays.models import (
    CreatedPlaylist,
    Item,
    Play,
    PreferenceEvent,
    SyncRun,
    TasteProfile,
)
from plays.tasks import poll_listener_now

pytestmark = pytest.mark.django_db

TOKEN = "the-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def admin_token(settings):
    settings.ADMIN_AUTH_MODE = "token"
    settings.ADMIN_TOKEN = TOKEN


@pytest.fixture
def connected():
    """An active listener with tokens (ciphertext) who can be polled."""
    return Listener.objects.create(
        spotify_user_id="carol",
        display_name="Carol",
        status=Listener.Status.ACTIVE,
        encrypted_refresh_token=encrypt_token("carol-refresh-token"),
        encrypted_access_token=encrypt_token("carol-access-token"),
        time_zone="Europe/Paris",
        needs_initial_sync=True,
        refresh_token_expires_at=NOON + timedelta(days=300),
    )


def add_plays(listener, *sources, start=NOON):
    for n, source in enumerate(sources):
        item, _ = Item.objects.get_or_create(key=f"spotify:track:{n}", defaults={"name": f"T{n}"})
        Play.objects.create(
            listener=listener, item=item, played_at=start + timedelta(minutes=n), source=source
        )


def add_run(listener, minutes_ago, **fields):
    return SyncRun.objects.create(
        listener=listener,
        kind=fields.pop("kind", SyncRun.Kind.POLL),
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        **fields,
    )


def add_job(listener, days_ago, **fields):
    return ImportJob.objects.create(
        listener=listener,
        file_name="my_spotify_data.zip",
        file_size=1234,
        created_at=timezone.now() - timedelta(days=days_ago),
        **fields,
    )


def when(text):
    return datetime.fromisoformat(text) if text else None


def patch(client, user_id, body):
    return client.patch(
        f"/admin/users/{user_id}", json.dumps(body), content_type="application/json", headers=AUTH
    )


# --- GET /admin/users ----------------------------------------------------------------------------


def test_the_list_shows_every_listener_with_their_plays_and_polling_state(
    client, listener, connected
):
    add_plays(connected, "api", "api", "extended", "account_data")
    connected.last_poll_at = NOON
    connected.save()
    response = client.get("/admin/users", headers=AUTH)
    assert response.status_code == 200
    alice, carol = response.json()
    assert alice["spotify_user_id"] == "alice"
    assert (alice["plays"], alice["first_play"], alice["last_play"]) == (0, None, None)
    assert alice["status"] == "import_only"
    assert alice["status_label"] == "Import only (never logged in)"
    assert carol["plays"] == 4
    assert carol["plays_by_source"] == {
        "api": 2,
        "extended": 1,
        "account_data": 1,
        "lastfm": 0,
        "listenbrainz": 0,
        "maloja": 0,
    }
    assert when(carol["first_play"]) == NOON
    assert when(carol["last_play"]) == NOON + timedelta(minutes=3)
    assert when(carol["last_poll_at"]) == NOON
    assert when(carol["refresh_token_expires_at"]) == NOON + timedelta(days=300)
    assert (carol["time_zone"], carol["needs_initial_sync"]) == ("Europe/Paris", True)
    assert set(carol) == {
        "spotify_user_id",
        "display_name",
        "status",
        "status_label",
        "status_reason",
        "time_zone",
        "plays",
        "plays_by_source",
        "first_play",
        "last_play",
        "last_poll_at",
        "next_poll_at",
        "rate_limited_until",
        "refresh_token_expires_at",
        "needs_initial_sync",
    }


def test_no_token_or_ciphertext_ever_appears(client, connected):
    for path in ["/admin/users", "/admin/users/carol"]:
        body = client.get(path, headers=AUTH).content.decode()
        assert "encrypted" not in body
        assert 'token"' not in body.replace("refresh_token_expires_at", "")
        assert connected.encrypted_refresh_token not in body
        assert connected.encrypted_access_token not in body
    patched = patch(client, "carol", {"paused": True}).content.decode()
    assert "encrypted" not in patched
    assert connected.encrypted_refresh_token not in patched


def test_the_listener_endpoints_need_credentials(client, listener):
    assert client.get("/admin/users").status_code == 401
    assert client.get("/admin/users/alice").status_code == 401
    assert (
        client.patch("/admin/users/alice", "{}", content_type="application/json").status_code == 401
    )
    assert client.post("/admin/users/alice/poll").status_code == 401
    assert client.delete("/admin/users/alice").status_code == 401
    assert Listener.objects.filter(spotify_user_id="alice").exists()


# --- GET /admin/users/{user_id} ------------------------------------------------------------------


def test_one_listener_comes_with_their_five_latest_runs_and_jobs(client, listener, connected):
    runs = [add_run(listener, minutes_ago=n, status="succeeded") for n in range(7)]
    add_run(connected, minutes_ago=0)
    jobs = [add_job(listener, days_ago=n, status="succeeded", inserted=n) for n in range(6)]
    add_plays(listener, "extended")
    response = client.get("/admin/users/alice", headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert (body["spotify_user_id"], body["plays"]) == ("alice", 1)
    assert [run["id"] for run in body["sync_runs"]] == [run.pk for run in runs[:5]]
    assert [job["id"] for job in body["import_jobs"]] == [job.pk for job in jobs[:5]]
    newest_run = body["sync_runs"][0]
    assert (newest_run["user_id"], newest_run["kind"], newest_run["status"]) == (
        "alice",
        "poll",
        "succeeded",
    )
    newest_job = body["import_jobs"][0]
    assert (newest_job["job_id"], newest_job["listener"], newest_job["file_size"]) == (
        jobs[0].pk,
        "alice",
        1234,
    )
    assert newest_job["skipped"] == {"total": 0, "reasons": {}, "sentences": []}


@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.get("/admin/users/bob", headers=AUTH),
        lambda client: patch(client, "bob", {"paused": True}),
        lambda client: client.post("/admin/users/bob/poll", headers=AUTH),
        lambda client: client.delete("/admin/users/bob", headers=AUTH),
    ],
    ids=["get", "patch", "poll", "delete"],
)
def test_an_unknown_listener_is_404(client, listener, call):
    response = call(client)
    assert response.status_code == 404
    assert response.json() == {"detail": "No listener with Spotify user id 'bob'."}


# --- PATCH /admin/users/{user_id} ----------------------------------------------------------------


def test_the_time_zone_can_be_changed(client, listener):
    response = patch(client, "alice", {"time_zone": "America/New_York"})
    assert response.status_code == 200
    assert response.json()["time_zone"] == "America/New_York"
    listener.refresh_from_db()
    assert listener.time_zone == "America/New_York"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../etc/passwd", "/etc/localtime"])
def test_an_unknown_time_zone_is_422_and_changes_nothing(client, listener, zone):
    response = patch(client, "alice", {"time_zone": zone})
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"][-1] == "time_zone"
    assert f"Unknown time zone '{zone}'" in problem["msg"]
    listener.refresh_from_db()
    assert listener.time_zone == "UTC"


def test_an_active_listener_can_be_paused_and_resumed(client, connected):
    response = patch(client, "carol", {"paused": True})
    assert response.status_code == 200
    assert response.json()["status"] == "paused"
    connected.refresh_from_db()
    assert connected.status == Listener.Status.PAUSED

    before = timezone.now()
    response = patch(client, "carol", {"paused": False})
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    connected.refresh_from_db()
    assert connected.status == Listener.Status.ACTIVE
    assert connected.next_poll_at >= before


@pytest.mark.parametrize(
    ("status", "paused", "detail"),
    [
        ("needs_reauth", True, "Listener 'alice' is needs_reauth, so it can't be paused."),
        ("import_only", True, "Listener 'alice' is import_only, so it can't be paused."),
        ("paused", True, "Listener 'alice' is paused, so it can't be paused."),
        ("active", False, "Listener 'alice' is active, so it can't be resumed."),
        ("needs_reauth", False, "Listener 'alice' is needs_reauth, so it can't be resumed."),
    ],
)
def test_only_an_active_listener_pauses_and_only_a_paused_one_resumes(
    client, listener, status, paused, detail
):
    listener.status = status
    listener.save()
    response = patch(client, "alice", {"paused": paused, "time_zone": "Asia/Tokyo"})
    assert response.status_code == 409
    assert response.json() == {"detail": detail}
    listener.refresh_from_db()
    assert (listener.status, listener.time_zone) == (status, "UTC")


def test_a_paused_value_that_is_not_a_boolean_is_422(client, connected):
    response = patch(client, "carol", {"paused": "perhaps"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "paused"


# --- POST /admin/users/{user_id}/poll ------------------------------------------------------------


def test_a_poll_now_is_queued_for_the_worker(client, connected):
    response = client.post("/admin/users/carol/poll", headers=AUTH)
    assert response.status_code == 202
    assert response.json() == {"queued": True}
    [queued] = [task.task for task in OrmQ.objects.all()]
    assert (queued["func"], queued["args"]) == (poll_listener_now, (connected.pk,))
    assert queued["name"] == f"poll-now-{connected.pk}"


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"status": "paused"}, "Listener 'carol' is paused, so it can't be polled."),
        ({"status": "needs_reauth"}, "Listener 'carol' is needs_reauth, so it can't be polled."),
        (
            {"encrypted_refresh_token": ""},
            "Listener 'carol' has no refresh token, so it can't be polled: they must log in again.",
        ),
    ],
)
def test_a_listener_who_cant_be_polled_is_409_and_nothing_is_queued(
    client, connected, fields, detail
):
    Listener.objects.filter(pk=connected.pk).update(**fields)
    response = client.post("/admin/users/carol/poll", headers=AUTH)
    assert response.status_code == 409
    assert response.json() == {"detail": detail}
    assert not OrmQ.objects.exists()


# --- DELETE /admin/users/{user_id} ---------------------------------------------------------------


def test_deleting_a_listener_removes_all_their_data_and_only_theirs(
    client, listener, connected, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    settings.IMPORT_UPLOAD_DIR.mkdir()
    theirs = settings.IMPORT_UPLOAD_DIR / "carol.zip"
    others = settings.IMPORT_UPLOAD_DIR / "alice.zip"
    outside = tmp_path / "outside.zip"
    for path in (theirs, others, outside):
        path.write_bytes(b"PK\x03\x04")
    add_plays(connected, "api", "extended", "account_data")
    add_plays(listener, "api", "extended")
    for n in range(2):
        add_run(connected, minutes_ago=n)
    add_run(listener, minutes_ago=0)
    add_job(connected, days_ago=0, stored_path=str(theirs))
    add_job(connected, days_ago=1, stored_path=str(outside))
    add_job(listener, days_ago=0, stored_path=str(others))
    LogEntry.objects.create(level="INFO", logger="t", event="e", message="m", listener=connected)
    LogEntry.objects.create(level="INFO", logger="t", event="e", message="m", listener=listener)
    for owner in (connected, listener):
        taste.update(owner, {"likes": ["jazz"]}, by="tests")
        taste.add_preference(owner, kind="dislike", text="live versions", by="tests")
        CreatedPlaylist.objects.create(listener=owner, spotify_id=f"pl-{owner.pk}", name="x")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete("/admin/users/carol", headers=AUTH)

    assert response.status_code == 200
    assert response.json() == {
        "deleted": {
            "plays": 3,
            "sync_runs": 2,
            "import_jobs": 2,
            "taste_profile": 1,
            "preference_events": 1,
            "playlists_recorded": 1,
        }
    }
    for model in (TasteProfile, PreferenceEvent, CreatedPlaylist):
        assert list(model.objects.values_list("listener", flat=True)) == [listener.pk]
    assert not Listener.objects.filter(spotify_user_id="carol").exists()
    assert Play.objects.filter(listener=listener).count() == Play.objects.count() == 2
    assert SyncRun.objects.filter(listener=listener).count() == SyncRun.objects.count() == 1
    assert ImportJob.objects.filter(listener=listener).count() == ImportJob.objects.count() == 1
    assert list(LogEntry.objects.filter(logger="t").values_list("listener", flat=True)) == [
        listener.pk
    ]
    assert not theirs.exists()
    assert others.exists()
    assert outside.exists()  # never a file outside IMPORT_UPLOAD_DIR
    assert client.get("/admin/users/carol", headers=AUTH).status_code == 404
