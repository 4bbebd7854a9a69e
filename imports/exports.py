"""Opening an uploaded Spotify export safely and streaming the rows of its history files.

A listener uploads the ZIP from Spotify's "Download your data" e-mail (or one JSON file out of
it). That file comes from outside, can be up to hundreds of megabytes and could be hostile, so this
module checks everything it can before a single row is read (size, ZIP structure, unsafe member
names, encryption, nested ZIPs, declared sizes and compression ratios) and then streams each history
file in chunks: it never holds more than about a megabyte of one file, never unpacks past the size
a member declares, and turns every problem into an `ImportRejected` whose message is one sentence
for the person who uploaded the file. Reading one JSON list in bounded memory is
`imports.json_array`'s job (`JsonArrayReader`, importable from here too), other services' layouts
`imports.readers`'; turning rows into plays is `imports.formats`', storing them the database side's.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from imports import detect
from imports.errors import ImportRejected
from imports.foreign import LISTENBRAINZ, check_history_header
from imports.formats import (
    ACCOUNT_DATA,
    EXTENDED,
    SPOTIFY_FORMATS,
    parser_for,
    row_type_for,
)
from imports.json_array import (
    JSON_WHITESPACE,
    UTF8_BOM,
    UTF16_BOMS,
    JsonArrayReader,
    human_size,
    not_utf8_history,
    orjson_loads,
    wrong_shape,
)
from imports.readers import JsonLinesReader, csv_rows, json_items, split_lines
from imports.row_values import RowRefused
from plays.records import PlayRecord

try:  # Much faster on large files (see docs/imports.md); the standard library is the fallback.
    import orjson
except ImportError:  # pragma: no cover - depends on what is installed
    orjson = None

MIXED = "mixed"

EXPECTED_NAMES = "endsong_*.json, Streaming_History_Audio_*.json or StreamingHistory*.json"
# A ListenBrainz export ZIP: listens/<year>/<month>.jsonl beside user.json and feedback.jsonl.
_LISTENBRAINZ_MEMBER = re.compile(r"(?:^|/)listens/\d{4}/\d{1,2}\.jsonl$", re.I)
_SNIFFED_SUFFIXES = (".json", ".jsonl", ".csv")  # other members a ZIP may hold plays in

READ_SIZE = 256 * 1024  # compressed bytes read from the upload at a time
PEEK_SIZE = 64 * 1024  # bytes of a file read to tell its format
CHUNK_SIZE = 256 * 1024  # most uncompressed bytes handed to the JSON reader at a time
RATIO_CHECK_FLOOR = 1024 * 1024  # members smaller than this can't be bombs, whatever their ratio

_READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
_NUMBER_RUNS = re.compile(r"(\d+)")
_HISTORY_NAME = re.compile(
    r"^(?P<stem>.*?)(?:_\d{4}(?:-\d{4})?)?(?:_?(?P<number>\d+))?\.json$", re.I
)


@dataclass(frozen=True)
class Limits:
    max_upload_bytes: int  # IMPORT_MAX_ZIP_SIZE_MB * 1024 * 1024
    max_records: int  # IMPORT_MAX_RECORDS
    max_uncompressed_bytes: int = 8 * 1024**3  # total of the history members
    max_compression_ratio: int = 200  # per member, uncompressed / compressed
    max_members: int = 10_000

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            max_upload_bytes=settings.IMPORT_MAX_ZIP_SIZE_MB * 1024 * 1024,
            max_records=settings.IMPORT_MAX_RECORDS,
        )


@dataclass(frozen=True)
class HistoryFile:
    name: str  # member name inside the ZIP, or the file name of a single upload
    format: str  # "extended", "account_data", or another service's (imports.foreign)
    size: int  # uncompressed bytes (as declared by the ZIP)
    layout: str = detect.JSON_ARRAY  # how its rows are laid out (imports.detect)


def history_format(member_name: str) -> str | None:
    """The export format a file holds, judged by its name at any folder depth, or None."""
    base = member_name.rsplit("/", 1)[-1].lower()
    if not base.endswith(".json") or base.startswith("._"):
        return None
    if base.startswith(("endsong", "streaming_history_audio", "streaming_history_video")):
        return EXTENDED
    if base.startswith("streaminghistory"):
        return ACCOUNT_DATA
    return None


def natural_key(name: str) -> tuple:
    """Sort key that puts `_2` before `_10`."""
    parts = _NUMBER_RUNS.split(name.lower())
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def history_order(member_name: str) -> tuple:
    """Sort key putting a folder's history files in the order Spotify numbered them.

    Spotify counts files on across years (`..._2022-2023_11.json` follows `..._2022_10.json`),
    so files of one kind are ordered by that number, which is also their time order.
    """
    folder, _, base = member_name.rpartition("/")
    match = _HISTORY_NAME.match(base)
    number = int(match["number"]) if match and match["number"] else -1
    stem = match["stem"].lower() if match else base.lower()
    return natural_key(folder), stem, number, natural_key(base)


class Export:
    """An opened upload. Use as a context manager; it holds the file open, never its whole content.

    `files` are the history files in the order Spotify numbered them (`history_order`), which is
    time order within each kind. `rows(file)` streams one file's JSON objects; `records()` streams
    every file's rows already parsed, counting them against `limits.max_records`.
    """

    def __init__(
        self,
        *,
        path: Path,
        name: str,
        files: list[HistoryFile],
        limits: Limits,
        upload: BinaryIO,
        archive: zipfile.ZipFile | None = None,
    ):
        self.path = path
        self.name = name
        self.files = files
        self.limits = limits
        self._upload = upload
        self._archive = archive
        self._members = {info.filename: info for info in archive.infolist()} if archive else {}

    @property
    def format(self) -> str:
        formats = {history_file.format for history_file in self.files}
        return formats.pop() if len(formats) == 1 else MIXED

    @property
    def is_zip(self) -> bool:
        return self._archive is not None

    @property
    def needs_check(self) -> bool:
        """Whether rows must all be read once before any is stored (`check`): other services'
        files may hold a row that refuses the whole file, and such a file must change nothing."""
        return any(history_file.format not in SPOTIFY_FORMATS for history_file in self.files)

    def rows(self, history_file: HistoryFile, *, typed: bool = False) -> Iterator[object]:
        """The rows of one history file, as its layout holds them (objects, unless it's broken;
        lists of cells for a CSV).

        `typed` gives the objects of Spotify's files as the format's row struct
        (`imports.formats.row_type_for`), decoded straight from the text, which is what the
        parsers read fastest. Raises ImportRejected ("invalid_json", "wrong_shape", "not_utf8",
        "truncated", "zip_bomb", "line_too_long", "wrong_columns"...) naming the member, possibly
        after some rows were already yielded.
        """
        name, layout = history_file.name, history_file.layout

        def chunks():
            if self._archive is None:
                return _file_chunks(self._upload, history_file.size)
            return self._member_chunks(self._members[name])

        if layout == detect.JSON_ARRAY:
            row_type = row_type_for(history_file.format) if typed else None
            return iter(JsonArrayReader(chunks(), name, row_type=row_type))
        if layout == detect.JSON_LINES:
            return iter(JsonLinesReader(chunks(), name))
        if layout == detect.HISTORY_LINES:
            return _history_plays(JsonLinesReader(chunks(), name), name)
        if layout == detect.CSV_ROWS:
            return csv_rows(chunks(), name, columns=detect.LASTFM_CSV_COLUMNS)
        if layout == detect.LASTFM_PAGE:
            return json_items(
                chunks, name, "recenttracks.track.item", lone_object_path="recenttracks.track"
            )
        if layout == detect.LASTFM_PAGES:
            return _page_tracks(json_items(chunks, name, "item.recenttracks.track"))
        if layout == detect.MALOJA_OBJECT:
            return json_items(chunks, name, "scrobbles.item")
        raise ValueError(f"unknown layout {layout!r}")  # pragma: no cover - a programming error

    def records(self) -> Iterator[tuple[HistoryFile, PlayRecord | str]]:
        """Every row of every history file as a PlayRecord or a skip reason, file by file.

        Raises `ImportRejected.too_many_records` once more than `limits.max_records` rows were
        read, and a row's refusal (`refused_row`).
        """
        limit = self.limits.max_records
        count = 0
        for history_file in self.files:
            parse = parser_for(history_file.format)
            for number, row in enumerate(self.rows(history_file, typed=True), 1):
                count += 1
                if count > limit:
                    raise ImportRejected.too_many_records(limit)
                try:
                    yield history_file, parse(row)
                except RowRefused as refusal:
                    raise refused_row(history_file, number, refusal) from None

    def check(self, progress=None) -> int:
        """Reads every row once and returns how many there are, raising ImportRejected for the
        first thing that refuses the file; nothing is stored. `progress(rows)` is called now
        and then."""
        count = 0
        for count, _ in enumerate(self.records(), 1):
            if progress is not None and count % 20_000 == 0:
                progress(count)
        return count

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
        self._upload.close()

    def __enter__(self) -> Export:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Export {self.name!r} {self.format} files={len(self.files)}>"

    def _member_chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        try:
            if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                yield from _inflate_member(self._upload, info, self.name)
            else:
                yield from _library_member_chunks(self._archive, info, self.name)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
            raise _damaged_member(self.name, info.filename) from error


def open_export(path: str | Path, limits: Limits, *, name: str | None = None) -> Export:
    """Opens and validates an upload: a Spotify export ZIP or one JSON history file.

    `name` is what the person called the file (used in messages and, for a single JSON file, to
    tell its format); it defaults to the file's own name. Raises ImportRejected.
    """
    path = Path(path)
    name = name or path.name
    size = path.stat().st_size
    if size > limits.max_upload_bytes:
        raise ImportRejected(
            "too_large",
            f"{name} is {human_size(size)}, more than the {human_size(limits.max_upload_bytes)} "
            "an upload may be (IMPORT_MAX_ZIP_SIZE_MB).",
        )
    if size == 0:
        raise ImportRejected("not_a_zip", f"{name} is empty.")
    upload = path.open("rb")
    try:
        head = upload.read(64 * 1024)
        if head.startswith(_ZIP_SIGNATURES):
            return _open_zip(upload, path, name, size, limits)
        return _open_single_file(upload, path, name, size, head, limits)
    except BaseException:
        upload.close()
        raise


# Opening ZIP files


def _open_zip(upload: BinaryIO, path: Path, name: str, size: int, limits: Limits) -> Export:
    entries = _count_zip_entries(upload, size)
    if entries is None:
        raise ImportRejected(
            "truncated",
            f"{name} is cut off or damaged (the end of the ZIP file is missing): download the "
            "export from Spotify again and upload the complete file.",
        )
    _check_member_count(name, entries, limits)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error) as error:
        raise ImportRejected(
            "truncated",
            f"{name} is damaged (its ZIP directory can't be read): download the export from "
            "Spotify again and upload the complete file.",
        ) from error
    try:
        files = _validate_archive(archive, upload, name, limits)
    except BaseException:
        archive.close()
        raise
    return Export(path=path, name=name, files=files, limits=limits, upload=upload, archive=archive)


def _check_member_count(name: str, count: int, limits: Limits) -> None:
    if count > limits.max_members:
        raise ImportRejected(
            "too_many_files",
            f"{name} holds {count:,} files, more than the {limits.max_members:,} a Spotify export "
            "may hold.",
        )


def _validate_archive(
    archive: zipfile.ZipFile, upload: BinaryIO, name: str, limits: Limits
) -> list[HistoryFile]:
    infos = archive.infolist()
    _check_member_count(name, len(infos), limits)
    seen = set()
    for info in infos:
        if _is_unsafe_path(info.filename):
            raise ImportRejected(
                "path_traversal",
                f"{name} contains a file with an unsafe path ({info.filename!r}), so it was not "
                "imported.",
                member=info.filename,
            )
        if info.filename in seen:
            raise ImportRejected(
                "path_traversal",
                f"{name} contains two files with the same path ({info.filename!r}), so it was "
                "not imported.",
                member=info.filename,
            )
        seen.add(info.filename)
    members = [info for info in infos if not _is_ignored(info)]
    nested = next((info for info in members if info.filename.lower().endswith(".zip")), None)
    if nested is not None:
        raise _nested_zip(name, nested.filename)
    history = sorted(
        (info for info in members if history_format(info.filename)),
        key=lambda info: history_order(info.filename),
    )
    found = [(info, history_format(info.filename), detect.JSON_ARRAY) for info in history]
    if not found:
        found = _other_services_members(archive, upload, name, members, limits)
    if not found:
        raise _no_history_files(name, members)
    history = [info for info, _, _ in found]
    declared_total = sum(info.file_size for info in history)
    if declared_total > limits.max_uncompressed_bytes:
        raise ImportRejected(
            "zip_bomb",
            f"{name} would unpack to {human_size(declared_total)} of history files, more than "
            f"the {human_size(limits.max_uncompressed_bytes)} an import may unpack.",
        )
    for info in history:
        _check_member(info, name, limits)
        if _peek_member(upload, archive, info, name, 4).startswith(_ZIP_SIGNATURES):
            raise _nested_zip(name, info.filename)
    return [
        HistoryFile(name=info.filename, format=format, size=info.file_size, layout=layout)
        for info, format, layout in found
    ]


def _other_services_members(
    archive: zipfile.ZipFile, upload: BinaryIO, name: str, members: list, limits: Limits
) -> list[tuple[zipfile.ZipInfo, str, str]]:
    """The members of a ZIP without Spotify history files that hold plays of another service:
    a ListenBrainz export's listens/<year>/<month>.jsonl, else any JSON, JSON Lines or CSV
    file whose content is one of the formats read (Last.fm pages saved one file each, say)."""
    listens = [info for info in members if _LISTENBRAINZ_MEMBER.search(info.filename)]
    if listens:
        listens.sort(key=lambda info: natural_key(info.filename))
        return [(info, LISTENBRAINZ, detect.JSON_LINES) for info in listens]
    found = []
    for info in sorted(members, key=lambda info: history_order(info.filename)):
        if not info.filename.lower().endswith(_SNIFFED_SUFFIXES):
            continue
        _check_member(info, name, limits)
        head = _peek_member(upload, archive, info, name, PEEK_SIZE)
        if head.startswith(_ZIP_SIGNATURES):
            raise _nested_zip(name, info.filename)
        try:
            member = info.filename
            detected = _detect_content(head, member, partial(_first_row, head, member))
        except ImportRejected:
            continue  # Userdata.json, Playlist1.json and the like: not plays
        if detected is not None:
            found.append((info, *detected))
    return found


def _first_row(head: bytes, member: str) -> object:
    """The first row of a JSON list whose first bytes are `head`, if it is complete there."""
    try:
        return next(iter(JsonArrayReader([head], member)), None)
    except ImportRejected:
        return None


def _check_member(info: zipfile.ZipInfo, name: str, limits: Limits) -> None:
    if info.flag_bits & 0x1:
        raise ImportRejected(
            "encrypted",
            f"{info.filename} in {name} is password-protected: upload the ZIP file exactly as "
            "Spotify sent it (Spotify's exports are not encrypted).",
            member=info.filename,
        )
    if info.compress_type not in _READABLE_METHODS:
        raise ImportRejected(
            "unsupported_compression",
            f"{info.filename} in {name} is compressed with a method this server can't unpack "
            f"(ZIP method {info.compress_type}): upload the ZIP file exactly as Spotify sent it.",
            member=info.filename,
        )
    too_compressed = info.file_size > info.compress_size * limits.max_compression_ratio
    if info.file_size > RATIO_CHECK_FLOOR and too_compressed:
        ratio = info.file_size // max(info.compress_size, 1)
        raise ImportRejected(
            "zip_bomb",
            f"{info.filename} in {name} is compressed {ratio:,} to 1, far more than any real "
            "streaming history file, so it was not unpacked.",
            member=info.filename,
        )


def _is_ignored(info: zipfile.ZipInfo) -> bool:
    """Folders and the resource files macOS adds when it zips a folder."""
    if info.is_dir():
        return True
    parts = info.filename.split("/")
    return parts[0] == "__MACOSX" or parts[-1].startswith("._")


def _is_unsafe_path(member_name: str) -> bool:
    if member_name.startswith("/") or "\\" in member_name or _DRIVE_LETTER.match(member_name):
        return True
    return ".." in PurePosixPath(member_name).parts


def _nested_zip(name: str, member: str) -> ImportRejected:
    inner = member.rsplit("/", 1)[-1]
    return ImportRejected(
        "nested_zip",
        f"{name} contains another ZIP file ({member}): unzip {name} and upload {inner} itself.",
        member=member,
    )


def _no_history_files(name: str, members: list[zipfile.ZipInfo]) -> ImportRejected:
    if not members:
        return ImportRejected(
            "no_history_files",
            f"{name} is an empty ZIP file, so it holds no Spotify streaming history "
            f"(expected {EXPECTED_NAMES}).",
        )
    shown = sorted((info.filename.rsplit("/", 1)[-1] for info in members), key=natural_key)
    listing = ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
    count = f"{len(members)} file" + ("s" if len(members) > 1 else "")
    return ImportRejected(
        "no_history_files",
        f"Found {count} in {name} ({listing}) but none is a Spotify streaming history file "
        f"(expected {EXPECTED_NAMES}) nor {detect.OTHER_SERVICES}.",
    )


def _count_zip_entries(upload: BinaryIO, size: int) -> int | None:
    """The entry count from the ZIP's end record, read before zipfile loads the whole directory.

    None when there is no end record (the file was cut off).
    """
    tail_size = min(size, 22 + 65535)
    upload.seek(size - tail_size)
    tail = upload.read(tail_size)
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or len(tail) - position < 22:
        return None
    entries = struct.unpack("<H", tail[position + 10 : position + 12])[0]
    locator = position - 20
    if entries == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        zip64_offset = struct.unpack("<Q", tail[locator + 8 : locator + 16])[0]
        upload.seek(zip64_offset)
        record = upload.read(56)
        if len(record) < 56 or record[:4] != b"PK\x06\x06":
            return None
        entries = struct.unpack("<Q", record[32:40])[0]
    return entries


# Reading ZIP members


def _inflate_member(upload: BinaryIO, info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    """A stored or deflated member's bytes, never inflating past the size it declares."""
    offset = _member_data_offset(upload, info, name)
    compressed_left = info.compress_size
    declared = info.file_size
    decompressor = (
        zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
    )
    produced = crc = 0
    pending = b""
    while True:
        if not pending:
            if compressed_left <= 0:
                break
            upload.seek(offset)
            pending = upload.read(min(READ_SIZE, compressed_left))
            if not pending:
                raise _damaged_member(name, info.filename)
            offset += len(pending)
            compressed_left -= len(pending)
        if decompressor is None:
            chunk, pending = pending, b""
        else:
            # One byte more than declared is enough to know the header lied.
            chunk = decompressor.decompress(pending, min(CHUNK_SIZE, declared - produced + 1))
            pending = decompressor.unconsumed_tail
        if chunk:
            produced += len(chunk)
            if produced > declared:
                raise ImportRejected(
                    "zip_bomb",
                    f"{info.filename} in {name} unpacks to more data than its ZIP header "
                    "declares, so it was not unpacked (if this is Spotify's file, it is damaged: "
                    "download the export from Spotify again).",
                    member=info.filename,
                )
            crc = zlib.crc32(chunk, crc)
            yield chunk
        if decompressor is not None and decompressor.eof:
            break
    if decompressor is not None and not decompressor.eof:
        raise _damaged_member(name, info.filename)
    if produced != declared or crc != info.CRC:
        raise _damaged_member(name, info.filename)


