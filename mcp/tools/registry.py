"""Every tool by name, the original design's aliases, and calling a tool with checked arguments."""

from __future__ import annotations

from contextlib import nullcontext

from mcp.tools.arguments import check_arguments, coerce_arguments
from mcp.tools.base import LISTENER, Tool, ToolError, ToolOutcome, UnknownTool
from mcp.tools.history import HISTORY_ALIASES, HISTORY_TOOLS
from mcp.tools.memory import MEMORY_ALIASES, MEMORY_TOOLS
from mcp.tools.ops import OPS_ALIASES, OPS_TOOLS
from mcp.tools.spotify import SPOTIFY_ALIASES, SPOTIFY_TOOLS
from plays import hidden, queries
from plays.queries import QueryError

TOOLS = [*HISTORY_TOOLS, *SPOTIFY_TOOLS, *MEMORY_TOOLS, *OPS_TOOLS]
TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}

# The original design's dotted names, for clients written against it.
ALIASES = {**HISTORY_ALIASES, **SPOTIFY_ALIASES, **MEMORY_ALIASES, **OPS_ALIASES}


def tools_for(is_admin) -> list[Tool]:
    """The tools a caller may use: the operator's admin token all, a listener's token all but
    the operator tools."""
    return [tool for tool in TOOLS if is_admin or tool.audience == LISTENER]


def resolve_tool(name) -> Tool:
    """The tool called `name` or one of its aliases; UnknownTool otherwise."""
    if isinstance(name, str):
        tool = TOOLS_BY_NAME.get(name) or TOOLS_BY_NAME.get(ALIASES.get(name, ""))
        if tool is not None:
            return tool
    raise UnknownTool(name)


def call_tool(tool: Tool, arguments, listener, *, client="") -> ToolOutcome:
    """Coerces and checks the arguments and answers; bad arguments give an error sentence, not an
    exception.

    `listener` is None only for an operator tool called without a user_id; `client` names the
    calling client for the tools that record it (`Tool.takes_client`)."""
    arguments = coerce_arguments(tool, {} if arguments is None else arguments)
    problem = check_arguments(tool, arguments)
    if problem:
        return ToolOutcome(error=problem)
    # A null optional argument means "the default", as if it were left out.
    args = {k: v for k, v in arguments.items() if k != "user_id" and v is not None}
    # A tool that only reads reads the listener's hidden artists once (`plays.hidden`).
    with nullcontext() if tool.writes else hidden.remembered():
        return _answer(tool, args, listener, client)


def _answer(tool, args, listener, client):
    try:
        tz = (
            queries.UTC_ZONE
            if listener is None
            else queries.listener_tz(listener, args.get("timezone"))
        )
        if tool.takes_client:
            answer = tool.run(listener, args, tz, client)
        else:
            answer = tool.run(listener, args, tz)
    except (QueryError, ToolError) as error:
        return ToolOutcome(error=str(error))
    if tool.answers_history and listener is not None and "excluded_artists" not in answer:
        # A history tool whose query doesn't say it yet still does.
        answer = {**answer, "excluded_artists": queries.excluded_artists(listener)}
    return ToolOutcome(structured=answer)
