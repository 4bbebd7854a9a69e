"""Exporting one listener's history: the plays (`plays.queries.exported_plays`) in one of the
formats of `imports.export_formats`, as a stream of bytes.

One code path for the three ways out: `manage.py export_history`, the admin API's
`GET /admin/users/{user_id}/export` and the listener's download button on /me. Nothing here
knows about HTTP or the terminal; they only choose where the bytes go.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from imports.export_formats import FORMATS, ExportFormat, history_header
from plays import queries, taste
from plays.queries import QueryError, Window


class ExportRefused(ValueError):
    """The export can't be made as asked; `str(exc)` says what to ask instead."""


@dataclass(frozen=True)
class HistoryExport:
    """What will be exported: whose plays, in which format, over which window."""

    listener: object
    format: ExportFormat
    window: Window

    def file_name(self) -> str:
        """`spotify-history-<user id>-<YYYYMMDD>.<extension>`, safe in a header and on disk."""
        user_id = re.sub(r"[^A-Za-z0-9._-]", "_", self.listener.spotify_user_id)[:100]
        return f"spotify-history-{user_id}-{timezone.now():%Y%m%d}.{self.format.extension}"

    def count(self) -> int:
        return queries.count_plays(self.listener, self.window)

    def stream(self, plays=None) -> Iterator[bytes]:
        """The export's bytes, in blocks; `plays` replaces the listener's (for progress bars)."""
        header = history_header(self.listener.spotify_user_id, timezone.now(), self.window)
        if plays is None:
            plays = queries.exported_plays(self.listener, self.window)
        return self.format.write(plays, header, extra_records(self.listener))


def prepare_export(listener, format_name: str | None, start=None, end=None) -> HistoryExport:
    """Checks what was asked; raises ExportRefused with a sentence when it can't be done."""
    format_name = format_name or "json"
    if format_name not in FORMATS:
        raise ExportRefused(
            f"Unknown export format {str(format_name)[:40]!r}: use "
            + ", ".join(FORMATS)
            + " (docs/export.md)."
        )
    try:
        window = queries.export_window(start, end)
    except QueryError as error:
        raise ExportRefused(str(error)) from None
    return HistoryExport(listener=listener, format=FORMATS[format_name], window=window)


def extra_records(listener) -> list[dict]:
    """Lines of other types the `json` format carries after its header: the listener's taste
    profile (`plays.taste`), when assistants kept one: a `taste_profile` line with the document,
    then one `preference_event` line per event, newest first.

    The events have lines of their own so that every line stays small (the document is capped at
    `taste.MAX_DOCUMENT_BYTES`, an event at a few KB): all of them on one line could reach a few
    MB, past the line cap of the importer (`readers.MAX_LINE_BYTES`), which then refused the
    whole file. The importer skips types it doesn't read, so an export stays re-importable; the
    profile is the listener's own words and is never imported into anybody's history.
    """
    if not taste.has_profile(listener):
        return []
    profile = taste.export(listener)
    events = profile.pop("events")
    return [
        {"type": "taste_profile", **profile},
        *({"type": "preference_event", **event} for event in events),
    ]
