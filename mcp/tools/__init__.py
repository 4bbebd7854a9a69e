"""The MCP tools: names, descriptions, JSON Schemas, argument checks, and the calls behind them.

One registry serves every way in: `tools/list` and `tools/call` on `/mcp`, and the plain-HTTP
`GET /mcp/tools` and `POST /mcp/call` (which also accept the original design's dotted names, see
`ALIASES`). The protocol layer authenticates, picks the listener (removing an operator's
`user_id`), and hands the rest of the arguments to `call_tool`, which checks them against the
tool's input schema, turns windows and time zones into `plays.queries` terms, and returns either
the structured answer or one sentence saying what to change. The answers themselves all come
from `plays.queries`.

The package: `base` (what a tool is), `schemas` (JSON Schema building blocks), `arguments` (the
argument checks), a module per family of tools (`history`), and `registry` (every tool by name,
aliases, calling).
"""

from mcp.tools.arguments import check_arguments, schema_problem
from mcp.tools.base import ANNOTATIONS, Tool, ToolOutcome, UnknownTool
from mcp.tools.registry import ALIASES, TOOLS, TOOLS_BY_NAME, call_tool, resolve_tool

__all__ = [
    "ALIASES",
    "ANNOTATIONS",
    "TOOLS",
    "TOOLS_BY_NAME",
    "Tool",
    "ToolOutcome",
    "UnknownTool",
    "call_tool",
    "check_arguments",
    "resolve_tool",
    "schema_problem",
]
