"""Which redirect URIs a client may register (mcp.oauth.redirects, pure)."""

import pytest

from mcp.oauth.redirects import (
    MAX_REDIRECT_URIS,
    is_loopback,
    redirect_uri_problem,
    redirect_uris_problem,
)


@pytest.mark.parametrize(
    "uri",
    [
        "https://claude.ai/api/mcp/auth_callback",
        "https://vscode.dev/redirect",
        "http://127.0.0.1:33418/",
        "http://127.0.0.1/callback",
        "http://[::1]:8080/cb",
        "http://localhost:6274/oauth/callback",
        "https://example.org/cb?client=1",
    ],
)
def test_it_accepts_https_anywhere_and_http_on_loopback(uri):
    assert redirect_uri_problem(uri) is None


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("http://example.org/cb", "neither https:// nor a loopback"),
        ("http://127.0.0.2.example.org/cb", "neither https:// nor a loopback"),
        ("cursor://anysphere.cursor-retrieval/oauth", "neither https:// nor a loopback"),
        ("https://example.org/cb#frag", "fragment"),
        ("https://user:pw@example.org/cb", "credentials"),
        ("https:///cb", "no host"),
        ("https://example.org:port/cb", "not a valid URL"),
        ("https://example.org/a b", "spaces or control"),
        ("", "non-empty"),
        ("https://example.org/" + "a" * 2001, "at most"),
    ],
)
def test_it_refuses_everything_else_with_a_reason(uri, words):
    assert words in redirect_uri_problem(uri)


def test_the_number_of_redirect_uris_is_capped():
    uris = [f"https://example.org/{n}" for n in range(MAX_REDIRECT_URIS + 1)]
    assert "at most" in redirect_uris_problem(uris)
    assert redirect_uris_problem(uris[:-1]) is None


def test_loopback_means_plain_http_to_this_computer():
    assert is_loopback("http://127.0.0.1:1234/cb")
    assert not is_loopback("https://127.0.0.1:1234/cb")
    assert not is_loopback("http://example.org/cb")
