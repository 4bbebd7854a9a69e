"""Plain request and response values passed between the HTTP handler and the endpoints.

Keeping them free of ``http.server`` lets the endpoint code stay small and readable: each
endpoint is a function from a :class:`Request` to a :class:`Response`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl


@dataclass
class Request:
    method: str
    path: str
    raw_query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    base_url: str  # e.g. http://127.0.0.1:8765, as the client addressed us
    path_params: dict[str, str] = field(default_factory=dict)  # filled in by the router

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.raw_query, keep_blank_values=True))

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))

    def json(self) -> dict:
        """The JSON object body (an empty body counts as ``{}``); ValueError if not one."""
        if not self.body.strip():
            return {}
        data = json.loads(self.body)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, data: object, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(data).encode(), headers=headers or {})


def text_response(status: int, text: str) -> Response:
    return Response(status, text.encode(), "text/plain; charset=utf-8")


def html_response(status: int, html: str) -> Response:
    return Response(status, html.encode(), "text/html; charset=utf-8")


def redirect(location: str) -> Response:
    return Response(302, b"", "text/plain; charset=utf-8", {"Location": location})


def api_error(status: int, message: str) -> Response:
    """The Web API's error shape: ``{"error": {"status", "message"}}``."""
    return json_response(status, {"error": {"status": status, "message": message}})
