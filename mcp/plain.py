"""The plain-HTTP twin of the MCP tools, for clients that don't speak MCP (ChatGPT Actions, curl).

`GET /mcp/tools` and `POST /mcp/call` offer the same tools, tokens and answers as `tools/call` on
/mcp; the original design's dotted names are accepted through `mcp.tools.ALIASES`.

`call` turns a request body into (HTTP status, JSON body, headers): 200 with the tool's structured
answer, or an `{"error": sentence}` with 400 (body or arguments), 403 (another listener; or a tool
that changes something called with an OAuth token without the write scope, with
`WWW-Authenticate: Bearer error="insufficient_scope"`), 404 (unknown tool or listener) or 500
(the server failed; details only in the log).
"""

import logging

from accounts.logs import log_event
from mcp import body as json_body
from mcp.auth import insufficient_scope_challenge
from mcp.calls import BAD_REQUEST, FORBIDDEN, INSUFFICIENT_SCOPE, NOT_FOUND, call_as
from mcp.tools import ALIASES, UnknownTool, resolve_tool, tools_for

logger = logging.getLogger(__name__)

REFUSAL_STATUS = {BAD_REQUEST: 400, FORBIDDEN: 403, NOT_FOUND: 404, INSUFFICIENT_SCOPE: 403}
INTERNAL_ERROR = "Internal error: the server could not answer; the operator's logs say why."


def tool_listing(caller):
    """The tools this caller may use (the operator tools only for the admin token), and the
    accepted aliases of those tools."""
    tools = tools_for(caller.is_admin)
    names = {tool.name for tool in tools}
    aliases = {alias: name for alias, name in ALIASES.items() if name in names}
    return {"tools": [tool.as_dict() for tool in tools], "aliases": aliases}


def parse_call(body):
    """(tool name, args) from a /mcp/call body, or a sentence saying what to send instead."""
    try:
        payload = json_body.parse(body)
    except json_body.BodyRefused as refused:
        reason = str(refused)
        return f'{reason[:1].upper()}{reason[1:]} Send {{"tool": "<name>", "args": {{...}}}}.'
    if not isinstance(payload, dict) or not isinstance(payload.get("tool"), str):
        return 'The body needs "tool" (a tool name from GET /mcp/tools) and optionally "args".'
    if set(payload) - {"tool", "args"}:
        return "The body has a field it does not take: it has only tool and args."
    args = payload.get("args")
    args = {} if args is None else args
    if not isinstance(args, dict):
        return '"args" must be a JSON object of the tool\'s arguments.'
    return payload["tool"], args


def call(caller, body):
    """(status, JSON body, extra headers) for a POST /mcp/call `body` from `caller`."""
    status, answer = _call(caller, body)
    headers = {}
    if answer.get("error_code") == INSUFFICIENT_SCOPE:
        headers["WWW-Authenticate"] = insufficient_scope_challenge()
    return status, answer, headers


def _call(caller, body):
    parsed = parse_call(body)
    if isinstance(parsed, str):
        return 400, {"error": parsed}
    name, args = parsed
    try:
        tool = resolve_tool(name)
    except UnknownTool as error:
        return 404, {"error": str(error), "tool": name}
    try:
        result = call_as(caller, tool, args, via="http")
    except Exception:
        log_event(
            logger,
            "mcp.internal_error",
            f"{tool.name} failed for {caller.label} via http",
            level=logging.ERROR,
            listener=caller.listener,
            exc_info=True,
        )
        return 500, {"error": INTERNAL_ERROR, "tool": tool.name}
    if result.refusal is not None:
        answer = {"error": result.refusal.message, "tool": tool.name}
        if result.refusal.kind == INSUFFICIENT_SCOPE:
            answer["error_code"] = INSUFFICIENT_SCOPE
        return REFUSAL_STATUS[result.refusal.kind], answer
    if result.outcome.error is not None:
        return 400, {"error": result.outcome.error, "tool": tool.name}
    return 200, {"tool": tool.name, "result": result.outcome.structured}
