"""Fuzzing the export readers with hypothesis: whatever a listener uploads, the importer answers
with records, skip reasons or one ImportRejected sentence, never another exception.

- rows: JSON values shaped like each format's rows (every field present, missing, null or of a
  wrong type; any text, lone surrogates included; huge and negative numbers) through both parsers,
  as dicts and as the typed structs the importer decodes;
- files: such rows written as a history file, as raw UTF-8 or with surrogates and broken bytes,
  opened as a single JSON upload and inside a ZIP under generated member names;
- ZIP structures: a valid export ZIP with bytes overwritten, cut short or with junk appended.

Each test runs FUZZ_EXAMPLES examples (see conftest.py).
"""

import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imports.exports import ImportRejected, Limits, open_export
from imports.formats import (
    ACCOUNT_DATA,
    EXTENDED,
    SKIP_REASONS,
    as_row,
    parse_row,
    row_type_for,
)
from imports.tests.fixtures import extended_track_row, music_row, podcast_row, write_zip
from plays.records import PlayRecord

LIMITS = Limits(max_upload_bytes=4 * 1024 * 1024, max_records=500)

# Any text: every code point, with lone surrogates made common (hypothesis leaves them out
# unless asked).
CHARACTERS = st.one_of(
    st.characters(exclude_categories=()),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
)
TEXT = st.text(CHARACTERS, max_size=20)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=6,
)
TIMES = st.one_of(
    st.sampled_from(["2024-05-01T12:00:00Z", "2024-05-01 12:00", "9999-12-31T23:59:59Z"]),
    st.sampled_from(["0000-01-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-05-01T25:61:61Z"]),
    TEXT,
    NUMBERS,
)
URIS = st.one_of(
    st.sampled_from(["spotify:track:4uLU6hMCjMI75M1A2tKUQC", "spotify:episode:x", "spotify:"]),
    st.builds(lambda kind, rest: f"spotify:{kind}:{rest}", TEXT, TEXT),
    TEXT,
)


def fields_of(template, specials):
    """A row with each field of `template` left out, kept, or replaced by any value (the
    format's key fields by plausible-looking values first)."""
    choices = {
        key: st.one_of(st.just(value), specials.get(key, JSON_VALUES), JSON_VALUES)
        for key, value in template.items()
    }
    return st.fixed_dictionaries({}, optional=choices)


EXTENDED_ROWS = fields_of(
    extended_track_row(),
    {"ts": TIMES, "ms_played": NUMBERS, "spotify_track_uri": URIS, "spotify_episode_uri": URIS},
)
ACCOUNT_ROWS = st.one_of(
    fields_of(music_row(), {"endTime": TIMES, "msPlayed": NUMBERS}),
    fields_of(podcast_row(), {"endTime": TIMES, "msPlayed": NUMBERS}),
)
ROWS = {EXTENDED: EXTENDED_ROWS, ACCOUNT_DATA: ACCOUNT_ROWS}


def assert_a_record_or_a_skip(result):
    if isinstance(result, str):
        assert result in SKIP_REASONS
    else:
        assert isinstance(result, PlayRecord)
        assert result.played_at.tzinfo is not None
        assert result.item_name


@pytest.mark.parametrize("format", [EXTENDED, ACCOUNT_DATA])
@given(data=st.data())
def test_any_row_is_a_record_or_a_skip_reason(format, data):
    row = data.draw(st.one_of(ROWS[format], JSON_VALUES))
    assert_a_record_or_a_skip(parse_row(row, format))


@pytest.mark.parametrize("format", [EXTENDED, ACCOUNT_DATA])
@given(data=st.data())
def test_typed_rows_parse_like_dict_rows(format, data):
    row = data.draw(ROWS[format])
    try:
        typed = as_row(row, row_type_for(format))
    except ImportRejected:
        return  # a field of a type the struct can't hold: the whole file is refused, clearly
    assert_a_record_or_a_skip(parse_row(typed, format))


def file_bytes(rows, encoding):
    """A history file as Spotify would write it, or spoilt: surrogates kept (not UTF-8), a byte
    order mark, cut short or with invalid bytes."""
    text = json.dumps(rows, ensure_ascii=encoding == "ascii", indent=2)
    data = text.encode("utf-8", "surrogatepass")
    return {
        "ascii": data,
        "raw": data,
        "bom": b"\xef\xbb\xbf" + data,
        "cut": data[: len(data) // 2],
        "junk": data[:-1] + b"\xff\xfe" + data[-1:],
    }[encoding]


ENCODINGS = st.sampled_from(["ascii", "raw", "bom", "cut", "junk"])
MEMBER_NAMES = st.one_of(
    st.sampled_from(
        [
            "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json",
            "MyData/StreamingHistory_music_0.json",
            "MyData/endsong_3.json",
            "../Streaming_History_Audio_2024.json",
            "/abs/StreamingHistory0.json",
            "C:\\StreamingHistory1.json",
        ]
    ),
    st.builds(lambda stem: f"MyData/{stem}.json", TEXT),
)


def read_everything(path, name):
    """Opens the upload and reads every record; returns how many, or the rejection's code."""
    try:
        with open_export(path, LIMITS, name=name) as export:
            return sum(1 for _ in export.records())
    except ImportRejected as rejection:
        assert rejection.code and str(rejection)
        return rejection.code


@given(
    format=st.sampled_from([EXTENDED, ACCOUNT_DATA]),
    data=st.data(),
    encoding=ENCODINGS,
)
def test_any_history_file_uploaded_alone_is_read_or_refused(
    tmp_path_factory, format, data, encoding
):
    rows = data.draw(st.lists(st.one_of(ROWS[format], JSON_VALUES), max_size=5))
    name = "Streaming_History_Audio_2024.json" if format == EXTENDED else "StreamingHistory0.json"
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(file_bytes(rows, encoding))
    read_everything(path, name)


@given(
    members=st.lists(
        st.tuples(MEMBER_NAMES, st.lists(EXTENDED_ROWS | ACCOUNT_ROWS, max_size=4), ENCODINGS),
        min_size=1,
        max_size=3,
    )
)
def test_any_zip_of_history_files_is_read_or_refused(tmp_path_factory, members):
    path = tmp_path_factory.mktemp("fuzz") / "my_spotify_data.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (rows, encoding) in {name: rest for name, *rest in members}.items():
            archive.writestr(name, file_bytes(rows, encoding))
    read_everything(path, path.name)


def a_valid_export(folder: Path) -> Path:
    rows = [extended_track_row(ts=f"2024-05-01T12:{minute:02d}:00Z") for minute in range(20)]
    return write_zip(
        folder / "my_spotify_data.zip",
        {
            "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json": rows,
            "Spotify Extended Streaming History/ReadMeFirst.pdf": b"%PDF-1.4",
        },
    )


@given(
    changes=st.lists(
        st.tuples(st.integers(min_value=0, max_value=10_000), st.binary(min_size=1, max_size=8)),
        max_size=6,
    ),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=10_000)),
    junk=st.binary(max_size=64),
)
def test_a_damaged_zip_is_read_or_refused(tmp_path_factory, changes, cut, junk):
    path = a_valid_export(tmp_path_factory.mktemp("fuzz"))
    data = bytearray(path.read_bytes())
    for offset, replacement in changes:
        offset %= len(data)
        data[offset : offset + len(replacement)] = replacement
    if cut is not None:
        data = data[: cut % len(data)]
    path.write_bytes(bytes(data) + junk)
    read_everything(path, path.name)


def test_the_untouched_export_reads_all_its_rows(tmp_path):
    assert read_everything(a_valid_export(tmp_path), "my_spotify_data.zip") == 20
