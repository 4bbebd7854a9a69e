"""MCP resources: a listener's sync status and all-time summary, readable without a tool call.

Clients that show resources (Claude Desktop's attachments, the MCP Inspector) can pull these into
a conversation. Each is a tool's answer as JSON, so it matches what the tool says:

- `spotify-history://me/sync-status` and `spotify-history://me/summary`: the token's own listener;
- `spotify-history://listeners/{user_id}/sync-status` (and `/summary`): a named listener, for the
  operator's admin token (a listener token may name only itself).
"""

import json
from dataclasses import dataclass

from accounts.models import Listener
from mcp.calls import call_as
from mcp.tools import resolve_tool

SCHEME = "spotify-history://"
MIME_TYPE = "application/json"
# The admin token's resources/list names every listener's resources, up to this many listeners.
MAX_LISTED_LISTENERS = 100


@dataclass(frozen=True)
class Resource:
    path: str
    name: str
    title: str
    description: str
    tool: str


RESOURCES = [
    Resource(
        path="sync-status",
        name="sync_status",
        title="Sync status",
        description="How complete the history is: coverage by source (API polling, each "
        "import), first and last play, last and next poll, problems, recent imports.",
        tool="sync_status",
    ),
    Resource(
        path="summary",
        name="listening_summary",
        title="Listening summary (all time)",
        description="Plays, minutes, unique tracks and artists, top five artists and tracks, "
        "peak hour and weekday, repeat rate and skip share over the whole history.",
        tool="listening_summary",
    ),
]
RESOURCES_BY_PATH = {resource.path: resource for resource in RESOURCES}


class ResourceError(Exception):
    """The URI names no resource, or not one this caller may read. The message says which."""

    def __init__(self, message, uri):
        super().__init__(message)
        self.uri = uri


def _entry(resource, uri, whose):
    return {
        "uri": uri,
        "name": resource.name,
        "title": f"{resource.title} ({whose})",
        "description": resource.description,
        "mimeType": MIME_TYPE,
    }


def list_for(caller):
    """The resources this caller can read."""
    if not caller.is_admin:
        whose = caller.listener.spotify_user_id
        return [_entry(r, f"{SCHEME}me/{r.path}", whose) for r in RESOURCES]
    user_ids = Listener.objects.values_list("spotify_user_id", flat=True)[:MAX_LISTED_LISTENERS]
    return [
        _entry(r, f"{SCHEME}listeners/{user_id}/{r.path}", user_id)
        for user_id in user_ids
        for r in RESOURCES
    ]


def templates():
    return [
        {
            "uriTemplate": f"{SCHEME}listeners/{{user_id}}/{r.path}",
            "name": r.name,
            "title": f"{r.title} of a listener",
            "description": f"{r.description} For the admin token; a listener token may name "
            "only its own listener.",
            "mimeType": MIME_TYPE,
        }
        for r in RESOURCES
    ]


def _parse(uri):
    """(resource, user_id or None for 'me') for a URI this server serves, else ResourceError."""
    unknown = ResourceError("Unknown resource: resources/list names the ones there are.", uri)
    if not isinstance(uri, str) or not uri.startswith(SCHEME):
        raise unknown
    parts = uri.removeprefix(SCHEME).split("/")
    if len(parts) == 2 and parts[0] == "me" and parts[1] in RESOURCES_BY_PATH:
        return RESOURCES_BY_PATH[parts[1]], None
    if len(parts) == 3 and parts[0] == "listeners" and parts[1] and parts[2] in RESOURCES_BY_PATH:
        return RESOURCES_BY_PATH[parts[2]], parts[1]
    raise unknown


def read(caller, uri):
    """The `contents` of `resources/read` for `uri`."""
    resource, user_id = _parse(uri)
    if user_id is None and caller.is_admin:
        raise ResourceError(
            "The admin token has no listener of its own: read "
            f"{SCHEME}listeners/{{user_id}}/{resource.path} with a listener's Spotify user id.",
            uri,
        )
    arguments = {} if user_id is None else {"user_id": user_id}
    result = call_as(caller, resolve_tool(resource.tool), arguments, via="mcp resources/read")
    if result.outcome.error:
        raise ResourceError(result.outcome.error, uri)
    text = json.dumps(result.outcome.structured, ensure_ascii=False)
    return [{"uri": uri, "mimeType": MIME_TYPE, "text": text}]
