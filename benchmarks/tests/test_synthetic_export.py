"""The synthetic export looks like Spotify's, has the promised mix, and imports exactly."""

import json
import re
import zipfile
from collections import Counter

import pytest
from django.core.management import call_command

from benchmarks.synthetic import build_synthetic_export, write_synthetic_export
from imports.exports import open_export
from imports.formats import parse_row
from imports.tests.fixtures import LIMITS

AUDIO_FILE = re.compile(
    r"^Spotify Extended Streaming History/Streaming_History_Audio_(\d{4})(?:-(\d{4}))?_(\d+)\.json$"
)


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "my_spotify_data.zip"
    return build_synthetic_export(path, records=40_000, seed=7)


@pytest.fixture(scope="module")
def extended_rows(extended):
    """(member name, row) of every history row, in file order."""
    with open_export(extended.path, LIMITS) as export:
        return [(file.name, row) for file in export.files for row in export.rows(file)]


def test_it_writes_spotifys_folder_file_names_and_read_me(extended):
    with zipfile.ZipFile(extended.path) as archive:
        names = archive.namelist()

    audio = [name for name in names if AUDIO_FILE.match(name)]
    video = [name for name in names if "/Streaming_History_Video_" in name]
    assert len(audio) == 3
    assert len(video) == 1
    read_me = "Spotify Extended Streaming History/ReadMeFirst_ExtendedStreamingHistory.pdf"
    assert set(names) == {*extended.files, read_me}
    assert [int(AUDIO_FILE.match(name).group(3)) for name in audio] == [0, 1, 2]


def test_history_files_hold_about_fifteen_thousand_rows_and_name_their_years(
    extended, extended_rows
):
    rows_per_file = Counter(name for name, _ in extended_rows)
    assert rows_per_file == extended.files
    audio_sizes = [count for name, count in rows_per_file.items() if AUDIO_FILE.match(name)]
    assert audio_sizes[:-1] == [15_000] * (len(audio_sizes) - 1)

    for name in rows_per_file:
        match = AUDIO_FILE.match(name)
        if match:
            years = {row["ts"][:4] for file, row in extended_rows if file == name}
            first, last = match.group(1), match.group(2) or match.group(1)
            assert (min(years), max(years)) == (first, last)


def test_files_are_indented_json_in_raw_utf8_like_spotifys(extended):
    with zipfile.ZipFile(extended.path) as archive:
        name = next(name for name in archive.namelist() if AUDIO_FILE.match(name))
        data = archive.read(name)

    assert data.startswith(b'[\n  {\n    "ts": "20')
    assert b"\\u" not in data
    rows = json.loads(data)
    assert list(rows[0]) == [
        "ts",
        "platform",
        "ms_played",
        "conn_country",
        "ip_addr",
        "master_metadata_track_name",
        "master_metadata_album_artist_name",
        "master_metadata_album_album_name",
        "spotify_track_uri",
        "episode_name",
        "episode_show_name",
        "spotify_episode_uri",
        "audiobook_title",
        "audiobook_uri",
        "audiobook_chapter_uri",
        "audiobook_chapter_title",
        "reason_start",
        "reason_end",
        "shuffle",
        "skipped",
        "offline",
        "offline_timestamp",
        "incognito_mode",
    ]
    assert data == json.dumps(rows, indent=2, ensure_ascii=False).encode()


def test_rows_have_realistic_values(extended_rows):
    rows = [row for _, row in extended_rows]
    track_ids = {row["spotify_track_uri"] for row in rows if row["spotify_track_uri"]}
    uri = re.compile(r"^spotify:(track|episode|show):[0-9A-Za-z]{22}$")

    assert all(uri.match(value) for value in track_ids if not value.startswith("spotify:local:"))
    assert 2_000 <= len(track_ids) <= 6_000
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["ts"]) for row in rows)
    assert all(row["ip_addr"] for row in rows)
    assert {row["conn_country"] for row in rows} >= {"DE", "AT", "FR"}
    assert {row["platform"] for row in rows} >= {
        "Android OS 5 API 22 (samsung, SM-G991B)",
        "Windows 10 (10.0.10240; x64)",
    }
    assert {row["reason_end"] for row in rows} >= {"trackdone", "fwdbtn", "backbtn", "endplay"}
    assert {type(row["offline_timestamp"]) for row in rows} == {int, type(None)}
    zero = sum(row["ms_played"] == 0 for row in rows) / len(rows)
    short = sum(0 < row["ms_played"] < 30_000 for row in rows) / len(rows)
    assert 0.01 < zero < 0.06
    assert 0.08 < short < 0.25
    for flag in ("shuffle", "offline", "incognito_mode"):
        assert {row[flag] for row in rows} >= {True, False}


