"""Connected assistants on the pages: listed, and disconnected after a confirmation, one listener
at a time (the listener's own page and the operator's page for that listener).

The connections themselves are `mcp.oauth.connections`' business; this module only renders the
confirmation and makes sure a page acts on the listener it is about (another listener's
connection is simply not found).
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from mcp.oauth import connections
from mcp.oauth.provider_settings import resource_url


def mcp_url():
    """The address to paste into an assistant: this server's /mcp."""
    return resource_url(settings.PUBLIC_BASE_URL)


def connected(listener):
    return connections.active_connections(listener)


def confirm_or_disconnect(request, listener, connection_id, *, back_url, base_template):
    """GET: the confirmation page; POST: disconnect and go back to `back_url`."""
    connection = connected(listener).filter(pk=connection_id).first()
    if connection is None:
        raise Http404("No such connected assistant.")
    if request.method == "POST":
        connections.disconnect(listener, connection.pk)
        messages.success(
            request,
            f"Disconnected {connection.application.display_name}: it can't read this "
            "history any more.",
        )
        return redirect(back_url)
    return render(
        request,
        "adminui/disconnect_assistant.html",
        {
            "listener": listener,
            "connection": connection,
            "cancel_url": back_url,
            "base_template": base_template,
        },
    )
