"""Masks secrets in text and structured data before they are written anywhere.

Logs go to stdout and to the database, and both end up in front of people (operator pages,
`docker compose logs`, bug reports). Tokens, keys and passwords must never be among them, even
when an exception message or a third-party library happens to include one.
"""

import re
from urllib.parse import unquote

REDACTED = "[redacted]"

# Keys whose values are secret wherever they appear in structured context.
_SECRET_KEY_PATTERN = re.compile(
    r"(token|secret|password|passwd|authorization|api[_-]?key|encryption[_-]?key|"
    r"code[_-]?verifier|cookie|^code$|signature)",
    re.IGNORECASE,
)

_TEXT_PATTERNS = [
    # Authorization headers: "Bearer abc", "Basic abc"
    (re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE), r"\1 " + REDACTED),
    # key=value pairs in query strings and form bodies
    (
        re.compile(
            r"\b((?:access|refresh|id)_token|client_secret|code_verifier|code|password|token)"
            r"=[^&\s\"']+",
            re.IGNORECASE,
        ),
        r"\1=" + REDACTED,
    ),
    # "key": "value" pairs in JSON text
    (
        re.compile(
            r"(\"(?:access_token|refresh_token|id_token|client_secret|password|token)\"\s*:\s*)"
            r"\"[^\"]*\"",
            re.IGNORECASE,
        ),
        r'\1"' + REDACTED + '"',
    ),
    # Fernet tokens (our ciphertext) and Fernet keys (44 url-safe base64 characters ending in =)
    (re.compile(r"gAAAAA[A-Za-z0-9_-]{20,}={0,2}"), REDACTED),
    (re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=(?![A-Za-z0-9_=-])"), REDACTED),
]


def is_secret_key(key: str) -> bool:
    """True when a field called `key` holds a secret (its value must not be shown)."""
    return bool(_SECRET_KEY_PATTERN.search(str(key)))


def redact_text(text: str) -> str:
    """Returns `text` with every recognisable secret replaced by a marker."""
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_data(value):
    """Returns a copy of a JSON-like value with secret fields and secret-looking text masked."""
    if isinstance(value, dict):
        return {
            key: REDACTED if is_secret_key(key) and item not in (None, "") else redact_data(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_data(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


# Query parameters whose values must not be written whatever they look like: besides the secret
# names above, the OAuth callback's one-time `code` and its `state`.
_ONE_TIME_QUERY_NAMES = {"code", "state"}
# A value that looks like a credential whatever its name: an MCP token, a JWT, or a long random
# run of letters and digits (a 28-character Spotify user id stays readable).
_TOKEN_LIKE_VALUE = re.compile(
    r"^(?:shm_[A-Za-z0-9_-]+|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+"
    r"|(?=[^\d]*\d)(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9_~.=/-]{32,})$"
)
_QUERY_IN_TEXT = re.compile(r"\?([^\s\"'#]*)")


def _secret_query_value(name, value):
    name = unquote(name).strip().lower()
    return bool(value) and (
        name in _ONE_TIME_QUERY_NAMES
        or is_secret_key(name)
        or _TOKEN_LIKE_VALUE.match(unquote(value)) is not None
    )


def redact_query(query: str) -> str:
    """A URL query string (no `?`) with secret and token-like values masked, the rest as sent."""
    pairs = []
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        pairs.append(f"{name}={REDACTED}" if equals and _secret_query_value(name, value) else pair)
    return "&".join(pairs)


def redact_urls(text: str) -> str:
    """`text` with the query string of every URL in it (what follows a `?`) passed through
    `redact_query`: for request lines, referrers and redirect locations."""
    return _QUERY_IN_TEXT.sub(lambda match: "?" + redact_query(match.group(1)), text)
