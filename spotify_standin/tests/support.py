"""Small helpers the stand-in's tests share: the authorize round trip and auth headers."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import requests

NOW = "2026-11-24T10:00:00Z"
REDIRECT_URI = "http://127.0.0.1:8000/auth/callback"
SCOPE = "user-read-recently-played user-read-private"
TIMEOUT = 10


def authorize(standin, **overrides) -> requests.Response:
    """GET /authorize with sensible parameters; ``name=None`` leaves a parameter out."""
    params = {
        "client_id": "test-client",
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPE,
        "state": "state-123",
        **overrides,
    }
    params = {key: value for key, value in params.items() if value is not None}
    return requests.get(
        f"{standin.url}/authorize", params=params, allow_redirects=False, timeout=TIMEOUT
    )


def redirect_params(response: requests.Response) -> dict[str, str]:
    """The query parameters of the redirect /authorize answered with."""
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def token_request(standin, form: dict, auth: tuple[str, str] | None = None) -> requests.Response:
    return requests.post(f"{standin.url}/api/token", data=form, auth=auth, timeout=TIMEOUT)


def exchange(standin, code: str, **extra) -> requests.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    return token_request(standin, {**form, **extra})


def login(standin, **authorize_overrides) -> dict:
    """The whole browser round trip: authorize, then trade the code for tokens."""
    code = redirect_params(authorize(standin, **authorize_overrides))["code"]
    response = exchange(standin, code)
    assert response.status_code == 200, response.text
    return response.json()


def refresh(standin, refresh_token: str, auth=None) -> requests.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return token_request(standin, form, auth)


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


def api_get(standin, path: str, access_token: str | None, **params) -> requests.Response:
    headers = bearer(access_token) if access_token else {}
    return requests.get(f"{standin.api_url}{path}", headers=headers, params=params, timeout=TIMEOUT)


def recently_played(standin, access_token: str, **params) -> requests.Response:
    return api_get(standin, "/me/player/recently-played", access_token, **params)


def control(standin, method: str, path: str, json=None, **params) -> requests.Response:
    return requests.request(
        method, f"{standin.url}/_control{path}", json=json, params=params, timeout=TIMEOUT
    )


def pkce_pair(verifier: str = "v" * 64) -> tuple[str, str]:
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
