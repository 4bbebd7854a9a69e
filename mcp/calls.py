"""One tool call on behalf of a caller: pick the listener, run the tool, log what happened.

Both ways in, `tools/call` on /mcp and the plain-HTTP `POST /mcp/call`, come through `call_as`, so
a tool answers the same whichever a client uses. Which listener a call is about:

- a listener's token: its own listener, always. A `user_id` naming that same listener is
  accepted (models fill in optional arguments); one naming anybody else is refused, so a token
  can never read another listener's history.
- the operator's admin token: the listener whose Spotify user id is in `user_id`, which is then
  required.
- operator tools (`mcp.tools.ops`): the admin token only; `user_id` is an optional filter, and
  without it the tool answers about every listener.

A tool that changes something (`Tool.writes`: playlists, the taste profile) called with an OAuth
access token whose listener did not grant `history:write` is refused as INSUFFICIENT_SCOPE, which
both ways in answer with 403 and `WWW-Authenticate: Bearer error="insufficient_scope"` (the MCP
authorization spec's scope challenge). MCP tokens and the admin token may call every tool.

Refusals are tool errors (`isError: true` on MCP) with a sentence the model can act on.
"""

import logging
import time
from dataclasses import dataclass

from accounts import metric_counts
from accounts.logs import log_event
from accounts.models import Listener
from mcp.tools import OPERATOR, ToolOutcome, call_tool

logger = logging.getLogger(__name__)

# Why a call was refused before it reached the tool; the plain-HTTP twin maps these to statuses.
BAD_REQUEST = "bad_request"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
INSUFFICIENT_SCOPE = "insufficient_scope"

WRITE_NOT_GRANTED = (
    "This tool changes things (Spotify playlists or your remembered taste profile), and this "
    "assistant was only allowed to read your history: connect it again and allow changes on the "
    "consent page, or use a tool that only reads."
)


@dataclass(frozen=True)
class Refusal:
    kind: str
    message: str


def listener_for(caller, arguments, tool=None):
    """(listener, arguments without user_id) for this call, or a Refusal. The listener is None
    for an operator tool called without a user_id."""
    arguments = dict(arguments)
    user_id = arguments.pop("user_id", None)
    if tool is not None and tool.writes and not caller.may_write:
        return Refusal(INSUFFICIENT_SCOPE, WRITE_NOT_GRANTED)
    if tool is not None and tool.audience == OPERATOR:
        if not caller.is_admin:
            return Refusal(
                FORBIDDEN,
                f"{tool.name} is an operator tool: only the operator's ADMIN_TOKEN may call it.",
            )
        if user_id is None:
            return None, arguments
    elif not caller.is_admin:
        own = caller.listener
        if user_id is None or user_id == own.spotify_user_id:
            return own, arguments
        return Refusal(
            FORBIDDEN,
            f"This token answers about listener {own.spotify_user_id!r} only: leave out "
            "user_id (naming another listener needs the operator's admin token).",
        )
    if not isinstance(user_id, str) or not user_id.strip():
        return Refusal(
            BAD_REQUEST,
            "The admin token can ask about any listener, so name one: add the argument "
            "user_id with the listener's Spotify user id.",
        )
    listener = Listener.objects.filter(spotify_user_id=user_id.strip()).first()
    if listener is None:
        return Refusal(
            NOT_FOUND,
            "No listener has the Spotify user id given in user_id: check the id on the "
            "operator pages (or GET /admin/users).",
        )
    return listener, arguments


@dataclass(frozen=True)
class CallResult:
    tool: str
    outcome: ToolOutcome
    refusal: Refusal | None = None


def call_as(caller, tool, arguments, *, via):
    """Runs `tool` with `arguments` (a dict) for `caller`; `via` names the way in, for the log."""
    started = time.perf_counter()
    picked = listener_for(caller, arguments, tool)
    if isinstance(picked, Refusal):
        listener, refusal = None, picked
        outcome = ToolOutcome(error=picked.message)
    else:
        (listener, arguments), refusal = picked, None
        outcome = call_tool(tool, arguments, listener, client=caller.client_name)
    seconds = time.perf_counter() - started
    counted_as = "refused" if refusal else "error" if outcome.error else "ok"
    metric_counts.observe(
        metric_counts.MCP_CALL_SECONDS, seconds, tool=tool.name, outcome=counted_as
    )
    log_event(
        logger,
        "mcp.tool_call",
        f"{caller.label} called {tool.name} via {via}"
        + (f": {outcome.error}" if outcome.error else ""),
        level=logging.INFO,
        listener=listener,
        tool=tool.name,
        via=via,
        caller=caller.label,
        outcome="error" if outcome.error else "ok",
        duration_ms=round(seconds * 1000, 1),
    )
    return CallResult(tool=tool.name, outcome=outcome, refusal=refusal)
