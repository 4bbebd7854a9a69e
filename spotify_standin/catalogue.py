"""Deterministic fake music catalogue and listening histories.

The stand-in needs plausible Spotify data without shipping any. Everything here is derived
from a seed: the same seed gives the same catalogue, and the same seed and listener give the
same plays (tracks, order and spacing). This module also renders catalogue objects into the
JSON shapes the Web API uses, so the rest of the package never builds track objects by hand.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
import string
from dataclasses import dataclass, replace
from datetime import UTC, datetime

BASE62 = string.digits + string.ascii_letters

ARTIST_COUNT = 60
ALBUM_COUNT = 100
PLAYLIST_COUNT = 12
ZIPF_EXPONENT = 1.1

_ADJECTIVES = (
    "Silver",
    "Midnight",
    "Electric",
    "Golden",
    "Quiet",
    "Neon",
    "Velvet",
    "Crimson",
    "Hollow",
    "Paper",
    "Wild",
    "Broken",
    "Distant",
    "Lucky",
    "Northern",
    "Slow",
    "Bright",
    "Glass",
    "Burning",
    "Secret",
    "Sleepy",
    "Lonely",
    "Cosmic",
    "Summer",
    "Winter",
    "Amber",
    "Restless",
    "Tender",
    "Faded",
    "Open",
)
_NOUNS = (
    "Harbor",
    "Echo",
    "Garden",
    "River",
    "Signal",
    "Mirror",
    "Engine",
    "Lantern",
    "Satellite",
    "Orchard",
    "Parade",
    "Tide",
    "Canyon",
    "Window",
    "Ghost",
    "Ocean",
    "Highway",
    "Forest",
    "Comet",
    "Radio",
    "Meadow",
    "City",
    "Fever",
    "Horizon",
    "Island",
    "Letter",
    "Weather",
    "Machine",
    "Shadow",
    "Heart",
)
_FIRST_NAMES = "Mira Jonas Lena Theo Ava Nico Ines Otto Yara Felix Noor Elio Sade Ruben Kai Lior"
_LAST_NAMES = "Sol Hart Vega Lindqvist Moreau Okafor Tanaka Reyes Novak Byrne Castell Ferreira"
_ISRC_COUNTRIES = ("US", "GB", "DE", "SE", "FR", "NL", "JP", "BR")


def seeded_rng(*parts: object) -> random.Random:
    """A generator for fake data, seeded from ``parts`` (a str seed hashes the same everywhere).

    Only for made-up catalogue and history data; tokens and codes come from ``secrets``.
    """
    return random.Random(":".join(str(part) for part in parts))  # noqa: S311


def spotify_id(rng: random.Random) -> str:
    """A 22-character base62 id, like Spotify's track, album and artist ids."""
    return "".join(rng.choice(BASE62) for _ in range(22))


