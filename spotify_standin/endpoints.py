"""The Spotify-facing endpoints: Accounts (``/authorize``, ``/api/token``) and ``/v1``.

:func:`handle` does what every Spotify endpoint shares (the configured latency, queued
faults, the request log); the endpoint functions below it each do only their own job and
answer with the status codes and bodies the real services use.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import time
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .catalogue import Artist, album_json, artist_json, context_json, iso_ms, track_json
from .library import MAX_SEARCH_LIMIT, SEARCH_TYPES, TIME_RANGES, LibraryError, Playlist
from .state import KNOWN_SCOPES, RECENT_WINDOW, Fault, OAuthError, StandinState, redact
from .wire import (
    Request,
    Response,
    api_error,
    html_response,
    json_response,
    redirect,
    text_response,
)

# (method, path pattern, endpoint name); the name keys faults, the request log and HANDLERS.
ROUTES = [
    ("GET", "/authorize", "authorize"),
    ("POST", "/api/token", "token"),
    ("GET", "/v1/me", "me"),
    ("GET", "/v1/me/player/recently-played", "recently_played"),
    ("POST", "/v1/me/playlists", "create_playlist"),
    ("GET", "/v1/me/playlists", "my_playlists"),
    ("POST", "/v1/playlists/(?P<playlist_id>[^/]+)/items", "add_items"),
    ("GET", "/v1/playlists/(?P<playlist_id>[^/]+)/items", "playlist_items"),
    ("GET", "/v1/me/top/(?P<kind>[^/]+)", "top_items"),
    ("GET", "/v1/search", "search"),
]
_COMPILED = [(method, re.compile(pattern + "$"), name) for method, pattern, name in ROUTES]
NOT_REGISTERED = "User not registered in the Developer Dashboard"


@dataclass
class Caller:
    """Who a request is from, as far as can be told before handling it."""

    user_id: str | None = None
    token: str | None = None
    access: str = "missing"  # the bearer token: missing | unknown | expired | valid
    scope: str = ""


def handle(state: StandinState, request: Request) -> Response:
    """Serve one Spotify request: latency, then a queued fault or the endpoint; log it."""
    started = time.time()
    path = request.path.rstrip("/") or "/"
    matched = [(method, m, name) for method, regex, name in _COMPILED if (m := regex.match(path))]
    route = next((r for r in matched if r[0] == request.method), None)
    endpoint, fault = None, None
    caller = Caller()
    if not matched:
        response = _not_found(request)
    elif route is None:
        response = _error_for(request, 405, "Method not allowed")
    else:
        endpoint = route[2]
        request.path_params = route[1].groupdict()
        if state.latency_ms:
            time.sleep(state.latency_ms / 1000)
        caller = _identify(state, endpoint, request)
        fault = state.take_fault(endpoint, caller.user_id) or state.take_random_fault(
            endpoint, caller.user_id
        )
        response = _fault_response(state, fault, endpoint, caller) if fault else None
        if response is None:
            response = HANDLERS[endpoint](state, request, caller)
    state.log_request(
        {
            "time": iso_ms(int(started * 1000)),
            "method": request.method,
            "path": request.path,
            "endpoint": endpoint,
            "query": _redacted_query(request.raw_query),
            "form": _redacted_form(request) if endpoint == "token" else None,
            "user": caller.user_id,
            "status": response.status,
            "fault": fault.id if fault else None,
            "started_at": started,
            "finished_at": time.time(),
        }
    )
    return response


# --- Accounts service ----------------------------------------------------------------------


def authorize(state: StandinState, request: Request, caller: Caller) -> Response:
    """Validate like Spotify, then approve at once as the configured listener (or deny)."""
    query = request.query
    client_id = query.get("client_id", "")
    redirect_uri = query.get("redirect_uri", "")
    if not client_id:
        return _authorize_error("Missing required parameter: client_id")
    if state.client_id is not None and client_id != state.client_id:
        return _authorize_error("INVALID_CLIENT: Invalid client")
    if not redirect_uri:
        return _authorize_error("Missing required parameter: redirect_uri")
    problem = _redirect_uri_problem(redirect_uri)
    if problem == "Insecure redirect URI" and state.config.allow_insecure_redirects:
        problem = None
    if problem:
        return _authorize_error(f"INVALID_CLIENT: {problem}")
    if not query.get("response_type"):
        return _authorize_error("Missing required parameter: response_type")
    if query["response_type"] != "code":
        return _authorize_error("response_type must be code")
    challenge = query.get("code_challenge") or None
    method = query.get("code_challenge_method")
    if (challenge or method) and method != "S256":
        return _authorize_error("code_challenge_method must be S256")
    if method and not challenge:
        return _authorize_error("Missing required parameter: code_challenge")
    scope = " ".join(query.get("scope", "").split())
    if any(name not in KNOWN_SCOPES for name in scope.split()):
        return _authorize_error("INVALID_SCOPE: Illegal scope")
    user_id = caller.user_id
    if user_id is None:
        return redirect(_add_params(redirect_uri, error="access_denied", state=query.get("state")))
    code = state.issue_code(user_id, client_id, redirect_uri, scope, challenge)
    return redirect(_add_params(redirect_uri, code=code, state=query.get("state")))


def token(state: StandinState, request: Request, caller: Caller) -> Response:
    """``POST /api/token``: authorization_code and refresh_token grants."""
    form = request.form()
    grant_type = form.get("grant_type")
    try:
        client_id, client_secret = _client_credentials(request, form)
        if grant_type == "authorization_code":
            result = state.exchange_code(
                form.get("code", ""),
                form.get("redirect_uri", ""),
                form.get("code_verifier"),
                client_id,
                client_secret,
            )
        elif grant_type == "refresh_token":
            result = state.refresh(form.get("refresh_token", ""), client_id, client_secret)
        elif not grant_type:
            raise OAuthError(400, "unsupported_grant_type", "grant_type parameter is missing")
        else:
            raise OAuthError(
                400,
                "unsupported_grant_type",
                "grant_type must be client_credentials, authorization_code or refresh_token",
            )
    except OAuthError as error:
        return _oauth_error(error.status, error.error, error.description)
    return json_response(200, result)


# --- Web API -------------------------------------------------------------------------------


def me(state: StandinState, request: Request, caller: Caller) -> Response:
    """``GET /v1/me``; like Spotify, country and product need ``user-read-private``."""
    refused = _require_token(caller)
    if refused:
        return refused
    user = state.user(caller.user_id)
    scopes = caller.scope.split()
    body = {
        "id": user["id"],
        "display_name": user["display_name"],
        "type": "user",
        "uri": f"spotify:user:{user['id']}",
        "href": f"{request.base_url}/v1/users/{user['id']}",
        "external_urls": {"spotify": f"https://open.spotify.com/user/{user['id']}"},
        "followers": {"href": None, "total": 0},
        "images": [],
    }
    if user["account_id"] is not None:
        body["account_id"] = user["account_id"]
    if "user-read-private" in scopes:
        body["country"] = user["country"]
        body["product"] = user["product"]
        body["explicit_content"] = {"filter_enabled": False, "filter_locked": False}
    if "user-read-email" in scopes:
        body["email"] = f"{user['id']}@standin.invalid"
    return json_response(200, body)


def recently_played(state: StandinState, request: Request, caller: Caller) -> Response:
    """``GET /v1/me/player/recently-played`` over the listener's last 50 plays."""
    refused = _require_token(caller)
    if refused:
        return refused
    if "user-read-recently-played" not in caller.scope.split():
        return api_error(403, "Insufficient client scope")
    query = request.query
    try:
        limit = int(query.get("limit", "20"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= RECENT_WINDOW:
        return api_error(400, "Invalid limit")
    if "after" in query and "before" in query:
        return api_error(400, "Only one of after and before may be given")
    cursor = {}
    for name in ("after", "before"):
        if name in query:
            try:
                cursor[name] = int(query[name])
            except ValueError:
                return api_error(400, f"Invalid {name} parameter")
    page = state.recently_played(caller.user_id, limit, **cursor)

    api_url = f"{request.base_url}/v1"
    endpoint_url = f"{api_url}/me/player/recently-played"
    cursors, next_url = None, None
    if page:
        cursors = {"after": str(page[0].played_at_ms), "before": str(page[-1].played_at_ms)}
        direction = "after" if "after" in cursor else "before"
        next_url = f"{endpoint_url}?{direction}={cursors[direction]}&limit={limit}"
    items = [
        {
            "track": track_json(state.catalogue.track(play.track_id), api_url),
            "played_at": iso_ms(play.played_at_ms),
            "context": context_json(play.context, api_url),
        }
        for play in page
    ]
    href = endpoint_url + (f"?{request.raw_query}" if request.raw_query else "")
    return json_response(
        200, {"href": href, "limit": limit, "next": next_url, "cursors": cursors, "items": items}
    )


# --- playlists, top items, search ------------------------------------------------------


def _insufficient_scope(caller: Caller, *needed: str) -> Response | None:
    """403 with Spotify's body unless the token has every scope in ``needed``."""
    if not set(needed) <= set(caller.scope.split()):
        return api_error(403, "Insufficient client scope")
    return None


def _json_body(request: Request) -> dict | Response:
    try:
        return request.json()
    except (ValueError, UnicodeDecodeError):
        return api_error(400, "Error parsing JSON.")


def _int_param(query: dict, name: str, default: int, low: int, high: int) -> int | None:
    try:
        value = int(query.get(name, str(default)))
    except ValueError:
        return None
    return value if low <= value <= high else None


def _paging(items: list, href: str, limit: int, offset: int, total: int) -> dict:
    def page_url(at: int) -> str:
        return f"{href}?offset={at}&limit={limit}"

    return {
        "href": page_url(offset),
        "items": items,
        "limit": limit,
        "next": page_url(offset + limit) if offset + limit < total else None,
        "offset": offset,
        "previous": page_url(max(offset - limit, 0)) if offset else None,
        "total": total,
    }


def _playlist_json(state: StandinState, playlist: Playlist, api_url: str) -> dict:
    user = state.user(playlist.owner)
    return {
        "collaborative": False,
        "description": playlist.description,
        "external_urls": {"spotify": f"https://open.spotify.com/playlist/{playlist.id}"},
        "href": f"{api_url}/playlists/{playlist.id}",
        "id": playlist.id,
        "images": [],
        "name": playlist.name,
        "owner": {
            "id": user["id"],
            "display_name": user["display_name"],
            "type": "user",
            "uri": f"spotify:user:{user['id']}",
        },
        "public": playlist.public,
        "snapshot_id": playlist.snapshot_id,
        "items": {"href": f"{api_url}/playlists/{playlist.id}/items", "total": len(playlist.items)},
        "type": "playlist",
        "uri": f"spotify:playlist:{playlist.id}",
    }


def create_playlist(state: StandinState, request: Request, caller: Caller) -> Response:
    """``POST /v1/me/playlists`` ``{name, public?, description?}`` (public by default)."""
    refused = _require_token(caller)
    if refused:
        return refused
    body = _json_body(request)
    if isinstance(body, Response):
        return body
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        return api_error(400, "Missing required field: name")
    public = body.get("public", True)
    if not isinstance(public, bool):
        return api_error(400, "public must be a boolean")
    description = body.get("description") or ""
    if not isinstance(description, str):
        return api_error(400, "description must be a string")
    scope = "playlist-modify-public" if public else "playlist-modify-private"
    refused = _insufficient_scope(caller, scope)
    if refused:
        return refused
    playlist = state.create_playlist(caller.user_id, name, public=public, description=description)
    return json_response(201, _playlist_json(state, playlist, f"{request.base_url}/v1"))


def my_playlists(state: StandinState, request: Request, caller: Caller) -> Response:
    """``GET /v1/me/playlists``: the listener's own; private ones need playlist-read-private."""
    refused = _require_token(caller)
    if refused:
        return refused
    limit = _int_param(request.query, "limit", 20, 1, 50)
    offset = _int_param(request.query, "offset", 0, 0, 100_000)
    if limit is None or offset is None:
        return api_error(400, "Invalid limit" if limit is None else "Invalid offset")
    playlists = state.owned_playlists(caller.user_id)
    if "playlist-read-private" not in caller.scope.split():
        playlists = [p for p in playlists if p.public]
    api_url = f"{request.base_url}/v1"
    items = [_playlist_json(state, p, api_url) for p in playlists[offset : offset + limit]]
    return json_response(
        200, _paging(items, f"{api_url}/me/playlists", limit, offset, len(playlists))
    )


def add_items(state: StandinState, request: Request, caller: Caller) -> Response:
    """``POST /v1/playlists/{id}/items`` ``{uris, position?}``: at most 100, owner only."""
    refused = _require_token(caller)
    if refused:
        return refused
    body = _json_body(request)
    if isinstance(body, Response):
        return body
    uris = body.get("uris")
    if not isinstance(uris, list) or not uris:
        return api_error(400, "Missing required field: uris")
    playlist = state.playlist(request.path_params["playlist_id"])
    if playlist is None:
        return api_error(404, "Resource not found")
    scope = "playlist-modify-public" if playlist.public else "playlist-modify-private"
    refused = _insufficient_scope(caller, scope)
    if refused:
        return refused
    try:
        snapshot = state.add_playlist_items(caller.user_id, playlist.id, uris, body.get("position"))
    except LibraryError as error:
        return api_error(error.status, error.message)
    return json_response(201, {"snapshot_id": snapshot})


def playlist_items(state: StandinState, request: Request, caller: Caller) -> Response:
    """``GET /v1/playlists/{id}/items``: entries are ``items[].item`` (the 2026 shape)."""
    refused = _require_token(caller)
    if refused:
        return refused
    playlist = state.playlist(request.path_params["playlist_id"])
    if playlist is None:
        return api_error(404, "Resource not found")
    if not playlist.public:
        refused = _insufficient_scope(caller, "playlist-read-private")
        if refused:
            return refused
        if playlist.owner != caller.user_id:
            return api_error(404, "Resource not found")
    limit = _int_param(request.query, "limit", 100, 1, 100)
    offset = _int_param(request.query, "offset", 0, 0, 100_000)
    if limit is None or offset is None:
        return api_error(400, "Invalid limit" if limit is None else "Invalid offset")
    api_url = f"{request.base_url}/v1"
    entries = []
    for uri, added_at in playlist.items[offset : offset + limit]:
        kind, item_id = uri.split(":")[1:]
        item = track_json(state.catalogue.track(item_id), api_url) if kind == "track" else None
        entries.append({"added_at": iso_ms(added_at)[:19] + "Z", "is_local": False, "item": item})
    href = f"{api_url}/playlists/{playlist.id}/items"
    return json_response(200, _paging(entries, href, limit, offset, len(playlist.items)))


def _artist_full(artist: Artist, api_url: str) -> dict:
    return {**artist_json(artist, api_url), "genres": [], "images": []}


def top_items(state: StandinState, request: Request, caller: Caller) -> Response:
    """``GET /v1/me/top/{artists|tracks}?time_range&limit&offset`` (needs user-top-read)."""
    refused = _require_token(caller)
    if refused:
        return refused
    kind = request.path_params["kind"]
    if kind not in ("artists", "tracks"):
        return api_error(404, "Service not found")
    refused = _insufficient_scope(caller, "user-top-read")
    if refused:
        return refused
    query = request.query
    time_range = query.get("time_range", "medium_term")
    if time_range not in TIME_RANGES:
        return api_error(400, "Invalid time range")
    limit = _int_param(query, "limit", 20, 1, 50)
    offset = _int_param(query, "offset", 0, 0, 100_000)
    if limit is None or offset is None:
        return api_error(400, "Invalid limit" if limit is None else "Invalid offset")
    ranked = state.top_items(caller.user_id, kind, time_range)
    api_url = f"{request.base_url}/v1"
    render = _artist_full if kind == "artists" else track_json
    items = [render(thing, api_url) for thing in ranked[offset : offset + limit]]
    href = f"{api_url}/me/top/{kind}"
    return json_response(200, _paging(items, href, limit, offset, len(ranked)))


def search(state: StandinState, request: Request, caller: Caller) -> Response:
    """``GET /v1/search?q&type&limit&offset``: ``limit`` at most 10 (Development Mode)."""
    refused = _require_token(caller)
    if refused:
        return refused
    query = request.query
    if not query.get("q", "").strip():
        return api_error(400, "No search query")
    if not query.get("type"):
        return api_error(400, "Missing parameter type")
    kinds = query["type"].split(",")
    if any(kind not in SEARCH_TYPES for kind in kinds):
        return api_error(400, "Bad search type field")
    limit = _int_param(query, "limit", 5, 0, MAX_SEARCH_LIMIT)
    offset = _int_param(query, "offset", 0, 0, 1000)
    if limit is None or offset is None:
        return api_error(400, "Invalid limit" if limit is None else "Invalid offset")
    api_url = f"{request.base_url}/v1"
    render = {"track": track_json, "artist": _artist_full, "album": album_json}
    body = {}
    for kind in kinds:
        found = state.search(query["q"], kind)
        items = [render[kind](thing, api_url) for thing in found[offset : offset + limit]]
        href = f"{api_url}/search?q={query['q']}&type={kind}"
        body[f"{kind}s"] = {
            **_paging(items, href, limit, offset, len(found)),
            "href": href,
        }
    return json_response(200, body)


HANDLERS = {
    "authorize": authorize,
    "token": token,
    "me": me,
    "recently_played": recently_played,
    "create_playlist": create_playlist,
    "my_playlists": my_playlists,
    "add_items": add_items,
    "playlist_items": playlist_items,
    "top_items": top_items,
    "search": search,
}


# --- helpers -------------------------------------------------------------------------------


def _identify(state: StandinState, endpoint: str, request: Request) -> Caller:
    if endpoint == "authorize":
        return Caller(user_id=state.authorizing_user)
    if endpoint == "token":
        return Caller(user_id=state.user_for_grant(request.form()))
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return Caller()
    user_id, status, scope = state.check_access_token(value.strip())
    return Caller(user_id=user_id, token=value.strip(), access=status, scope=scope)


def _require_token(caller: Caller) -> Response | None:
    if caller.access == "missing":
        return api_error(401, "No token provided")
    if caller.access == "unknown":
        return api_error(401, "Invalid access token")
    if caller.access == "expired":
        return api_error(401, "The access token expired")
    return None


def _fault_response(
    state: StandinState, fault: Fault, endpoint: str, caller: Caller
) -> Response | None:
    """The response a fault forces, or None when it only delays a normal answer."""
    if fault.delay_ms:
        time.sleep(fault.delay_ms / 1000)
    if fault.error == "invalid_grant":
        return _oauth_error(
            400, "invalid_grant", fault.error_description or "Refresh token revoked"
        )
    status = fault.status
    if status is None:
        return None
    if status == 401 and endpoint == "token":
        return _oauth_error(401, "invalid_client", fault.message or "Invalid client")
    if status == 401:
        # Not just the answer: the token really is expired from now on, until refreshed.
        if fault.user_id:
            state.expire_access_tokens(fault.user_id)
        elif caller.token:
            state.expire_access_token(caller.token)
        return api_error(401, fault.message or "The access token expired")
    if status == 403:
        message = fault.message or NOT_REGISTERED
        return (
            api_error(403, message) if fault.body_format == "json" else text_response(403, message)
        )
    if status == 429:
        response = api_error(429, fault.message or "API rate limit exceeded")
        response.headers["Retry-After"] = str(fault.retry_after)
        return response
    if status >= 500:
        return api_error(status, fault.message or "Server error")
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return api_error(status, fault.message or phrase)


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """Client id and secret from HTTP Basic, else from the form body."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError(401, "invalid_client", "Invalid client") from None
        client_id, sep, secret = decoded.partition(":")
        if not sep:
            raise OAuthError(401, "invalid_client", "Invalid client")
        return client_id, secret
    return form.get("client_id"), form.get("client_secret")


def _redirect_uri_problem(uri: str) -> str | None:
    """Spotify's rule since 2025: HTTPS, or plain HTTP to a loopback IP literal only."""
    parts = urlsplit(uri)
    if not parts.scheme or parts.fragment:
        return "Invalid redirect URI"
    if parts.scheme == "https":
        return None if parts.hostname else "Invalid redirect URI"
    if parts.scheme == "http":
        try:
            loopback = ipaddress.ip_address(parts.hostname or "").is_loopback
        except ValueError:
            loopback = False
        return None if loopback else "Insecure redirect URI"
    return None  # custom schemes (mobile apps) are allowed


def _add_params(uri: str, **params: str | None) -> str:
    parts = urlsplit(uri)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    pairs += [(key, value) for key, value in params.items() if value is not None]
    return urlunsplit(parts._replace(query=urlencode(pairs)))


def _authorize_error(message: str) -> Response:
    """Spotify answers a bad /authorize with an HTML page (400) rather than a redirect."""
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Error</title></head>"
        f"<body><h1>Oops! Something went wrong</h1><p>{message}</p></body></html>"
    )
    return html_response(400, page)


def _oauth_error(status: int, error: str, description: str) -> Response:
    return json_response(status, {"error": error, "error_description": description})


def _not_found(request: Request) -> Response:
    return _error_for(request, 404, "Service not found")


def _error_for(request: Request, status: int, message: str) -> Response:
    if request.path.startswith("/v1/"):
        return api_error(status, message)
    return text_response(status, message)


def _redacted_query(raw_query: str) -> str:
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    return urlencode(redact(pairs))


def _redacted_form(request: Request) -> dict[str, str]:
    return dict(redact(list(request.form().items())))
