"""The upload size limit (IMPORT_MAX_ZIP_SIZE_MB), enforced before Django reads the upload.

Django parses a multipart body the first time anything touches `request.POST` or `request.FILES`,
and django-ninja does that while it binds a view's `File` parameter, before the view runs: a
check inside the view would come after a 2 GB upload had already been written to a temporary
file. So the limit is an upload handler, put first on the request (by `limit_upload_size`, which
wraps the ninja operation before it binds anything). Django's parser calls it at two points:

- `handle_raw_input`, before it reads a single byte of the body, with the declared Content-Length:
  a body larger than the limit (plus room for the form's own headers) is refused there, unread;
- `receive_data_chunk`, for every chunk of file data: the file's own bytes are counted and the
  upload is stopped the moment they pass the limit, whatever the headers said.

Either raises `UploadTooLarge`, which the API answers with 413.

The pages' forms (`keep_fields=True`) need the fields sent before the file (the listener picked)
to show the form again as it was. There the handler lets the parser read those few bytes, and
stops at the start of the file part instead (`StopUpload` with a connection reset: the rest of
the body is never read), remembering the refusal in `refused` for the view to show.

Django reads at most Content-Length bytes of a body, and nothing at all of a body sent without one
(`Transfer-Encoding: chunked`): such an upload would arrive as a request with no file. It is
answered 411 Length Required instead, saying why, before anything else looks at it.
"""

import functools
import math

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import JsonResponse

MEGABYTE = 1024 * 1024
# The multipart wrapping around the file (boundaries, part headers, the file name) is a few hundred
# bytes; this is generous so that a file of exactly the limit is never refused for its envelope.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def import_size_limit_bytes():
    return settings.IMPORT_MAX_ZIP_SIZE_MB * MEGABYTE


def _megabytes(size):
    """`size` bytes in MB rounded up to a tenth, so anything over the limit reads as over it."""
    return f"{math.ceil(size * 10 / MEGABYTE) / 10:.1f}".removesuffix(".0")


def limit_in_words(limit=None):
    """The upload limit as people read it: "500 MB"."""
    return f"{_megabytes(import_size_limit_bytes() if limit is None else limit)} MB"


class UploadTooLarge(Exception):
    """An upload is over IMPORT_MAX_ZIP_SIZE_MB; `size` is its declared size when known.

    `str()` is the sentence for a person (no setting names); the admin API adds the setting.
    """

    def __init__(self, limit, size=None):
        self.limit = limit
        self.size = size
        upload = f"more than {_megabytes(limit)}" if size is None else _megabytes(size)
        super().__init__(
            f"The upload is {upload} MB; the most an import may be is {limit_in_words(limit)}. "
            "Upload a smaller file: the JSON files inside Spotify's ZIP can be uploaded one at "
            "a time."
        )


class SizeLimitUploadHandler(FileUploadHandler):
    """Refuses a body whose Content-Length is over the limit, and stops file data past it.

    It stores nothing itself: it passes every chunk on to the next handler (Django's memory or
    temporary-file handler) until the limit is crossed.
    """

    def __init__(self, limit, request=None, *, keep_fields=False):
        super().__init__(request)
        self.limit = limit
        self.keep_fields = keep_fields
        self.file_bytes_received = 0
        self.refused = None  # the UploadTooLarge of a refused upload, with keep_fields

    def _refuse(self, error):
        if not self.keep_fields:
            raise error
        self.refused = error
        raise StopUpload(connection_reset=True)  # keep the fields read so far, read no more

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.limit + MULTIPART_OVERHEAD_BYTES:
            error = UploadTooLarge(self.limit, size=content_length)
            if not self.keep_fields:
                raise error
            self.refused = error  # refused when the file part starts, after the fields
        return None  # go on parsing as usual

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.refused is not None:
            self._refuse(self.refused)

    def receive_data_chunk(self, raw_data, start):
        self.file_bytes_received += len(raw_data)
        if self.file_bytes_received > self.limit:
            self._refuse(UploadTooLarge(self.limit))
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler builds the UploadedFile


LENGTH_REQUIRED = (
    "The upload has no Content-Length (was it sent chunked?). Send it with one, as "
    "`curl -F file=@my_spotify_data.zip` does."
)


def sent_without_length(request):
    """A chunked body, of which Django would read nothing."""
    transfer_encoding = request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    return "chunked" in transfer_encoding and not request.META.get("CONTENT_LENGTH")


def limit_upload_size(run):
    """Wraps a ninja operation's `run` so its request parses uploads under the import limit.

    Use as `@decorate_view(limit_upload_size)`: ninja applies it around the whole operation, so
    the handler is in place before authentication and parameter binding. A chunked request is
    answered 411 here, before authentication: it is refused for its framing, not its sender.
    """

    @functools.wraps(run)
    def run_with_upload_limit(request, *args, **kwargs):
        if sent_without_length(request):
            return JsonResponse({"detail": LENGTH_REQUIRED}, status=411)
        request.upload_handlers.insert(
            0, SizeLimitUploadHandler(import_size_limit_bytes(), request=request)
        )
        return run(request, *args, **kwargs)

    return run_with_upload_limit
