"""Every tool by name, the original design's aliases, and calling a tool with checked arguments."""

from __future__ import annotations

from mcp.tools.arguments import check_arguments, coerce_arguments
from mcp.tools.base import Tool, ToolOutcome, UnknownTool
from mcp.tools.history import HISTORY_ALIASES, HISTORY_TOOLS
from plays import queries
from plays.queries import QueryError

TOOLS = [*HISTORY_TOOLS]
TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}

# The original design's dotted names, for clients written against it.
ALIASES = {**HISTORY_ALIASES}


def resolve_tool(name) -> Tool:
    """The tool called `name` or one of its aliases; UnknownTool otherwise."""
    if isinstance(name, str):
        tool = TOOLS_BY_NAME.get(name) or TOOLS_BY_NAME.get(ALIASES.get(name, ""))
        if tool is not None:
            return tool
    raise UnknownTool(name)


def call_tool(tool: Tool, arguments, listener) -> ToolOutcome:
    """Coerces and checks the arguments and answers; bad arguments give an error sentence, not an
    exception."""
    arguments = coerce_arguments(tool, {} if arguments is None else arguments)
    problem = check_arguments(tool, arguments)
    if problem:
        return ToolOutcome(error=problem)
    # A null optional argument means "the default", as if it were left out.
    args = {k: v for k, v in arguments.items() if k != "user_id" and v is not None}
    try:
        tz = queries.listener_tz(listener, args.get("timezone"))
        return ToolOutcome(structured=tool.run(listener, args, tz))
    except QueryError as error:
        return ToolOutcome(error=str(error))
