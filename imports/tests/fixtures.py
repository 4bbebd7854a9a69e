"""Small, realistic export rows and files for the import tests, built from Python data.

The rows are made up; their shapes follow Spotify's exports field by field (see
docs/imports.md), including the personal fields the importer must drop.
"""

import json
import zipfile
from pathlib import Path

from imports.exports import Limits

LIMITS = Limits(max_upload_bytes=50 * 1024 * 1024, max_records=1_000_000)

TRACK_URI = "spotify:track:4uLU6hMCjMI75M1A2tKUQC"
EPISODE_URI = "spotify:episode:7makk4oTQel546B0PZlDM5"
CHAPTER_URI = "spotify:episode:0KaXzCIbPsV2HkQ8XJ4ddF"
AUDIOBOOK_URI = "spotify:show:5bqCNGXcLDn8XDbQ2pUzBw"
IP_ADDRESS = "203.0.113.77"
OLD_IP_ADDRESS = "198.51.100.23"
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
USERNAME = "listener-4711"


def extended_track_row(**overrides) -> dict:
    """A row of Streaming_History_Audio_*.json (the 23-key shape of 2025 exports)."""
    row = {
        "ts": "2024-03-09T18:04:27Z",
        "platform": "android",
        "ms_played": 214_360,
        "conn_country": "DE",
        "ip_addr": IP_ADDRESS,
        "master_metadata_track_name": "Silver Harbor",
        "master_metadata_album_artist_name": "Greta Lindqvist",
        "master_metadata_album_album_name": "Northern Lights, Vol. 2",
        "spotify_track_uri": TRACK_URI,
        "episode_name": None,
        "episode_show_name": None,
        "spotify_episode_uri": None,
        "audiobook_title": None,
        "audiobook_uri": None,
        "audiobook_chapter_uri": None,
        "audiobook_chapter_title": None,
        "reason_start": "trackdone",
        "reason_end": "trackdone",
        "shuffle": True,
        "skipped": False,
        "offline": False,
        "offline_timestamp": 1710007253,
        "incognito_mode": False,
    }
    row.update(overrides)
    return row


def extended_episode_row(**overrides) -> dict:
    row = extended_track_row(
        master_metadata_track_name=None,
        master_metadata_album_artist_name=None,
        master_metadata_album_album_name=None,
        spotify_track_uri=None,
        episode_name="#112: The Lantern Problem",
        episode_show_name="The Signal Hour",
        spotify_episode_uri=EPISODE_URI,
        ms_played=1_804_220,
        shuffle=False,
    )
    row.update(overrides)
    return row


def extended_chapter_row(**overrides) -> dict:
    """An audiobook chapter as 2025 exports write it: show and episode URIs, no track fields."""
    row = extended_track_row(
        master_metadata_track_name=None,
        master_metadata_album_artist_name=None,
        master_metadata_album_album_name=None,
        spotify_track_uri=None,
        audiobook_title="Hollow Orchard: A Novel",
        audiobook_uri=AUDIOBOOK_URI,
        audiobook_chapter_uri=CHAPTER_URI,
        audiobook_chapter_title="Chapter 7",
        ms_played=1_312_004,
        offline=None,
    )
    row.update(overrides)
    return row


def endsong_row(**overrides) -> dict:
    """A row of an old endsong_N.json: username, decrypted IP and user agent, no audiobook keys."""
    row = {
        "ts": "2016-11-02T07:41:09Z",
        "username": USERNAME,
        "platform": "Android OS 6.0.1 API 23 (samsung, SM-G920F)",
        "ms_played": 187_001,
        "conn_country": "AT",
        "ip_addr_decrypted": OLD_IP_ADDRESS,
        "user_agent_decrypted": USER_AGENT,
        "master_metadata_track_name": "Paper Moon",
        "master_metadata_album_artist_name": "The Quiet Engines",
        "master_metadata_album_album_name": "Postcards",
        "spotify_track_uri": "spotify:track:1a2B3c4D5e6F7g8H9i0JkL",
        "episode_name": None,
        "episode_show_name": None,
        "spotify_episode_uri": None,
        "reason_start": "clickrow",
        "reason_end": "fwdbtn",
        "shuffle": None,
        "skipped": None,
        "offline": False,
        "offline_timestamp": 0,
        "incognito_mode": False,
    }
    row.update(overrides)
    return row


def music_row(**overrides) -> dict:
    row = {
        "endTime": "2024-05-06 18:43",
        "artistName": "Greta Lindqvist",
        "trackName": "Silver Harbor",
        "msPlayed": 216_783,
    }
    row.update(overrides)
    return row


def podcast_row(**overrides) -> dict:
    row = {
        "endTime": "2024-05-07 07:12",
        "podcastName": "The Signal Hour",
        "episodeName": "#112: The Lantern Problem",
        "msPlayed": 1_204_113,
    }
    row.update(overrides)
    return row


def audiobook_row(**overrides) -> dict:
    row = {
        "endTime": "2024-05-08 21:30",
        "audiobookName": "Hollow Orchard: A Novel",
        "chapterName": "Chapter 7",
        "authorName": "Ayşe Haddad",
        "msPlayed": 1_312_004,
    }
    row.update(overrides)
    return row


def json_bytes(value, *, indent: int | None = 2) -> bytes:
    """JSON as Spotify writes it: 2-space indent, raw UTF-8."""
    return json.dumps(value, indent=indent, ensure_ascii=False).encode()


def write_zip(path: Path, members: dict, *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A ZIP of `members`: name (or ZipInfo) -> bytes, or rows to write as JSON."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, content in members.items():
            data = content if isinstance(content, bytes) else json_bytes(content)
            if isinstance(name, zipfile.ZipInfo):
                name.compress_type = name.compress_type or compression
            archive.writestr(name, data)
    return path


def write_file(path: Path, content) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else json_bytes(content))
    return path


def patch_central_directory(path: Path, offset: int, fmt_bytes: bytes) -> None:
    """Overwrites bytes of the (only) central directory entry of a one-member ZIP.

    Offsets: 8 = flags (2 bytes), 10 = compression method (2), 20 = compressed size (4),
    24 = uncompressed size (4).
    """
    data = bytearray(path.read_bytes())
    entry = data.rfind(b"PK\x01\x02")
    data[entry + offset : entry + offset + len(fmt_bytes)] = fmt_bytes
    path.write_bytes(bytes(data))
