"""The HTTP checks every MCP request passes before its body is read: Origin, token, limit, size.

Shared by /mcp and its plain-HTTP twin (/mcp/tools, /mcp/call), in this order:

1. `Origin`, when a browser sends one, must be this server's own origin or one listed in
   MCP_ALLOWED_ORIGINS, else 403: the MCP transport's defence against DNS rebinding. Clients
   that are not browsers send no Origin and pass.
2. a bearer token (`mcp.auth`), else 401 with `WWW-Authenticate: Bearer error="invalid_token"`
   and `resource_metadata` (where an assistant starts the OAuth flow, `mcp.oauth`); a client
   address that sent API_AUTH_FAILURE_LIMIT wrong ones lately gets 429 with `Retry-After`
   instead, whatever it sends (`accounts.auth_failures`);
3. the token's rate limit (`mcp.ratelimit`), else 429 with `Retry-After`;
4. the body's size, at most MCP_MAX_BODY_BYTES, else 413 (judged by Content-Length before
   anything is read).

Allowed cross-origin requests also get the CORS headers a browser needs to read the answer.
"""

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from accounts import auth_failures, metric_counts
from accounts.logs import log_event
from accounts.origins import own_origin
from mcp import ratelimit
from mcp.auth import HOW_TO_AUTHENTICATE, authenticate_request, challenge

logger = logging.getLogger(__name__)

CORS_ALLOW_HEADERS = (
    "Authorization, Content-Type, Accept, MCP-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID"
)
CORS_EXPOSE_HEADERS = "WWW-Authenticate, Retry-After"


class Refused(Exception):
    """A request stopped by one of the checks; `response` is what to answer."""

    def __init__(self, response):
        super().__init__(response.status_code)
        self.response = response


def origin_allowed(request):
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    allowed = {o.rstrip("/") for o in settings.MCP_ALLOWED_ORIGINS}
    return origin.rstrip("/") in allowed or origin == own_origin(request)


def with_cors(request, response):
    """Lets a browser on an allowed origin read the response."""
    origin = request.headers.get("Origin")
    if origin is not None and origin != own_origin(request):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = CORS_EXPOSE_HEADERS
        response["Vary"] = "Origin"
    return response


def preflight(request, methods):
    """The answer to a browser's CORS preflight (OPTIONS)."""
    if not origin_allowed(request):
        return forbidden_origin(request)
    response = HttpResponse(status=204)
    response["Allow"] = methods
    response["Access-Control-Allow-Methods"] = methods
    response["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
    response["Access-Control-Max-Age"] = "600"
    return with_cors(request, response)


def forbidden_origin(request):
    log_event(
        logger,
        "mcp.origin_refused",
        "Refused an MCP request from a browser origin that is not allowed",
        level=logging.WARNING,
        origin=request.headers.get("Origin", "")[:200],
    )
    return JsonResponse(
        {
            "error": "forbidden_origin",
            "error_description": "This Origin may not call the MCP endpoint: add it to "
            "MCP_ALLOWED_ORIGINS if it is yours.",
        },
        status=403,
    )


def unauthorized():
    response = JsonResponse(
        {"error": "invalid_token", "error_description": HOW_TO_AUTHENTICATE}, status=401
    )
    response["WWW-Authenticate"] = challenge()
    return response


def too_many(caller, decision):
    metric_counts.add(metric_counts.RATE_LIMIT_REFUSALS, limit="mcp_calls")
    log_event(
        logger,
        "mcp.rate_limited",
        f"{caller.label} went over {decision.limit} MCP calls a minute",
        level=logging.WARNING,
        listener=caller.listener,
        caller=caller.label,
        limit=decision.limit,
    )
    response = JsonResponse(
        {
            "error": "rate_limited",
            "error_description": f"Over {decision.limit} calls a minute for "
            f"{'the admin token' if caller.is_admin else 'this listener (all their tokens)'}: "
            f"try again in {decision.retry_after} seconds.",
        },
        status=429,
    )
    response["Retry-After"] = str(decision.retry_after)
    return response


def too_many_failures(retry_after):
    response = JsonResponse(
        {
            "error": "too_many_failures",
            "error_description": "Too many wrong tokens from this address: try again in "
            f"{retry_after} seconds.",
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def too_large():
    limit = settings.MCP_MAX_BODY_BYTES
    return JsonResponse(
        {
            "error": "body_too_large",
            "error_description": f"The body is over {limit} bytes (MCP_MAX_BODY_BYTES); one "
            "MCP message is far smaller.",
        },
        status=413,
    )


def body_size(request):
    """The declared Content-Length, or None when there is none or it is not a number."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def checked_caller(request, *, with_body):
    """The authenticated Caller after every check passed; raises Refused otherwise."""
    if not origin_allowed(request):
        raise Refused(forbidden_origin(request))
    presented = bool(request.headers.get("Authorization", "").strip())
    if presented:
        wait = auth_failures.retry_after(request)
        if wait:
            raise Refused(with_cors(request, too_many_failures(wait)))
    caller = authenticate_request(request)
    if caller is None:
        if presented:
            auth_failures.record_failure(request)
        raise Refused(with_cors(request, unauthorized()))
    decision = ratelimit.hit(caller.rate_key)
    if not decision.allowed:
        raise Refused(with_cors(request, too_many(caller, decision)))
    if with_body:
        declared = body_size(request)
        if declared is not None and declared > settings.MCP_MAX_BODY_BYTES:
            raise Refused(with_cors(request, too_large()))
        if len(request.body) > settings.MCP_MAX_BODY_BYTES:
            raise Refused(with_cors(request, too_large()))
    return caller
