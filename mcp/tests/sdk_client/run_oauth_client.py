"""Connects to /mcp with the official Python SDK's OAuth client; run by
mcp/oauth/tests/test_oauth_sdk_client.py.

Runs like run_client.py (its own virtualenv, outside the repository, `python -P`). Reads a JSON
spec on stdin ({"url", "mode", "redirect_uri", "client_metadata_url", "tool"}), and plays a
person at a browser for the SDK's redirect handler: it follows the authorization URL through
the Spotify login (the stand-in approves at once) to the consent page, presses Allow, and hands
the SDK the code, state and iss from the redirect. Then, in phases:

1. `connect`: discovery from the 401, registration (DCR, or the metadata-document URL when given),
   authorization, token exchange, tools/list and one tool call;
2. `refresh`: the SDK is told its access token expired, so its next call refreshes first;
3. `revoked`: the refresh token is revoked (RFC 7009); the next call must fail and ask for a new
   authorization, and the revoked refresh token must be refused by the token endpoint.

Prints what happened as JSON (requests seen, answers, token endpoint statuses) for the test.
"""

import asyncio
import base64
import json
import re
import sys
import time
from html import unescape
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx2
from mcp.client import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata


class MemoryStorage:
    def __init__(self):
        self.tokens = None
        self.client_info = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info):
        self.client_info = client_info


class ReauthorizationRequested(Exception):
    pass


class Browser:
    """A person with a browser: logs in through the redirects and approves the consent page."""

    def __init__(self, redirect_uri, seen):
        self.redirect_uri = redirect_uri
        self.seen = seen
        self.http = httpx2.AsyncClient(follow_redirects=False, timeout=30)
        self.result = None
        self.refuse = False
        self.opened = 0

    async def open(self, url):
        self.opened += 1
        if self.refuse:
            raise ReauthorizationRequested(url)
        self.seen["authorization_urls"].append(url)
        for _ in range(10):
            response = await self.http.get(url)
            if response.status_code == 302:
                url = urljoin(url, response.headers["Location"])
                if url.startswith(self.redirect_uri):
                    return self._finish(url)
                continue
            break
        self.seen["consent_status"] = response.status_code
        html = response.text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        action = unescape(re.search(r'<form method="post" action="([^"]+)"', html).group(1))
        self.seen["consent_title"] = re.search(r"<h1>([^<]+)</h1>", html).group(1)
        answer = await self.http.post(
            urljoin(url, action), data={"csrfmiddlewaretoken": token, "decision": "allow"}
        )
        return self._finish(answer.headers["Location"])

    def _finish(self, location):
        params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        self.seen["redirect_params"] = sorted(params)
        self.result = AuthorizationCodeResult(
            code=params.get("code", ""), state=params.get("state"), iss=params.get("iss")
        )

    async def callback(self):
        return self.result


def _log_hooks(seen):
    async def on_response(response):
        request = response.request
        entry = {"method": request.method, "path": request.url.path, "status": response.status_code}
        if response.status_code == 401:
            entry["www_authenticate"] = response.headers.get("WWW-Authenticate")
        if request.url.path.endswith("/oauth/token"):
            body = request.content.decode()
            entry["grant_type"] = parse_qs(body).get("grant_type", [None])[0]
        seen["requests"].append(entry)

    return {"response": [on_response]}


async def call_tool(client, tool):
    result = await client.call_tool(tool["name"], tool["arguments"])
    return {"is_error": result.is_error, "structured": result.structured_content}


def _client_auth(client_info):
    """How the runner authenticates to the revocation endpoint, as the SDK does to the token
    endpoint (a secret when the server issued one, else just the client_id)."""
    data = {"client_id": client_info.client_id}
    headers = {}
    if client_info.client_secret:
        pair = f"{client_info.client_id}:{client_info.client_secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        data = {}
    return data, headers


async def _session(spec, seen, browser, storage, provider, base):
    async with httpx2.AsyncClient(auth=provider, event_hooks=_log_hooks(seen), timeout=60) as http:
        transport = streamable_http_client(spec["url"], http_client=http)
        async with Client(transport, mode=spec["mode"]) as client:
            seen["protocol_version"] = client.protocol_version
            seen["tools"] = [tool.name for tool in (await client.list_tools()).tools]
            seen["phases"]["connect"] = await call_tool(client, spec["tool"])
            seen["client_id"] = storage.client_info.client_id
            seen["token_endpoint_auth_method"] = storage.client_info.token_endpoint_auth_method
            first_refresh = storage.tokens.refresh_token

            # The SDK refreshes on its own when it believes the token expired.
            provider.context.token_expiry_time = time.time() - 1
            seen["phases"]["refresh"] = await call_tool(client, spec["tool"])
            seen["refresh_rotated"] = storage.tokens.refresh_token != first_refresh
            seen["authorizations_before_revocation"] = browser.opened

            data, headers = _client_auth(storage.client_info)
            revoked = await browser.http.post(
                f"{base}/oauth/revoke",
                data={"token": storage.tokens.refresh_token, **data},
                headers=headers,
            )
            seen["revocation_status"] = revoked.status_code
            browser.refuse = True
            seen["phases"]["revoked"] = {"error": None}
            seen["phases"]["revoked"] = {"answer": await call_tool(client, spec["tool"])}


async def run(spec):
    seen = {"requests": [], "authorization_urls": [], "phases": {}}
    browser = Browser(spec["redirect_uri"], seen)
    storage = MemoryStorage()
    metadata = OAuthClientMetadata(
        client_name="SDK OAuth test",
        redirect_uris=[spec["redirect_uri"]],
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
    )
    provider = OAuthClientProvider(
        spec["url"],
        metadata,
        storage,
        redirect_handler=browser.open,
        callback_handler=browser.callback,
        client_metadata_url=spec.get("client_metadata_url"),
    )
    base = spec["url"].rsplit("/mcp", 1)[0]
    try:
        await _session(spec, seen, browser, storage, provider, base)
    except BaseException as error:  # the SDK's task group re-raises it as a group
        if "revoked" not in seen["phases"]:
            raise
        seen["phases"]["revoked"] = {"error": type(error).__name__}
    seen["reauthorization_requested"] = browser.opened > seen["authorizations_before_revocation"]
    data, headers = _client_auth(storage.client_info)
    reuse = await browser.http.post(
        f"{base}/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": storage.tokens.refresh_token, **data},
        headers=headers,
    )
    seen["revoked_refresh_status"] = reuse.status_code
    await browser.http.aclose()
    return seen


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(json.load(sys.stdin)))))
