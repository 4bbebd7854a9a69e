"""Last.fm, ListenBrainz and Maloja exports import with exact counts, through the import jobs.

Each file holds three plays the listener's Spotify export has too (under other spellings), three
only the other service knows, and one scrobble twice: after the Spotify export, an import must
store exactly the three new plays, count four as already stored, match the shared plays to
Spotify's tracks by name, and keep the others as local items.
"""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from imports.jobs import job_for_file, resume_stale_imports, run_import_job
from imports.models import ImportJob
from imports.tests.other_services import (
    DUPLICATED,
    ONLY_THERE,
    SCROBBLES,
    SHARED,
    csv_bytes,
    lastfm_csv_rows,
    lastfm_page,
    lastfm_track,
    listenbrainz_listen,
    listenbrainz_zip,
    maloja_export,
    now_playing_track,
    spotify_export,
)
from plays.keys import normalize_name
from plays.models import Album, Artist, Item, Play

pytestmark = pytest.mark.django_db


def import_file(listener, path):
    return run_import_job(job_for_file(listener, path).pk)


@pytest.fixture
def spotify_plays(listener, tmp_path):
    job = import_file(listener, spotify_export(tmp_path / "my_spotify_data.zip"))
    assert (job.status, job.inserted) == ("succeeded", len(SHARED))
    return job


def write(path, content):
    path.write_bytes(content)
    return path


def other_services_files(tmp_path):
    """Each format the importer reads, holding SCROBBLES: (file, format, skipped rows)."""
    tracks = [lastfm_track(listen) for listen in reversed(SCROBBLES)]  # Last.fm: newest first
    listens = [listenbrainz_listen(listen) for listen in SCROBBLES]
    return {
        "lastfm csv": (write(tmp_path / "scrobbles.csv", csv_bytes(lastfm_csv_rows())), {}),
        "lastfm csv without .csv": (write(tmp_path / "lastfm", csv_bytes(lastfm_csv_rows())), {}),
        "lastfm json page": (
            write(
                tmp_path / "recenttracks.json",
                json.dumps(lastfm_page([now_playing_track(), *tracks])).encode(),
            ),
            {"now_playing": 1},
        ),
        "lastfm json pages": (
            write(
                tmp_path / "lastfm-backup.json",
                json.dumps(
                    [
                        lastfm_page([now_playing_track(), *tracks[:4]], page=1, pages=2),
                        lastfm_page(tracks[4:], page=2, pages=2),
                    ]
                ).encode(),
            ),
            {"now_playing": 1},
        ),
        "lastfm json tracks, extended": (
            write(
                tmp_path / "tracks.json",
                json.dumps([lastfm_track(listen, extended=True) for listen in SCROBBLES]).encode(),
            ),
            {},
        ),
        "listenbrainz zip": (listenbrainz_zip(tmp_path / "listenbrainz_someone.zip"), {}),
        "listenbrainz json array": (
            write(tmp_path / "listens.json", json.dumps(listens, indent=2).encode()),
            {},
        ),
        "listenbrainz json lines": (
            write(
                tmp_path / "listens.jsonl",
                b"".join(json.dumps(listen).encode() + b"\n" for listen in listens),
            ),
            {},
        ),
        "maloja": (write(tmp_path / "maloja_export_20231114.json", maloja_export()), {}),
    }


FORMATS = {
    "lastfm csv": "lastfm_csv",
    "lastfm csv without .csv": "lastfm_csv",
    "lastfm json page": "lastfm_json",
    "lastfm json pages": "lastfm_json",
    "lastfm json tracks, extended": "lastfm_json",
    "listenbrainz zip": "listenbrainz",
    "listenbrainz json array": "listenbrainz",
    "listenbrainz json lines": "listenbrainz",
    "maloja": "maloja",
}


@pytest.mark.parametrize("kind", list(FORMATS))
def test_each_format_imports_exactly_the_new_plays_after_the_spotify_export(
    listener, tmp_path, spotify_plays, kind
):
    path, skipped = other_services_files(tmp_path)[kind]
    job = import_file(listener, path)
    assert (job.status, job.format, job.error) == (
        "succeeded_with_warnings" if skipped else "succeeded",
        FORMATS[kind],
        "",
    )
    assert job.records_done == len(SCROBBLES) + sum(skipped.values())
    assert (job.inserted, job.duplicates, job.skipped) == (3, 4, skipped)
    assert Play.objects.filter(listener=listener).count() == 6
    source = {"lastfm_csv": "lastfm", "lastfm_json": "lastfm"}.get(job.format, job.format)
    assert Play.objects.filter(listener=listener, source=source).count() == 3
    # The shared plays found Spotify's tracks by artist and title, whatever the spelling...
    for listen in SHARED:
        assert Item.objects.filter(name=listen.title).count() == 1
    # ...and the others are the listener's own local items, accents and all.
    for listen in ONLY_THERE:
        item = Item.objects.get(name=listen.title)
        assert item.key.startswith(f"private:{listener.pk}:local:track:")
        assert normalize_name(item.primary_artist.name) == normalize_name(listen.artist)
    assert not Album.objects.filter(items__name="Jóga").exists()