def _library_member_chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str
) -> Iterator[bytes]:
    """Members compressed some other way (bzip2, lzma) go through zipfile, which also stops at
    the declared size; the count here is the same guard as `_inflate_member`'s."""
    produced = 0
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK_SIZE):
            produced += len(chunk)
            if produced > info.file_size:  # pragma: no cover - zipfile stops there itself
                raise _damaged_member(name, info.filename)
            yield chunk


def _member_data_offset(upload: BinaryIO, info: zipfile.ZipInfo, name: str) -> int:
    upload.seek(info.header_offset)
    header = upload.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _damaged_member(name, info.filename)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_length + extra_length


def _peek_member(
    upload: BinaryIO, archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, size: int
) -> bytes:
    """The first `size` bytes of a member, inflating no more than needed."""
    try:
        if info.compress_type == zipfile.ZIP_STORED:
            upload.seek(_member_data_offset(upload, info, name))
            return upload.read(min(size, info.compress_size))
        if info.compress_type == zipfile.ZIP_DEFLATED:
            upload.seek(_member_data_offset(upload, info, name))
            compressed = upload.read(min(READ_SIZE, info.compress_size))
            return zlib.decompressobj(-zlib.MAX_WBITS).decompress(compressed, size)
        with archive.open(info) as stream:
            return stream.read(size)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise _damaged_member(name, info.filename) from error


