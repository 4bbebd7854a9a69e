"""Admin API: the listeners themselves, what their state is, and what an operator may do to them.

Mounted at /admin/users by `adminui.api`. A listener is named by its Spotify user id. Their token
fields (ciphertext or not) never appear in an answer: the output schemas list every field they
show, so nothing else can leak through.
"""

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.views.decorators.gzip import gzip_page
from ninja import Field, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from pydantic import field_validator

from accounts.models import Listener
from adminui import operations
from adminui.downloads import export_response
from adminui.schemas import ErrorOut, InvalidOut
from imports.exporting import ExportRefused, prepare_export
from imports.formats import SKIP_REASONS, skipped_sentence
from imports.listing import import_job_row, recent_import_jobs
from plays.queries import operator

router = Router(tags=["listeners"])

LATEST = 5  # sync runs and import jobs shown with one listener


# --- looking listeners up ------------------------------------------------------------------------


def get_listener_or_404(user_id, queryset=None):
    """The listener whose Spotify user id is `user_id`, or the API's 404."""
    queryset = Listener.objects.all() if queryset is None else queryset
    listener = queryset.filter(spotify_user_id=user_id).first()
    if listener is None:
        raise HttpError(404, f"No listener with Spotify user id '{user_id}'.")
    return listener


# --- output --------------------------------------------------------------------------------------


class PlaysBySourceOut(Schema):
    api: int
    extended: int
    account_data: int
    lastfm: int
    listenbrainz: int
    maloja: int


class ListenerOut(Schema):
    spotify_user_id: str
    display_name: str
    status: str
    status_label: str
    status_reason: str
    time_zone: str
    plays: int
    plays_by_source: PlaysBySourceOut
    first_play: datetime | None
    last_play: datetime | None
    last_poll_at: datetime | None
    next_poll_at: datetime | None
    rate_limited_until: datetime | None
    refresh_token_expires_at: datetime | None
    needs_initial_sync: bool


class SyncRunOut(Schema):
    id: int
    user_id: str
    kind: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    requests: int
    fetched: int
    inserted: int
    duplicates: int
    error: str
    worker: str


class SkippedOut(Schema):
    total: int
    reasons: dict[str, int] = Field(
        description="Rows skipped by reason code: "
        + "; ".join(f"`{code}`: rows that {meaning}" for code, meaning in SKIP_REASONS.items())
        + "."
    )
    sentences: list[str] = Field(
        description="The same counts as sentences for people, most rows first, e.g. "
        f'"{skipped_sentence("missing_name", 925)}"'
    )


class ImportJobOut(Schema):
    """`ImportJob.summary()` plus the job's id, upload size and creation time."""

    id: int
    job_id: int
    listener: str
    file_name: str
    file_size: int
    status: str
    format: str
    records_total: int
    records_done: int
    inserted: int
    duplicates: int
    skipped: SkippedOut
    errors: list[str]
    earliest_play: datetime | None
    latest_play: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    seconds: float | None


class ListenerDetailOut(ListenerOut):
    sync_runs: list[SyncRunOut]
    import_jobs: list[ImportJobOut]


# The rows come from the code the operator's MCP tools use too (`mcp.tools.ops`).
listener_out = operator.listener_overview
sync_run_out = operator.sync_run_row
import_job_out = import_job_row


# --- reading -------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[ListenerOut], 401: ErrorOut},
    url_name="listeners",
    summary="List the listeners",
)
def list_listeners(request):
    """Every listener, by Spotify user id, with their status, plays and polling state."""
    return operator.listeners()


@router.get(
    "/{user_id}",
    response={200: ListenerDetailOut, 401: ErrorOut, 404: ErrorOut},
    url_name="listener",
    summary="One listener, with their latest sync runs and import jobs",
)
def get_listener(request, user_id: str):
    """The listener's state as in the list, plus their 5 latest sync runs and 5 latest import
    jobs (newest first)."""
    listener = get_listener_or_404(user_id)
    return {
        **listener_out(listener),
        "sync_runs": operator.recent_sync_runs(listener=listener, limit=LATEST),
        "import_jobs": recent_import_jobs(listener=listener, limit=LATEST),
    }


