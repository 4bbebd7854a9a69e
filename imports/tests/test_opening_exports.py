"""Opening an upload: which files are history files, in which order, and of which format."""

import tracemalloc
import zipfile

import pytest

from imports.exports import HistoryFile, Limits, open_export
from imports.tests.fixtures import (
    LIMITS,
    audiobook_row,
    endsong_row,
    extended_track_row,
    json_bytes,
    music_row,
    podcast_row,
    write_file,
    write_zip,
)


@pytest.mark.parametrize(
    ("member", "expected_format"),
    [
        ("MyData/endsong_0.json", "extended"),
        ("endsong_12.json", "extended"),
        ("Spotify Extended Streaming History/Streaming_History_Audio_2014-2016_0.json", "extended"),
        ("Spotify Extended Streaming History/Streaming_History_Audio_2022_10.json", "extended"),
        ("Streaming_History_Video_2019-2024.json", "extended"),
        ("deep/er/still/STREAMING_HISTORY_AUDIO_2019_3.JSON", "extended"),
        ("MyData/StreamingHistory0.json", "account_data"),
        ("Spotify Account Data/StreamingHistory_music_0.json", "account_data"),
        ("Spotify Account Data/StreamingHistory_podcast_1.json", "account_data"),
        ("Spotify Account Data/StreamingHistory_audiobook_0.json", "account_data"),
        ("Spotify Account Data/StreamingHistory_video_0.json", "account_data"),
        ("a/b/streaminghistory_MUSIC_2.Json", "account_data"),
    ],
)
def test_it_recognises_every_history_file_name_at_any_depth_and_in_any_case(
    tmp_path, member, expected_format
):
    upload = write_zip(tmp_path / "my_spotify_data.zip", {member: [music_row()]})

    with open_export(upload, LIMITS) as export:
        assert export.files == [
            HistoryFile(name=member, format=expected_format, size=len(json_bytes([music_row()])))
        ]
        assert export.format == expected_format


def test_it_ignores_everything_that_is_not_a_streaming_history_file(tmp_path):
    upload = write_zip(
        tmp_path / "my_spotify_data.zip",
        {
            "Spotify Account Data/StreamingHistory_music_0.json": [music_row()],
            "Spotify Account Data/Userdata.json": {"username": "someone", "country": "DE"},
            "Spotify Account Data/Playlist1.json": {"playlists": []},
            "Spotify Account Data/SearchQueries.json": [{"platform": "ANDROID"}],
            "Spotify Account Data/Read_Me_First.pdf": b"%PDF-1.4\n%%EOF\n",
            "__MACOSX/Spotify Account Data/._StreamingHistory_music_0.json": b"\x00\x05\x16\x07",
            "Spotify Account Data/._StreamingHistory_music_1.json": b"\x00\x05\x16\x07",
            zipfile.ZipInfo("Spotify Account Data/"): b"",
        },
    )

    with open_export(upload, LIMITS) as export:
        assert [file.name for file in export.files] == [
            "Spotify Account Data/StreamingHistory_music_0.json"
        ]


def test_it_lists_history_files_in_the_order_spotify_numbered_them(tmp_path):
    folder = "Spotify Extended Streaming History"
    names = [
        "Streaming_History_Audio_2022-2023_11.json",
        "Streaming_History_Audio_2022_10.json",
        "Streaming_History_Audio_2016_2.json",
        "Streaming_History_Audio_2014-2016_1.json",
        "Streaming_History_Audio_2014_0.json",
        "Streaming_History_Video_2019-2024.json",
    ]
    upload = write_zip(tmp_path / "my_spotify_data.zip", {f"{folder}/{name}": [] for name in names})

    with open_export(upload, LIMITS) as export:
        assert [file.name.rsplit("/", 1)[1] for file in export.files] == [
            "Streaming_History_Audio_2014_0.json",
            "Streaming_History_Audio_2014-2016_1.json",
            "Streaming_History_Audio_2016_2.json",
            "Streaming_History_Audio_2022_10.json",
            "Streaming_History_Audio_2022-2023_11.json",
            "Streaming_History_Video_2019-2024.json",
        ]


def test_numbered_files_without_years_are_ordered_by_number_too(tmp_path):
    names = ["MyData/endsong_10.json", "MyData/endsong_2.json", "MyData/StreamingHistory10.json"]
    names += ["MyData/StreamingHistory2.json", "MyData/endsong_0.json"]
    upload = write_zip(tmp_path / "my_spotify_data.zip", {name: [] for name in names})

    with open_export(upload, LIMITS) as export:
        assert [file.name for file in export.files] == [
            "MyData/endsong_0.json",
            "MyData/endsong_2.json",
            "MyData/endsong_10.json",
            "MyData/StreamingHistory2.json",
            "MyData/StreamingHistory10.json",
        ]


def test_an_export_holding_both_kinds_of_history_is_mixed(tmp_path):
    upload = write_zip(
        tmp_path / "both.zip",
        {
            "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json": [
                extended_track_row()
            ],
            "Spotify Account Data/StreamingHistory_music_0.json": [music_row()],
        },
    )

    with open_export(upload, LIMITS) as export:
        assert export.format == "mixed"
        assert {file.format for file in export.files} == {"extended", "account_data"}


