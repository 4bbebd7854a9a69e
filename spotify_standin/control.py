"""The control API (``/_control/...``): JSON calls that set the stand-in up for tests and demos.

Each route maps onto one :class:`~spotify_standin.state.StandinState` method, so the HTTP
control API and the in-process Python API always behave the same. No authentication, no
latency, no faults, and control calls are not written to the request log.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

from .state import DEFAULT_SCOPE, StandinState
from .wire import Request, Response, json_response

USER_FIELDS = ("display_name", "country", "product", "account_id", "plays")
CONFIG_FIELDS = (
    "rotate_refresh_tokens",
    "access_token_ttl",
    "latency_ms",
    "allow_insecure_redirects",
    "fault_rate",
    "fault_retry_after",
)
FAULT_FIELDS = (
    "endpoint",
    "user_id",
    "count",
    "status",
    "retry_after",
    "delay_ms",
    "error",
    "error_description",
    "body_format",
    "message",
    "skip",
)


def handle(state: StandinState, request: Request) -> Response:
    parts = [unquote(part) for part in request.path.split("/")[2:] if part]
    try:
        body = request.json() if request.method == "POST" else {}
        return _route(state, request, parts, body)
    except (ValueError, json.JSONDecodeError) as error:
        return json_response(400, {"error": str(error)})


def _route(state: StandinState, request: Request, parts: list[str], body: dict) -> Response:
    match request.method, parts:
        case "POST", ["reset"]:
            state.reset()
            return json_response(200, {"reset": True})
        case "POST", ["users"]:
            user_id = body.get("id")
            if not isinstance(user_id, str) or not user_id:
                raise ValueError("id is required")
            fields = _fields(body, ("id", *USER_FIELDS))
            fields.pop("id")
            return json_response(201, state.add_user(user_id, **fields))
        case "GET", ["users", user_id]:
            return json_response(200, state.user(user_id))
        case "GET", ["users", user_id, "plays"]:
            items = state.plays(user_id)
            return json_response(200, {"user_id": user_id, "total": len(items), "items": items})
        case "POST", ["users", user_id, "plays"]:
            fields = _fields(body, ("count", "items"))
            added = state.add_plays(user_id, fields.get("count"), fields.get("items"))
            return json_response(201, {"user_id": user_id, "added": added})
        case "GET", ["users", user_id, "playlists"]:
            return json_response(200, {"user_id": user_id, "playlists": state.playlists(user_id)})
        case "POST", ["users", user_id, "tokens"]:
            scope = _fields(body, ("scope",)).get("scope", DEFAULT_SCOPE)
            return json_response(201, state.mint_tokens(user_id, scope))
        case "POST", ["users", user_id, "revoke"]:
            return json_response(200, {"user_id": user_id, "revoked": state.revoke(user_id)})
        case "POST", ["users", user_id, "expire"]:
            expired = state.expire_access_tokens(user_id)
            return json_response(200, {"user_id": user_id, "expired": expired})
        case "POST", ["authorize-as"]:
            fields = _fields(body, ("user_id", "deny"))
            state.authorize_as(fields.get("user_id"), deny=bool(fields.get("deny")))
            return json_response(200, {"user_id": state.authorizing_user})
        case "GET", ["config"]:
            return json_response(200, state.configure())
        case "POST", ["config"]:
            return json_response(200, state.configure(**_fields(body, CONFIG_FIELDS)))
        case "GET", ["faults"]:
            return json_response(
                200, {"faults": state.faults(), "random_faults": state.random_faults()}
            )
        case "POST", ["faults"]:
            return json_response(201, state.inject_fault(**_fields(body, FAULT_FIELDS)))
        case "DELETE", ["faults"]:
            return json_response(200, {"cleared": state.clear_faults()})
        case "GET", ["requests"]:
            wanted = request.query
            entries = [
                entry
                for entry in state.requests
                if all(
                    str(entry.get(key)) == wanted[key]
                    for key in ("endpoint", "user", "status")
                    if key in wanted
                )
            ]
            return json_response(200, {"requests": entries})
        case "DELETE", ["requests"]:
            state.clear_requests()
            return json_response(200, {"cleared": True})
    return json_response(404, {"error": f"no control route {request.method} {request.path}"})


def _fields(body: dict, allowed: tuple[str, ...]) -> dict:
    """The body's fields, refusing unknown ones (a typo should fail loudly, not be ignored)."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ValueError(f"unknown field(s) {unknown}; allowed: {list(allowed)}")
    return dict(body)
