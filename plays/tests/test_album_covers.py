"""Album covers: the URL of the cover Spotify's API gives with a polled play is kept on the album
(only URLs on Spotify's image servers), including albums an export stored first without one."""

from datetime import UTC, datetime

import pytest

from plays.api_records import album_image_url, record_from_api_item
from plays.ingest import ingest_plays
from plays.models import Album
from plays.poller import Poller
from plays.records import PlayRecord

COVER = "https://i.scdn.co/image/ab67616d00001e02ff9ca10b55ce82ae553c8228"


def images(*urls_and_widths):
    return [{"url": url, "width": width, "height": width} for url, width in urls_and_widths]


def test_the_cover_nearest_300_pixels_wide_is_kept():
    album = {
        "images": images(
            ("https://i.scdn.co/image/ab67616d0000b273ff9ca10b55ce82ae553c8228", 640),
            (COVER, 300),
            ("https://i.scdn.co/image/ab67616d00004851ff9ca10b55ce82ae553c8228", 64),
        )
    }
    assert album_image_url(album) == COVER


@pytest.mark.parametrize(
    "url",
    [
        "http://i.scdn.co/image/abc",  # not https
        "https://evil.example/image/abc",
        "https://i.scdn.co.evil.example/image/abc",
        "javascript:alert(1)",
        'https://i.scdn.co/image/abc" onerror="x',
        "https://i.scdn.co/" + "a" * 600,
        None,
        # Spotify's other image servers, which the Content-Security-Policy doesn't allow: a page
        # could never load them.
        "https://mosaic.scdn.co/640/ab67616d0000b273ff9ca10b55ce82ae553c8228",
        "https://image-cdn-ak.spotifycdn.com/image/ab67616d00001e02ff9ca10b55ce82ae553c8228",
        "https://image-cdn-fa.spotifycdn.com/image/ab67616d00001e02ff9ca10b55ce82ae553c8228",
    ],
)
def test_anything_but_a_spotify_image_server_url_is_dropped(url):
    assert album_image_url({"images": [{"url": url, "width": 300}]}) == ""


def test_a_cover_is_kept_only_from_the_hosts_the_pages_may_load_images_from(settings):
    assert settings.COVER_IMAGE_HOSTS == ["i.scdn.co"]
    img_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    assert [f"https://{host}" for host in settings.COVER_IMAGE_HOSTS] == [
        source for source in img_src if source.startswith("https://")
    ]
    other = "https://mosaic.scdn.co/640/abc"
    album = {"images": images((other, 300))}
    assert album_image_url(album) == ""
    settings.COVER_IMAGE_HOSTS = ["i.scdn.co", "mosaic.scdn.co"]
    assert album_image_url(album) == other


def test_an_album_without_images_has_no_cover():
    assert album_image_url({}) == album_image_url({"images": None}) == ""


def test_a_polled_item_carries_its_album_cover():
    item = {
        "played_at": "2026-03-01T10:00:00.000Z",
        "track": {
            "name": "Song",
            "uri": "spotify:track:" + "a" * 22,
            "artists": [{"name": "Band", "id": "b" * 22}],
            "album": {"name": "Album", "id": "c" * 22, "images": images((COVER, 300))},
        },
    }
    assert record_from_api_item(item).album_image_url == COVER


def _record(uri_letter, image=""):
    return PlayRecord(
        played_at=datetime(2024, 1, 1, tzinfo=UTC),
        source="api" if image else "extended",
        kind="track",
        item_name="Song " + uri_letter,
        item_uri="spotify:track:" + uri_letter * 22,
        artist_names=("Band",),
        album_name="Album",
        album_image_url=image,
    )


@pytest.mark.django_db
def test_an_album_an_export_stored_first_gets_its_cover_when_the_api_names_it(listener):
    ingest_plays(listener, [_record("a")])
    assert Album.objects.get(name="Album").image_url == ""
    ingest_plays(listener, [_record("b", COVER)])
    assert Album.objects.get(name="Album").image_url == COVER
    # A later, different URL doesn't replace the one kept.
    ingest_plays(listener, [_record("c", COVER.replace("ff", "00"))])
    assert Album.objects.get(name="Album").image_url == COVER


@pytest.mark.django_db(transaction=True)
def test_polling_stores_the_covers_of_the_albums_spotify_describes(standin, connect):
    connect("alice")
    Poller().run_pass()
    covers = list(Album.objects.values_list("image_url", flat=True))
    assert covers and all(
        url.startswith("https://i.scdn.co/image/ab67616d00001e02") for url in covers
    )