def _damaged_member(name: str, member: str) -> ImportRejected:
    return ImportRejected(
        "truncated",
        f"{member} in {name} is cut off or damaged (its data doesn't match its checksum): "
        "download the export from Spotify again and upload the complete file.",
        member=member,
    )


# Single JSON uploads


def _open_single_file(
    upload: BinaryIO, path: Path, name: str, size: int, head: bytes, limits: Limits
) -> Export:
    """One file: a Spotify history JSON file, or another service's export (detected)."""
    if history_format(name):  # a Spotify history file's name: read as one, whatever it holds
        if head.startswith(UTF16_BOMS):
            raise not_utf8_history(name, 1)
        if head.removeprefix(UTF8_BOM).lstrip(JSON_WHITESPACE)[:1] == b"{":
            raise wrong_shape(name)
        detected = (history_format(name), detect.JSON_ARRAY)
    else:
        detected = _detect_content(
            head, name, lambda: next(iter(JsonArrayReader(_file_chunks(upload, size), name)), None)
        )
    if detected is None:
        raise ImportRejected(
            "not_a_zip",
            f"{name} is neither a ZIP file nor a JSON file: upload the ZIP file from Spotify's "
            '"Download your data" e-mail, one of the streaming history JSON files inside it, or '
            f"{detect.OTHER_SERVICES}.",
        )
    format, layout = detected
    history_file = HistoryFile(name=name, format=format, size=size, layout=layout)
    return Export(path=path, name=name, files=[history_file], limits=limits, upload=upload)


