"""A listener's history pages (their own under /me, the operator's under /listeners/<id>): the
overview's lists, a page per artist, track, album and show, the plays one by one, podcasts,
search, and album covers only when the listener asked for them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Listener
from adminui.tests.conftest import add_plays, log_in_as_listener
from plays.models import Album, Artist, Item, Show
from plays.tests.query_fixtures import build_history

pytestmark = pytest.mark.django_db

COVER = "https://i.scdn.co/image/ab67616d00001e02000000000000000000000abc"


@pytest.fixture
def histories(active_listener, listener):
    """carol (logged in, Paris) and alice, each with a history of their own."""
    return build_history(active_listener, "c", 1), build_history(listener, "a", 2, 200)


def test_the_overview_lists_top_albums_latest_plays_and_podcasts(listener_client, histories):
    page = listener_client.get("/me").content.decode()
    assert 'id="top-albums"' in page and "Cold Rivers Album" in page
    assert 'id="recent"' in page and "Every play, newest first" in page
    assert "Daily Talk" in page  # the podcast episodes appear
    assert "/me/artists/" in page and "/me/albums/" in page and "/me/shows/" in page
    assert "/listeners/" not in page


def test_counts_are_written_with_thousands_separators(listener_client, active_listener):
    add_plays(active_listener, 1234, start=timezone.now() - timedelta(days=200))
    page = listener_client.get("/me").content.decode()
    assert "<strong>1,234</strong> plays" in page
    assert "hours" in page  # 1,234 plays of 200 s: about 68.6 hours


def test_an_artist_page_shows_plays_over_time_and_top_tracks_with_a_spotify_link(
    listener_client, histories
):
    artist = Artist.objects.get(name="Cold Rivers")
    Artist.objects.filter(pk=artist.pk).update(spotify_id="0OdUWJ0sBjDrqHygGUXeCF")
    response = listener_client.get(f"/me/artists/{artist.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Cold Rivers</h1>" in page
    assert 'id="item-chart"' in page and 'id="contents"' in page
    assert "Top tracks" in page and "Cold Song 1" in page
    assert 'href="https://open.spotify.com/artist/0OdUWJ0sBjDrqHygGUXeCF"' in page
    detail = response.context["item"]
    assert detail["plays"] > 0 and detail["first_play"] and detail["last_play"]


def test_item_pages_of_things_only_someone_else_played_are_not_found(
    listener_client, staff_client, histories
):
    alice_only = Item.objects.filter(spotify_id__startswith="aT").first()
    assert listener_client.get(f"/me/tracks/{alice_only.pk}").status_code == 404
    assert listener_client.get("/me/tracks/999999").status_code == 404
    mine = Item.objects.filter(spotify_id__startswith="cT").first()
    assert listener_client.get(f"/me/tracks/{mine.pk}").status_code == 200
    # The operator sees each listener's own pages.
    assert staff_client.get(f"/listeners/alice/tracks/{alice_only.pk}").status_code == 200
    assert staff_client.get(f"/listeners/carol/tracks/{alice_only.pk}").status_code == 404


def test_a_show_page_lists_its_episodes_and_links_them(listener_client, histories):
    show = Show.objects.get(name="Daily Talk")
    page = listener_client.get(f"/me/shows/{show.pk}").content.decode()
    assert "Most played episodes" in page and "/me/episodes/" in page


def test_the_plays_page_pages_back_through_every_play(listener_client, histories):
    first = listener_client.get("/me/plays")
    plays = first.context["plays"]
    assert len(plays) == 50 and first.context["older"] == plays[-1]["played_at"]
    second = listener_client.get("/me/plays", {"before": first.context["older"]})
    assert second.status_code == 200
    assert second.context["plays"][0]["played_at"] < plays[-1]["played_at"]
    assert not {p["played_at"] for p in plays} & {p["played_at"] for p in second.context["plays"]}
    bad = listener_client.get("/me/plays", {"before": "last tuesday"})
    assert bad.status_code == 400 and "must be a time" in bad.content.decode()


def test_search_finds_my_artists_tracks_albums_and_shows(listener_client, histories):
    response = listener_client.get("/me/search", {"q": "rivers"})
    page = response.content.decode()
    assert response.status_code == 200 and "Cold Rivers" in page
    assert f'href="/me/artists/{Artist.objects.get(name="Cold Rivers").pk}"' in page
    assert listener_client.get("/me/search").status_code == 200  # just the form
    short = listener_client.get("/me/search", {"q": "r"})
    assert short.status_code == 400 and "at least two characters" in short.content.decode()


def test_the_podcasts_page_shows_shows_and_episodes_by_time(listener_client, histories):
    response = listener_client.get("/me/podcasts")
    assert response.status_code == 200
    names = [show["name"] for show in response.context["shows"]]
    assert set(names) == {"Daily Talk", "Long Book"}
    assert listener_client.get("/me/podcasts", {"days": "x"}).status_code == 400


def test_album_covers_show_only_after_the_listener_turns_them_on(
    listener_client, staff_client, active_listener, histories
):
    album = Album.objects.get(name="Cold Rivers Album 0")
    Album.objects.filter(pk=album.pk).update(image_url=COVER)
    assert COVER not in listener_client.get(f"/me/albums/{album.pk}").content.decode()
    response = listener_client.post("/me/artwork", {"show_artwork": "on"}, follow=True)
    assert "loaded from Spotify" in response.content.decode()
    assert Listener.objects.get(pk=active_listener.pk).show_artwork is True
    assert f'src="{COVER}"' in listener_client.get(f"/me/albums/{album.pk}").content.decode()
    assert f'src="{COVER}"' in listener_client.get("/me").content.decode()
    # The operator's view of the same listener never loads covers.
    assert COVER not in staff_client.get(f"/listeners/carol/albums/{album.pk}").content.decode()
    listener_client.post("/me/artwork", {})
    assert Listener.objects.get(pk=active_listener.pk).show_artwork is False
    assert COVER not in listener_client.get(f"/me/albums/{album.pk}").content.decode()


@pytest.mark.parametrize(
    "stored",
    [
        "https://mosaic.scdn.co/640/ab67616d0000b273000000000000000000000abc",
        "https://image-cdn-ak.spotifycdn.com/image/ab67616d00001e02000000000000000000000abc",
        "http://i.scdn.co/image/ab67616d00001e02000000000000000000000abc",
    ],
)
def test_a_stored_cover_on_a_host_the_policy_does_not_allow_shows_no_cover(
    listener_client, active_listener, histories, stored
):
    Listener.objects.filter(pk=active_listener.pk).update(show_artwork=True)
    album = Album.objects.get(name="Cold Rivers Album 0")
    Album.objects.filter(pk=album.pk).update(image_url=stored)
    for path in (f"/me/albums/{album.pk}", "/me"):
        page = listener_client.get(path).content.decode()
        assert stored not in page
        assert "cover placeholder" in page
    Album.objects.filter(pk=album.pk).update(image_url=COVER)
    assert f'src="{COVER}"' in listener_client.get(f"/me/albums/{album.pk}").content.decode()


def test_the_history_pages_need_the_listeners_login(client, histories, listener):
    assert client.get("/me/plays")["Location"] == "/auth/login"
    assert client.post("/me/artwork", {"show_artwork": "on"})["Location"] == "/auth/login"
    log_in_as_listener(client, listener)
    assert client.get("/listeners/carol/plays").status_code == 302  # operator login needed
