"""Stable keys for catalogue rows, whether or not a source names the Spotify id.

These are pure; the ones that normalise and hash are memoised, because imports call them for
each of millions of rows whose names repeat.

The API and extended exports give Spotify URIs; account-data exports give only names. A catalogue
row's key is its URI when known (`spotify:track:<id>`), otherwise a local key built from
normalised names (`local:track:<hash>`), so the same unnamed track read twice maps to one row and
can be merged into the real one later.
"""

import hashlib
import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_SPOTIFY_URI = re.compile(
    r"^spotify:(track|episode|show|album|artist|audiobook|chapter):([A-Za-z0-9]+)$"
)


@lru_cache(maxsize=200_000)
def normalize_name(name: str | None) -> str:
    """Case-, accent-width- and whitespace-insensitive form of a name, for matching."""
    if not name:
        return ""
    name = unicodedata.normalize("NFKC", name).casefold()
    return _SPACES.sub(" ", name).strip()


def spotify_key(kind: str, spotify_id: str) -> str:
    """The key of a row whose Spotify id is known: its URI."""
    return f"spotify:{kind}:{spotify_id}"


@lru_cache(maxsize=200_000)
def parse_spotify_uri(uri: str | None) -> tuple[str, str] | None:
    """`(kind, id)` for a Spotify URI such as `spotify:track:<id>`, else None."""
    match = _SPOTIFY_URI.match(uri or "")
    return (match.group(1), match.group(2)) if match else None


@lru_cache(maxsize=200_000)
def local_key(kind: str, *names: str | None) -> str:
    """The key of a row known only by names (for a track: artist then title)."""
    joined = "\x1f".join(normalize_name(name) for name in names)
    digest = hashlib.sha256(joined.encode()).hexdigest()[:32]
    return f"local:{kind}:{digest}"


@lru_cache(maxsize=200_000)
def match_key(artist_name: str | None, title: str | None) -> str:
    """What account-data rows and real tracks share: normalised "artist|title"."""
    return f"{normalize_name(artist_name)}|{normalize_name(title)}"[:255]
