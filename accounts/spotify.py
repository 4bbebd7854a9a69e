"""The Spotify HTTP client: the one place that talks to Spotify's Accounts service and Web API.

Every failure Spotify can answer with becomes a named exception, so callers decide what to do
(mark a listener, back off, ask the person to act) without parsing HTTP. Tokens are passed in
and out as arguments and never logged.
"""

import base64
import logging
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import requests
from django.conf import settings

from accounts.scopes import BASE_SCOPES

logger = logging.getLogger(__name__)

SCOPES = BASE_SCOPES  # what a plain login asks for; see accounts.scopes for the others
MAX_ITEMS_PER_ADD = 100  # Spotify's limit for POST /playlists/{id}/items
MAX_SEARCH_LIMIT = 10  # Development Mode's limit for GET /search
NOT_REGISTERED_TEXT = "User not registered in the Developer Dashboard"
DEFAULT_RETRY_AFTER_SECONDS = 60


class SpotifyError(Exception):
    """Spotify answered with an error (or not at all)."""

    def __init__(self, message, *, status=None):
        super().__init__(message)
        self.status = status


class SpotifyUnavailable(SpotifyError):
    """A 5xx answer, a timeout or a connection failure: worth trying again later."""


class RateLimited(SpotifyError):
    """HTTP 429; `retry_after` is how many seconds Spotify asked us to wait."""

    def __init__(self, message, *, retry_after):
        super().__init__(message, status=429)
        self.retry_after = retry_after


class AccessTokenExpired(SpotifyError):
    """HTTP 401 from the Web API: refresh the access token and try once more."""


class NotRegistered(SpotifyError):
    """HTTP 403: the account is not on the Spotify app's allow-list (Development Mode)."""


class InvalidGrant(SpotifyError):
    """The token endpoint refused a code or refresh token (expired, revoked, already used)."""


class InsufficientScope(SpotifyError):
    """HTTP 403 because the access token lacks a scope the endpoint needs."""


@dataclass(frozen=True)
class TokenResponse:
    access_token: str
    expires_in: int
    refresh_token: str | None
    scope: str


def _retry_after(response):
    try:
        return max(0, int(response.headers.get("Retry-After", "")))
    except ValueError:
        return DEFAULT_RETRY_AFTER_SECONDS


