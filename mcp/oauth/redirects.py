"""Which redirect URIs an assistant may register: HTTPS anywhere, plain HTTP only on loopback.

Desktop clients (Claude Desktop and Code, VS Code, the SDKs) receive the code on a local port,
`http://127.0.0.1:<port>/...`, `http://[::1]:<port>/...` or `http://localhost:<port>/...` (any
port matches at authorization time, RFC 8252 section 7.3, which django-oauth-toolkit applies);
web clients (claude.ai, chatgpt.com) use HTTPS. Anything else (plain HTTP to another host, custom
schemes, fragments, credentials in the URL) is refused when the client registers, by dynamic
registration or in a client ID metadata document alike. Pure functions, no Django.
"""

from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
MAX_REDIRECT_URIS = 10
MAX_URI_LENGTH = 2000


def redirect_uri_problem(uri):
    """Why `uri` can't be a registered redirect URI (one sentence), or None when it can."""
    if not isinstance(uri, str) or not uri:
        return "a redirect URI must be a non-empty string"
    if len(uri) > MAX_URI_LENGTH:
        return f"a redirect URI is at most {MAX_URI_LENGTH} characters"
    if any(ord(c) < 33 or ord(c) == 127 for c in uri):
        return "a redirect URI may not contain spaces or control characters"
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return f"{uri!r} is not a valid URL"
    if "#" in uri:
        return f"{uri!r} has a fragment, which a redirect URI may not have"
    if parts.username is not None or parts.password is not None:
        return f"{uri!r} carries credentials"
    if not parts.hostname:
        return f"{uri!r} has no host: use https://... or http://127.0.0.1:PORT/..."
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return None
    return (
        f"{uri!r} is neither https:// nor a loopback address (http://127.0.0.1:PORT/..., "
        "http://[::1]:PORT/... or http://localhost:PORT/...)"
    )


def redirect_uris_problem(uris):
    """The first problem with a list of redirect URIs, or None."""
    if len(uris) > MAX_REDIRECT_URIS:
        return f"at most {MAX_REDIRECT_URIS} redirect URIs may be registered"
    for uri in uris:
        problem = redirect_uri_problem(uri)
        if problem:
            return problem
    return None


def is_loopback(uri):
    """Whether `uri` delivers the code to this computer (a desktop client)."""
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