@router.get(
    "/{user_id}/export",
    response={200: None, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    url_name="export-listener",
    summary="Download a listener's plays as json, csv or listenbrainz",
)
@decorate_view(gzip_page)
def export_listener(
    request, user_id: str, format: str = "json", start: str | None = None, end: str | None = None
):
    """Streams every play of the listener, oldest first, as a file download: `format=json` (this
    service's own JSON Lines, which the import reads back), `csv` (one row per play, for
    spreadsheets) or `listenbrainz` (ListenBrainz's listens, one per line); docs/export.md
    describes every field. `start` and `end` (ISO dates or datetimes, UTC, the end day included)
    limit it. Compressed with gzip when the request's Accept-Encoding allows it. An unknown
    format or a date that can't be read is answered 400 with the reason."""
    listener = get_listener_or_404(user_id)
    try:
        export = prepare_export(listener, format, start, end)
    except ExportRefused as refusal:
        raise HttpError(400, str(refusal)) from None
    return export_response(export)


# --- changing ------------------------------------------------------------------------------------


class ListenerPatchIn(Schema):
    time_zone: str | None = None
    paused: bool | None = None

    @field_validator("time_zone")
    @classmethod
    def time_zone_must_exist(cls, value):
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"Unknown time zone '{value}': use an IANA name such as 'Europe/Paris' or 'UTC'."
            ) from None
        return value


@router.patch(
    "/{user_id}",
    response={
        200: ListenerOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: InvalidOut,
    },
    url_name="listener",
    summary="Change a listener's time zone, or pause or resume their polling",
)
def update_listener(request, user_id: str, changes: ListenerPatchIn):
    """`time_zone` must be an IANA time zone name. `paused: true` pauses an active listener,
    `paused: false` resumes a paused one (polling again from now); any other status is answered
    409 and nothing is changed."""
    with transaction.atomic():
        listener = get_listener_or_404(user_id, Listener.objects.select_for_update())
        try:
            if changes.paused is True:
                operations.check_can_pause(listener)
            if changes.paused is False:
                operations.check_can_resume(listener)
        except operations.ActionRefused as refusal:
            raise HttpError(409, str(refusal)) from None
        if changes.time_zone is not None and changes.time_zone != listener.time_zone:
            listener.time_zone = changes.time_zone
            listener.save(update_fields=["time_zone", "updated_at"])
        if changes.paused is True:
            listener.pause()
        elif changes.paused is False:
            listener.resume()
    return listener_out(get_listener_or_404(user_id))


class PollQueuedOut(Schema):
    queued: Literal[True]


@router.post(
    "/{user_id}/poll",
    response={202: PollQueuedOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    url_name="poll-listener",
    summary="Queue a poll of a listener now",
)
def poll_listener(request, user_id: str):
    """Asks the worker to poll the listener at once, whatever their schedule. Only an active
    listener with a refresh token can be polled; anyone else is answered 409 with the reason."""
    listener = get_listener_or_404(user_id)
    try:
        operations.poll_now(listener)
    except operations.ActionRefused as refusal:
        raise HttpError(409, str(refusal)) from None
    return Status(202, PollQueuedOut(queued=True))


# --- deleting ------------------------------------------------------------------------------------


class DeletedCountsOut(Schema):
    plays: int
    sync_runs: int
    import_jobs: int
    taste_profile: int
    preference_events: int
    playlists_recorded: int


class DeletedOut(Schema):
    deleted: DeletedCountsOut


@router.delete(
    "/{user_id}",
    response={200: DeletedOut, 401: ErrorOut, 404: ErrorOut},
    url_name="listener",
    summary="Delete a listener and all their data",
)
def delete_listener(request, user_id: str):
    """Deletes the listener with their plays, sync runs, import jobs, log entries, taste profile,
    preference events and ledger of playlists made here, and the uploads of their import jobs
    still stored in IMPORT_UPLOAD_DIR. Catalogue rows (tracks,
    artists...) are shared and stay. The same as the delete button of the pages
    (`adminui.operations.delete_listener`)."""
    return {"deleted": operations.delete_listener(get_listener_or_404(user_id))}
