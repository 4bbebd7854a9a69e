"""Import jobs store every format with exact counts, once, and take back everything on failure."""

import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from accounts.models import Listener
from benchmarks.synthetic import build_synthetic_export
from imports.jobs import job_for_file, queue_import, resume_stale_imports, retry, run_import_job
from imports.models import ImportJob
from imports.tests.fixtures import (
    IP_ADDRESS,
    OLD_IP_ADDRESS,
    USER_AGENT,
    endsong_row,
    extended_episode_row,
    extended_track_row,
    json_bytes,
    music_row,
    podcast_row,
    write_zip,
)
from plays.ingest import ingest_plays
from plays.models import Item, Play
from plays.records import PlayRecord

pytestmark = pytest.mark.django_db

AUDIO = "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json"
AUDIO_2 = "Spotify Extended Streaming History/Streaming_History_Audio_2024_1.json"


def track_rows(count, start=datetime(2024, 3, 1, 12, 0, 17, tzinfo=UTC), **overrides):
    return [
        extended_track_row(
            ts=(start + timedelta(minutes=5 * n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            spotify_track_uri=f"spotify:track:{n % 7:022d}",
            master_metadata_track_name=f"Song {n % 7}",
            **overrides,
        )
        for n in range(count)
    ]


def import_file(listener, path):
    return run_import_job(job_for_file(listener, path).pk)


def play_rows(listener):
    return sorted(
        Play.objects.filter(listener=listener).values_list("played_at", "item_id", "source")
    )


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr("imports.jobs.BATCH_SIZE", 7)


def test_an_extended_export_imports_with_exact_counts(listener, tmp_path):
    rows = [*track_rows(20), extended_episode_row(ts="2024-04-01T08:00:00Z")]
    job = import_file(listener, write_zip(tmp_path / "export.zip", {AUDIO: rows}))
    assert (job.status, job.format) == ("succeeded", "extended")
    assert (job.records_total, job.records_done, job.inserted, job.duplicates) == (21, 21, 21, 0)
    assert job.earliest_play == datetime(2024, 3, 1, 12, 0, 17, tzinfo=UTC)
    assert job.latest_play == datetime(2024, 4, 1, 8, 0, tzinfo=UTC)
    assert Play.objects.filter(listener=listener, source="extended").count() == 21
    assert Item.objects.filter(kind="episode").count() == 1


def test_old_endsong_files_and_single_json_uploads_import_too(listener, tmp_path):
    endsong = write_zip(tmp_path / "old.zip", {"MyData/endsong_0.json": [endsong_row()]})
    single = tmp_path / "StreamingHistory_music_0.json"
    single.write_bytes(json_bytes([music_row(), podcast_row()]))
    assert import_file(listener, endsong).inserted == 1
    job = import_file(listener, single)
    assert (job.format, job.inserted) == ("account_data", 2)


def test_a_synthetic_export_stores_exactly_its_distinct_plays_and_a_reimport_none(
    listener, tmp_path, small_batches
):
    summary = build_synthetic_export(tmp_path / "synthetic.zip", records=400, seed=3)
    expected = summary.records - summary.duplicates - summary.kinds["missing_name"]
    job = import_file(listener, summary.path)
    assert (job.records_done, job.inserted) == (summary.records, expected)
    assert job.duplicates == summary.duplicates
    assert job.skipped == {"missing_name": summary.kinds["missing_name"]}
    assert job.status == "succeeded_with_warnings"
    again = import_file(listener, summary.path)
    assert (again.inserted, again.duplicates) == (0, expected + summary.duplicates)
    assert Play.objects.filter(listener=listener).count() == expected


@pytest.mark.parametrize("first", ["extended", "account_data"])
def test_extended_and_account_data_exports_count_each_play_once_in_either_order(
    listener, tmp_path, first
):
    extended_rows = track_rows(12)
    account_rows = [
        music_row(
            endTime=row["ts"][:16].replace("T", " "),
            artistName=row["master_metadata_album_artist_name"],
            trackName=row["master_metadata_track_name"],
            msPlayed=row["ms_played"],
        )
        for row in extended_rows
    ]
    extended = write_zip(tmp_path / "extended.zip", {AUDIO: extended_rows})
    account = write_zip(
        tmp_path / "account.zip",
        {"Spotify Account Data/StreamingHistory_music_0.json": account_rows},
    )
    order = [extended, account] if first == "extended" else [account, extended]
    jobs = [import_file(listener, path) for path in order]
    assert [job.inserted for job in jobs] == [12, 0]
    assert Play.objects.filter(listener=listener).count() == 12
    assert not Item.objects.filter(key__startswith="local:").exists()


def test_polled_plays_and_exported_plays_of_the_same_listen_count_once(listener, tmp_path):
    row = track_rows(1)[0]
    polled = PlayRecord(
        played_at=datetime(2024, 3, 1, 12, 0, 14, 512000, tzinfo=UTC),
        source="api",
        kind="track",
        item_name=row["master_metadata_track_name"],
        item_uri=row["spotify_track_uri"],
        artist_names=(row["master_metadata_album_artist_name"],),
    )
    ingest_plays(listener, [polled])
    job = import_file(listener, write_zip(tmp_path / "e.zip", {AUDIO: [row]}))
    assert (job.inserted, job.duplicates) == (0, 1)
    assert Play.objects.get().source == "api"


def test_ip_addresses_and_user_agents_are_not_kept(listener, tmp_path):
    rows = [extended_track_row(), endsong_row(ts="2015-01-01T00:00:00Z")]
    import_file(listener, write_zip(tmp_path / "e.zip", {AUDIO: rows}))
    stored = repr(list(Play.objects.values())) + repr(list(Item.objects.values()))
    for personal in (IP_ADDRESS, OLD_IP_ADDRESS, USER_AGENT):
        assert personal not in stored


def test_rows_with_missing_or_bad_fields_are_skipped_and_counted(listener, tmp_path):
    rows = [
        *track_rows(3),
        extended_track_row(ts=None),
        extended_track_row(ts="yesterday"),
        extended_track_row(ts="0001-01-01T00:00:00+01:00"),  # before year 1 in UTC
        extended_track_row(ts="9999-12-31T23:59:59Z"),
        extended_track_row(ts="1969-12-31T23:30:00Z"),  # long before Spotify
        extended_track_row(ms_played=-4),
        extended_track_row(master_metadata_track_name=None, spotify_track_uri=None),
    ]
    job = import_file(listener, write_zip(tmp_path / "e.zip", {AUDIO: rows}))
    assert job.status == ImportJob.Status.SUCCEEDED_WITH_WARNINGS
    assert job.inserted == 3
    assert job.skipped == {
        "missing_timestamp": 1,
        "bad_timestamp": 4,
        "bad_ms_played": 1,
        "missing_name": 1,
    }


# --- bad input: a clear message, and the listener's plays exactly as they were ----------------


@pytest.fixture
def history_before(listener):
    ingest_plays(
        listener,
        [
            PlayRecord(
                played_at=datetime(2020, 1, 1, tzinfo=UTC),
                source="api",
                kind="track",
                item_name="Kept",
                item_uri="spotify:track:" + "k" * 22,
                artist_names=("Someone",),
            )
        ],
    )
    return play_rows(listener)


def bad_uploads(tmp_path):
    good = json_bytes(track_rows(10))
    truncated = write_zip(tmp_path / "cut.zip", {AUDIO: good})
    truncated.write_bytes(truncated.read_bytes()[:-40])
    nested = write_zip(tmp_path / "inner.zip", {AUDIO: good})
    return {
        "not a zip": (tmp_path / "notes.txt", b"hello", "neither a ZIP file nor a JSON file"),
        "truncated": (truncated, None, "cut off or damaged"),
        "no history files": (
            write_zip(tmp_path / "other.zip", {"Userdata.json": {"a": 1}}),
            None,
            "none is a Spotify streaming history file",
        ),
        "nested zip": (
            write_zip(tmp_path / "outer.zip", {"my_spotify_data.zip": nested.read_bytes()}),
            None,
            "contains another ZIP file",
        ),
        "traversal": (
            write_zip(tmp_path / "evil.zip", {"../" + AUDIO: good}),
            None,
            "unsafe path",
        ),
        "invalid json in a later file": (
            write_zip(tmp_path / "broken.zip", {AUDIO: good, AUDIO_2: b'[{"ts": '}),
            None,
            "is not valid JSON",
        ),
        "wrong shape": (write_zip(tmp_path / "obj.zip", {AUDIO: {"ts": 1}}), None, "single JSON"),
        "deeply nested json": (tmp_path / "history.json", b"[" * 100_000, "is not valid JSON"),
        "not utf-8": (
            write_zip(tmp_path / "latin.zip", {AUDIO: '[{"ts": "caf\xe9"}]'.encode("latin-1")}),
            None,
            "not UTF-8",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "not a zip",
        "truncated",
        "no history files",
        "nested zip",
        "traversal",
        "invalid json in a later file",
        "wrong shape",
        "deeply nested json",
        "not utf-8",
    ],
)
def test_a_bad_upload_fails_clearly_and_leaves_the_plays_as_they_were(
    listener, tmp_path, history_before, small_batches, case
):
    path, content, words = bad_uploads(tmp_path)[case]
    if content is not None:
        path.write_bytes(content)
    job = import_file(listener, path)
    assert job.status == ImportJob.Status.FAILED
    assert words in job.error
    assert job.inserted == 0
    assert play_rows(listener) == history_before


def test_an_export_over_the_record_limit_fails_and_takes_back_what_it_stored(
    listener, tmp_path, history_before, small_batches, settings
):
    settings.IMPORT_MAX_RECORDS = 15
    job = import_file(listener, write_zip(tmp_path / "big.zip", {AUDIO: track_rows(30)}))
    assert job.status == ImportJob.Status.FAILED
    assert "more than 15 records" in job.error
    assert play_rows(listener) == history_before


def test_an_upload_over_the_size_limit_fails_before_it_is_read(
    listener, tmp_path, history_before, settings
):
    settings.IMPORT_MAX_ZIP_SIZE_MB = 1
    path = write_zip(
        tmp_path / "huge.zip",
        {AUDIO: track_rows(10), "padding.bin": b"x" * 2_000_000},
        compression=zipfile.ZIP_STORED,
    )
    job = import_file(listener, path)
    assert job.status == ImportJob.Status.FAILED
    assert "IMPORT_MAX_ZIP_SIZE_MB" in job.error
    assert play_rows(listener) == history_before


# --- uploads, retries and resuming ---------------------------------------------------------------


class Upload:
    def __init__(self, path):
        self.name = path.name
        self._data = path.read_bytes()

    def chunks(self):
        yield self._data[: len(self._data) // 2]
        yield self._data[len(self._data) // 2 :]


def test_an_upload_is_stored_queued_and_removed_after_success(
    listener, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    source = write_zip(tmp_path / "my_spotify_data.zip", {AUDIO: track_rows(5)})
    with django_capture_on_commit_callbacks(execute=True):
        job = queue_import(listener, Upload(source))
    [queued] = [task.task for task in OrmQ.objects.all()]  # the worker's queue
    assert (queued["func"], queued["args"]) == ("imports.tasks.run_import", (job.pk,))
    assert (job.status, job.file_name, job.file_size) == (
        "queued",
        source.name,
        source.stat().st_size,
    )
    stored = tmp_path / "uploads" / job.stored_path.rsplit("/", 1)[-1]
    assert stored.read_bytes() == source.read_bytes()
    job = run_import_job(job.pk)
    assert (job.status, job.inserted, job.stored_path) == ("succeeded", 5, "")
    assert not stored.exists()


def test_the_command_lines_own_file_is_never_deleted(listener, tmp_path):
    source = write_zip(tmp_path / "mine.zip", {AUDIO: track_rows(2)})
    assert import_file(listener, source).status == "succeeded"
    assert source.exists()


def test_a_failed_upload_keeps_its_file_and_can_be_retried(
    listener, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    settings.IMPORT_MAX_RECORDS = 3
    job = queue_import(listener, Upload(write_zip(tmp_path / "e.zip", {AUDIO: track_rows(5)})))
    job = run_import_job(job.pk)
    assert job.status == "failed"
    settings.IMPORT_MAX_RECORDS = 100
    with django_capture_on_commit_callbacks():
        retry(job)
    job = run_import_job(job.pk)
    assert (job.status, job.inserted, job.records_done) == ("succeeded", 5, 5)


def test_only_failed_jobs_with_their_file_can_be_retried(listener, tmp_path):
    job = import_file(listener, write_zip(tmp_path / "e.zip", {AUDIO: track_rows(1)}))
    with pytest.raises(ValueError, match="only a failed import"):
        retry(job)


class Killed(BaseException):
    """Stands for the worker process dying: nothing after it runs, no cleanup."""


def test_a_job_interrupted_mid_import_is_resumed_with_exact_counts(
    listener, tmp_path, small_batches
):
    summary = build_synthetic_export(tmp_path / "s.zip", records=300, seed=5)
    job = job_for_file(listener, summary.path)

    def die_after_a_few_batches(current):
        if current.records_done >= 100:
            raise Killed

    with pytest.raises(Killed):
        run_import_job(job.pk, progress=die_after_a_few_batches)
    job.refresh_from_db()
    assert job.status == "running"
    assert 0 < job.records_done < 300
    assert Play.objects.filter(listener=listener).count() == job.inserted

    assert resume_stale_imports() == []  # the worker might still be alive: not yet
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert resume_stale_imports() == [job.pk]
    job.refresh_from_db()
    expected = summary.records - summary.duplicates - summary.kinds["missing_name"]
    assert (job.status, job.records_done, job.inserted) == (
        "succeeded_with_warnings",
        summary.records,
        expected,
    )
    assert job.duplicates == summary.duplicates
    assert Play.objects.filter(listener=listener).count() == expected
    assert job.attempts == 2


def test_running_the_command_again_resumes_the_unfinished_job_of_that_file(listener, tmp_path):
    path = write_zip(tmp_path / "e.zip", {AUDIO: track_rows(3)})
    first = job_for_file(listener, path)
    assert job_for_file(listener, path).pk == first.pk
    run_import_job(first.pk)
    assert job_for_file(listener, path).pk != first.pk  # finished: a new import


def test_deleting_a_listener_deletes_their_import_jobs(listener, tmp_path):
    import_file(listener, write_zip(tmp_path / "e.zip", {AUDIO: track_rows(1)}))
    Listener.objects.filter(pk=listener.pk).delete()
    assert not ImportJob.objects.exists()
