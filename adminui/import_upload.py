"""Accepting an export uploaded through a page: checked at once, queued, or refused whole.

The pages hand the upload to the same `imports.jobs.queue_import` as the admin API, then open it
with the importer's own checks (`imports.exports.open_export`: ZIP structure, history files, JSON
shape) before answering, so a person who picked the wrong file is told why on the spot instead of
finding a failed job later. A refused upload leaves nothing behind: the job row is rolled back and
the stored file deleted.
"""

from pathlib import PurePath

from django.db import transaction

from imports.exports import ImportRejected, Limits, open_export
from imports.jobs import queue_import, remove_upload

# Spotify's ZIP and JSON files; other services' JSON Lines and CSV (imports.detect).
ACCEPTED_SUFFIXES = (".zip", ".json", ".jsonl", ".csv")


class UploadRefused(Exception):
    """The upload can't be imported; `str(exc)` is one sentence for the person."""


def check_file_name(name):
    if PurePath(name or "").suffix.lower() not in ACCEPTED_SUFFIXES:
        raise UploadRefused(
            f"{name or 'The file'} is not a ZIP, JSON or CSV file: upload my_spotify_data.zip from "
            'Spotify\'s "Download your data" e-mail, one of the streaming history JSON files '
            "inside it, or an export of ListenBrainz, Last.fm or Maloja."
        )


def accept_upload(listener, uploaded_file):
    """Stores and queues `uploaded_file` for `listener`; raises UploadRefused, saving nothing."""
    check_file_name(uploaded_file.name)
    with transaction.atomic():
        try:
            job = queue_import(listener, uploaded_file)
        except ImportRejected as rejection:
            raise UploadRefused(str(rejection)) from None
        try:
            with open_export(job.stored_path, Limits.from_settings(), name=job.file_name):
                pass
        except ImportRejected as rejection:
            remove_upload(job.stored_path)
            raise UploadRefused(str(rejection)) from None  # leaving the block rolls the job back
        except BaseException:
            remove_upload(job.stored_path)  # the job row rolls back: its file must go too
            raise
    return job
