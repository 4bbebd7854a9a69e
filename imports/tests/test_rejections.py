"""Uploads that can't be imported are rejected with a code and one clear sentence."""

import dataclasses
import json
import struct
import zipfile

import pytest

from imports.exports import ImportRejected, Limits, open_export
from imports.tests.fixtures import (
    LIMITS,
    extended_track_row,
    json_bytes,
    music_row,
    patch_central_directory,
    write_file,
    write_zip,
)

HISTORY = "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json"


def rejection(path, limits=LIMITS, **kwargs) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        open_export(path, limits, **kwargs)
    return caught.value


def rejection_while_reading(path, limits=LIMITS) -> ImportRejected:
    with open_export(path, limits) as export, pytest.raises(ImportRejected) as caught:
        for history_file in export.files:
            list(export.rows(history_file))
    return caught.value


def test_it_rejects_an_upload_over_the_size_limit_before_reading_it(tmp_path):
    upload = write_file(tmp_path / "my_spotify_data.zip", b"PK\x03\x04" + bytes(1536 * 1024))
    limits = Limits(max_upload_bytes=1024 * 1024, max_records=100)

    error = rejection(upload, limits)

    assert error.code == "too_large"
    assert str(error) == (
        "my_spotify_data.zip is 1.5 MB, more than the 1 MB an upload may be "
        "(IMPORT_MAX_ZIP_SIZE_MB)."
    )


