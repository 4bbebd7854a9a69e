"""Exports as HTTP downloads: one streamed response for the admin API and the listener's page.

The bytes come from `imports.exporting` as they are made, so the response starts at once and the
server holds only a block at a time, whatever the history's length. The views that use this are
wrapped in Django's gzip decorator, which compresses the stream when the client says it accepts
gzip (`Accept-Encoding`), and leaves it as it is otherwise.
"""

from django.http import StreamingHttpResponse


def export_response(export) -> StreamingHttpResponse:
    """A download of `export` (an `imports.exporting.HistoryExport`), saved under its file name."""
    response = StreamingHttpResponse(export.stream(), content_type=export.format.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name()}"'
    response["Cache-Control"] = "no-store"
    return response
