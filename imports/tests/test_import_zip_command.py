"""`manage.py import_zip`: imports in the foreground, creates import-only listeners, prints JSON."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Listener
from imports.tests.fixtures import extended_track_row, write_zip
from plays.models import Play

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]
AUDIO = "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json"


@pytest.fixture
def export(tmp_path):
    rows = [
        extended_track_row(
            ts=f"2024-03-0{day}T10:00:00Z", spotify_track_uri=f"spotify:track:{day:022d}"
        )
        for day in range(1, 6)
    ]
    return write_zip(
        tmp_path / "my_spotify_data.zip", {AUDIO: [*rows, extended_track_row(ts=None)]}
    )


def test_it_imports_for_an_existing_listener_and_reports(listener, export, capsys):
    call_command("import_zip", "alice", str(export))
    out = capsys.readouterr().out
    assert "Succeeded with warnings: 6 records (extended), 5 new plays, 0 already stored" in out
    assert "missing_timestamp: 1" in out
    assert Play.objects.filter(listener=listener).count() == 5


def test_create_makes_an_import_only_listener(export, db):
    call_command("import_zip", "newcomer", str(export), "--create", verbosity=0)
    listener = Listener.objects.get(spotify_user_id="newcomer")
    assert listener.status == Listener.Status.IMPORT_ONLY
    assert listener.plays.count() == 5


def test_an_unknown_listener_is_refused_without_create(export, db):
    with pytest.raises(
        CommandError, match="No listener with Spotify user id 'nobody'; add --create"
    ):
        call_command("import_zip", "nobody", str(export))
    assert not Listener.objects.exists()


def test_json_prints_one_summary_object(listener, export, capsys):
    call_command("import_zip", "alice", str(export), "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "succeeded_with_warnings"
    assert summary["format"] == "extended"
    assert (summary["records_total"], summary["inserted"], summary["duplicates"]) == (6, 5, 0)
    assert summary["skipped"] == {
        "total": 1,
        "reasons": {"missing_timestamp": 1},
        "sentences": [
            "1 row had no time of play (ts / endTime, listened_at, date or time) and was skipped."
        ],
    }
    assert summary["errors"] == []


def test_an_import_running_in_another_process_is_left_alone(listener, export):
    from django.utils import timezone

    from imports.jobs import job_for_file
    from imports.models import ImportJob

    job = job_for_file(listener, export)
    ImportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    with pytest.raises(CommandError, match=f"Import {job.pk} of this file is running in another"):
        call_command("import_zip", "alice", str(export))
    assert not Play.objects.exists()


def test_a_failed_import_says_why(listener, tmp_path):
    bad = tmp_path / "notes.zip"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(CommandError, match="neither a ZIP file nor a JSON file"):
        call_command("import_zip", "alice", str(bad))


def test_a_missing_file_says_so(listener, tmp_path):
    with pytest.raises(CommandError, match=r"Can.t read .*missing.zip: No such file"):
        call_command("import_zip", "alice", str(tmp_path / "missing.zip"))


@pytest.mark.django_db(transaction=True)
def test_json_failure_prints_the_error_and_exits_non_zero(tmp_path, subprocess_env):
    Listener.objects.create(spotify_user_id="alice")
    bad = tmp_path / "notes.zip"
    bad.write_bytes(b"not a zip at all")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_zip", "alice", str(bad), "--json"],
        cwd=REPO,
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["status"] == "failed"
    assert "neither a ZIP file nor a JSON file" in summary["errors"][0]
