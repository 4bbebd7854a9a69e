"""Turns items of Spotify's recently-played feed into PlayRecords.

Pure functions, no database: the poller feeds their output to the insert path.
"""

import re
from datetime import UTC, datetime

from django.conf import settings

from plays.records import PlayRecord


def parse_played_at(value: str) -> datetime:
    """`2021-10-25T05:13:13.658Z` -> an aware UTC datetime, milliseconds kept."""
    return datetime.fromisoformat(value).astimezone(UTC)


def to_unix_ms(moment: datetime) -> int:
    """Milliseconds since the epoch, exactly (no float rounding), as Spotify's cursors use."""
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


# A cover's URL: https, a host of settings.COVER_IMAGE_HOSTS (those the Content-Security-Policy
# lets pages load images from), a plain path. Anything else an API answer might carry is not kept,
# so a page never points at a host of someone's choosing, nor at one the browser would refuse.
_COVER_URL = re.compile(r"^https://([a-z0-9.-]+)/[A-Za-z0-9/._~%-]+$")
IMAGE_URL_MAX = 500
COVER_WIDTH = 300  # the size the pages show; Spotify sends 640, 300 and 64 pixels wide


def is_cover_url(url) -> bool:
    """Whether `url` is a cover the pages may show: https on a host of COVER_IMAGE_HOSTS."""
    if not isinstance(url, str) or len(url) > IMAGE_URL_MAX:
        return False
    match = _COVER_URL.match(url)
    return bool(match) and match.group(1) in settings.COVER_IMAGE_HOSTS


def album_image_url(album: dict) -> str:
    """The https URL of the album's cover closest to COVER_WIDTH pixels, or "" (none, or not on
    a host of COVER_IMAGE_HOSTS)."""
    images = [
        image
        for image in album.get("images") or []
        if isinstance(image, dict) and is_cover_url(image.get("url"))
    ]
    if not images:
        return ""

    def distance(image):
        width = image.get("width")
        return abs(width - COVER_WIDTH) if isinstance(width, int) else COVER_WIDTH

    return min(images, key=distance)["url"]


def record_from_api_item(item: dict) -> PlayRecord | None:
    """A PlayRecord for one recently-played item, or None when it names no track."""
    track = item.get("track") or {}
    if not item.get("played_at") or not track.get("name"):
        return None
    artists = [artist for artist in track.get("artists") or [] if artist.get("name")]
    album = track.get("album") or {}
    context = item.get("context") or {}
    uri = track.get("uri") if not track.get("is_local") else None
    return PlayRecord(
        played_at=parse_played_at(item["played_at"]),
        source="api",
        kind="track" if track.get("type", "track") == "track" else "episode",
        item_name=track["name"],
        item_uri=uri,
        artist_names=tuple(artist["name"] for artist in artists),
        artist_ids=tuple(artist.get("id") for artist in artists),
        album_name=album.get("name") or None,
        album_id=album.get("id"),
        album_type=album.get("album_type") or "",
        release_date=(album.get("release_date") or "")[:10],
        album_image_url=album_image_url(album),
        duration_ms=track.get("duration_ms"),
        ms_played=None,  # the feed doesn't say; it only lists plays of about 30 s or more
        context_uri=context.get("uri") or "",
        context_type=context.get("type") or "",
    )