def _detect_content(head: bytes, name: str, first_row) -> tuple[str, str] | None:
    """(format, layout) of a file (or ZIP member) from its first bytes, None when it is no JSON
    and no CSV. Raises ImportRejected for a JSON or CSV file that is none of the formats read.

    `first_row()` reads the first row of a JSON list.
    """
    if head.startswith(UTF16_BOMS):
        raise not_utf8_history(name, 1)
    body = head.removeprefix(UTF8_BOM).lstrip(JSON_WHITESPACE)
    first = body[:1]
    if first == b"[":
        row = first_row()
        detected = detect.first_row_format(row)
        if detected is None:
            if row is None:
                reason = "it holds an empty list"
            else:
                reason = "its rows have neither ts and ms_played nor endTime and msPlayed"
            raise ImportRejected(
                "no_history_files",
                f"{name} is not a Spotify streaming history file ({reason}; expected "
                f"{EXPECTED_NAMES}) nor {detect.OTHER_SERVICES}.",
            )
        return detected
    if first == b"{":
        line = body.split(b"\n", 1)[0]
        try:
            detected = detect.first_line_format(orjson_loads(line))
        except ValueError:
            detected = None
        if detected is None:
            detected = detect.object_format(body)
        if detected is None:
            raise wrong_shape(name)
        if detected[1] == detect.HISTORY_LINES:
            _check_history_header(line, name)
        return detected
    first_line = next(split_lines([head], name), (1, b""))[1]
    try:
        text = first_line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return detect.csv_format(text, name, named_csv=name.lower().endswith(".csv"))