def test_a_reimport_stores_nothing_more(listener, tmp_path, spotify_plays):
    path, _ = other_services_files(tmp_path)["maloja"]
    first, again = import_file(listener, path), import_file(listener, path)
    assert (first.inserted, again.inserted, again.duplicates) == (3, 0, len(SCROBBLES))


def test_without_a_spotify_export_every_distinct_scrobble_is_a_play(listener, tmp_path):
    path, _ = other_services_files(tmp_path)["lastfm csv"]
    job = import_file(listener, path)
    assert (job.inserted, job.duplicates) == (6, 1)
    # Last.fm gives no duration: the play is stored at its start, its length unknown.
    play = Play.objects.get(listener=listener, item__name=DUPLICATED.title)
    assert (play.played_at, play.ms_played, play.source) == (
        DUPLICATED.started.replace(second=0),
        None,
        "lastfm",
    )


def test_a_known_duration_turns_the_start_into_the_end(listener, tmp_path):
    path, _ = other_services_files(tmp_path)["maloja"]
    import_file(listener, path)
    play = Play.objects.get(listener=listener, item__name="Kickstart My Heart")
    assert play.played_at == DUPLICATED.started + (DUPLICATED.ended - DUPLICATED.started)
    assert play.ms_played == DUPLICATED.ms_played


def test_a_spotify_export_after_the_scrobbles_counts_the_shared_plays_once(listener, tmp_path):
    path, _ = other_services_files(tmp_path)["listenbrainz zip"]
    assert import_file(listener, path).inserted == 6
    job = import_file(listener, spotify_export(tmp_path / "my_spotify_data.zip"))
    assert (job.inserted, job.duplicates) == (0, 3)
    assert Play.objects.filter(listener=listener).count() == 6


def test_listenbrainz_listens_with_a_spotify_id_find_the_track_by_it(listener, tmp_path):
    listen = SHARED[0]
    row = listenbrainz_listen(listen)
    row["track_metadata"]["track_name"] = "Halo (renamed by the scrobbler)"
    path = write(tmp_path / "listens.jsonl", json.dumps(row).encode() + b"\n")
    import_file(listener, spotify_export(tmp_path / "my_spotify_data.zip"))
    job = import_file(listener, path)
    assert (job.inserted, job.duplicates) == (0, 1)


def test_the_command_line_names_the_format_in_its_summary(listener, tmp_path, capsys):
    path, _ = other_services_files(tmp_path)["maloja"]
    call_command("import_zip", "alice", str(path), "--json")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["format"], summary["inserted"], summary["status"]) == ("maloja", 6, "succeeded")


# --- refusals ----------------------------------------------------------------------------------


def catalogue_and_plays():
    return (
        Play.objects.count(),
        Item.objects.count(),
        Artist.objects.count(),
        Album.objects.count(),
    )


