"""The admin API: what an operator, or a script of theirs, can ask of the service over HTTP.

It is mounted at /admin/ (the Django admin lives at /admin/db/; see spotify_history/urls.py) and
guarded as a whole by `adminui.auth.AdminAuth`. The views only parse the request and call the app
that does the work: `imports.jobs.queue_import` for uploads, `accounts.tasks.purge_old_logs` for
maintenance. Errors answer JSON `{"detail": ...}` (a list of problems for invalid parameters).

The OpenAPI document (/admin/openapi.json) and its docs page (/admin/docs) are public: they hold
no data, only the shape of the API, and the page must load before an operator has entered the
credentials its "Authorize" button asks for.
"""

from typing import Annotated

from django.conf import settings
from django.urls import reverse
from ninja import File, NinjaAPI, Query, Router, Schema, Status, UploadedFile
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError
from ninja.openapi.docs import Swagger

from accounts.models import Listener, LogEntry
from accounts.tasks import purge_old_logs
from adminui import api_activity, api_listeners
from adminui.auth import (
    AdminAuth,
    CrossSiteRequest,
    TooManyFailures,
    active_mode,
    challenge,
    how_to_authenticate,
)
from adminui.schemas import ErrorOut, InvalidOut
from adminui.uploads import UploadTooLarge, limit_upload_size
from imports.exports import ImportRejected
from imports.jobs import UploadNotStored, queue_import

admin_api = NinjaAPI(
    title="spotify-history admin API",
    version="1.0",
    description=(
        "Operator endpoints of the Spotify listening history service. Authenticate as "
        "ADMIN_AUTH_MODE says: `Authorization: Bearer $ADMIN_TOKEN` (token) or HTTP Basic with "
        "ADMIN_USERNAME / ADMIN_PASSWORD (basic)."
    ),
    auth=AdminAuth(),
    urls_namespace="admin_api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Swagger UI comes from ninja's bundled static files ("ninja" is an installed app, so no CDN);
    # its online validator badge, the page's one outside request, is turned off.
    docs=Swagger(settings={"validatorUrl": None}),
)


# --- errors --------------------------------------------------------------------------------------


@admin_api.exception_handler(AuthenticationError)
def answer_unauthorized(request, error):
    mode = active_mode()
    response = admin_api.create_response(request, {"detail": how_to_authenticate(mode)}, status=401)
    response["WWW-Authenticate"] = challenge(mode)
    return response


@admin_api.exception_handler(CrossSiteRequest)
def answer_cross_site(request, error):
    return admin_api.create_response(request, {"detail": CrossSiteRequest.message}, status=403)


@admin_api.exception_handler(TooManyFailures)
def answer_too_many_failures(request, error):
    response = admin_api.create_response(request, {"detail": error.message}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


@admin_api.exception_handler(UploadTooLarge)
def answer_upload_too_large(request, error):
    detail = f"{error} The limit is set by IMPORT_MAX_ZIP_SIZE_MB."
    return admin_api.create_response(request, {"detail": detail}, status=413)


@admin_api.exception_handler(UploadNotStored)
def answer_upload_not_stored(request, error):
    error.log()
    return admin_api.create_response(request, {"detail": str(error)}, status=503)


# --- imports -------------------------------------------------------------------------------------

users_router = Router(tags=["imports"])


class ImportQueuedOut(Schema):
    job_id: int
    status: str
    file_name: str
    file_size: int
    status_url: str | None = None


@users_router.post(
    "/{user_id}/import",
    response={
        202: ImportQueuedOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        411: ErrorOut,
        413: ErrorOut,
        422: InvalidOut,
        503: ErrorOut,
    },
    url_name="import-export",
    summary="Import a listener's Spotify data export",
)
@decorate_view(limit_upload_size)
def import_export(request, user_id: str, file: File[UploadedFile]):
    """Stores the uploaded export (`my_spotify_data.zip`, or one JSON history file from it) and
    queues its import for the listener whose Spotify user id is `user_id`.

    Uploads over IMPORT_MAX_ZIP_SIZE_MB are refused with 413 before they are read, uploads
    without a Content-Length (chunked) with 411, a file name over 200 characters with 400, and
    an upload the server could not store (IMPORT_UPLOAD_DIR full or read-only) with 503.
    """
    listener = Listener.objects.filter(spotify_user_id=user_id).first()
    if listener is None:
        raise HttpError(404, f"No listener with Spotify user id '{user_id}'.")
    try:
        job = queue_import(listener, file)
    except ImportRejected as rejection:
        raise HttpError(400, str(rejection)) from None
    return Status(
        202,
        ImportQueuedOut(
            job_id=job.pk,
            status=job.status,
            file_name=job.file_name,
            file_size=job.file_size,
            status_url=reverse("admin_api:import-job", kwargs={"job_id": job.pk}),
        ),
    )


# --- maintenance ---------------------------------------------------------------------------------

maintenance_router = Router(tags=["maintenance"])


class LogsPurgedOut(Schema):
    deleted: int
    days: int


@maintenance_router.post(
    "/purge-logs",
    response={200: LogsPurgedOut, 401: ErrorOut, 422: InvalidOut},
    url_name="purge-logs",
    summary="Delete stored log entries older than `days` days",
)
def purge_logs(
    request,
    days: Annotated[
        int | None,
        Query(
            ge=1,
            le=LogEntry.MAX_RETENTION_DAYS,
            description="Keep the last `days` days (default: LOG_RETENTION_DAYS).",
        ),
    ] = None,
):
    """Deletes stored log entries older than `days` days, as the worker does daily."""
    days = settings.LOG_RETENTION_DAYS if days is None else days
    return LogsPurgedOut(deleted=purge_old_logs(days), days=days)


admin_api.add_router("/users", users_router)
admin_api.add_router("/users", api_listeners.router)
admin_api.add_router("/", api_activity.router)
admin_api.add_router("/maintenance", maintenance_router)