def _check_history_header(line: bytes, name: str) -> None:
    try:
        check_history_header(orjson_loads(line))
    except RowRefused as refusal:
        raise refused_row(HistoryFile(name, "history_json", 0), 1, refusal) from None


def _history_plays(lines: Iterable[object], name: str) -> Iterator[object]:
    """The play lines of this service's json export, after checking its header line; lines of
    other types (a later version's additions) are skipped."""
    first = True
    for value in lines:
        if first:
            first = False
            try:
                check_history_header(value)
            except RowRefused as refusal:
                raise refused_row(HistoryFile(name, "history_json", 0), 1, refusal) from None
            continue
        if not isinstance(value, dict) or value.get("type") == "play":
            yield value


def _page_tracks(pages: Iterable[object]) -> Iterator[object]:
    """The tracks of a list of Last.fm pages, read as each page's `recenttracks.track`."""
    for tracks in pages:
        if isinstance(tracks, list):
            yield from tracks
        elif isinstance(tracks, dict):
            yield tracks  # a page's only track, written as an object


def refused_row(history_file: HistoryFile, number: int, refusal: RowRefused) -> ImportRejected:
    """The refusal of a whole file for one of its rows (`number` counts from 1)."""
    what = "Line" if history_file.layout == detect.CSV_ROWS else "Row"
    return ImportRejected(
        refusal.code,
        f"{what} {number:,} of {history_file.name} {refusal.reason}; nothing was imported.",
        member=history_file.name,
    )


def _file_chunks(upload: BinaryIO, size: int) -> Iterator[bytes]:
    offset = 0
    while offset < size:
        upload.seek(offset)
        chunk = upload.read(min(CHUNK_SIZE, size - offset))
        if not chunk:
            return
        offset += len(chunk)
        yield chunk
