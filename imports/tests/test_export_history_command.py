"""`manage.py export_history`: a listener's plays to a file or stdout, with a bar on a terminal."""

import csv
import io
import json
import os
import pty
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Listener
from plays.ingest import ingest_plays
from plays.records import PlayRecord

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]
T = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def store_plays(listener, count=30):
    ingest_plays(
        listener,
        [
            PlayRecord(
                played_at=T + timedelta(days=n),
                source="extended",
                kind="track",
                item_name=f"Söng {n}",
                item_uri=f"spotify:track:{n:022d}",
                artist_names=("Greta Lindqvist",),
                ms_played=200_000,
            )
            for n in range(count)
        ],
    )


def test_it_writes_each_format_to_a_file(listener, tmp_path, capsys):
    store_plays(listener)
    for format in ("json", "csv", "listenbrainz"):
        out = tmp_path / f"alice.{format}"
        call_command("export_history", "alice", "--format", format, "--output", str(out))
        assert f"Exported 30 plays of alice to {out} ({format})." in capsys.readouterr().err
        text = out.read_text(encoding="utf-8-sig")
        lines = text.splitlines()
        if format == "csv":
            assert len(list(csv.reader(io.StringIO(text)))) == 31
        else:
            assert len(lines) == 30 + (format == "json")
            assert all(json.loads(line) for line in lines)
    assert not list(tmp_path.glob("*.partial"))


def test_start_and_end_limit_the_days_exported(listener, capsys):
    store_plays(listener)
    stdout = io.StringIO()
    call_command(
        "export_history", "alice", "--start", "2024-05-03", "--end", "2024-05-05", stdout=stdout
    )
    plays = [json.loads(line) for line in stdout.getvalue().splitlines()[1:]]
    assert [p["played_at"] for p in plays] == [
        "2024-05-03T12:00:00Z",
        "2024-05-04T12:00:00Z",
        "2024-05-05T12:00:00Z",
    ]


def test_bad_arguments_are_refused_with_a_sentence(listener, tmp_path):
    with pytest.raises(CommandError, match="No listener with Spotify user id 'nobody'"):
        call_command("export_history", "nobody")
    with pytest.raises(CommandError, match="'start' is not a date"):
        call_command("export_history", "alice", "--start", "last tuesday")
    with pytest.raises(CommandError, match="Can't write"):
        call_command("export_history", "alice", "--output", str(tmp_path / "no" / "such" / "x"))


@pytest.mark.django_db(transaction=True)
def test_on_a_terminal_it_shows_a_progress_bar_and_stdout_gets_only_the_export(subprocess_env):
    alice = Listener.objects.create(spotify_user_id="alice")
    store_plays(alice, 50)
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", "export_history", "alice", "--format", "listenbrainz"],
            cwd=REPO,
            env=subprocess_env,
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=120,
        )
        os.close(follower)
        follower = None
        terminal = b""
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            terminal += data
    finally:
        if follower is not None:
            os.close(follower)
        os.close(leader)
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 50
    assert json.loads(result.stdout.splitlines()[0])["track_metadata"]["track_name"] == "Söng 0"
    screen = terminal.decode()
    assert "50/50" in screen and "plays" in screen  # tqdm's bar
    assert "Exported 50 plays of alice to stdout (listenbrainz)." in screen


def test_a_json_export_carries_the_taste_profile_after_the_header(listener, tmp_path):
    from plays import taste

    store_plays(listener, count=2)
    out = tmp_path / "alice.json"
    call_command("export_history", "alice", "--format", "json", "--output", str(out))
    assert [json.loads(line)["type"] for line in out.read_text().splitlines()] == [
        "header",
        "play",
        "play",
    ]
    taste.update(listener, {"avoid": ["live versions"]}, by="Claude")
    taste.add_preference(listener, kind="dislike", text="no live versions", by="Claude")
    call_command("export_history", "alice", "--format", "json", "--output", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["type"] for line in lines] == [
        "header",
        "taste_profile",
        "preference_event",
        "play",
        "play",
    ]
    assert lines[1]["profile"] == {"avoid": ["live versions"]}
    assert lines[1]["events_total"] == 1
    assert (lines[2]["kind"], lines[2]["text"]) == ("dislike", "no live versions")
