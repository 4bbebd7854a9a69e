"""The OpenAPI 3.1 document of the plain-HTTP twin (GET /mcp/tools, POST /mcp/call).

Built from the tool registry on each request, so it always names the tools the server has, with
each tool's argument and result schemas (the JSON Schemas of `tools/list`). ChatGPT Actions and
other OpenAPI clients import it from /mcp/openapi.json. It is written here rather than generated
by django-ninja because the shape of `args` and `result` depends on the tool named in the same
body, which a per-tool `anyOf` can say and a generated "object" cannot.
"""

from mcp.tools import ALIASES, TOOLS

ERROR_CODES = {
    "400": "The body or the tool's arguments are wrong; `error` says what to change.",
    "401": "Missing, unknown or revoked token.",
    "403": "The token may not read the listener named by user_id.",
    "404": "No such tool (or, for the admin token, no listener with that user_id).",
    "413": "The body is over MCP_MAX_BODY_BYTES.",
    "429": "Over the token's calls per minute; Retry-After says when to try again.",
}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema):
    return {"application/json": {"schema": schema}}


def _errors(*codes):
    return {
        code: {"description": ERROR_CODES[code], "content": _json(_ref("Error"))} for code in codes
    }


def _tool_list():
    lines = "\n".join(f"- `{tool.name}`: {tool.description}" for tool in TOOLS)
    return f"The tools:\n{lines}"


def document(base_url):
    schemas = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {"type": "string", "description": "What went wrong, as a sentence."},
                "tool": {"type": "string"},
            },
        },
        "Tool": {
            "type": "object",
            "required": ["name", "description", "inputSchema"],
            "properties": {
                "name": {"type": "string"},
                "title": {"type": "string"},
                "description": {"type": "string"},
                "inputSchema": {"type": "object"},
                "outputSchema": {"type": "object"},
                "annotations": {"type": "object"},
            },
        },
        "ToolList": {
            "type": "object",
            "required": ["tools", "aliases"],
            "properties": {
                "tools": {"type": "array", "items": _ref("Tool")},
                "aliases": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "Other accepted names (the original design's) -> tool name.",
                },
            },
        },
        "CallRequest": {
            "type": "object",
            "required": ["tool"],
            "additionalProperties": False,
            "properties": {
                "tool": {
                    "type": "string",
                    "enum": [tool.name for tool in TOOLS] + sorted(ALIASES),
                    "description": _tool_list(),
                },
                "args": {
                    "description": "The tool's arguments: the `<tool>Arguments` schema of the "
                    "tool named in `tool`. Leave out for none.",
                    "anyOf": [_ref(f"{tool.name}Arguments") for tool in TOOLS],
                },
            },
        },
        "CallResult": {
            "type": "object",
            "required": ["tool", "result"],
            "properties": {
                "tool": {"type": "string", "description": "The tool's name (aliases resolved)."},
                "result": {
                    "description": "The tool's answer: the `<tool>Result` schema of that tool.",
                    "anyOf": [_ref(f"{tool.name}Result") for tool in TOOLS],
                },
            },
        },
    }
    for tool in TOOLS:
        schemas[f"{tool.name}Arguments"] = {"title": f"{tool.name} arguments", **tool.input_schema}
        schemas[f"{tool.name}Result"] = {"title": f"{tool.name} result", **tool.output_schema}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "spotify-history MCP tools (plain HTTP)",
            "version": "1.0",
            "description": "The MCP server's tools for clients that don't speak MCP (ChatGPT "
            "Actions, curl): the same tools, answers and tokens as the MCP endpoint at /mcp. "
            "Authenticate with `Authorization: Bearer <MCP token>`; the operator's ADMIN_TOKEN "
            "works too, naming the listener with the `user_id` argument.",
        },
        "servers": [{"url": base_url}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/mcp/tools": {
                "get": {
                    "operationId": "listTools",
                    "summary": "List the tools with their argument and result schemas",
                    "responses": {
                        "200": {"description": "The tools.", "content": _json(_ref("ToolList"))},
                        **_errors("401", "429"),
                    },
                }
            },
            "/mcp/call": {
                "post": {
                    "operationId": "callTool",
                    "summary": "Call one tool about the token's listener",
                    "description": _tool_list(),
                    "requestBody": {"required": True, "content": _json(_ref("CallRequest"))},
                    "responses": {
                        "200": {
                            "description": "The tool's answer.",
                            "content": _json(_ref("CallResult")),
                        },
                        **_errors("400", "401", "403", "404", "413", "429"),
                    },
                }
            },
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An MCP token (shm_...) from the listener's page, or the "
                    "operator's ADMIN_TOKEN.",
                }
            },
        },
    }
