"""Rows decoded straight into the formats' row structs read exactly like plain JSON objects."""

import pytest

from benchmarks.synthetic import build_synthetic_export
from imports.exports import ImportRejected, JsonArrayReader, Limits, open_export
from imports.formats import (
    ACCOUNT_DATA,
    EXTENDED,
    AccountDataRow,
    ExtendedRow,
    as_row,
    parse_row,
    row_type_for,
)
from imports.tests.fixtures import (
    audiobook_row,
    endsong_row,
    extended_chapter_row,
    extended_episode_row,
    extended_track_row,
    json_bytes,
    music_row,
    podcast_row,
)

EXTENDED_ROWS = [
    extended_track_row(master_metadata_track_name='Say "Hello" {Live}, }] [{'),
    extended_track_row(master_metadata_track_name="Ørsted: 雨の日 \\ 🎧", ms_played=0),
    extended_track_row(spotify_track_uri="spotify:local:Daft+Punk:Discovery:Veridis+Quo:345"),
    extended_episode_row(),
    extended_chapter_row(),
    endsong_row(),
    # Bad rows: each must give the same skip reason either way.
    extended_track_row(ts=None),
    extended_track_row(ts="yesterday"),
    extended_track_row(ms_played=-1),
    extended_track_row(ms_played=10**30),
    extended_track_row(ms_played=1.5),
    extended_track_row(master_metadata_track_name="   ", spotify_track_uri=None),
    extended_track_row(shuffle="yes", platform=7, conn_country=["DE"]),
    {"ts": "2024-01-01T00:00:00Z"},
    {},
]
ACCOUNT_ROWS = [
    music_row(),
    music_row(trackName="}\n,{", artistName="Ärzte"),
    podcast_row(),
    audiobook_row(),
    music_row(artistName=None),
    music_row(endTime="2024-13-01 00:00"),
    music_row(msPlayed="12"),
]
NOT_OBJECTS = [1, "two", None, [3], True]


def read(data, chunk_size, row_type):
    chunks = [data[start : start + chunk_size] for start in range(0, len(data), chunk_size)]
    return list(JsonArrayReader(chunks, "f.json", row_type=row_type))


@pytest.mark.parametrize("chunk_size", [1, 3, 17, 64, 333, 4096, 1 << 20])
@pytest.mark.parametrize(
    ("format", "rows"),
    [(EXTENDED, EXTENDED_ROWS + NOT_OBJECTS), (ACCOUNT_DATA, NOT_OBJECTS + ACCOUNT_ROWS)],
)
def test_typed_rows_are_the_objects_as_structs_however_the_file_is_cut(format, rows, chunk_size):
    row_type = row_type_for(format)
    typed = read(json_bytes(rows), chunk_size, row_type)

    assert typed == [as_row(row, row_type) for row in rows]
    assert sum(type(row) is row_type for row in typed) == len(rows) - len(NOT_OBJECTS)


@pytest.mark.parametrize(
    ("format", "rows"), [(EXTENDED, EXTENDED_ROWS + NOT_OBJECTS), (ACCOUNT_DATA, ACCOUNT_ROWS)]
)
def test_a_typed_row_parses_exactly_like_the_plain_object(format, rows):
    typed = read(json_bytes(rows), 1 << 20, row_type_for(format))

    assert [parse_row(row, format) for row in typed] == [parse_row(row, format) for row in rows]
    reasons = {parse_row(row, format) for row in rows if isinstance(parse_row(row, format), str)}
    assert "not_an_object" in reasons or format == ACCOUNT_DATA
    assert "bad_ms_played" in reasons


def test_every_row_of_a_synthetic_export_parses_the_same_typed_and_plain(tmp_path):
    summary = build_synthetic_export(tmp_path / "s.zip", records=3000, seed=3)
    limits = Limits(max_upload_bytes=1 << 30, max_records=10**6)
    with open_export(summary.path, limits) as export:
        for history_file in export.files:
            plain = list(export.rows(history_file))
            typed = list(export.rows(history_file, typed=True))
            assert len(typed) == len(plain)
            assert [parse_row(row, history_file.format) for row in typed] == [
                parse_row(row, history_file.format) for row in plain
            ]


def test_the_row_structs_keep_no_personal_fields():
    fields = set(ExtendedRow.__struct_fields__) | set(AccountDataRow.__struct_fields__)

    assert not fields & {"ip_addr", "ip_addr_decrypted", "user_agent_decrypted", "username"}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b'[{"ts": "2024-01-01T00:00:00Z"},\n {"ts": "\xff"}]', "not_utf8"),
        (b'[{"ts": "2024-01-01T00:00:00Z"},\n {"ts" 2}]', "invalid_json"),
        (b'[{"ts": "2024-01-01T00:00:00Z"},\n {"ts": 2}', "invalid_json"),
    ],
)
@pytest.mark.parametrize("chunk_size", [1, 5, 1 << 20])
def test_broken_files_are_rejected_the_same_way_when_typed(data, code, chunk_size):
    with pytest.raises(ImportRejected) as typed:
        read(data, chunk_size, ExtendedRow)
    with pytest.raises(ImportRejected) as plain:
        read(data, chunk_size, None)

    assert typed.value.code == plain.value.code == code
    assert str(typed.value) == str(plain.value)
