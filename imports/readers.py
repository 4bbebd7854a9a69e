"""Streaming the rows of other services' files: JSON Lines, CSV, and lists inside a JSON object.

Spotify's history files are one JSON list each (`imports.json_array.JsonArrayReader`). Other
services write their exports differently: ListenBrainz and this service one JSON object per line,
Last.fm tools a CSV without a header or the JSON pages of its API, Maloja one JSON object holding
the list of scrobbles. Each reader here takes the file as byte chunks and hands out one row at a
time, so memory stays small whatever the file's size, and a "row" far longer than any real one (a 2
GB line, say) is refused after about a megabyte instead of being read into memory. Every problem is
an `ImportRejected` naming the file and the line.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Callable, Iterable, Iterator

import ijson

from imports.errors import ImportRejected

try:  # the standard library is the fallback, as in imports.exports
    import orjson

    _loads = orjson.loads
except ImportError:  # pragma: no cover - depends on what is installed

    def _loads(line: bytes) -> object:
        return json.loads(line.decode("utf-8"))


MAX_LINE_BYTES = 1024 * 1024  # a listen or scrobble is under 4 KB; a line past this is not one
MAX_RECORD_BYTES = 1024 * 1024  # the same for one object read out of a JSON document
_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_MEGABYTE = "1 MB"


def split_lines(chunks: Iterable[bytes], member: str) -> Iterator[tuple[int, bytes]]:
    """(line number, line without its end) for every line of the chunks, a UTF-8 BOM dropped.

    Holds at most one line (up to MAX_LINE_BYTES) and one chunk; a longer line is refused.
    """
    buffer = b""
    number = 0
    at_start = True
    for chunk in chunks:
        buffer += chunk
        if at_start:
            if len(buffer) < 3 and len(chunk):
                continue
            at_start = False
            if buffer.startswith(_UTF16_BOMS):
                raise not_utf8(member, 1)
            buffer = buffer.removeprefix(_UTF8_BOM)
        if b"\n" in buffer:
            lines = buffer.split(b"\n")
            buffer = lines.pop()
            for line in lines:
                number += 1
                yield number, line
        if len(buffer) > MAX_LINE_BYTES:
            raise line_too_long(member, number + 1)
    if at_start:
        buffer = buffer.removeprefix(_UTF8_BOM)
    if buffer:
        yield number + 1, buffer


class JsonLinesReader:
    """The JSON values of a JSON Lines file (one value per line; blank lines are skipped)."""

    def __init__(self, chunks: Iterable[bytes], member: str):
        self.member = member
        self._chunks = chunks
        self.line = 0  # number of the line of the last value handed out

    def __iter__(self) -> Iterator[object]:
        for number, line in split_lines(self._chunks, self.member):
            if not line.strip():
                continue
            self.line = number
            try:
                yield _loads(line)
            except ValueError:
                yield self._problem(number, line)

    def _problem(self, number: int, line: bytes):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise not_utf8(self.member, number) from None
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            reason = error.msg[:1].lower() + error.msg[1:]
            raise ImportRejected(
                "invalid_json",
                f"{self.member} is not valid JSON Lines (line {number}: {reason}).",
                member=self.member,
            ) from None
        except RecursionError:
            raise ImportRejected(
                "invalid_json",
                f"{self.member} is not valid JSON Lines (line {number}: a row nests too deeply).",
                member=self.member,
            ) from None
        return json.loads(text)  # pragma: no cover - orjson refuses some JSON json accepts


def csv_rows(chunks: Iterable[bytes], member: str, *, columns: int) -> Iterator[list[str]]:
    """The rows of a UTF-8 CSV file (RFC 4180 quoting), each of exactly `columns` cells.

    Blank lines are skipped. A row with another number of cells refuses the whole file
    ("wrong_columns"), as does broken quoting or a cell over the csv module's field limit.
    """
    reader = csv.reader(_text_lines(chunks, member), strict=True)
    try:
        for row in reader:
            if not row or row == [""]:
                continue
            if len(row) != columns:
                raise wrong_columns(member, reader.line_num, row, columns)
            yield row
    except csv.Error as error:
        raise ImportRejected(
            "invalid_csv",
            f"{member} is not a valid CSV file (line {reader.line_num}: {error}).",
            member=member,
        ) from None


def _text_lines(chunks: Iterable[bytes], member: str) -> Iterator[str]:
    for number, line in split_lines(chunks, member):
        try:
            yield line.decode("utf-8") + "\n"
        except UnicodeDecodeError:
            raise not_utf8(member, number) from None


def wrong_columns(member: str, line: int, row: list[str], columns: int) -> ImportRejected:
    shown = ", ".join(repr(cell[:30]) for cell in row[:6]) + (", ..." if len(row) > 6 else "")
    return ImportRejected(
        "wrong_columns",
        f"Line {line} of {member} has {len(row)} column{'s' if len(row) != 1 else ''} ({shown}), "
        f"but a Last.fm scrobble CSV has {columns} and no header: artist, album, track and the "
        "date (like 31 Jan 2020 12:34).",
        member=member,
    )


class _ChunkStream:
    """A file-like view of byte chunks for ijson, refusing an object larger than MAX_RECORD_BYTES.

    The reader calls `next_record()` after each object it hands out; more bytes than the limit
    read since then mean one object is that large.
    """

    def __init__(self, chunks: Iterable[bytes], member: str, limit: int):
        self._chunks = iter(chunks)
        self._pending = b""
        self._member = member
        self._limit = limit
        self._since_record = 0
        self._records = 0
        self._at_start = True

    def read(self, size: int = -1) -> bytes:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return b""
            if self._at_start:
                self._at_start = False
                if chunk.startswith(_UTF16_BOMS):
                    raise not_utf8(self._member, 1)
                chunk = chunk.removeprefix(_UTF8_BOM)
            self._pending = chunk
        size = len(self._pending) if size is None or size < 0 else size
        data, self._pending = self._pending[:size], self._pending[size:]
        self._since_record += len(data)
        if self._since_record > self._limit:
            raise ImportRejected(
                "record_too_large",
                f"Record {self._records + 1} of {self._member} is larger than {_MEGABYTE}, far "
                "larger than any play, so the file was not read further.",
                member=self._member,
            )
        return data

    def next_record(self) -> None:
        self._records += 1
        self._since_record = 0


def json_items(
    make_chunks: Callable[[], Iterable[bytes]],
    member: str,
    path: str,
    *,
    lone_object_path: str | None = None,
) -> Iterator[object]:
    """The items of the list at `path` (ijson's prefix syntax, e.g. `scrobbles.item`) of a JSON
    document, one at a time. Numbers come as int or float.

    `lone_object_path` is read instead when `path` holds nothing: Last.fm writes a page's only
    track as an object where it writes a list of several.
    """
    found = False
    for item in _items_at(make_chunks(), member, path):
        found = True
        yield item
    if not found and lone_object_path:
        for item in _items_at(make_chunks(), member, lone_object_path):
            if isinstance(item, dict):
                yield item


def _items_at(chunks: Iterable[bytes], member: str, path: str) -> Iterator[object]:
    stream = _ChunkStream(chunks, member, MAX_RECORD_BYTES)
    try:
        for item in ijson.items(stream, path, use_float=True):
            yield item
            stream.next_record()
    except ijson.JSONError as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else "it ends early"
        if "utf" in message.lower() or isinstance(error.__cause__, UnicodeDecodeError):
            raise not_utf8(member, None) from None
        raise ImportRejected(
            "invalid_json",
            f"{member} is not valid JSON ({message[:120]}).",
            member=member,
        ) from None
    except UnicodeDecodeError:
        raise not_utf8(member, None) from None


def line_too_long(member: str, line: int) -> ImportRejected:
    return ImportRejected(
        "line_too_long",
        f"Line {line} of {member} is longer than {_MEGABYTE}, far longer than any play, so the "
        "file was not read further.",
        member=member,
    )


def not_utf8(member: str, line: int | None) -> ImportRejected:
    where = f" (line {line})" if line else ""
    return ImportRejected(
        "not_utf8",
        f"{member} is not UTF-8 text{where}; exports are UTF-8, so upload the file as the service "
        "wrote it rather than a copy saved by another program.",
        member=member,
    )
