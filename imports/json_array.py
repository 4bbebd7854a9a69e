"""Streaming the rows of one top-level JSON list (a Spotify history file) with bounded memory.

`JsonArrayReader` hands out the items of the list a batch at a time from byte chunks: it never
holds more than about a megabyte of the file, and turns broken JSON, text that isn't UTF-8 or a
row past MAX_ROW_BYTES into an `ImportRejected` naming the file and the line. Opening the upload
and finding its history files is `imports.exports`' job.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterable, Iterator

import msgspec

from imports.errors import ImportRejected
from imports.formats import as_row

try:  # Much faster on large files (see docs/imports.md); the standard library is the fallback.
    import orjson
except ImportError:  # pragma: no cover - depends on what is installed
    orjson = None

MAX_ROW_BYTES = 1024 * 1024  # a Spotify row is under 2 KB; a "row" past this is not one
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
JSON_WHITESPACE = b" \t\r\n"
_SKIP_WHITESPACE = re.compile(r"[ \t\r\n]*")

# Streaming the rows of one JSON list


def _loads_with_json(document: bytes) -> object:
    return json.loads(document.decode("utf-8"))


def orjson_loads(data: bytes) -> object:
    """One JSON document (a ValueError when it is none)."""
    return _loads_batch(data)


# Either one raises a ValueError for bad JSON or bad UTF-8; the slow path then says which.
_loads_batch: Callable[[bytes], object] = orjson.loads if orjson is not None else _loads_with_json
JSON_LIBRARY = "orjson" if orjson is not None else "json"

_raw_decode = json.JSONDecoder().raw_decode
_row_list_decoders: dict[type, Callable[[bytes], object]] = {}


def _row_list_decoder(row_type: type) -> Callable[[bytes], object]:
    if row_type not in _row_list_decoders:
        _row_list_decoders[row_type] = msgspec.json.Decoder(list[row_type]).decode
    return _row_list_decoders[row_type]


class JsonArrayReader:
    """The items of one top-level JSON list, read from byte chunks with bounded memory.

    The fast path parses every complete row in the buffer with one `loads` call: it cuts the
    buffer after its last `}` and parses `[` + that + `]`; if that parses, the cut was between two
    rows (a `}` inside a string or a half-read row can't give a valid list). When it doesn't parse
    (a row cut just after a `}` in its text, rows that aren't objects, or broken JSON), the slow
    path decodes value by value, so errors are reported with their line and a broken file is never
    read further than about a megabyte past the break.

    With a `row_type` (a msgspec struct), objects come as that struct: the fast path decodes them
    straight into it (a list holding anything else fails to and goes the slow path, which converts
    each object it reads).
    """

    def __init__(self, chunks: Iterable[bytes], member: str, *, row_type: type | None = None):
        self.member = member
        self._row_type = row_type
        self._loads_rows = _row_list_decoder(row_type) if row_type else None
        self._chunks = iter(chunks)
        self._buffer = b""
        self._line = 1  # line number of the buffer's first byte
        self._at_start = True
        self._opened = False  # the "[" was read
        self._closed = False  # the "]" was read
        self._has_items = False
        self._eof = False

    def __iter__(self) -> Iterator[object]:
        while not self._eof:
            self._read_chunk()
            if not self._opened and not self._open():
                continue
            if self._closed:
                self._check_only_whitespace_left()
            else:
                yield from self._complete_items()
        if not self._opened:
            raise ImportRejected(
                "invalid_json", f"{self.member} is empty, not a JSON list.", member=self.member
            )
        if not self._closed:
            yield from self._items_one_by_one(final=True)
        if not self._closed:
            raise self._invalid(self._line, "the file ends before its list of plays does")

    def _read_chunk(self) -> None:
        chunk = next(self._chunks, None)
        if chunk is None:
            self._eof = True
        else:
            self._buffer += chunk

    def _consume(self, size: int) -> None:
        self._line += self._buffer.count(b"\n", 0, size)
        self._buffer = self._buffer[size:]

    def _open(self) -> bool:
        if self._at_start and len(self._buffer) >= 3:
            self._at_start = False
            if self._buffer.startswith(UTF16_BOMS):
                raise not_utf8_history(self.member, 1)
            self._buffer = self._buffer.removeprefix(UTF8_BOM)
        stripped = self._buffer.lstrip(JSON_WHITESPACE)
        if not stripped:
            return False
        self._consume(len(self._buffer) - len(stripped))
        if stripped[:1] == b"{":
            raise wrong_shape(self.member)
        if stripped[:1] != b"[":
            raise self._invalid(self._line, "it does not start with a JSON list")
        self._consume(1)
        self._opened = True
        return True

    def _complete_items(self) -> list[object]:
        cut = self._buffer.rfind(b"}") + 1
        if cut:
            items = self._try_batch(self._buffer[:cut])
            if items:
                self._consume(cut)
                self._has_items = True
                return items
        return self._items_one_by_one(final=False)

    def _try_batch(self, body: bytes) -> list[object] | None:
        if self._has_items:
            body = body.lstrip(JSON_WHITESPACE)
            if not body.startswith(b","):
                return None
            body = body[1:]
        try:
            items = (self._loads_rows or _loads_batch)(b"[" + body + b"]")
        except ValueError:
            return None
        return items if isinstance(items, list) else None

    def _items_one_by_one(self, *, final: bool) -> list[object]:
        text = self._decode(final)
        items: list[object] = []
        committed = 0  # end of the last complete item (or of the closing "]")
        position = 0
        while True:
            position = _SKIP_WHITESPACE.match(text, position).end()
            if position == len(text):
                break
            if text[position] == "]":
                committed = position + 1
                self._closed = True
                break
            if self._has_items or items:
                if text[position] != ",":
                    raise self._invalid_at(text, position, "expected a comma between two rows")
                position = _SKIP_WHITESPACE.match(text, position + 1).end()
                if position == len(text):
                    break
                if text[position] == "]":
                    raise self._invalid_at(text, position, "a comma is followed by no row")
            try:
                item, end = _raw_decode(text, position)
            except json.JSONDecodeError as error:
                if final or len(text) - position > MAX_ROW_BYTES:
                    raise self._invalid_at(text, error.pos, error.msg) from error
                break
            except RecursionError:
                raise self._invalid_at(text, position, "a row nests too deeply") from None
            if end == len(text) and not final:
                break  # a number or literal may go on in the next chunk
            items.append(item if self._row_type is None else as_row(item, self._row_type))
            committed = position = end
        self._consume(len(text[:committed].encode()) if committed else 0)
        self._has_items = self._has_items or bool(items)
        if self._closed:
            self._check_only_whitespace_left()
        return items

    def _decode(self, final: bool) -> str:
        try:
            text, _ = codecs.utf_8_decode(self._buffer, "strict", final)
        except UnicodeDecodeError as error:
            line = self._line + self._buffer.count(b"\n", 0, error.start)
            raise not_utf8_history(self.member, line) from error
        return text

    def _check_only_whitespace_left(self) -> None:
        rest = self._buffer.lstrip(JSON_WHITESPACE)
        if rest:
            self._consume(len(self._buffer) - len(rest))
            raise self._invalid(self._line, "there is more data after its list of plays")
        self._consume(len(self._buffer))

    def _invalid_at(self, text: str, position: int, reason: str) -> ImportRejected:
        return self._invalid(self._line + text.count("\n", 0, position), reason)

    def _invalid(self, line: int, reason: str) -> ImportRejected:
        return ImportRejected(
            "invalid_json",
            f"{self.member} is not valid JSON (line {line}: {reason[:1].lower() + reason[1:]}).",
            member=self.member,
        )


def wrong_shape(member: str) -> ImportRejected:
    return ImportRejected(
        "wrong_shape",
        f"{member} holds a single JSON object, not the list of plays a Spotify streaming history "
        "file holds.",
        member=member,
    )


def not_utf8_history(member: str, line: int) -> ImportRejected:
    return ImportRejected(
        "not_utf8",
        f"{member} is not UTF-8 text (line {line}); Spotify's files are UTF-8, so upload the "
        "file as Spotify sent it rather than a copy saved by another program.",
        member=member,
    )


def human_size(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"