def iso_ms(ms: int) -> str:
    """Unix milliseconds -> ``2026-11-24T10:11:12.345Z`` (the ``played_at`` format)."""
    whole = datetime.fromtimestamp(ms // 1000, tz=UTC)
    return f"{whole:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def parse_time_ms(value: int | float | str | datetime) -> int:
    """Accept Unix ms, an ISO-8601 string (``Z`` allowed) or a datetime; return Unix ms."""
    if isinstance(value, bool):
        raise ValueError("a time must be Unix milliseconds or an ISO-8601 string")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        if value.strip().lstrip("-").isdigit():
            return int(value)
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return round(value.timestamp() * 1000)
    raise ValueError(f"not a time: {value!r}")


@dataclass(frozen=True)
class Artist:
    id: str
    name: str


@dataclass(frozen=True)
class Album:
    id: str
    name: str
    album_type: str
    release_date: str
    release_date_precision: str
    total_tracks: int
    artists: tuple[Artist, ...]


@dataclass(frozen=True)
class Track:
    id: str
    name: str
    duration_ms: int
    explicit: bool
    track_number: int
    disc_number: int
    popularity: int
    isrc: str
    artists: tuple[Artist, ...]
    album: Album


@dataclass(frozen=True)
class Context:
    """Where a play started from: a playlist, album or artist page."""

    type: str
    id: str

    @property
    def uri(self) -> str:
        return f"spotify:{self.type}:{self.id}"


@dataclass(frozen=True)
class Play:
    """One play in a listener's history; ``played_at_ms`` is roughly when it ended."""

    played_at_ms: int
    track_id: str
    context: Context | None


class Catalogue:
    """A few hundred tracks over ~60 artists and ~100 albums, with Zipf-like popularity."""

    def __init__(self, seed: int) -> None:
        rng = seeded_rng("catalogue", seed)
        self.artists = _make_artists(rng)
        self.albums: list[Album] = []
        self.tracks: list[Track] = []
        for _ in range(ALBUM_COUNT):
            album, tracks = _make_album(rng, self.artists)
            self.albums.append(album)
            self.tracks.extend(tracks)
        # Popularity is skewed: the track at rank r is played about 1 / r**s as often.
        rng.shuffle(self.tracks)
        self.weights = [1 / (rank**ZIPF_EXPONENT) for rank in range(1, len(self.tracks) + 1)]
        self.tracks = [
            _with_popularity(track, rank) for rank, track in enumerate(self.tracks, start=1)
        ]
        self.by_id = {track.id: track for track in self.tracks}
        self.by_album: dict[str, list[Track]] = {}
        self.by_artist: dict[str, list[Track]] = {}
        for track in self.tracks:
            self.by_album.setdefault(track.album.id, []).append(track)
            for artist in track.artists:
                self.by_artist.setdefault(artist.id, []).append(track)
        for tracks in self.by_album.values():
            tracks.sort(key=lambda t: (t.disc_number, t.track_number))
        self.playlists = {
            spotify_id(rng): rng.sample(self.tracks, rng.randint(15, 40))
            for _ in range(PLAYLIST_COUNT)
        }

    def track(self, track_id: str) -> Track:
        """The track with this id; an unknown id gets a synthesised (deterministic) track."""
        found = self.by_id.get(track_id)
        if found is None:
            rng = seeded_rng("track", track_id)
            album = rng.choice(self.albums)
            found = Track(
                id=track_id,
                name=_title(rng),
                duration_ms=rng.randint(120_000, 300_000),
                explicit=False,
                track_number=1,
                disc_number=1,
                popularity=0,
                isrc=_isrc(rng),
                artists=album.artists,
                album=album,
            )
            self.by_id[track_id] = found
        return found

    def taste(self, seed: int, user_id: str) -> list[float]:
        """Per-listener cumulative weights: global popularity reshuffled a little per person."""
        rng = seeded_rng("taste", seed, user_id)
        weights = [w * rng.lognormvariate(0, 1.0) for w in self.weights]
        return _cumulative(weights)

    def generate(self, rng: random.Random, taste: list[float], count: int) -> list[Play]:
        """``count`` plays as listening sessions, with times relative to 0 (oldest first).

        A session keeps one context (an album played in order, an artist, a playlist or no
        context at all for about a third of them); plays are spaced by track duration plus a
        short random gap, sessions by 20 minutes to 16 hours.
        """
        plays: list[Play] = []
        clock = 0
        while len(plays) < count:
            if plays:
                clock += rng.randint(20 * 60_000, 16 * 3600_000)
            for track, context in self._session(rng, taste):
                if len(plays) >= count:
                    break
                clock += rng.randint(500, 20_000) + track.duration_ms
                plays.append(Play(clock, track.id, context))
        return plays

    def _session(
        self, rng: random.Random, taste: list[float]
    ) -> list[tuple[Track, Context | None]]:
        favourite = rng.choices(self.tracks, cum_weights=taste)[0]
        kind = rng.random()
        if kind < 0.30:  # no context: about a third of all plays
            picks = rng.choices(self.tracks, cum_weights=taste, k=rng.randint(3, 12))
            return [(track, None) for track in picks]
        if kind < 0.55:
            album = favourite.album
            context = Context("album", album.id)
            return [(track, context) for track in self.by_album[album.id]]
        if kind < 0.75:
            artist = favourite.artists[0]
            context = Context("artist", artist.id)
            picks = rng.choices(self.by_artist[artist.id], k=rng.randint(3, 10))
            return [(track, context) for track in picks]
        playlist_id = rng.choice(sorted(self.playlists))
        context = Context("playlist", playlist_id)
        picks = rng.sample(self.playlists[playlist_id], rng.randint(4, 15))
        return [(track, context) for track in picks]


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _unique(rng: random.Random, make, taken: set[str]) -> str:
    while True:
        name = make(rng)
        if name not in taken:
            taken.add(name)
            return name


def _band_or_person(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"The {rng.choice(_ADJECTIVES)} {_plural(rng.choice(_NOUNS))}"
    return f"{rng.choice(_FIRST_NAMES.split())} {rng.choice(_LAST_NAMES.split())}"


def _plural(noun: str) -> str:
    if noun.endswith("y"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh", "o")):
        return noun + "es"
    return noun + "s"


def _title(rng: random.Random) -> str:
    pattern = rng.randrange(4)
    if pattern == 0:
        return f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
    if pattern == 1:
        return f"{rng.choice(_NOUNS)} of the {rng.choice(_NOUNS)}"
    if pattern == 2:
        return f"{rng.choice(_ADJECTIVES)}"
    return f"The {rng.choice(_NOUNS)}"


def _isrc(rng: random.Random) -> str:
    registrant = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(3))
    year, serial = rng.randint(0, 99), rng.randint(0, 99999)
    return f"{rng.choice(_ISRC_COUNTRIES)}{registrant}{year:02d}{serial:05d}"


def _make_artists(rng: random.Random) -> list[Artist]:
    taken: set[str] = set()
    return [
        Artist(spotify_id(rng), _unique(rng, _band_or_person, taken)) for _ in range(ARTIST_COUNT)
    ]


def _make_album(rng: random.Random, artists: list[Artist]) -> tuple[Album, list[Track]]:
    # Early artists release more: a mild skew so some artists have several albums.
    lead = artists[min(int(rng.expovariate(1 / 18)), len(artists) - 1)]
    album_type = rng.choices(("album", "single", "compilation"), weights=(6, 3, 1))[0]
    in_catalogue = 1 if album_type == "single" else rng.randint(2, 5)
    total = in_catalogue if album_type == "single" else rng.randint(max(8, in_catalogue), 16)
    year = rng.randint(1968, 2026)
    if rng.random() < 0.1:
        release_date, precision = str(year), "year"
    else:
        release_date, precision = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "day"
    album = Album(
        id=spotify_id(rng),
        name=_title(rng),
        album_type=album_type,
        release_date=release_date,
        release_date_precision=precision,
        total_tracks=total,
        artists=(lead,),
    )
    numbers = sorted(rng.sample(range(1, total + 1), in_catalogue))
    tracks = []
    for number in numbers:
        credited = (lead,)
        if rng.random() < 0.15:
            guest = rng.choice(artists)
            if guest != lead:
                credited = (lead, guest)
        tracks.append(
            Track(
                id=spotify_id(rng),
                name=_title(rng),
                duration_ms=int(min(max(rng.gauss(215_000, 50_000), 95_000), 480_000)),
                explicit=rng.random() < 0.12,
                track_number=number,
                disc_number=1,
                popularity=0,
                isrc=_isrc(rng),
                artists=credited,
                album=album,
            )
        )
    return album, tracks


def _with_popularity(track: Track, rank: int) -> Track:
    popularity = max(1, min(100, round(92 - 11 * math.log2(rank))))
    return replace(track, popularity=popularity)


def insert_play(plays: list[Play], play: Play) -> None:
    """Insert keeping ``plays`` ordered by time (equal times keep insertion order)."""
    keys = [p.played_at_ms for p in plays]
    plays.insert(bisect.bisect_right(keys, play.played_at_ms), play)


# --- JSON rendering (Web API shapes) -------------------------------------------------------


def _links(api_url: str, kind: str, object_id: str) -> dict:
    return {
        "external_urls": {"spotify": f"https://open.spotify.com/{kind}/{object_id}"},
        "href": f"{api_url}/{kind}s/{object_id}",
        "id": object_id,
        "uri": f"spotify:{kind}:{object_id}",
        "type": kind,
    }


def artist_json(artist: Artist, api_url: str) -> dict:
    return {**_links(api_url, "artist", artist.id), "name": artist.name}


# Spotify's cover sizes and the prefixes of their image ids on its image server.
_COVER_SIZES = ((640, "ab67616d0000b273"), (300, "ab67616d00001e02"), (64, "ab67616d00004851"))


def album_images(album_id: str) -> list[dict]:
    """Cover images as Spotify lists them (largest first), at URLs shaped like Spotify's. Nothing
    serves them: a client must not fetch them unasked."""
    digest = hashlib.sha1(album_id.encode(), usedforsecurity=False).hexdigest()[:24]
    return [
        {"url": f"https://i.scdn.co/image/{prefix}{digest}", "height": size, "width": size}
        for size, prefix in _COVER_SIZES
    ]


def album_json(album: Album, api_url: str) -> dict:
    return {
        **_links(api_url, "album", album.id),
        "name": album.name,
        "album_type": album.album_type,
        "release_date": album.release_date,
        "release_date_precision": album.release_date_precision,
        "total_tracks": album.total_tracks,
        "images": album_images(album.id),
        "artists": [artist_json(a, api_url) for a in album.artists],
    }


def track_json(track: Track, api_url: str) -> dict:
    return {
        **_links(api_url, "track", track.id),
        "name": track.name,
        "duration_ms": track.duration_ms,
        "explicit": track.explicit,
        "is_local": False,
        "track_number": track.track_number,
        "disc_number": track.disc_number,
        "popularity": track.popularity,
        "external_ids": {"isrc": track.isrc},
        "artists": [artist_json(a, api_url) for a in track.artists],
        "album": album_json(track.album, api_url),
    }


def context_json(context: Context | None, api_url: str) -> dict | None:
    if context is None:
        return None
    links = _links(api_url, context.type, context.id)
    return {key: links[key] for key in ("type", "uri", "href", "external_urls")}
