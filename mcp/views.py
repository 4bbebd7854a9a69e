"""HTTP views: /mcp (Streamable HTTP, JSON responses, no sessions) and its plain-HTTP twin.

The views only run the shared checks (`mcp.http`) and hand over: JSON-RPC to `mcp.protocol`, the
plain-HTTP calls to `mcp.plain`, the OpenAPI document to `mcp.openapi`. They are CSRF-exempt
because they take no cookies: every request carries its bearer token.
"""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from mcp import jsonout, openapi, plain, protocol
from mcp.http import Refused, checked_caller, preflight, with_cors


def _not_allowed(allow, body):
    response = JsonResponse(body, status=405)
    response["Allow"] = allow
    return response


def _plain_not_allowed(allow, detail):
    return _not_allowed(allow, {"error": "method_not_allowed", "error_description": detail})


@csrf_exempt
def endpoint(request):
    """POST one JSON-RPC message; GET (no server-sent stream) and DELETE (no sessions) are 405."""
    if request.method == "OPTIONS":
        return preflight(request, "POST, OPTIONS")
    if request.method != "POST":
        detail = (
            "Method not allowed: this MCP server answers POSTed JSON-RPC messages only; it "
            "opens no server-sent event stream (GET) and keeps no sessions (DELETE)."
        )
        return _not_allowed(
            "POST, OPTIONS", protocol.error_body(None, protocol.INVALID_REQUEST, detail)
        )
    try:
        caller = checked_caller(request, with_body=True)
    except Refused as refused:
        return refused.response
    reply = protocol.handle(request.body, request.headers, caller)
    if reply.body is None:
        response = HttpResponse(status=reply.status)
    else:
        response = jsonout.response(reply.body, status=reply.status)
    for name, value in reply.headers.items():
        response[name] = value
    return with_cors(request, response)


@csrf_exempt
def list_tools(request):
    """GET /mcp/tools: the tools as tools/list shows them, and the accepted aliases."""
    if request.method == "OPTIONS":
        return preflight(request, "GET, OPTIONS")
    if request.method != "GET":
        return _plain_not_allowed("GET, OPTIONS", "Use GET to list the tools.")
    try:
        caller = checked_caller(request, with_body=False)
    except Refused as refused:
        return refused.response
    return with_cors(request, JsonResponse(plain.tool_listing(caller)))


@csrf_exempt
def call(request):
    """POST /mcp/call {"tool": name, "args": {...}}: the tool's structured answer as JSON."""
    if request.method == "OPTIONS":
        return preflight(request, "POST, OPTIONS")
    if request.method != "POST":
        return _plain_not_allowed(
            "POST, OPTIONS", 'POST {"tool": name, "args": {...}} to call a tool.'
        )
    try:
        caller = checked_caller(request, with_body=True)
    except Refused as refused:
        return refused.response
    status, body, headers = plain.call(caller, request.body)
    response = jsonout.response(body, status=status)
    for name, value in headers.items():
        response[name] = value
    return with_cors(request, response)


def openapi_document(request):
    """GET /mcp/openapi.json: public, it holds only the API's shape (for ChatGPT Actions)."""
    if request.method != "GET":
        return _plain_not_allowed("GET", "Use GET for the OpenAPI document.")
    base_url = request.build_absolute_uri("/").rstrip("/")
    return JsonResponse(openapi.document(base_url), json_dumps_params={"ensure_ascii": False})