@pytest.mark.parametrize(
    ("file_name", "content"),
    [
        ("Read_Me_First.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
        ("notes.txt", b"my spotify history, see attached"),
    ],
)
def test_it_rejects_a_file_that_is_neither_a_zip_nor_json(tmp_path, file_name, content):
    error = rejection(write_file(tmp_path / file_name, content))

    assert error.code == "not_a_zip"
    assert str(error) == (
        f"{file_name} is neither a ZIP file nor a JSON file: upload the ZIP file from Spotify's "
        '"Download your data" e-mail, one of the streaming history JSON files inside it, or an '
        "export of ListenBrainz, Last.fm or Maloja, or this service's own json export."
    )


def test_it_rejects_an_empty_file(tmp_path):
    error = rejection(write_file(tmp_path / "my_spotify_data.zip", b""))

    assert (error.code, str(error)) == ("not_a_zip", "my_spotify_data.zip is empty.")


def test_it_rejects_a_zip_that_was_cut_off(tmp_path):
    upload = write_zip(tmp_path / "my_spotify_data.zip", {HISTORY: [extended_track_row()] * 500})
    upload.write_bytes(upload.read_bytes()[:-200])

    error = rejection(upload)

    assert error.code == "truncated"
    assert str(error) == (
        "my_spotify_data.zip is cut off or damaged (the end of the ZIP file is missing): download "
        "the export from Spotify again and upload the complete file."
    )


def test_it_rejects_a_member_whose_compressed_data_ends_early_when_it_is_read(tmp_path):
    rows = [extended_track_row(ms_played=index) for index in range(3000)]
    upload = write_zip(tmp_path / "my_spotify_data.zip", {HISTORY: rows})
    with zipfile.ZipFile(upload) as archive:
        compressed_size = archive.getinfo(HISTORY).compress_size
    patch_central_directory(upload, 20, struct.pack("<I", compressed_size - 100))

    error = rejection_while_reading(upload)

    assert error.code == "truncated"
    assert error.member == HISTORY
    assert str(error) == (
        f"{HISTORY} in my_spotify_data.zip is cut off or damaged (its data doesn't match its "
        "checksum): download the export from Spotify again and upload the complete file."
    )


def test_it_rejects_a_stored_member_whose_checksum_does_not_match(tmp_path):
    upload = write_zip(
        tmp_path / "my_spotify_data.zip",
        {HISTORY: [extended_track_row()]},
        compression=zipfile.ZIP_STORED,
    )
    data = upload.read_bytes()
    upload.write_bytes(data.replace(b"Silver Harbor", b"Silver Harbin"))

    error = rejection_while_reading(upload)

    assert error.code == "truncated"
    assert "doesn't match its checksum" in str(error)


def test_it_rejects_an_encrypted_history_file(tmp_path):
    upload = write_zip(tmp_path / "my_spotify_data.zip", {HISTORY: b"\x8f\x13 as if encrypted"})
    patch_central_directory(upload, 8, struct.pack("<H", 0x1))  # zipfile can't write encrypted

    error = rejection(upload)

    assert error.code == "encrypted"
    assert str(error) == (
        f"{HISTORY} in my_spotify_data.zip is password-protected: upload the ZIP file exactly as "
        "Spotify sent it (Spotify's exports are not encrypted)."
    )


def test_it_rejects_a_zip_inside_the_zip_and_says_to_upload_the_inner_one(tmp_path):
    inner = write_zip(tmp_path / "inner.zip", {HISTORY: [extended_track_row()]})
    upload = write_zip(
        tmp_path / "Spotify exports.zip", {"Downloads/my_spotify_data.zip": inner.read_bytes()}
    )

    error = rejection(upload)

    assert error.code == "nested_zip"
    assert str(error) == (
        "Spotify exports.zip contains another ZIP file (Downloads/my_spotify_data.zip): unzip "
        "Spotify exports.zip and upload my_spotify_data.zip itself."
    )


def test_it_rejects_a_history_file_that_is_really_a_zip(tmp_path):
    inner = write_zip(tmp_path / "inner.zip", {HISTORY: [extended_track_row()]})
    upload = write_zip(tmp_path / "my_spotify_data.zip", {HISTORY: inner.read_bytes()})

    error = rejection(upload)

    assert error.code == "nested_zip"
    assert error.member == HISTORY


def test_it_rejects_a_zip_bomb_before_reading_it(tmp_path):
    upload = write_zip(tmp_path / "my_spotify_data.zip", {HISTORY: bytes(50 * 1024 * 1024)})
    assert upload.stat().st_size < 100 * 1024

    error = rejection(upload)

    assert error.code == "zip_bomb"
    assert str(error).startswith(f"{HISTORY} in my_spotify_data.zip is compressed ")
    assert str(error).endswith(
        " to 1, far more than any real streaming history file, so it was not unpacked."
    )


def test_it_rejects_history_files_that_would_unpack_past_the_total_limit(tmp_path):
    rows = [extended_track_row()] * 1000  # 0.75 MB of JSON in each of two files
    upload = write_zip(
        tmp_path / "my_spotify_data.zip",
        {HISTORY: rows, HISTORY.replace("_0.json", "_1.json"): rows},
    )
    limits = dataclasses.replace(LIMITS, max_uncompressed_bytes=1024 * 1024)

    error = rejection(upload, limits)

    assert error.code == "zip_bomb"
    assert str(error) == (
        "my_spotify_data.zip would unpack to 1.5 MB of history files, more than the 1 MB an "
        "import may unpack."
    )


def test_it_stops_unpacking_a_member_that_holds_more_than_its_header_declares(tmp_path):
    upload = write_zip(tmp_path / "my_spotify_data.zip", {HISTORY: bytes(20 * 1024 * 1024)})
    patch_central_directory(upload, 24, struct.pack("<I", 4096))  # declare 4 KB, hold 20 MB

    with open_export(upload, LIMITS) as export:
        assert export.files[0].size == 4096
        with pytest.raises(ImportRejected) as caught:
            list(export.rows(export.files[0]))

    assert caught.value.code == "zip_bomb"
    assert str(caught.value) == (
        f"{HISTORY} in my_spotify_data.zip unpacks to more data than its ZIP header declares, so "
        "it was not unpacked (if this is Spotify's file, it is damaged: download the export from "
        "Spotify again)."
    )


def test_a_member_holding_less_than_it_declares_is_damaged(tmp_path):
    upload = write_zip(tmp_path / "my_spotify_data.zip", {HISTORY: [extended_track_row()]})
    patch_central_directory(upload, 24, struct.pack("<I", 900_000))

    assert rejection_while_reading(upload).code == "truncated"


@pytest.mark.parametrize(
    "member",
    [
        "../../etc/cron.d/Streaming_History_Audio_2024_0.json",
        "Spotify Extended Streaming History/../../Streaming_History_Audio_2024_0.json",
        "/etc/Streaming_History_Audio_2024_0.json",
        "C:/Users/Public/StreamingHistory0.json",
        "Spotify Account Data\\..\\StreamingHistory0.json",
    ],
)
def test_it_rejects_member_names_that_try_to_leave_the_archive(tmp_path, member):
    upload = write_zip(
        tmp_path / "my_spotify_data.zip",
        {HISTORY: [extended_track_row()], zipfile.ZipInfo(member): [music_row()]},
    )

    error = rejection(upload)

    assert error.code == "path_traversal"
    assert error.member == member
    assert str(error) == (
        f"my_spotify_data.zip contains a file with an unsafe path ({member!r}), so it was not "
        "imported."
    )


def test_it_rejects_a_zip_holding_two_files_with_the_same_name(tmp_path):
    upload = write_zip(tmp_path / "my_spotify_data.zip", {HISTORY: [extended_track_row()]})
    with zipfile.ZipFile(upload, "a") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr(HISTORY, json_bytes([extended_track_row(ms_played=1)]))

    error = rejection(upload)

    assert error.code == "path_traversal"
    assert str(error) == (
        f"my_spotify_data.zip contains two files with the same path ({HISTORY!r}), so it was not "
        "imported."
    )


def test_it_rejects_a_zip_with_too_many_members_before_loading_its_directory(tmp_path):
    upload = write_zip(tmp_path / "my_spotify_data.zip", {f"file{n}.txt": b"x" for n in range(12)})
    limits = dataclasses.replace(LIMITS, max_members=10)

    error = rejection(upload, limits)

    assert error.code == "too_many_files"
    assert str(error) == (
        "my_spotify_data.zip holds 12 files, more than the 10 a Spotify export may hold."
    )


def test_it_rejects_a_history_file_compressed_in_a_way_it_cannot_unpack(tmp_path):
    upload = write_zip(
        tmp_path / "my_spotify_data.zip",
        {HISTORY: [extended_track_row()]},
        compression=zipfile.ZIP_STORED,
    )
    patch_central_directory(upload, 10, struct.pack("<H", 9))  # Deflate64

    error = rejection(upload)

    assert error.code == "unsupported_compression"
    assert str(error) == (
        f"{HISTORY} in my_spotify_data.zip is compressed with a method this server can't unpack "
        "(ZIP method 9): upload the ZIP file exactly as Spotify sent it."
    )


def test_it_rejects_a_zip_without_history_files_and_says_what_it_found(tmp_path):
    upload = write_zip(
        tmp_path / "my_spotify_data.zip",
        {
            "Spotify Account Data/Userdata.json": {"username": "someone"},
            "Spotify Account Data/Playlist1.json": {"playlists": []},
            "Spotify Account Data/Read_Me_First.pdf": b"%PDF-1.4\n%%EOF\n",
            "__MACOSX/Spotify Account Data/._StreamingHistory_music_0.json": b"\x00\x05\x16\x07",
        },
    )

    error = rejection(upload)

    assert error.code == "no_history_files"
    assert str(error) == (
        "Found 3 files in my_spotify_data.zip (Playlist1.json, Read_Me_First.pdf, Userdata.json) "
        "but none is a Spotify streaming history file (expected endsong_*.json, "
        "Streaming_History_Audio_*.json or StreamingHistory*.json) nor an export of ListenBrainz, "
        "Last.fm or Maloja, or this service's own json export."
    )


def test_the_list_of_what_was_found_is_kept_short(tmp_path):
    upload = write_zip(tmp_path / "photos.zip", {f"IMG_{n}.jpg": b"\xff\xd8" for n in range(12)})

    assert str(rejection(upload)) == (
        "Found 12 files in photos.zip (IMG_0.jpg, IMG_1.jpg, IMG_2.jpg, IMG_3.jpg, IMG_4.jpg and 7 "
        "more) but none is a Spotify streaming history file (expected endsong_*.json, "
        "Streaming_History_Audio_*.json or StreamingHistory*.json) nor an export of ListenBrainz, "
        "Last.fm or Maloja, or this service's own json export."
    )


def test_it_rejects_an_empty_zip(tmp_path):
    upload = write_zip(tmp_path / "my_spotify_data.zip", {})

    error = rejection(upload)

    assert error.code == "no_history_files"
    assert str(error).startswith("my_spotify_data.zip is an empty ZIP file")


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([{"platform": "ANDROID", "searchTime": "2024-01-01", "searchQuery": "x"}], "its rows"),
        ([], "it holds an empty list"),
    ],
)
def test_it_rejects_a_single_json_file_that_is_not_a_history_file(tmp_path, rows, reason):
    error = rejection(write_file(tmp_path / "SearchQueries.json", rows))

    assert error.code == "no_history_files"
    assert str(error).startswith(
        f"SearchQueries.json is not a Spotify streaming history file ({reason}"
    )


