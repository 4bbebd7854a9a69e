"""`/me`: hiding artists of one's own history (and showing them again) and turning sharing on
and off, by form POSTs that need the CSRF token and the page's own origin; every history page
then says how many artists are hidden, the operator's too."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from accounts.models import Listener
from adminui.tests.conftest import add_plays, log_in_as_listener
from plays import queries
from plays.models import Artist, ExcludedArtist
from plays.tests.query_fixtures import build_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    alice = Listener.objects.create(spotify_user_id="alice", time_zone="Europe/Paris")
    build_history(alice, "a", 1, 150)
    return alice


@pytest.fixture
def page(alice):
    """Alice's browser: CSRF checked as in production."""
    return log_in_as_listener(Client(enforce_csrf_checks=True), alice)


def csrf(client):
    html = client.get("/me").content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def post(client, path, data, **headers):
    return client.post(path, {"csrfmiddlewaretoken": csrf(client), **data}, **headers)


def cold_rivers():
    return Artist.objects.get(name="Cold Rivers")


def test_the_pick_list_offers_the_listeners_most_played_artists(page, alice):
    html = page.get("/me").content.decode()
    for row in queries.top_artists(alice, limit=5)["items"]:
        assert row["name"] in html
    assert 'action="/me/hidden-artists"' in html
    assert "You hide no artist." in html


def test_hiding_an_artist_leaves_their_plays_out_of_the_page_and_says_so(page, alice):
    before = queries.listening_summary(alice)["plays"]
    response = post(page, "/me/hidden-artists", {"artist": cold_rivers().pk})
    assert response.status_code == 302 and response["Location"].endswith("#hidden-artists")
    assert ExcludedArtist.objects.filter(listener=alice, artist=cold_rivers()).exists()
    html = page.get("/me").content.decode()
    assert 'id="excluded-note"' in html and "The plays of 1 artist you hide" in html
    assert queries.listening_summary(alice)["plays"] < before
    top = queries.top_artists(alice, limit=100)["items"]
    assert "Cold Rivers" not in {row["name"] for row in top}
    for path in ("/me/plays", "/me/podcasts", "/me/search?q=song"):
        assert 'id="excluded-note"' in page.get(path).content.decode(), path
    # Shown again: everything is back.
    response = post(page, "/me/hidden-artists/show", {"artist": cold_rivers().pk})
    assert response.status_code == 302
    assert queries.listening_summary(alice)["plays"] == before
    assert 'id="excluded-note"' not in page.get("/me").content.decode()


def test_the_operators_page_says_it_too(staff_client, alice):
    ExcludedArtist.objects.create(listener=alice, artist=cold_rivers())
    html = staff_client.get("/listeners/alice").content.decode()
    assert "this listener hides are left out" in html


def test_the_search_finds_only_artists_of_ones_own_history(page, alice):
    bob = Listener.objects.create(spotify_user_id="bob")
    bobs = add_plays(bob, 3, start=datetime(2024, 5, 1, tzinfo=UTC), artist="Cold Only Bob")
    assert queries.top_artists(bob)["items"][0]["name"] == "Cold Only Bob"
    html = page.get("/me?artist_search=cold").content.decode()
    assert "Cold Rivers" in html and "Cold Only Bob" not in html
    response = post(page, "/me/hidden-artists", {"artist": bobs.primary_artist_id})
    assert response.status_code == 302
    assert not ExcludedArtist.objects.filter(listener=alice).exists()
    assert page.get("/me?artist_search=c").status_code == 400


def test_another_listeners_artist_can_not_be_hidden_nor_named(page, alice):
    stranger = Artist.objects.create(key="local:artist:stranger", name="Stranger Quux")
    response = post(page, "/me/hidden-artists", {"artist": stranger.pk})
    assert response.status_code == 302
    assert not ExcludedArtist.objects.filter(listener=alice).exists()
    html = page.get("/me").content.decode()
    assert "Quux" not in html
    assert "not in your history" in html


@pytest.mark.parametrize("bad", ["", "abc", "-1", "99999999999999999999999"])
def test_a_bad_artist_is_a_sentence_not_an_error(page, alice, bad):
    response = post(page, "/me/hidden-artists", {"artist": bad})
    assert response.status_code == 302
    assert not ExcludedArtist.objects.filter(listener=alice).exists()


def test_a_post_without_the_csrf_token_or_from_another_site_changes_nothing(page, alice):
    assert page.post("/me/hidden-artists", {"artist": cold_rivers().pk}).status_code == 403
    response = post(
        page,
        "/me/hidden-artists",
        {"artist": cold_rivers().pk},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert page.post("/me/sharing", {"share": "on"}).status_code == 403
    alice.refresh_from_db()
    assert not ExcludedArtist.objects.filter(listener=alice).exists()
    assert alice.shares_listening is False


def test_nobody_logged_out_can_hide_or_share(alice):
    anonymous = Client()
    response = anonymous.post("/me/hidden-artists", {"artist": cold_rivers().pk})
    assert response.status_code in (302, 403)
    assert not ExcludedArtist.objects.exists()


def test_sharing_is_off_by_default_and_turns_on_with_a_handle_and_off_without(page, alice):
    html = page.get("/me").content.decode()
    assert 'id="share-handle"' not in html and 'id="id_share" checked' not in html
    assert post(page, "/me/sharing", {"share": "on"}).status_code == 302
    alice.refresh_from_db()
    assert alice.shares_listening and alice.share_handle
    html = page.get("/me").content.decode()
    assert alice.share_handle in html
    assert post(page, "/me/sharing", {}).status_code == 302
    alice.refresh_from_db()
    assert not alice.shares_listening and alice.share_handle is None
