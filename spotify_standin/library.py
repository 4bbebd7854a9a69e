"""Playlists, top items and search: the Web API beyond history, over the generated data.

Pure pieces :class:`~spotify_standin.state.StandinState` uses under its lock: the playlist
record, ranking a listener's plays into "top" artists or tracks for a time range, and matching
a search query against the catalogue. Nothing here talks HTTP.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from dataclasses import dataclass, field

from .catalogue import BASE62, Catalogue, Play

MAX_ITEMS_PER_ADD = 100  # Spotify's limit for POST /playlists/{id}/items
MAX_SEARCH_LIMIT = 10  # Development Mode's limit for GET /search
# What each time_range of GET /me/top/{type} covers, counted back from "now".
TIME_RANGES = {
    "short_term": 28 * 24 * 3600_000,
    "medium_term": 182 * 24 * 3600_000,
    "long_term": 365 * 24 * 3600_000,
}
SEARCH_TYPES = ("album", "artist", "playlist", "track", "show", "episode", "audiobook")
PLAYABLE_URI = re.compile(r"^spotify:(track|episode):[0-9A-Za-z]{22}$")


class LibraryError(Exception):
    """A Web API error: HTTP ``status`` with Spotify's ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def new_playlist_id() -> str:
    return "".join(secrets.choice(BASE62) for _ in range(22))


@dataclass
class Playlist:
    id: str
    owner: str
    name: str
    description: str
    public: bool
    items: list[tuple[str, int]] = field(default_factory=list)  # (uri, added_at ms)
    version: int = 1

    @property
    def snapshot_id(self) -> str:
        return f"{self.id[:8]}-{self.version:08d}"

    def add(self, uris: list[str], position: int | None, now_ms: int) -> None:
        if len(uris) > MAX_ITEMS_PER_ADD:
            raise LibraryError(400, f"You can add at most {MAX_ITEMS_PER_ADD} items per request.")
        for uri in uris:
            if not isinstance(uri, str) or not PLAYABLE_URI.match(uri):
                raise LibraryError(400, "Unsupported URL / URI.")
        if position is None:
            position = len(self.items)
        if isinstance(position, bool) or not isinstance(position, int):
            raise LibraryError(400, "Invalid position")
        if not 0 <= position <= len(self.items):
            raise LibraryError(400, "Index out of bounds")
        self.items[position:position] = [(uri, now_ms) for uri in uris]
        self.version += 1

    def summary(self) -> dict:
        """What the control API shows: the playlist and its URIs in order."""
        return {
            "id": self.id,
            "owner": self.owner,
            "name": self.name,
            "description": self.description,
            "public": self.public,
            "snapshot_id": self.snapshot_id,
            "items": [uri for uri, _ in self.items],
        }


def top(catalogue: Catalogue, plays: list[Play], kind: str, time_range: str, now_ms: int):
    """The listener's most played tracks or artists within ``time_range`` of ``now_ms``.

    Most plays first; ties go to the more recently played. Artists count every credit.
    """
    since = now_ms - TIME_RANGES[time_range]
    counts: Counter[str] = Counter()
    latest: dict[str, int] = {}
    objects = {}
    for play in plays:
        if play.played_at_ms < since:
            continue
        track = catalogue.track(play.track_id)
        for thing in (track,) if kind == "tracks" else track.artists:
            counts[thing.id] += 1
            latest[thing.id] = max(latest.get(thing.id, 0), play.played_at_ms)
            objects[thing.id] = thing
    ranked = sorted(counts, key=lambda key: (-counts[key], -latest[key], key))
    return [objects[key] for key in ranked]


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"\W+", text.casefold()) if word]


def search(catalogue: Catalogue, query: str, kind: str) -> list:
    """Catalogue objects of ``kind`` whose names (and, for tracks and albums, artists) contain
    every word of ``query``, by popularity."""
    wanted = _words(query)

    def matches(*names: str) -> bool:
        haystack = set(_words(" ".join(names)))
        return all(any(word.startswith(w) for word in haystack) for w in wanted)

    if kind == "track":
        found = [
            track
            for track in catalogue.tracks
            if matches(track.name, *(a.name for a in track.artists), track.album.name)
        ]
        return sorted(found, key=lambda t: -t.popularity)
    if kind == "artist":
        return [a for a in catalogue.artists if matches(a.name)]
    if kind == "album":
        return [a for a in catalogue.albums if matches(a.name, *(x.name for x in a.artists))]
    return []  # playlists, shows, episodes, audiobooks: none in the generated catalogue
