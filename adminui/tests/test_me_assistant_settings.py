"""`/me`: the Spotify permissions toggle for assistants, the playlists they made, and the taste
profile a listener reads, edits and clears (never another listener's)."""

import json

import pytest

from accounts.models import Listener
from adminui.tests.conftest import log_in_as_listener
from plays import taste
from plays.models import CreatedPlaylist, PreferenceEvent, TasteProfile

pytestmark = pytest.mark.django_db

FULL = (
    "user-read-recently-played playlist-modify-private playlist-modify-public "
    "playlist-read-private user-top-read"
)


@pytest.fixture
def me(client, active_listener):
    return log_in_as_listener(client, active_listener)


def test_with_the_permission_off_the_page_offers_the_login_that_asks_for_it(me, active_listener):
    page = me.get("/me").content.decode()
    assert 'href="/auth/login?with=playlists"' in page
    assert 'action="/me/permissions/off"' not in page


def test_turning_it_off_drops_the_extra_scopes_at_once_and_logs_in_with_the_base_one(
    me, active_listener
):
    active_listener.scope = FULL
    active_listener.save()
    assert 'action="/me/permissions/off"' in me.get("/me").content.decode()

    response = me.post("/me/permissions/off")

    assert response.status_code == 302
    assert response["Location"] == "/auth/login"
    active_listener.refresh_from_db()
    assert active_listener.scope == "user-read-recently-played"
    login = me.get("/auth/login")
    assert "scope=user-read-recently-played&" in login["Location"]


def test_turning_it_off_needs_a_post(me):
    assert me.get("/me/permissions/off").status_code == 405


def test_the_playlists_assistants_made_are_listed(me, active_listener, listener):
    CreatedPlaylist.objects.create(
        listener=active_listener,
        spotify_id="p1",
        name="My 2019 favourites",
        url="https://open.spotify.com/playlist/p1",
        items_added=30,
        client="Claude",
    )
    CreatedPlaylist.objects.create(listener=listener, spotify_id="p2", name="Alice's secret list")
    page = me.get("/me").content.decode()
    assert "My 2019 favourites" in page and "Claude" in page
    assert "Alice&#x27;s secret list" not in page and "Alice's secret list" not in page


def test_my_taste_profile_is_shown_escaped(me, active_listener):
    taste.update(active_listener, {"note": "<script>alert(1)</script>"}, by="Claude")
    taste.add_preference(active_listener, kind="rule", text="no <b>live</b> versions", by="Claude")
    page = me.get("/me").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "no &lt;b&gt;live&lt;/b&gt; versions" in page


def test_saving_the_taste_profile_replaces_the_document(me, active_listener):
    taste.update(active_listener, {"old": 1})
    response = me.post("/me/taste-profile", {"document": '{"genres": ["jazz"]}'})
    assert response.status_code == 302
    assert TasteProfile.objects.get(listener=active_listener).document == {"genres": ["jazz"]}
    assert TasteProfile.objects.get(listener=active_listener).updated_by == "your page"


@pytest.mark.parametrize(
    ("document", "said"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "JSON object"),
        (json.dumps({"x": "y" * taste.MAX_DOCUMENT_BYTES}), "over the cap"),
    ],
)
def test_a_bad_document_is_refused_and_nothing_changes(me, active_listener, document, said):
    taste.update(active_listener, {"kept": True})
    response = me.post("/me/taste-profile", {"document": document})
    assert response.status_code == 400
    assert said in response.content.decode()
    assert TasteProfile.objects.get(listener=active_listener).document == {"kept": True}


def test_clearing_removes_my_profile_and_preferences_only(me, active_listener, listener):
    for owner in (active_listener, listener):
        taste.update(owner, {"a": 1})
        taste.add_preference(owner, kind="like", text="jazz")
    response = me.post("/me/taste-profile/clear")
    assert response.status_code == 302
    assert not TasteProfile.objects.filter(listener=active_listener).exists()
    assert not PreferenceEvent.objects.filter(listener=active_listener).exists()
    assert TasteProfile.objects.filter(listener=listener).exists()
    assert PreferenceEvent.objects.filter(listener=listener).count() == 1


def test_the_taste_forms_need_a_listener_session(client, active_listener):
    for path in ("/me/taste-profile", "/me/taste-profile/clear", "/me/permissions/off"):
        response = client.post(path, {"document": "{}"})
        assert response.status_code == 302
        assert response["Location"] == "/auth/login"
    assert not TasteProfile.objects.exists()


def test_delete_all_my_data_removes_the_profile_and_the_ledger(me, active_listener):
    taste.update(active_listener, {"a": 1})
    taste.add_preference(active_listener, kind="like", text="jazz")
    CreatedPlaylist.objects.create(listener=active_listener, spotify_id="p1", name="x")
    response = me.post("/me/delete", {"confirm": "carol"})
    assert response.status_code == 200
    assert not Listener.objects.filter(pk=active_listener.pk).exists()
    for model in (TasteProfile, PreferenceEvent, CreatedPlaylist):
        assert not model.objects.exists()