def bad_files(tmp_path):
    rows = lastfm_csv_rows()
    five_columns = [*rows[:2], [*rows[2], "extra"], *rows[3:]]
    future = [*rows[:3], ["Artist", "", "Title", "01 Jan 2099 10:00"], *rows[3:]]
    before_2000 = [*rows[:5], ["Artist", "", "Title", "01 Jan 1970 00:00"]]
    not_a_date = [*rows[:1], ["Artist", "", "Title", "yesterday"]]
    old_listen = listenbrainz_listen(SHARED[0])
    old_listen["listened_at"] = 915_148_800  # 1999-01-01
    header = ["uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid", "track", "mbid"]
    return {
        "another tool's csv": (
            write(
                tmp_path / "lastfm.csv", csv_bytes([header, ["1", "x", "a", "", "b", "", "c", ""]])
            ),
            "Line 1 of lastfm.csv has 8 columns ('uts', 'utc_time', 'artist', 'artist_mbid', "
            "'album', 'album_mbid', ...), but a Last.fm scrobble CSV has 4 and no header: artist, "
            "album, track and the date (like 31 Jan 2020 12:34).",
        ),
        "a header row": (
            write(tmp_path / "h.csv", csv_bytes([["artist", "album", "track", "date"], *rows])),
            "Line 1 of h.csv has the date 'date', which is not a date like 31 Jan 2020 12:34: a "
            "Last.fm scrobble CSV has 4 columns and no header: artist, album, track and the date "
            "(like 31 Jan 2020 12:34).",
        ),
        "wrong columns further down": (
            write(tmp_path / "scrobbles.csv", csv_bytes(five_columns)),
            "Line 3 of scrobbles.csv has 5 columns",
        ),
        "a date in the future": (
            write(tmp_path / "future.csv", csv_bytes(future)),
            "Line 4 of future.csv is dated '01 Jan 2099 10:00' (2099-01-01), in the future: the "
            "file's dates are wrong (fix or remove that row and upload the file again); nothing "
            "was imported.",
        ),
        "a date before 2000": (
            write(tmp_path / "old.csv", csv_bytes(before_2000)),
            "Line 6 of old.csv is dated '01 Jan 1970 00:00' (1970-01-01), before 2000",
        ),
        "not a date": (
            write(tmp_path / "odd.csv", csv_bytes(not_a_date)),
            "Line 2 of odd.csv has the date 'yesterday', which is not a date like 31 Jan 2020 "
            "12:34; nothing was imported.",
        ),
        "a listen before 2000": (
            write(
                tmp_path / "listens.jsonl",
                b"".join(
                    json.dumps(value).encode() + b"\n"
                    for value in [listenbrainz_listen(SHARED[1]), old_listen]
                ),
            ),
            "Row 2 of listens.jsonl is dated 915148800 (1999-01-01), before 2000",
        ),
        "broken json lines": (
            write(
                tmp_path / "broken.jsonl",
                json.dumps(listenbrainz_listen(SHARED[1])).encode() + b'\n{"listened_at": 16\n',
            ),
            "broken.jsonl is not valid JSON Lines (line 2:",
        ),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "another tool's csv",
        "a header row",
        "wrong columns further down",
        "a date in the future",
        "a date before 2000",
        "not a date",
        "a listen before 2000",
        "broken json lines",
    ],
)
def test_bad_input_is_refused_with_a_sentence_and_changes_nothing(
    listener, tmp_path, spotify_plays, kind
):
    path, sentence = bad_files(tmp_path)[kind]
    before = catalogue_and_plays()
    job = import_file(listener, path)
    assert job.status == ImportJob.Status.FAILED
    assert job.error.startswith(sentence)
    assert job.error.endswith(".")
    assert (job.inserted, job.records_done) == (0, 0)
    assert catalogue_and_plays() == before


def test_a_two_gigabyte_line_is_refused_after_a_megabyte(listener, tmp_path, settings):
    """A sparse file: 2 GB on paper, a few blocks on disk; the import reads about a megabyte."""
    settings.IMPORT_MAX_ZIP_SIZE_MB = 3 * 1024
    path = tmp_path / "listens.jsonl"
    with path.open("wb") as sparse:
        sparse.write(json.dumps(listenbrainz_listen(SHARED[0])).encode() + b"\n")
        sparse.write(b'{"listened_at": 1614600000, "track_metadata": {"track_name": "')
        sparse.seek(2 * 1024**3, 1)  # a hole: two gigabytes of zero bytes, and no line end
        sparse.write(b'"}}\n')
    assert path.stat().st_size > 2 * 1024**3
    before = catalogue_and_plays()
    job = import_file(listener, path)
    assert job.status == ImportJob.Status.FAILED
    assert job.error == (
        "Line 2 of listens.jsonl is longer than 1 MB, far longer than any play, so the file was "
        "not read further."
    )
    assert catalogue_and_plays() == before


class Killed(BaseException):
    """Stands for the worker process dying: nothing after it runs, no cleanup."""


@pytest.mark.parametrize("kind", ["lastfm json pages", "listenbrainz zip", "maloja"])
def test_an_interrupted_import_resumes_with_exact_counts(listener, tmp_path, monkeypatch, kind):
    monkeypatch.setattr("imports.jobs.BATCH_SIZE", 2)
    path, skipped = other_services_files(tmp_path)[kind]
    job = job_for_file(listener, path)

    def die_after_two_batches(current):
        if current.records_done >= 4:
            raise Killed

    with pytest.raises(Killed):
        run_import_job(job.pk, progress=die_after_two_batches)
    job.refresh_from_db()
    assert (job.status, job.records_total) == ("running", len(SCROBBLES) + sum(skipped.values()))
    assert 0 < job.records_done < job.records_total
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))

    assert resume_stale_imports() == [job.pk]
    job.refresh_from_db()
    assert (job.records_done, job.inserted, job.duplicates, job.attempts) == (
        len(SCROBBLES) + sum(skipped.values()),
        6,
        1,
        2,
    )
    assert Play.objects.filter(listener=listener).count() == 6