@pytest.mark.parametrize(
    ("file_name", "rows", "expected_format"),
    [
        ("endsong_3.json", [endsong_row()], "extended"),
        ("Streaming_History_Audio_2024_1.json", [extended_track_row()], "extended"),
        ("StreamingHistory_music_0.json", [music_row()], "account_data"),
        ("StreamingHistory_podcast_0.json", [podcast_row()], "account_data"),
        ("StreamingHistory_audiobook_0.json", [audiobook_row()], "account_data"),
        ("my history.json", [extended_track_row()], "extended"),
        ("upload-7f3a.json", [music_row(), podcast_row()], "account_data"),
        ("old.json", [endsong_row(ms_played=0)], "extended"),
    ],
)
def test_a_single_json_upload_of_each_shape_is_accepted_and_its_format_detected(
    tmp_path, file_name, rows, expected_format
):
    upload = write_file(tmp_path / file_name, rows)

    with open_export(upload, LIMITS) as export:
        assert export.format == expected_format
        assert export.files == [
            HistoryFile(name=file_name, format=expected_format, size=upload.stat().st_size)
        ]
        assert list(export.rows(export.files[0])) == rows


def test_a_single_json_upload_is_judged_by_the_name_the_person_gave_it(tmp_path):
    upload = write_file(tmp_path / "3c5e1b.upload", [music_row()])

    with open_export(upload, LIMITS, name="StreamingHistory_music_0.json") as export:
        assert export.name == "StreamingHistory_music_0.json"
        assert export.files[0].name == "StreamingHistory_music_0.json"
        assert export.format == "account_data"
        assert not export.is_zip


def test_a_single_json_upload_with_a_utf8_bom_is_accepted(tmp_path):
    upload = write_file(tmp_path / "endsong_0.json", b"\xef\xbb\xbf" + json_bytes([endsong_row()]))

    with open_export(upload, LIMITS) as export:
        assert list(export.rows(export.files[0])) == [endsong_row()]


def test_history_files_are_read_whatever_compression_the_zip_uses(tmp_path):
    rows = [extended_track_row(), extended_track_row(ts="2024-03-09T18:08:01Z")]
    for compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2):
        upload = write_zip(
            tmp_path / f"{compression}.zip",
            {"Streaming_History_Audio_2024_0.json": rows},
            compression=compression,
        )
        with open_export(upload, LIMITS) as export:
            assert list(export.rows(export.files[0])) == rows


def test_the_export_streams_a_large_file_without_holding_it_in_memory(tmp_path):
    rows = [
        extended_track_row(ms_played=index) for index in range(15_000)
    ]  # ~12 MB, like Spotify's
    upload = write_zip(tmp_path / "big.zip", {"Streaming_History_Audio_2024_0.json": rows})
    del rows

    with open_export(upload, LIMITS) as export:
        tracemalloc.start()
        try:
            count = sum(1 for _ in export.rows(export.files[0]))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    assert count == 15_000
    assert export.files[0].size > 10 * 1024 * 1024
    assert peak < 8 * 1024 * 1024


def test_records_parses_every_row_of_every_file_in_order(tmp_path):
    upload = write_zip(
        tmp_path / "my_spotify_data.zip",
        {
            "Spotify Account Data/StreamingHistory_music_1.json": [music_row(trackName="Second")],
            "Spotify Account Data/StreamingHistory_music_0.json": [
                music_row(trackName="First"),
                music_row(trackName=None, artistName=None),
            ],
            "Spotify Account Data/StreamingHistory_podcast_0.json": [podcast_row(), "oops"],
        },
    )

    with open_export(upload, LIMITS) as export:
        results = [
            (file.name.rsplit("/", 1)[1], getattr(result, "item_name", result))
            for file, result in export.records()
        ]

    assert results == [
        ("StreamingHistory_music_0.json", "First"),
        ("StreamingHistory_music_0.json", "missing_name"),
        ("StreamingHistory_music_1.json", "Second"),
        ("StreamingHistory_podcast_0.json", "#112: The Lantern Problem"),
        ("StreamingHistory_podcast_0.json", "not_an_object"),
    ]


def test_limits_come_from_the_settings(settings):
    settings.IMPORT_MAX_ZIP_SIZE_MB = 12
    settings.IMPORT_MAX_RECORDS = 345

    limits = Limits.from_settings()

    assert limits.max_upload_bytes == 12 * 1024 * 1024
    assert limits.max_records == 345
    assert limits.max_uncompressed_bytes == 8 * 1024**3
    assert limits.max_compression_ratio == 200
    assert limits.max_members == 10_000


def test_closing_the_export_closes_the_upload(tmp_path):
    upload = write_zip(tmp_path / "a.zip", {"endsong_0.json": [endsong_row()]})

    with open_export(upload, LIMITS) as export:
        pass

    assert export._upload.closed
