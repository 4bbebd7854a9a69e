"""Handling an upload form under the IMPORT_MAX_ZIP_SIZE_MB limit, for the operator and listener.

The size limit is an upload handler (`adminui.uploads.SizeLimitUploadHandler`, the admin API's),
and upload handlers can only be changed before anything reads the request body. Django's CSRF
middleware reads it (for the form's token) before the view runs, so a view taking uploads is
`csrf_exempt` on the outside, installs the handler, and then runs the real view under
`csrf_protect`: the token is checked exactly as everywhere else, just a moment later.

The body is parsed up front, with the handler keeping the fields sent before the file (see
`adminui.uploads`): a refused upload then shows the form again with the listener that was
picked, and the limit in words.
"""

import functools

from django.views.decorators.csrf import csrf_exempt, csrf_protect

from adminui.uploads import (
    LENGTH_REQUIRED,
    SizeLimitUploadHandler,
    import_size_limit_bytes,
    sent_without_length,
)
from imports.jobs import UploadNotStored


def upload_view(on_refused):
    """Decorates a view taking an export upload. `on_refused(request, message, status)` renders
    the page again with the message when the body is too large or has no length (413, 411; the
    fields sent before the file are in `request.POST` then), or when the server could not store
    it (503: its upload folder is full or read-only)."""

    def decorate(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @functools.wraps(view)
        def guarded(request, *args, **kwargs):
            if request.method != "POST":
                return protected(request, *args, **kwargs)
            if sent_without_length(request):
                return on_refused(request, LENGTH_REQUIRED, 411, *args, **kwargs)
            limit = SizeLimitUploadHandler(
                import_size_limit_bytes(), request=request, keep_fields=True
            )
            request.upload_handlers.insert(0, limit)
            request.POST  # noqa: B018  (parses the body now, under the limit)
            if limit.refused is not None:
                return on_refused(request, str(limit.refused), 413, *args, **kwargs)
            try:
                return protected(request, *args, **kwargs)
            except UploadNotStored as error:
                error.log()
                return on_refused(request, str(error), 503, *args, **kwargs)

        return guarded

    return decorate
