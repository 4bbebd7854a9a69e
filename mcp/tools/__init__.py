"""The MCP tools: names, descriptions, JSON Schemas, argument checks, and the calls behind them.

One registry serves every way in: `tools/list` and `tools/call` on `/mcp`, and the plain-HTTP
`GET /mcp/tools` and `POST /mcp/call` (which also accept the original design's dotted names, see
`ALIASES`). The protocol layer authenticates, picks the listener (removing an operator's
`user_id`), and hands the rest of the arguments to `call_tool`, which checks them against the
tool's input schema, turns windows and time zones into `plays.queries` terms, and returns either
the structured answer or one sentence saying what to change. The history answers all come from
`plays.queries`.

Beyond the history: `spotify` (live Spotify: playlists made from the history, top items, search,
answered by `plays.live`), `memory` (the taste profile kept between chats, `plays.taste`) and
`ops` (the operator's tools, from the same code as the admin API).

The package: `base` (what a tool is), `schemas` (JSON Schema building blocks), `arguments` (the
argument checks), a module per family of tools (`history`, `spotify`, `memory`, `ops`), and
`registry` (every tool by name, aliases, who may call what, calling).
"""

from mcp.tools.arguments import check_arguments, schema_problem
from mcp.tools.base import ANNOTATIONS, OPERATOR, Tool, ToolError, ToolOutcome, UnknownTool
from mcp.tools.registry import (
    ALIASES,
    TOOLS,
    TOOLS_BY_NAME,
    call_tool,
    resolve_tool,
    tools_for,
)

__all__ = [
    "ALIASES",
    "ANNOTATIONS",
    "OPERATOR",
    "TOOLS",
    "TOOLS_BY_NAME",
    "Tool",
    "ToolError",
    "ToolOutcome",
    "UnknownTool",
    "call_tool",
    "check_arguments",
    "resolve_tool",
    "schema_problem",
    "tools_for",
]
