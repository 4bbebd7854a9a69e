"""Reading the ways people and models name a Spotify item: URI, open.spotify.com link, bare id.

Pure helpers. Assistants copy `spotify_id` fields out of the history tools' answers, or paste
links, so the live Spotify tools and the taste profile accept all three forms and store URIs.
"""

import re

KINDS = ("track", "episode", "artist", "album", "show", "playlist", "audiobook", "chapter")
_ID = r"[A-Za-z0-9]{22}"
_URI = re.compile(rf"^spotify:({'|'.join(KINDS)}):({_ID})$")
_LINK = re.compile(
    rf"^https?://open\.spotify\.com/(?:intl-[a-z-]+/)?({'|'.join(KINDS)})/({_ID})(?:[/?#].*)?$"
)
_BARE = re.compile(rf"^{_ID}$")


def parse_reference(text, *, bare_kind=None):
    """`(kind, id)` for a Spotify URI or link, or for a bare 22-character id when `bare_kind`
    says what a bare id is; None for anything else."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    for pattern in (_URI, _LINK):
        match = pattern.match(text)
        if match:
            return match.group(1), match.group(2)
    if bare_kind and _BARE.match(text):
        return bare_kind, text
    return None


def to_uri(kind, spotify_id):
    return f"spotify:{kind}:{spotify_id}"
