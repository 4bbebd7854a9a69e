"""Live Spotify for assistants (`plays.live`) against the stand-in over real HTTP: the opt-in,
the ledger, 100 URIs per request, and each fault the collector knows, as one sentence."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import scopes
from accounts.crypto import encrypt_token
from accounts.models import Listener
from plays import live
from plays.models import CreatedPlaylist

pytestmark = pytest.mark.django_db

FULL = " ".join(scopes.BASE_SCOPES + scopes.ASSISTANT_SCOPES)


@pytest.fixture
def connect(standin, settings):
    """A listener whose stored tokens were minted by the stand-in with `scope`."""
    settings.SPOTIFY_CLIENT_ID, settings.SPOTIFY_CLIENT_SECRET = "id", "secret"

    def connect(user_id, scope=FULL, stored_scope=None):
        tokens = standin.state.mint_tokens(user_id, scope)
        return Listener.objects.create(
            spotify_user_id=user_id,
            status=Listener.Status.ACTIVE,
            scope=scope if stored_scope is None else stored_scope,
            encrypted_access_token=encrypt_token(tokens["access_token"]),
            encrypted_refresh_token=encrypt_token(tokens["refresh_token"]),
            access_token_expires_at=timezone.now() + timedelta(hours=1),
        )

    return connect


def uris(standin, count):
    return [f"spotify:track:{t.id}" for t in standin.state.catalogue.tracks[:count]]


def spotify_calls(standin, endpoint=None):
    return [r for r in standin.state.requests if endpoint in (None, r["endpoint"])]


def test_create_playlist_records_it_and_adds_100_per_request(standin, connect):
    alice = connect("alice")
    wanted = uris(standin, 250)

    answer = live.create_playlist(alice, name="Big", track_uris=wanted, client_name="Claude")

    assert (answer["added"], answer["requested"], answer["items_added"]) == (250, 250, 250)
    assert len(spotify_calls(standin, "add_items")) == 3
    [held] = standin.state.playlists("alice")
    assert held["items"] == wanted and held["public"] is False
    entry = CreatedPlaylist.objects.get(listener=alice)
    assert (entry.spotify_id, entry.client, entry.items_added) == (held["id"], "Claude", 250)


def test_bare_ids_and_links_become_uris_in_order(standin, connect):
    alice = connect("alice")
    ids = [t.id for t in standin.state.catalogue.tracks[:3]]
    given = [ids[0], f"https://open.spotify.com/track/{ids[1]}", f"spotify:track:{ids[2]}"]

    live.create_playlist(alice, name="Mixed", track_uris=given)

    assert standin.state.playlists("alice")[0]["items"] == [f"spotify:track:{i}" for i in ids]


@pytest.mark.parametrize(
    ("references", "said"),
    [
        (["spotify:album:4uLU6hMCjMI75M1A2tKUQC"], "track_uris[0]"),
        (["ok?"], "track_uris[0]"),
        (["4uLU6hMCjMI75M1A2tKUQC"] * 501, "at most 500"),
    ],
)
def test_bad_track_lists_are_refused_before_calling_spotify(standin, connect, references, said):
    alice = connect("alice")
    with pytest.raises(live.LiveRefused, match=said.replace("[", r"\[").replace("]", r"\]")):
        live.create_playlist(alice, name="x", track_uris=references)
    assert not spotify_calls(standin)


def test_without_the_opt_in_nothing_is_asked_of_spotify(standin, connect):
    alice = connect("alice", scope="user-read-recently-played")
    for call in (
        lambda: live.create_playlist(alice, name="x"),
        lambda: live.search(alice, query="river"),
        lambda: live.top_items(alice),
        lambda: live.list_playlists(alice, include_spotify=True),
    ):
        with pytest.raises(live.LiveRefused) as refused:
            call()
        assert "/auth/login?with=playlists" in str(refused.value)
        assert "playlist-modify-private" in str(refused.value)
    assert live.list_playlists(alice) == {"created_here": [], "spotify": None}
    assert not spotify_calls(standin)


def test_a_token_spotify_finds_lacking_a_scope_gets_the_same_advice(standin, connect):
    alice = connect("alice", scope="user-read-recently-played", stored_scope=FULL)
    with pytest.raises(live.LiveRefused, match="with=playlists"):
        live.top_items(alice)


def test_only_playlists_made_here_for_this_listener_take_items(standin, connect):
    alice, bob = connect("alice"), connect("bob")
    theirs = standin.state.create_playlist("alice", "made on Spotify itself")
    made = live.create_playlist(alice, name="made here")

    for listener, playlist_id in ((alice, theirs.id), (bob, made["playlist_id"])):
        with pytest.raises(live.LiveRefused, match="was not created by this service"):
            live.add_to_playlist(listener, playlist_id=playlist_id, track_uris=uris(standin, 1))
    assert not spotify_calls(standin, "add_items")
    added = live.add_to_playlist(
        alice, playlist_id=f"spotify:playlist:{made['playlist_id']}", track_uris=uris(standin, 2)
    )
    assert added["items_added"] == 2


def test_an_expired_access_token_is_refreshed_once_and_the_call_retried(standin, connect):
    alice = connect("alice")
    standin.state.expire_access_tokens("alice")
    alice.access_token_expires_at = timezone.now() + timedelta(hours=1)  # looks valid here

    answer = live.create_playlist(alice, name="x", track_uris=uris(standin, 1))

    assert answer["added"] == 1
    statuses = [(r["endpoint"], r["status"]) for r in spotify_calls(standin)]
    assert statuses == [
        ("create_playlist", 401),
        ("token", 200),
        ("create_playlist", 201),
        ("add_items", 201),
    ]


def test_a_revoked_login_says_to_log_in_again(standin, connect):
    alice = connect("alice")
    standin.state.revoke("alice")
    standin.state.expire_access_tokens("alice")
    with pytest.raises(live.LiveRefused, match="log in again"):
        live.search(alice, query="x")
    alice.refresh_from_db()
    assert alice.status == Listener.Status.NEEDS_REAUTH
    with pytest.raises(live.LiveRefused, match="log in again"):
        live.search(alice, query="x")


def test_a_server_error_says_try_again_and_keeps_what_was_added(standin, connect):
    alice = connect("alice")
    standin.state.inject_fault("add_items", status=503, skip=1)
    with pytest.raises(live.LiveRefused) as refused:
        live.create_playlist(alice, name="x", track_uris=uris(standin, 130))
    assert "Added 100 of 130" in str(refused.value)
    assert "try again in a minute" in str(refused.value)
    assert CreatedPlaylist.objects.get(listener=alice).items_added == 100
    alice.refresh_from_db()
    assert alice.rate_limited_until is None


def test_a_429_is_stored_on_the_listener_and_honoured_without_asking_again(standin, connect):
    alice = connect("alice")
    standin.state.inject_fault("search", status=429, retry_after=300)
    with pytest.raises(live.LiveRefused, match=r"try again in 30\d seconds"):
        live.search(alice, query="x")
    alice.refresh_from_db()
    assert timezone.now() + timedelta(seconds=290) < alice.rate_limited_until
    with pytest.raises(live.LiveRefused, match="rate limiting"):
        live.top_items(alice)
    assert [r["endpoint"] for r in spotify_calls(standin)] == ["search"]


def test_top_items_and_search_answer_rows_with_uris(standin, connect):
    alice = connect("alice")
    top = live.top_items(alice, kind="tracks", time_range="long_term", limit=3)
    assert [row["rank"] for row in top["items"]] == [1, 2, 3]
    assert all(row["uri"].startswith("spotify:track:") for row in top["items"])
    artists = live.top_items(alice, kind="artists", limit=2)
    assert all(row["uri"].startswith("spotify:artist:") for row in artists["items"])
    track = standin.state.catalogue.tracks[0]
    found = live.search(alice, query=track.name, types=("track",), limit=10)
    assert track.id in [row["spotify_id"] for row in found["tracks"]]
    assert found["artists"] == [] and found["albums"] == []
    [request] = spotify_calls(standin, "search")
    assert "limit=10" in request["query"]


def test_list_playlists_marks_the_ones_made_here(standin, connect):
    alice = connect("alice")
    made = live.create_playlist(alice, name="made here")
    standin.state.create_playlist("alice", "their own", public=False)
    listed = live.list_playlists(alice, include_spotify=True)
    assert [row["name"] for row in listed["created_here"]] == ["made here"]
    shown = {row["name"]: row["created_here"] for row in listed["spotify"]["items"]}
    assert shown == {"their own": False, "made here": True}
    assert listed["created_here"][0]["playlist_id"] == made["playlist_id"]


def test_only_a_spotify_web_player_url_is_kept_from_the_answer(standin, connect, monkeypatch):
    alice = connect("alice")
    real = live.SpotifyClient.create_playlist

    def tampered(self, *args, **kwargs):
        answer = real(self, *args, **kwargs)
        return {**answer, "external_urls": {"spotify": "javascript:alert(1)"}}

    monkeypatch.setattr(live.SpotifyClient, "create_playlist", tampered)
    answer = live.create_playlist(alice, name="x")
    assert answer["url"] == f"https://open.spotify.com/playlist/{answer['playlist_id']}"
