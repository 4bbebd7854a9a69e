"""Fetching a client ID metadata document: django-oauth-toolkit's SSRF-hardened fetcher, with one
switch for tests and local development.

The toolkit's `SafeMetadataFetcher` does the real work in production: HTTPS only, the host
resolved once and every address checked to be public (no private, loopback, link-local or
metadata-service address, IPv6 forms decoded), the connection made to that checked address, no
redirects followed, one short deadline for the whole fetch, a size cap, a JSON object required;
the toolkit caches the document (Cache-Control, 5 minutes to a day) and backs off a failing URL.

`MCP_OAUTH_CIMD_ALLOW_LOOPBACK` (off by default; a deploy check refuses it in production) lets a
client id on a loopback IP literal (`https://127.0.0.1:PORT/...`, `https://[::1]:PORT/...`) be
fetched too, so the tests can serve a document from this machine. That path keeps every other
rule: HTTPS with a verified certificate, no redirects, the same deadline, size cap and checks of
the document (`_read_document`, the toolkit's). Every other private address stays refused.
"""

import ipaddress
import ssl
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from oauth2_provider.cimd import CIMDError, SafeMetadataFetcher
from oauth2_provider.settings import oauth2_settings


def loopback_literal(client_id):
    """Whether `client_id` names a loopback IP literal as its host (never a DNS name)."""
    try:
        host = urlsplit(client_id).hostname
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class MetadataFetcher(SafeMetadataFetcher):
    def fetch(self, client_id):
        if settings.MCP_OAUTH_CIMD_ALLOW_LOOPBACK and loopback_literal(client_id):
            return self._fetch_from_loopback(client_id)
        return super().fetch(client_id)

    def _fetch_from_loopback(self, client_id):
        parts = urlsplit(client_id)
        if parts.scheme != "https" or not parts.path or parts.username or parts.fragment:
            raise CIMDError("client_id URL must be https with a path, no userinfo or fragment")
        seconds = oauth2_settings.CIMD_FETCH_TIMEOUT_SECONDS
        timeout = urllib3.Timeout(connect=seconds, read=seconds, total=seconds)
        pool = urllib3.PoolManager(
            ssl_context=ssl.create_default_context(), retries=False, timeout=timeout
        )
        try:
            response = pool.request(
                "GET",
                client_id,
                headers={"Accept": "application/json, application/*+json"},
                redirect=False,
                preload_content=False,
            )
            try:
                return self._read_document(response)
            finally:
                response.release_conn()
        except urllib3.exceptions.HTTPError as error:
            raise CIMDError(f"could not fetch client_id document: {error}") from error
        finally:
            pool.clear()
