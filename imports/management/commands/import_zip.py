"""Imports a Spotify "Download your data" export for one listener, here and now.

Spotify's API only shows the last 50 plays; the export is how years of history get in. This runs
the same import job as an upload through the admin API or the operator pages, but in the
foreground with a progress bar. Running it again for the same file resumes an import that was
interrupted (the work already committed is kept, nothing is stored twice).
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import Listener
from imports.jobs import job_for_file, run_import_job, running_import_of
from imports.models import ImportJob


class Command(BaseCommand):
    help = (
        "Import a Spotify data export (ZIP, or one history JSON file), or another service's "
        "export, for a listener."
    )

    def add_arguments(self, parser):
        parser.add_argument("spotify_user_id", help="the listener's Spotify user id")
        parser.add_argument(
            "path",
            help="the export: Spotify's ZIP or one of its history JSON files, or a ListenBrainz, "
            "Last.fm or Maloja export, or this service's json export (docs/imports.md)",
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="create the listener if they never logged in (import-only use)",
        )
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="print the summary as one JSON object",
        )

    def handle(self, *args, spotify_user_id, path, create, as_json, verbosity, **options):
        listener = self.find_listener(spotify_user_id, create)
        try:
            job = job_for_file(listener, path)
        except OSError as error:
            raise CommandError(f"Can't read {path}: {error.strerror}.") from None
        show_progress = verbosity > 0 and not as_json
        if job.records_done and show_progress:
            self.stderr.write(f"Resuming import {job.pk} after {job.records_done:,} records.")
        bar = None
        if show_progress:
            bar = tqdm(
                total=job.records_total or None,
                unit=" records",
                unit_scale=True,
                desc=job.file_name,
                initial=job.records_done,
                file=self.stderr._out,
            )

        def progress(current):
            if bar is not None:
                bar.total = current.records_total
                bar.n = current.records_done
                bar.refresh()

        job = run_import_job(job.pk, progress=progress)
        if bar is not None:
            bar.close()
        if job.status == ImportJob.Status.QUEUED:
            other = running_import_of(listener.pk)
            raise CommandError(
                f"Another import for {spotify_user_id} is running"
                + (f" (import {other.pk}, {other.file_name})" if other else "")
                + "; one import per listener runs at a time. This one is queued: the worker runs "
                "it when the other is done, or run this command again then."
            )
        if job.status == ImportJob.Status.RUNNING:
            raise CommandError(
                f"Import {job.pk} of this file is running in another process (last progress at "
                f"{job.heartbeat_at:%H:%M:%S} UTC); if that process stopped, the worker resumes "
                "it within a few minutes, or run this command again then."
            )
        self.report(job, as_json=as_json)
        if job.status == ImportJob.Status.FAILED:
            if as_json:
                sys.exit(1)
            raise CommandError(job.error)

    def find_listener(self, spotify_user_id, create):
        if create:
            listener, _ = Listener.objects.get_or_create(spotify_user_id=spotify_user_id)
            return listener
        try:
            return Listener.objects.get(spotify_user_id=spotify_user_id)
        except Listener.DoesNotExist:
            raise CommandError(
                f"No listener with Spotify user id {spotify_user_id!r}; add --create to "
                "import for someone who never logged in."
            ) from None

    def report(self, job, *, as_json):
        summary = job.summary()
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        if job.status == ImportJob.Status.FAILED:
            return
        self.stdout.write(
            f"{job.get_status_display()}: {job.records_done:,} records ({job.format}), "
            f"{job.inserted:,} new plays, {job.duplicates:,} already stored, "
            f"{job.skipped_total:,} skipped"
            + (
                " (" + ", ".join(f"{reason}: {n:,}" for reason, n in job.skipped.items()) + ")"
                if job.skipped
                else ""
            )
        )