def test_it_rejects_a_single_json_upload_holding_an_object(tmp_path):
    error = rejection(write_file(tmp_path / "Userdata.json", {"username": "someone"}))

    assert error.code == "wrong_shape"
    assert str(error) == (
        "Userdata.json holds a single JSON object, not the list of plays a Spotify streaming "
        "history file holds."
    )


def test_it_rejects_a_single_json_upload_saved_as_utf16(tmp_path):
    content = json.dumps([music_row()]).encode("utf-16")
    error = rejection(write_file(tmp_path / "StreamingHistory_music_0.json", content))

    assert error.code == "not_utf8"


def test_it_rejects_a_history_file_with_invalid_json_naming_the_member_and_line(tmp_path):
    broken = json_bytes([extended_track_row()] * 3).replace(
        b'"ms_played": 214360', b'"ms_played" 2', 2
    )
    upload = write_zip(tmp_path / "my_spotify_data.zip", {HISTORY: broken})

    error = rejection_while_reading(upload)

    assert error.code == "invalid_json"
    assert error.member == HISTORY
    assert str(error) == f"{HISTORY} is not valid JSON (line 5: expecting ':' delimiter)."


def test_it_rejects_a_history_file_holding_an_object_instead_of_a_list(tmp_path):
    upload = write_zip(tmp_path / "my_spotify_data.zip", {HISTORY: extended_track_row()})

    error = rejection_while_reading(upload)

    assert error.code == "wrong_shape"
    assert str(error) == (
        f"{HISTORY} holds a single JSON object, not the list of plays a Spotify streaming history "
        "file holds."
    )


