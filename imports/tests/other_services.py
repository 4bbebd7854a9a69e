"""Files of other services, written by the tests in the shapes those services' exports have.

docs/imports.md describes each format field by field. The plays are made up: three that the
listener's Spotify export (`spotify_export`) holds too, as Spotify reports them, three more that
only the other service knows (accents, a missing album), and one scrobble twice.
"""

import csv
import io
import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from imports.tests.fixtures import extended_track_row, write_zip

AUDIO = "Spotify Extended Streaming History/Streaming_History_Audio_2021_0.json"


@dataclass(frozen=True)
class Listen:
    artist: str
    title: str
    album: str | None
    started: datetime  # when the play started (what the other services record)
    ms_played: int
    uri: str | None = None  # the Spotify track, when Spotify has the play too

    @property
    def ended(self) -> datetime:
        return self.started + timedelta(milliseconds=self.ms_played)

    @property
    def spotify_id(self) -> str:
        return self.uri.rsplit(":", 1)[1]


def at(day, hour, minute, second=0):
    return datetime(2021, 3, day, hour, minute, second, tzinfo=UTC)


# Also in the Spotify export: the other services have them under the same names (other case).
SHARED = [
    Listen(
        "Beyoncé",
        "Halo",
        "I Am... Sasha Fierce",
        at(1, 12, 0, 7),
        261_000,
        "spotify:track:4JehYebiI9JE8sR8MisGVb",
    ),
    Listen(
        "Sigur Rós",
        "Hoppípolla",
        "Takk...",
        at(1, 12, 5, 2),
        268_400,
        "spotify:track:6eTGxxQxiTFE6LfZHC33Wm",
    ),
    Listen(
        "Ólafur Arnalds",
        "Saman",
        "Island Songs",
        at(2, 21, 30, 41),
        183_250,
        "spotify:track:1Y3LN4zO1Edc2EluIoSPJN",
    ),
]
# Only the other service has these.
ONLY_THERE = [
    Listen("Mötley Crüe", "Kickstart My Heart", "Dr. Feelgood", at(3, 8, 15, 0), 282_000),
    Listen("Björk", "Jóga", None, at(3, 8, 20, 30), 305_000),  # no album
    Listen("Hélène Grimaud", "Rêverie", None, at(4, 23, 59, 59), 240_000),
]
DUPLICATED = ONLY_THERE[0]  # scrobbled twice, as scrobblers sometimes do
SCROBBLES = [*SHARED, *ONLY_THERE, DUPLICATED]


def other_spelling(name: str) -> str:
    """The same name as another service may write it: lower case, accents decomposed (NFD)."""
    return unicodedata.normalize("NFD", name.lower())


def spotify_export(path):
    """The listener's Spotify extended export holding the SHARED plays."""
    rows = [
        extended_track_row(
            ts=listen.ended.strftime("%Y-%m-%dT%H:%M:%SZ"),
            ms_played=listen.ms_played,
            master_metadata_track_name=listen.title,
            master_metadata_album_artist_name=listen.artist,
            master_metadata_album_album_name=listen.album,
            spotify_track_uri=listen.uri,
        )
        for listen in SHARED
    ]
    return write_zip(path, {AUDIO: rows})


# --- Last.fm -----------------------------------------------------------------------------------


def lastfm_date(moment: datetime) -> str:
    return moment.strftime("%d %b %Y %H:%M")


def lastfm_csv_rows(listens=SCROBBLES):
    return [
        [
            other_spelling(listen.artist),
            listen.album or "",
            listen.title,
            lastfm_date(listen.started),
        ]
        for listen in listens
    ]


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def lastfm_track(listen: Listen, *, extended=False) -> dict:
    """A track of user.getRecentTracks (`extended=1` names the artist under "name")."""
    artist = (
        {"url": "https://www.last.fm/music/x", "name": listen.artist, "mbid": ""}
        if extended
        else {"mbid": "", "#text": other_spelling(listen.artist)}
    )
    return {
        "artist": artist,
        "streamable": "0",
        "image": [{"size": "small", "#text": ""}],
        "mbid": "",
        "album": {"mbid": "", "#text": listen.album or ""},
        "name": listen.title,
        "url": "https://www.last.fm/music/x/_/y",
        "date": {
            "uts": str(int(listen.started.timestamp())),
            "#text": listen.started.strftime("%d %b %Y, %H:%M"),
        },
    }


def now_playing_track() -> dict:
    track = lastfm_track(ONLY_THERE[1])
    del track["date"]
    track["@attr"] = {"nowplaying": "true"}
    return track


def lastfm_page(tracks, *, page=1, pages=1) -> dict:
    return {
        "recenttracks": {
            "track": tracks,
            "@attr": {
                "user": "someone",
                "totalPages": str(pages),
                "page": str(page),
                "perPage": "200",
                "total": str(len(tracks)),
            },
        }
    }


# --- ListenBrainz ------------------------------------------------------------------------------


def listenbrainz_listen(listen: Listen) -> dict:
    """A listen as ListenBrainz exports it; the shared ones as its Spotify importer writes them."""
    info = {"artist_names": [listen.artist], "submission_client": "some scrobbler"}
    if listen.uri:
        info.update(
            duration_ms=listen.ms_played,
            spotify_id=f"https://open.spotify.com/track/{listen.spotify_id}",
            origin_url=f"https://open.spotify.com/track/{listen.spotify_id}",
            music_service="spotify.com",
        )
    metadata = {"artist_name": other_spelling(listen.artist), "track_name": listen.title}
    if listen.album:
        metadata["release_name"] = listen.album
    metadata["additional_info"] = info
    metadata["mbid_mapping"] = None
    return {
        "inserted_at": int(listen.started.timestamp()) + 60,
        "listened_at": listen.started.timestamp(),
        "recording_msid": "4269ddbc-9241-46da-935d-4fa9e0f7f371",
        "track_metadata": metadata,
    }


def jsonl_bytes(values) -> bytes:
    return b"".join(json.dumps(value, ensure_ascii=False).encode() + b"\n" for value in values)


def listenbrainz_zip(path, listens=SCROBBLES):
    """The ZIP ListenBrainz's export page gives: user.json, listens/<year>/<month>.jsonl..."""
    by_month = {}
    for listen in listens:
        key = f"listens/{listen.started.year}/{listen.started.month}.jsonl"
        by_month.setdefault(key, []).append(listenbrainz_listen(listen))
    members = {"user.json": json.dumps({"user_id": 1, "username": "someone"}).encode()}
    members.update({name: jsonl_bytes(rows) for name, rows in by_month.items()})
    members["feedback.jsonl"] = b'{"recording_msid": "x", "score": 1, "created": 1614600000}\n'
    return write_zip(path, members)


# --- Maloja ------------------------------------------------------------------------------------


def maloja_scrobble(listen: Listen) -> dict:
    return {
        "time": int(listen.started.timestamp()),
        "track": {
            "artists": [listen.artist],
            "title": listen.title,
            "album": {"albumtitle": listen.album, "artists": [listen.artist]}
            if listen.album
            else None,
            "length": None,
        },
        "duration": listen.ms_played // 1000,
        "origin": "client:someone",
    }


def maloja_export(listens=SCROBBLES) -> bytes:
    document = {
        "maloja": {"export_time": 1700000000},
        "scrobbles": [maloja_scrobble(listen) for listen in listens],
    }
    return json.dumps(document, indent=3, ensure_ascii=False).encode()
