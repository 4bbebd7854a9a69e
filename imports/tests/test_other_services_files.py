"""Reading other services' files: formats told from the content, rows streamed, limits held.

No database: `open_export` and the readers only read.
"""

import json
from itertools import islice

import pytest

from imports.exports import ImportRejected, open_export
from imports.readers import MAX_LINE_BYTES, JsonLinesReader, csv_rows, json_items
from imports.tests.fixtures import LIMITS, write_zip
from imports.tests.other_services import (
    SCROBBLES,
    csv_bytes,
    lastfm_csv_rows,
    lastfm_page,
    lastfm_track,
    listenbrainz_listen,
    listenbrainz_zip,
    maloja_export,
)

CHUNK = 256 * 1024


def endless(first=b"", fill=b"x"):
    """A stream of 256 KB chunks adding up to 2 GB, made as it is read; counts what was read."""

    class Stream:
        read = 0

        def __iter__(self):
            if first:
                yield first
            for _ in range(2 * 1024**3 // CHUNK):
                self.read += 1
                yield fill * CHUNK

    return Stream()


def opened(path, name=None):
    with open_export(path, LIMITS, name=name) as export:
        files = [(f.name, f.format, f.layout) for f in export.files]
        rows = [row for f in export.files for row in export.rows(f)]
        return export.format, files, rows


def write(path, content):
    path.write_bytes(content)
    return path


# --- telling the format ------------------------------------------------------------------------


def test_each_format_is_told_from_the_content_whatever_the_file_is_called(tmp_path):
    listens = [listenbrainz_listen(listen) for listen in SCROBBLES]
    cases = {
        "upload-1": (csv_bytes(lastfm_csv_rows()), "lastfm_csv", "csv"),
        "upload-2": (
            json.dumps(lastfm_page([lastfm_track(SCROBBLES[0])])).encode(),
            "lastfm_json",
            "lastfm_page",
        ),
        "upload-3": (
            json.dumps([lastfm_page([lastfm_track(SCROBBLES[0])])]).encode(),
            "lastfm_json",
            "lastfm_pages",
        ),
        "upload-4": (json.dumps(listens).encode(), "listenbrainz", "json_array"),
        "upload-5": (
            b"\n".join(json.dumps(x).encode() for x in listens),
            "listenbrainz",
            "json_lines",
        ),
        "upload-6": (maloja_export(), "maloja", "maloja_object"),
        "upload-7": (
            json.dumps(maloja_export and {"scrobbles": [], "maloja": {}}).encode(),
            "maloja",
            "maloja_object",
        ),
    }
    for name, (content, format, layout) in cases.items():
        export_format, files, _ = opened(write(tmp_path / name, content))
        assert (export_format, files[0][1:]) == (format, (format, layout)), name


def test_a_listenbrainz_zip_is_read_month_by_month_and_the_rest_ignored(tmp_path):
    listens = [*SCROBBLES] * 2
    export_format, files, rows = opened(listenbrainz_zip(tmp_path / "lb.zip", listens))
    assert export_format == "listenbrainz"
    assert [name for name, _, _ in files] == ["listens/2021/3.jsonl"]
    assert len(rows) == len(listens)


def test_a_zip_of_lastfm_pages_reads_every_page(tmp_path):
    tracks = [lastfm_track(listen) for listen in SCROBBLES]
    zipped = write_zip(
        tmp_path / "pages.zip",
        {
            "lastfm/page-2.json": json.dumps(lastfm_page(tracks[4:], page=2)).encode(),
            "lastfm/page-10.json": json.dumps(lastfm_page(tracks[:1], page=10)).encode(),
            "lastfm/page-1.json": json.dumps(lastfm_page(tracks[:4])).encode(),
            "lastfm/notes.json": b'{"user": "someone"}',
        },
    )
    export_format, files, rows = opened(zipped)
    assert export_format == "lastfm_json"
    assert [name for name, _, _ in files] == [
        "lastfm/page-1.json",
        "lastfm/page-2.json",
        "lastfm/page-10.json",
    ]
    assert len(rows) == len(tracks) + 1


def test_a_lastfm_page_with_a_single_track_as_an_object_is_read(tmp_path):
    page = lastfm_page(lastfm_track(SCROBBLES[0]))  # "track": {...}, not a list
    _, _, rows = opened(write(tmp_path / "page.json", json.dumps(page).encode()))
    assert [row["name"] for row in rows] == [SCROBBLES[0].title]


def test_this_services_json_needs_its_header_and_a_version_it_knows(tmp_path):
    play = {"type": "play", "played_at": "2024-01-01T00:00:00Z"}
    newer = {"type": "header", "format": "spotify-history", "version": 2}
    with pytest.raises(ImportRejected) as error:
        opened(
            write(tmp_path / "e.jsonl", b"\n".join(json.dumps(x).encode() for x in [newer, play]))
        )
    assert error.value.code == "unsupported_version"
    assert str(error.value) == (
        "Row 1 of e.jsonl says it is version 2 of this service's json export, and this server "
        "reads version 1 at most: export it again from this server's version; nothing was "
        "imported."
    )


def test_lines_of_types_it_does_not_know_are_skipped_in_its_own_json(tmp_path):
    header = {"type": "header", "format": "spotify-history", "version": 1}
    lines = [header, {"type": "taste_profile", "top": []}, {"type": "play", "source": "api"}]
    _, _, rows = opened(
        write(tmp_path / "e.jsonl", b"\n".join(json.dumps(x).encode() for x in lines))
    )
    assert rows == [{"type": "play", "source": "api"}]


def test_a_csv_named_file_with_other_columns_is_refused_at_once(tmp_path):
    with pytest.raises(ImportRejected) as error:
        opened(write(tmp_path / "history.csv", b"endTime,artistName,trackName\n"))
    assert error.value.code == "wrong_columns"
    assert str(error.value).startswith("Line 1 of history.csv has 3 columns ('endTime', ")


# --- streaming rows ----------------------------------------------------------------------------


def test_json_lines_skip_blank_lines_and_accept_a_bom():
    chunks = [b'\xef\xbb\xbf{"a": 1}\r\n', b"\n", b'{"a"', b": 2}\n  \n[3]"]
    assert list(JsonLinesReader(chunks, "x.jsonl")) == [{"a": 1}, {"a": 2}, [3]]


def test_broken_json_lines_are_refused_naming_the_line():
    with pytest.raises(ImportRejected) as error:
        list(JsonLinesReader([b'{"a": 1}\n{"a": \n'], "x.jsonl"))
    assert (error.value.code, str(error.value)) == (
        "invalid_json",
        "x.jsonl is not valid JSON Lines (line 2: expecting value).",
    )
    with pytest.raises(ImportRejected) as error:
        list(JsonLinesReader([b'{"a": 1}\n{"a": "caf\xe9"}\n'], "x.jsonl"))
    assert error.value.code == "not_utf8"


@pytest.mark.parametrize("reader", ["json lines", "csv"])
def test_a_two_gigabyte_line_is_refused_after_reading_about_a_megabyte(reader):
    if reader == "json lines":
        stream = endless(first=b'{"listened_at": 1}\n{"x": "')
        rows = JsonLinesReader(stream, "big")
    else:
        stream = endless(first=b'"Artist","","Track","31 Jan 2020 12:34"\n"Artist","')
        rows = csv_rows(stream, "big", columns=4)
    with pytest.raises(ImportRejected) as error:
        list(islice(rows, 10))
    assert error.value.code == "line_too_long"
    assert str(error.value) == (
        "Line 2 of big is longer than 1 MB, far longer than any play, so the file was not read "
        "further."
    )
    assert stream.read * CHUNK <= MAX_LINE_BYTES + 2 * CHUNK


def test_a_two_gigabyte_record_in_a_json_document_is_refused_after_a_megabyte():
    stream = endless(first=b'{"maloja": {}, "scrobbles": [{"time": 1, "track": {"title": "')

    with pytest.raises(ImportRejected) as error:
        list(json_items(lambda: stream, "maloja.json", "scrobbles.item"))
    assert error.value.code == "record_too_large"
    assert str(error.value).startswith("Record 1 of maloja.json is larger than 1 MB")
    assert stream.read * CHUNK <= MAX_LINE_BYTES + 2 * CHUNK


def test_csv_rows_keep_quoted_line_breaks_and_refuse_a_row_of_other_width():
    text = b'"a","b ""c""\nd","e","31 Jan 2020 12:34"\n\n1,2,3,4\n1,2,3\n'
    rows = csv_rows([text], "s.csv", columns=4)
    assert next(rows) == ["a", 'b "c"\nd', "e", "31 Jan 2020 12:34"]
    assert next(rows) == ["1", "2", "3", "4"]
    with pytest.raises(ImportRejected) as error:
        next(rows)
    assert str(error.value).startswith("Line 5 of s.csv has 3 columns ('1', '2', '3')")
