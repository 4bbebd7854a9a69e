"""Exports one listener's plays to a file or stdout: json (this service's own format, which
`import_zip` reads back), csv (for spreadsheets) or listenbrainz (for ListenBrainz and the tools
that read its listens). The formats are described field by field in docs/export.md.

The plays are read through a cursor and written as they come, so memory stays small however long
the history; on a terminal a progress bar shows how far it got. A file is written under a
temporary name and renamed once complete, so a failed export never leaves half a file behind.
"""

import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import Listener
from imports.export_formats import FORMATS
from imports.exporting import ExportRefused, prepare_export
from plays import queries


class Command(BaseCommand):
    help = "Export a listener's plays as json, csv or listenbrainz (see docs/export.md)."

    def add_arguments(self, parser):
        parser.add_argument("spotify_user_id", help="the listener's Spotify user id")
        parser.add_argument("--format", choices=list(FORMATS), default="json")
        parser.add_argument(
            "--start", help="first day (or datetime) exported, ISO 8601, UTC (default: the first)"
        )
        parser.add_argument(
            "--end", help="last day exported, included, ISO 8601, UTC (default: the last)"
        )
        parser.add_argument("--output", "-o", help="the file to write (default: stdout)")

    def handle(self, *args, spotify_user_id, format, start, end, output, verbosity, **options):
        listener = Listener.objects.filter(spotify_user_id=spotify_user_id).first()
        if listener is None:
            raise CommandError(f"No listener with Spotify user id {spotify_user_id!r}.")
        try:
            export = prepare_export(listener, format, start, end)
        except ExportRefused as refusal:
            raise CommandError(str(refusal)) from None
        plays = queries.exported_plays(listener, export.window)
        counted = _Counted(plays)
        bar = None
        if verbosity > 0 and self.stderr._out.isatty():
            bar = tqdm(
                counted,
                total=export.count(),
                unit=" plays",
                file=self.stderr._out,
                # A terminal that reports no size (0 x 0) would hide the bar.
                **({} if _has_size(self.stderr._out) else {"ncols": 80, "nrows": 24}),
            )
        blocks = export.stream(bar if bar is not None else counted)
        try:
            if output:
                self.write_file(Path(output), blocks)
            else:
                self.write_stdout(blocks)
        finally:
            if bar is not None:
                bar.close()
        if verbosity > 0:
            where = output or "stdout"
            self.stderr.write(
                f"Exported {counted.count:,} plays of {spotify_user_id} to {where} ({format}).",
                style_func=str,
            )

    def write_file(self, path, blocks):
        partial = path.with_name(path.name + ".partial")
        try:
            with partial.open("wb") as destination:
                for block in blocks:
                    destination.write(block)
            os.replace(partial, path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Can't write {path}: {error.strerror}.") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def write_stdout(self, blocks):
        binary = getattr(self.stdout._out, "buffer", None)
        if binary is not None and self.stdout._out is sys.stdout:
            for block in blocks:
                binary.write(block)
            binary.flush()
        else:  # a text stream (call_command's stdout=StringIO())
            for block in blocks:
                self.stdout._out.write(block.decode())


def _has_size(stream):
    try:
        return os.get_terminal_size(stream.fileno()).columns > 0
    except (OSError, ValueError):
        return False


class _Counted:
    """Passes plays through, counting them."""

    def __init__(self, plays):
        self._plays = plays
        self.count = 0

    def __iter__(self):
        for play in self._plays:
            self.count += 1
            yield play