def test_a_few_tracks_get_most_of_the_plays(extended_rows):
    plays = Counter(
        row["spotify_track_uri"] for _, row in extended_rows if row["spotify_track_uri"]
    )
    counts = sorted(plays.values(), reverse=True)

    assert sum(counts[: len(counts) // 10]) > 0.4 * sum(counts)


def test_timestamps_increase_through_the_years(extended, extended_rows):
    audio = [row["ts"] for name, row in extended_rows if AUDIO_FILE.match(name)]

    assert audio == sorted(audio)
    assert audio[0].startswith("2015-01-01")
    assert audio[-1][:4] == "2016"


def test_it_has_the_promised_mix_of_kinds_duplicates_and_empty_rows(extended):
    kinds = extended.kinds
    total = extended.records

    assert total == 40_000 == sum(kinds.values()) == sum(extended.files.values())
    assert 0.04 < kinds["episode"] / total < 0.07
    assert 0.002 < kinds["missing_name"] / total < 0.01
    assert 0.002 < kinds["chapter"] / total < 0.01
    assert extended.duplicates > 20


def test_it_round_trips_through_the_importer_with_exact_counts(extended, extended_rows):
    parsed = [parse_row(row, "extended") for _, row in extended_rows]
    outcomes = Counter(result if isinstance(result, str) else result.kind for result in parsed)
    duplicates = sum(
        1
        for (name, row), (previous_name, previous) in zip(
            extended_rows[1:], extended_rows, strict=False
        )
        if name == previous_name and row == previous
    )
    local_files = [
        result
        for result in parsed
        if not isinstance(result, str) and result.kind == "track" and result.item_uri is None
    ]

    distinct_plays = {
        (record.played_at, record.item_uri or (record.artist_names, record.item_name))
        for record in parsed
        if not isinstance(record, str)
    }

    assert len(extended_rows) == extended.records
    assert outcomes == extended.kinds
    assert len(distinct_plays) == (
        extended.records - extended.duplicates - extended.kinds["missing_name"]
    )
    assert duplicates == extended.duplicates
    assert local_files
    assert all(record.artist_names for record in local_files)


def test_the_ip_addresses_it_writes_never_reach_a_play(extended_rows):
    addresses = {row["ip_addr"] for _, row in extended_rows}
    records = [parse_row(row, "extended") for _, row in extended_rows[:5000]]

    text = repr([record for record in records if not isinstance(record, str)])
    assert not any(address in text for address in addresses)


def test_the_same_seed_writes_the_same_file_and_another_seed_another(tmp_path):
    first = write_synthetic_export(tmp_path / "a.zip", records=3_000, seed=11)
    second = write_synthetic_export(tmp_path / "b.zip", records=3_000, seed=11)
    other = write_synthetic_export(tmp_path / "c.zip", records=3_000, seed=12)

    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_an_account_data_export_covers_one_year_in_music_podcast_and_audiobook_files(tmp_path):
    summary = build_synthetic_export(
        tmp_path / "my_spotify_data.zip",
        records=25_000,
        seed=3,
        format="account_data",
        start_year=2024,
    )

    with open_export(summary.path, LIMITS) as export:
        assert export.format == "account_data"
        names = [file.name for file in export.files]
        rows = {file.name: list(export.rows(file)) for file in export.files}

    assert names == [
        "Spotify Account Data/StreamingHistory_audiobook_0.json",
        "Spotify Account Data/StreamingHistory_music_0.json",
        "Spotify Account Data/StreamingHistory_music_1.json",
        "Spotify Account Data/StreamingHistory_music_2.json",
        "Spotify Account Data/StreamingHistory_podcast_0.json",
    ]
    music = rows["Spotify Account Data/StreamingHistory_music_0.json"]
    assert list(music[0]) == ["endTime", "artistName", "trackName", "msPlayed"]
    assert list(rows["Spotify Account Data/StreamingHistory_podcast_0.json"][0]) == [
        "endTime",
        "podcastName",
        "episodeName",
        "msPlayed",
    ]
    every_row = [row for file_rows in rows.values() for row in file_rows]
    assert {row["endTime"][:4] for row in every_row} == {"2024"}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row["endTime"]) for row in every_row)
    assert not any("spotify:" in json.dumps(row) for row in every_row)

    outcomes = Counter(
        result if isinstance(result, str) else result.kind
        for result in (parse_row(row, "account_data") for row in every_row)
    )
    assert outcomes == summary.kinds
    assert sum(outcomes.values()) == 25_000
    distinct_plays = {
        (record.kind, record.played_at, record.show_name, record.artist_names, record.item_name)
        for record in (parse_row(row, "account_data") for row in every_row)
        if not isinstance(record, str)
    }
    assert len(distinct_plays) == 25_000 - summary.duplicates - summary.kinds["missing_name"]


def test_account_data_never_shows_one_item_twice_in_a_minute_unless_duplicated(tmp_path):
    summary = build_synthetic_export(
        tmp_path / "dense.zip", records=30_000, seed=5, format="account_data"
    )

    with open_export(summary.path, LIMITS) as export:
        rows = [row for file in export.files for row in export.rows(file)]

    keys = Counter(json.dumps(row, sort_keys=True) for row in rows)
    names = (
        "artistName",
        "trackName",
        "podcastName",
        "episodeName",
        "audiobookName",
        "chapterName",
    )
    repeated_keys = Counter((row["endTime"], *(row.get(name) for name in names)) for row in rows)
    assert sum(count - 1 for count in keys.values()) == summary.duplicates
    assert sum(count - 1 for count in repeated_keys.values()) == summary.duplicates


def test_the_command_writes_an_export_and_says_what_is_in_it(tmp_path, capsys):
    output = tmp_path / "bench.zip"

    call_command("make_synthetic_export", str(output), "--records", "2000", "--seed", "4")

    printed = capsys.readouterr().out
    assert output.exists()
    assert f"Wrote {output} (" in printed
    assert ": 2,000 records in " in printed
    assert " podcast episodes, " in printed
    with open_export(output, LIMITS) as export:
        assert sum(1 for file in export.files for _ in export.rows(file)) == 2000


def test_the_command_refuses_a_count_below_one(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--records must be at least 1"):
        call_command("make_synthetic_export", str(tmp_path / "x.zip"), "--records", "0")
