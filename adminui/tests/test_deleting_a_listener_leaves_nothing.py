"""Deleting a listener, whichever way (operator page, admin API, Django admin, their own "delete
all my data"), removes every row and file of theirs (issue #16, point 3): their private catalogue
items and the shared rows only they needed included, never a row another listener still uses.

Every table of the project's apps is read (from the app registry, so a new table is covered
without touching this test) for the deleted listener's id and for text only they gave.
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.admin.models import CHANGE
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from accounts.crypto import encrypt_token
from accounts.logs import log_event
from accounts.models import Listener
from adminui.tests.conftest import log_in_as_listener
from imports.jobs import fail_job, queue_import, run_import_job
from imports.models import ImportJob
from imports.tests.fixtures import (
    extended_episode_row,
    extended_track_row,
    json_bytes,
    music_row,
    write_zip,
)
from mcp import ratelimit, tokens
from plays.ingest import PlayIngestor, ingest_plays
from plays.models import Item, Play, SyncRun
from plays.records import PlayRecord
from plays.rollups import ensure_fresh

pytestmark = pytest.mark.django_db

ADMIN_TOKEN = "the-admin-token-0123456789"
X = "spotify:track:0DiWol3AO6WpXZgp0goxAV"
COMMON = "spotify:track:1pKYYY0dkg23sQQXi0Q5zN"
ONLY_HERS = "spotify:track:2AbCdEfGhIjKlMnOpQrStU"
START = datetime(2023, 3, 1, 12, tzinfo=UTC)
# Text only the deleted listener gave: none of it may be left anywhere.
HERS = (
    "dora-deleted",
    "Dora Deleted",
    "Dora only song",
    "Dora Artist",
    "Dora Album",
    "Dora Show",
    "Dora episode",
    "Dora planted name",
    "Dora local song",
    "Dora failed song",
    "dora-export",
    "dora-queued",
    "dora-failed",
    "Dora assistant",
)


def project_models():
    """Every model of this repository's apps (not Django's or a dependency's), and the Django
    admin's change log, which names the objects changed through it."""
    base = Path(django_settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and ".venv" not in path.parts:
            yield from config.get_models()
    yield AdminLogEntry


def traces_of(listener_id):
    """(table, column, value) of every value anywhere that is the listener's or their text."""
    found = []
    exact = {ratelimit.key_for_listener(listener_id)}
    for model in project_models():
        table = model._meta.db_table
        fields = model._meta.concrete_fields
        ids = [
            f
            for f in fields
            if (f.is_relation and f.related_model is Listener)
            or (model is Listener and f.primary_key)
            or (f.attname == "listener_id" and not f.is_relation)
        ]
        texts = [
            f
            for f in fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model.objects.values(*(f.attname for f in ids + texts)):
            for field in ids:
                if row[field.attname] == listener_id:
                    found.append((table, field.attname, listener_id))
            for field in texts:
                value = row[field.attname]
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if text in exact or any(mark.lower() in text.lower() for mark in HERS):
                    found.append((table, field.attname, text))
    return found


def track(
    played_at, source="extended", uri=X, name="One More Time", artist="Daft Punk", album="Discovery"
):
    return PlayRecord(
        played_at=played_at,
        source=source,
        kind="track",
        item_name=name,
        item_uri=uri,
        artist_names=(artist,),
        album_name=album,
        ms_played=None if source == "api" else 200_000,
    )


def ts(n):
    return (START + timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def her_export(tmp_path):
    """Her extended history (a track only she plays, a planted name for a track Bob's poll
    named, a track Bob's upload names the same, a podcast episode) and her account data."""
    rows = [
        extended_track_row(
            ts=ts(0),
            master_metadata_track_name="Dora only song",
            master_metadata_album_artist_name="Dora Artist",
            master_metadata_album_album_name="Dora Album",
            spotify_track_uri=ONLY_HERS,
        ),
        extended_track_row(
            ts=ts(1),
            master_metadata_track_name="Dora planted name",
            master_metadata_album_artist_name="Dora Artist",
            master_metadata_album_album_name="Dora Album",
            spotify_track_uri=X,
        ),
        extended_track_row(
            ts=ts(2),
            master_metadata_track_name="Common Song",
            master_metadata_album_artist_name="Common Artist",
            master_metadata_album_album_name="Common Album",
            spotify_track_uri=COMMON,
        ),
        extended_episode_row(
            ts=ts(3),
            episode_name="Dora episode",
            episode_show_name="Dora Show",
            spotify_episode_uri="spotify:episode:3DoraEpisodeIdxxxxxxxxx",
        ),
    ]
    music = [
        music_row(endTime="2023-04-01 10:00", artistName="Dora Artist", trackName="Dora local song")
    ]
    return write_zip(
        tmp_path / "dora-export.zip",
        {
            "Spotify Extended Streaming History/Streaming_History_Audio_2023.json": json_bytes(
                rows
            ),
            "Spotify Account Data/StreamingHistory_music_0.json": json_bytes(music),
        },
    )


def upload(listener, path, name):
    return queue_import(listener, SimpleUploadedFile(name, Path(path).read_bytes()))


@pytest.fixture
def world(tmp_path, settings, django_capture_on_commit_callbacks):
    """Dora with every kind of row and file a listener can have, and Bob, who shares some."""
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    settings.ADMIN_AUTH_MODE = "token"
    settings.ADMIN_TOKEN = ADMIN_TOKEN
    bob = Listener.objects.create(spotify_user_id="bob")
    dora = Listener.objects.create(
        spotify_user_id="dora-deleted",
        display_name="Dora Deleted",
        status=Listener.Status.ACTIVE,
        encrypted_refresh_token=encrypt_token("dora-refresh-token"),
    )
    ingest_plays(bob, [track(START - timedelta(days=9), source="api")])  # the API names X
    export = her_export(tmp_path)
    with django_capture_on_commit_callbacks(execute=False):
        done = run_import_job(upload(dora, export, "dora-export.zip").pk)
        upload(dora, export, "dora-queued.zip")
        failed = upload(dora, export, "dora-failed.zip")
    assert (done.status, done.inserted) == ("succeeded", 5)
    # Bob's upload names the track her upload named the same way: they share it.
    ingest_plays(
        bob,
        [
            track(
                START - timedelta(days=8),
                uri=COMMON,
                name="Common Song",
                artist="Common Artist",
                album="Common Album",
            )
        ],
    )
    # An import that stored a batch and then failed: its plays are taken back, its names stay.
    ImportJob.objects.filter(pk=failed.pk).update(status="running", worker="w")
    PlayIngestor(dora, import_job_id=failed.pk).ingest(
        [
            track(
                START + timedelta(days=30),
                uri="spotify:track:4FailedSongIdxxxxxxxxx",
                name="Dora failed song",
                artist="Dora Artist",
            )
        ]
    )
    fail_job(ImportJob.objects.get(pk=failed.pk), "w", "dora-failed.zip broke")
    SyncRun.objects.create(listener=dora, kind="poll", started_at=START)
    log_event(
        __import__("logging").getLogger("t"), "t.event", "Dora Deleted did a thing", listener=dora
    )
    tokens.issue_token(dora, name="Dora assistant")
    ratelimit.hit(ratelimit.key_for_listener(dora.pk))
    ensure_fresh(dora)
    # The operator changed her and one of her import jobs in the Django admin earlier (and Bob,
    # whose entry stays): its log names them.
    auditor = get_user_model().objects.create_superuser("auditor", password="auditor-pass-123")
    AdminLogEntry.objects.log_actions(
        auditor.pk, [dora, done, bob], CHANGE, change_message="Changed time zone."
    )
    files = [
        Path(job.stored_path) for job in ImportJob.objects.filter(listener=dora) if job.stored_path
    ]
    assert len(files) == 2 and all(path.exists() for path in files)
    # What the deletion must sort out: her private item, rows only she named (one with no plays
    # left, from the failed import), a row she named that Bob's plays use.
    assert Item.objects.filter(private_to=dora, spotify_id=X.split(":")[-1]).exists()
    assert Item.objects.filter(private_to=dora, spotify_id="").exists()
    assert not Play.objects.filter(item__name="Dora failed song").exists()
    assert Item.objects.filter(name="Dora failed song", named_by=dora).exists()
    assert Item.objects.get(key=COMMON).named_by == dora
    assert Play.objects.filter(listener=bob, item__key=COMMON).exists()
    assert traces_of(dora.pk), "the scan finds her before the deletion"
    bobs = sorted(
        Play.objects.filter(listener=bob).values_list(
            "played_at", "item__name", "item__album__name"
        )
    )
    return {"dora": dora, "bob": bob, "files": files, "bobs": bobs}


def by_operator_page(client, dora):
    client.force_login(
        get_user_model().objects.create_user("op", password="op-pass-1234", is_staff=True)
    )
    return client.post("/listeners/dora-deleted/delete", {"confirm": "dora-deleted"})


def by_admin_api(client, dora):
    return client.delete(
        "/admin/users/dora-deleted", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )


def by_django_admin(client, dora):
    client.force_login(get_user_model().objects.create_superuser("root", password="root-pass-123"))
    return client.post(f"/admin/db/accounts/listener/{dora.pk}/delete/", {"post": "yes"})


def by_herself(client, dora):
    log_in_as_listener(client, dora)
    return client.post("/me/delete", {"confirm": "dora-deleted"})


@pytest.mark.parametrize("delete", [by_operator_page, by_admin_api, by_django_admin, by_herself])
def test_deleting_a_listener_leaves_no_row_or_file_of_theirs(
    client, world, delete, django_capture_on_commit_callbacks
):
    dora, bob = world["dora"], world["bob"]
    with django_capture_on_commit_callbacks(execute=True):
        response = delete(client, dora)
    assert response.status_code in (200, 302), response.content[:500]
    assert not Listener.objects.filter(pk=dora.pk).exists()
    assert traces_of(dora.pk) == []
    assert not any(path.exists() for path in world["files"])
    assert list(AdminLogEntry.objects.filter(object_repr="bob").values_list("action_flag")) == [
        (CHANGE,)
    ]
    # Bob keeps everything, the shared rows he uses included (no longer attributed to her).
    bobs = sorted(
        Play.objects.filter(listener=bob).values_list(
            "played_at", "item__name", "item__album__name"
        )
    )
    assert bobs == world["bobs"]
    common = Item.objects.get(key=COMMON)
    assert (common.name, common.named_by) == ("Common Song", None)
    assert Item.objects.get(key=X).name == "One More Time"


def test_the_scan_covers_every_table_of_the_project():
    tables = {model._meta.label for model in project_models()}
    assert {
        "accounts.Listener",
        "accounts.LogEntry",
        "plays.Item",
        "plays.Artist",
        "plays.Album",
        "plays.Show",
        "plays.Play",
        "plays.ItemMonth",
        "plays.RollupDirty",
        "imports.ImportJob",
        "mcp.McpToken",
        "mcp.McpRateCounter",
        "admin.LogEntry",
    } <= tables