def test_it_rejects_a_history_file_that_is_not_utf8(tmp_path):
    latin1 = json.dumps([music_row(artistName="Beyoncé")], ensure_ascii=False, indent=2)
    upload = write_zip(
        tmp_path / "my_spotify_data.zip",
        {"Spotify Account Data/StreamingHistory_music_0.json": latin1.encode("latin-1")},
    )

    error = rejection_while_reading(upload)

    assert error.code == "not_utf8"
    assert str(error) == (
        "Spotify Account Data/StreamingHistory_music_0.json is not UTF-8 text (line 4); Spotify's "
        "files are UTF-8, so upload the file as Spotify sent it rather than a copy saved by "
        "another program."
    )


def test_callers_counting_records_reject_an_import_over_the_record_limit(tmp_path):
    upload = write_zip(tmp_path / "my_spotify_data.zip", {HISTORY: [extended_track_row()] * 5})
    limits = dataclasses.replace(LIMITS, max_records=4)

    with open_export(upload, limits) as export, pytest.raises(ImportRejected) as caught:
        list(export.records())

    assert caught.value.code == "too_many_records"
    assert str(caught.value) == (
        "This export holds more than 4 records, the most one import may hold (IMPORT_MAX_RECORDS)."
    )
    assert str(ImportRejected.too_many_records(5_000_000)).startswith(
        "This export holds more than 5,000,000 records"
    )