def _error_message(response):
    """Spotify's own words for an error, from whichever body shape it used."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or response.reason)
        if error:
            description = body.get("error_description")
            return f"{error}: {description}" if description else str(error)
    return response.reason


def _answered(response):
    """What Spotify answered, for the sync runs and logs: the HTTP status always, and Spotify's
    own words when they add something, e.g. "Spotify answered 502 Bad Gateway: Server error"."""
    status = f"{response.status_code} {response.reason or ''}".strip()
    words = _error_message(response).strip()
    if words and words.casefold() != (response.reason or "").strip().casefold():
        return f"Spotify answered {status}: {words}"
    return f"Spotify answered {status}"


class SpotifyClient:
    """Calls Spotify for one process or thread (it keeps one HTTP connection pool)."""

    def __init__(
        self,
        *,
        accounts_base_url,
        api_base_url,
        client_id,
        client_secret,
        timeout=10,
        session=None,
    ):
        self.accounts_base_url = accounts_base_url.rstrip("/")
        self.api_base_url = api_base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.timeout = timeout
        self.session = session or requests.Session()

    @classmethod
    def from_settings(cls, **overrides):
        options = {
            "accounts_base_url": settings.SPOTIFY_ACCOUNTS_BASE_URL,
            "api_base_url": settings.SPOTIFY_API_BASE_URL,
            "client_id": settings.SPOTIFY_CLIENT_ID,
            "client_secret": settings.SPOTIFY_CLIENT_SECRET,
            "timeout": settings.SPOTIFY_HTTP_TIMEOUT,
        }
        return cls(**{**options, **overrides})

    # --- Accounts service ------------------------------------------------------------------

    def authorize_url(
        self, *, redirect_uri, state, code_challenge, scopes=SCOPES, show_dialog=False
    ):
        query = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
            "code_challenge_method": "S256",
            "code_challenge": code_challenge,
        }
        if show_dialog:
            query["show_dialog"] = "true"
        return f"{self.accounts_base_url}/authorize?{urlencode(query)}"

    def exchange_code(self, *, code, redirect_uri, code_verifier):
        return self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            }
        )

    def refresh(self, refresh_token):
        return self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token_request(self, form):
        credentials = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        response = self._send(
            "POST",
            f"{self.accounts_base_url}/api/token",
            data=form,
            headers={"Authorization": f"Basic {credentials}"},
        )
        if response.status_code == 400 and _error_message(response).startswith("invalid_grant"):
            raise InvalidGrant(_error_message(response), status=400)
        self._raise_for_status(response)
        body = response.json()
        return TokenResponse(
            access_token=body["access_token"],
            expires_in=int(body.get("expires_in", 3600)),
            refresh_token=body.get("refresh_token") or None,
            scope=body.get("scope", ""),
        )

    # --- Web API ---------------------------------------------------------------------------

    def me(self, access_token):
        return self._api_get("/me", access_token)

    def recently_played(self, access_token, *, after_ms=None, before_ms=None, limit=50):
        """One page of the listener's recently played tracks (newest first)."""
        if after_ms is not None and before_ms is not None:
            raise ValueError("Spotify accepts either after or before, not both")
        params = {"limit": limit}
        if after_ms is not None:
            params["after"] = after_ms
        if before_ms is not None:
            params["before"] = before_ms
        return self._api_get("/me/player/recently-played", access_token, params=params)

    # Beyond history (Development Mode endpoints; scopes in accounts.scopes.ASSISTANT_SCOPES).

    def create_playlist(self, access_token, *, name, description="", public=False):
        """A new, empty playlist of the token's listener (`POST /me/playlists`)."""
        body = {"name": name, "public": public, "description": description}
        return self._api("POST", "/me/playlists", access_token, json=body)

    def add_playlist_items(self, access_token, playlist_id, uris, *, position=None):
        """Adds up to 100 URIs to a playlist, in order; returns Spotify's `snapshot_id`."""
        if not 1 <= len(uris) <= MAX_ITEMS_PER_ADD:
            raise ValueError(f"Spotify adds 1 to {MAX_ITEMS_PER_ADD} items per request")
        body = {"uris": list(uris)}
        if position is not None:
            body["position"] = position
        path = f"/playlists/{quote(playlist_id, safe='')}/items"
        return self._api("POST", path, access_token, json=body)

    def my_playlists(self, access_token, *, limit=50, offset=0):
        """One page of the listener's playlists (`GET /me/playlists`)."""
        params = {"limit": limit, "offset": offset}
        return self._api("GET", "/me/playlists", access_token, params=params)

    def top_items(self, access_token, kind, *, time_range="medium_term", limit=20):
        """The listener's top `artists` or `tracks` as Spotify computes them."""
        if kind not in ("artists", "tracks"):
            raise ValueError("kind is artists or tracks")
        params = {"time_range": time_range, "limit": limit}
        return self._api("GET", f"/me/top/{kind}", access_token, params=params)

    def search(self, access_token, query, *, types=("track",), limit=5):
        """Spotify's catalogue search; `limit` is at most 10 in Development Mode."""
        if not 1 <= limit <= MAX_SEARCH_LIMIT:
            raise ValueError(f"Spotify's search limit is 1 to {MAX_SEARCH_LIMIT}")
        params = {"q": query, "type": ",".join(types), "limit": limit}
        return self._api("GET", "/search", access_token, params=params)

    def _api_get(self, path, access_token, params=None):
        return self._api("GET", path, access_token, params=params)

    def _api(self, method, path, access_token, *, params=None, json=None):
        response = self._send(
            method,
            f"{self.api_base_url}{path}",
            params=params,
            json=json,
            headers={"Authorization": f"Bearer {access_token}"},
        )
        if response.status_code == 401:
            raise AccessTokenExpired(_error_message(response), status=401)
        self._raise_for_status(response)
        return response.json()

    # --- Shared ----------------------------------------------------------------------------

    def _send(self, method, url, **kwargs):
        try:
            return self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout:
            raise SpotifyUnavailable(f"Spotify did not answer within {self.timeout} s") from None
        except requests.ConnectionError:
            raise SpotifyUnavailable("Spotify could not be reached") from None

    @staticmethod
    def _raise_for_status(response):
        if response.ok:
            return
        status = response.status_code
        message = _error_message(response)
        if status == 429:
            raise RateLimited(message, retry_after=_retry_after(response))
        if status == 403 and NOT_REGISTERED_TEXT.casefold() in response.text.casefold():
            raise NotRegistered(message, status=403)
        if status == 403 and "scope" in message.casefold():
            raise InsufficientScope(message, status=403)
        if status >= 500:
            raise SpotifyUnavailable(_answered(response), status=status)
        raise SpotifyError(_answered(response), status=status)
