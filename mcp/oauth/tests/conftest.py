"""Fixtures of the OAuth tests: settings, a registered client, and the consent dance over
Django's test client (the real-client tests in test_oauth_sdk_client.py use the live server)."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.cache import cache

from accounts.models import Listener
from accounts.oauth import LISTENER_SESSION_KEY
from mcp.oauth.provider_settings import provider_settings

PUBLIC = "https://history.example.org"
RESOURCE = PUBLIC + "/mcp"
REDIRECT = "http://127.0.0.1:53682/callback"


def issued_tokens():
    """Access tokens issued to listeners (DCR also stores a registration-management token)."""
    from mcp.oauth.models import AccessToken

    return AccessToken.objects.filter(user__isnull=False)


def use_public_base_url(settings, url, **overrides):
    """Points PUBLIC_BASE_URL, and so django-oauth-toolkit's settings, at `url`."""
    settings.PUBLIC_BASE_URL = url.rstrip("/")
    settings.OAUTH2_PROVIDER = provider_settings(url, **overrides)


@pytest.fixture(autouse=True)
def _oauth_settings(settings):
    use_public_base_url(settings, PUBLIC)
    settings.MCP_RATE_LIMIT_PER_MINUTE = 1000
    settings.MCP_OAUTH_REGISTRATIONS_PER_MINUTE = 1000
    settings.MCP_OAUTH_REGISTRATION = True
    settings.MCP_OAUTH_ALLOWED_CLIENTS = []
    settings.MCP_OAUTH_CIMD_ALLOW_LOOPBACK = False
    settings.ADMIN_TOKEN = "test-admin-token-0123456789"
    cache.clear()  # the toolkit's CIMD failure backoff lives in the cache
    yield
    cache.clear()


def pkce():
    """(verifier, S256 challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
def bob(db):
    return Listener.objects.create(spotify_user_id="bob", display_name="Bob")


@pytest.fixture
def register(client):
    """POSTs a Dynamic Client Registration; returns the response."""

    def post(**metadata):
        body = {
            "client_name": "Test Assistant",
            "redirect_uris": [REDIRECT],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            **metadata,
        }
        return client.post("/oauth/register", data=body, content_type="application/json")

    return post


@pytest.fixture
def registered(register):
    """The client_id of a freshly registered public client."""
    response = register()
    assert response.status_code == 201, response.content
    return response.json()["client_id"]


def log_in(client, listener):
    session = client.session
    session[LISTENER_SESSION_KEY] = listener.pk
    session.save()


def authorize_url(client_id, challenge, **params):
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "resource": RESOURCE,
        "scope": "history:read",
        **params,
    }
    query = {k: v for k, v in query.items() if v is not None}
    return "/oauth/authorize?" + urlencode(query)


def redirect_params(response):
    """The query parameters of a redirect back to the client."""
    assert response.status_code == 302, response.content[:500]
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def approve(client, url, decision="allow"):
    """GETs the consent page of `url` (logged in) and answers it; returns the POST's response."""
    page = client.get(url)
    assert page.status_code == 200, page.content[:500]
    return client.post(url, {"decision": decision})


def exchange(client, client_id, code, verifier, **extra):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": client_id,
        "code_verifier": verifier,
        "resource": RESOURCE,
        **extra,
    }
    return client.post("/oauth/token", {k: v for k, v in data.items() if v is not None})


def refresh(client, client_id, refresh_token):
    return client.post(
        "/oauth/token",
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "resource": RESOURCE,
        },
    )


@pytest.fixture
def connect(client):
    """The whole flow for `listener` and a registered client: returns the token response JSON."""

    def run(listener, client_id):
        log_in(client, listener)
        verifier, challenge = pkce()
        params = redirect_params(approve(client, authorize_url(client_id, challenge)))
        response = exchange(client, client_id, params["code"], verifier)
        assert response.status_code == 200, response.content
        return response.json()

    return run


def mcp_call(client, access_token, method="tools/list", params=None):
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}
    return client.post(
        "/mcp",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {access_token}",
        HTTP_MCP_PROTOCOL_VERSION="2025-11-25",
    )
