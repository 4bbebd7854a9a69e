"""Streaming the rows of one history file: any chunking, bounded memory, precise errors."""

import importlib.util
import json

import pytest

from imports import json_array
from imports.exports import ImportRejected, JsonArrayReader
from imports.tests.fixtures import extended_track_row, json_bytes, music_row, podcast_row

BACKENDS = ["json"] + (["orjson"] if importlib.util.find_spec("orjson") else [])


@pytest.fixture(params=BACKENDS, autouse=True)
def json_backend(request, monkeypatch):
    """Every test here runs with the standard library and, where installed, with orjson."""
    if request.param == "orjson":
        import orjson

        monkeypatch.setattr(json_array, "_loads_batch", orjson.loads)
    else:
        monkeypatch.setattr(json_array, "_loads_batch", json_array._loads_with_json)
    return request.param


def read(data: bytes, chunk_size: int | None = None, member: str = "endsong_0.json") -> list:
    chunk_size = chunk_size or max(1, len(data))
    chunks = [data[start : start + chunk_size] for start in range(0, len(data), chunk_size)]
    return list(JsonArrayReader(chunks, member))


def error_of(data: bytes, chunk_size: int | None = None) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        read(data, chunk_size)
    return caught.value


TRICKY_ROWS = [
    extended_track_row(master_metadata_track_name='Say "Hello" {Live}, }] [{'),
    extended_track_row(master_metadata_track_name="Ørsted: 雨の日 \\ 🎧", ms_played=0),
    extended_track_row(master_metadata_album_album_name="}"),
    podcast_row(),
    music_row(trackName="}\n,{"),
]


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 17, 64, 333, 4096])
@pytest.mark.parametrize("indent", [None, 2])
def test_rows_come_out_the_same_however_the_file_is_cut_into_chunks(chunk_size, indent):
    data = json_bytes(TRICKY_ROWS, indent=indent)

    assert read(data, chunk_size) == TRICKY_ROWS


def test_a_utf8_bom_and_surrounding_whitespace_are_accepted():
    assert read(b"\xef\xbb\xbf \r\n" + json_bytes([music_row()]) + b"\n\n", 3) == [music_row()]


def test_an_empty_list_has_no_rows():
    assert read(b"[]") == []
    assert read(b"  [\n  ]  \n") == []


def test_values_that_are_not_objects_are_passed_on_for_the_parser_to_skip():
    assert read(b'[1, "two", null, [3], {"a": 4}, true]', 2) == [
        1,
        "two",
        None,
        [3],
        {"a": 4},
        True,
    ]


def test_a_large_file_is_read_in_batches_of_rows(monkeypatch):
    batches = []
    loads = json_array._loads_batch
    monkeypatch.setattr(
        json_array, "_loads_batch", lambda data: batches.append(data) or loads(data)
    )
    rows = [extended_track_row(ms_played=index) for index in range(3000)]

    assert read(json_bytes(rows), 256 * 1024) == rows
    assert 5 < len(batches) < 20


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'[{"a": 1},\n {"b": 2},\n]', "line 3: a comma is followed by no row"),
        (b'[{"a": 1}\n {"b": 2}]', "line 2: expected a comma between two rows"),
        (b'[{"a": 1},\n {"b": 2}', "line 2: the file ends before its list of plays does"),
        (b'[{"a": 1}]\n{"b": 2}', "line 2: there is more data after its list of plays"),
        (b'[{"a": 1},\n {"b" 2}]', "line 2: expecting ':' delimiter"),
        (b'[{"a": 1},\n\n {"b": tru}]', "line 3: expecting value"),
        (b"streaming history", "line 1: it does not start with a JSON list"),
    ],
)
@pytest.mark.parametrize("chunk_size", [1, 4, None])
def test_broken_json_is_rejected_with_the_line_it_breaks_on(data, problem, chunk_size):
    with pytest.raises(ImportRejected) as caught:
        read(data, chunk_size, member="f.json")

    assert caught.value.code == "invalid_json"
    assert caught.value.member == "f.json"
    assert str(caught.value) == f"f.json is not valid JSON ({problem})."


@pytest.mark.parametrize("data", [b"", b" \n "])
def test_an_empty_file_is_rejected(data):
    error = error_of(data)

    assert (error.code, str(error)) == ("invalid_json", "endsong_0.json is empty, not a JSON list.")


def test_a_break_early_in_a_big_file_is_found_without_reading_the_rest():
    good = json_bytes([extended_track_row()] * 2000)[1:-2]  # rows without the list's brackets
    consumed = []

    def chunks():
        yield b'[{"ts": "2024-01-01T00:00:00Z", broken},\n'
        for _ in range(100):
            consumed.append(1)
            yield good[: 512 * 1024]

    with pytest.raises(ImportRejected) as caught:
        list(JsonArrayReader(chunks(), "f.json"))

    assert caught.value.code == "invalid_json"
    assert len(consumed) <= 3


def test_a_json_object_instead_of_a_list_is_the_wrong_shape():
    error = error_of(json_bytes(extended_track_row()))

    assert error.code == "wrong_shape"


@pytest.mark.parametrize("chunk_size", [1, 7, None])
def test_text_that_is_not_utf8_is_rejected_with_its_line(chunk_size):
    data = json.dumps([music_row(), music_row(artistName="Beyoncé")], indent=2, ensure_ascii=False)

    error = error_of(data.encode("latin-1"), chunk_size)

    assert error.code == "not_utf8"
    assert "(line 10)" in str(error)


def test_utf16_text_is_rejected_as_not_utf8():
    error = error_of(json.dumps([music_row()]).encode("utf-16"))

    assert error.code == "not_utf8"
