"""compare_listeners: only between two listeners who both share, the other named by a share
handle; a handle of nobody and one of a listener who doesn't share get the same sentence; the
shared artists and the affinity agree with plain Python; the other listener's upload names are
withheld."""

from collections import Counter
from datetime import UTC, datetime

import pytest

from accounts.models import Listener
from plays import queries
from plays.excluding import hide_artist
from plays.models import Artist, Item, NamesFrom
from plays.queries import QueryError, Window
from plays.queries.affinity import NOT_SHARED, NOT_SHARING_YOURSELF
from plays.tests.query_fixtures import build_history, two_listeners

pytestmark = pytest.mark.django_db


@pytest.fixture
def sharing():
    """Alice and Bob (their artists' names are the same catalogue rows, their tracks not), and
    Carol, who played Alice's tracks too; all three share."""
    alice, alice_plays, bob, bob_plays = two_listeners()
    carol = Listener.objects.create(spotify_user_id="carol", time_zone="UTC")
    carol_plays = build_history(carol, "a", 7, 200)
    for listener in (alice, bob, carol):
        listener.start_sharing()
    return {
        "alice": (alice, alice_plays),
        "bob": (bob, bob_plays),
        "carol": (carol, carol_plays),
    }


def _counts(plays, key, window=None):
    window = window or Window()
    return Counter(
        key(p)
        for p in plays
        if p.counted and p.kind == "track" and window.contains(p.at) and key(p) is not None
    )


def _affinity(mine, theirs):
    my_total, their_total = sum(mine.values()), sum(theirs.values())
    return round(
        100 * sum(min(mine[k] / my_total, theirs[k] / their_total) for k in mine.keys() & theirs),
        1,
    )


WINDOWS = {
    "all time": Window(),
    "2022 to mid-2024": Window(
        datetime(2022, 1, 1, tzinfo=UTC), datetime(2024, 6, 15, 12, tzinfo=UTC)
    ),
}


@pytest.mark.parametrize("window_name", list(WINDOWS))
def test_the_affinity_and_shared_lists_agree_with_plain_python(sharing, window_name):
    window = WINDOWS[window_name]
    alice, alice_plays = sharing["alice"]
    carol, carol_plays = sharing["carol"]
    answer = queries.compare_listeners(
        alice, handle=carol.share_handle, window=window, limit=50, tz=UTC
    )
    mine = _counts(alice_plays, lambda p: p.artist, window)
    theirs = _counts(carol_plays, lambda p: p.artist, window)
    assert answer["affinity"] == _affinity(mine, theirs)
    assert answer["shared_artists"] == len(mine.keys() & theirs)
    assert {(a["name"], a["your_plays"], a["their_plays"]) for a in answer["artists"]} == {
        (name, mine[name], theirs[name]) for name in mine.keys() & theirs
    }
    my_tracks = _counts(alice_plays, lambda p: p.item.spotify_id, window)
    their_tracks = _counts(carol_plays, lambda p: p.item.spotify_id, window)
    assert answer["track_overlap"] == _affinity(my_tracks, their_tracks)
    assert answer["shared_tracks"] == len(my_tracks.keys() & their_tracks)
    assert answer["your_plays"] == sum(my_tracks.values())
    assert answer["their_plays"] == sum(their_tracks.values())
    shares = [
        min(a["your_plays"] / sum(mine.values()), a["their_plays"] / sum(theirs.values()))
        for a in answer["artists"]
    ]
    assert shares == sorted(shares, reverse=True), "most in common first"


def test_listeners_with_no_track_in_common_still_share_artists(sharing):
    alice, alice_plays = sharing["alice"]
    bob, bob_plays = sharing["bob"]
    answer = queries.compare_listeners(alice, handle=bob.share_handle)
    assert answer["shared_tracks"] == 0 and answer["track_overlap"] == 0
    assert answer["tracks"] == []
    assert answer["shared_artists"] > 0 and 0 < answer["affinity"] <= 100
    # Both totals are still told when no track is shared.
    assert answer["your_plays"] == sum(_counts(alice_plays, lambda p: p.item).values())
    assert answer["their_plays"] == sum(_counts(bob_plays, lambda p: p.item).values())
    mine = _counts(alice_plays, lambda p: p.artist)
    theirs = _counts(bob_plays, lambda p: p.artist)
    assert answer["affinity"] == _affinity(mine, theirs)


def test_listeners_with_nothing_in_common_get_zeros_and_their_totals(sharing):
    (me, my_plays), (other, their_plays) = sorted(
        (sharing["alice"], sharing["bob"]), key=lambda side: min(p.at for p in side[1])
    )
    # From the earlier listener's first play to the other's first: only the earlier one played.
    window = Window(min(p.at for p in my_plays), min(p.at for p in their_plays))
    answer = queries.compare_listeners(me, handle=other.share_handle, window=window, tz=UTC)
    expected_mine = sum(_counts(my_plays, lambda p: p.item, window).values())
    assert expected_mine > 0 and not _counts(their_plays, lambda p: p.item, window)
    assert (answer["your_plays"], answer["their_plays"]) == (expected_mine, 0)
    assert answer["artists"] == [] and answer["tracks"] == []
    assert (answer["affinity"], answer["track_overlap"]) == (0, 0)
    assert (answer["shared_artists"], answer["shared_tracks"]) == (0, 0)


def test_each_side_leaves_out_its_own_hidden_artists(sharing):
    alice, alice_plays = sharing["alice"]
    carol, carol_plays = sharing["carol"]
    hide_artist(carol, Artist.objects.get(name="Cold Rivers").pk)
    answer = queries.compare_listeners(alice, handle=carol.share_handle, limit=50)
    assert "Cold Rivers" not in {a["name"] for a in answer["artists"]}
    mine = _counts(alice_plays, lambda p: p.artist)
    theirs = _counts(
        [p for p in carol_plays if "Cold Rivers" not in getattr(p.item, "artists", ())],
        lambda p: p.artist,
    )
    assert answer["affinity"] == _affinity(mine, theirs)
    assert answer["excluded_artists"] == 0, "the caller's own count; Carol's stays hers"


def test_nobody_compares_without_turning_sharing_on_first(sharing):
    alice, _ = sharing["alice"]
    carol, _ = sharing["carol"]
    alice.stop_sharing()
    with pytest.raises(QueryError) as refused:
        queries.compare_listeners(alice, handle=carol.share_handle)
    assert str(refused.value) == NOT_SHARING_YOURSELF


def test_a_listener_who_stopped_sharing_is_indistinguishable_from_nobody(sharing):
    alice, _ = sharing["alice"]
    carol, _ = sharing["carol"]
    old_handle = carol.share_handle
    carol.stop_sharing()
    never_shared = Listener.objects.create(spotify_user_id="dave")
    answers = []
    for handle in (old_handle, "no-such-handle", never_shared.spotify_user_id, "carol", ""):
        with pytest.raises(QueryError) as refused:
            queries.compare_listeners(alice, handle=handle)
        answers.append(str(refused.value))
    assert answers == [NOT_SHARED] * 5


def test_turning_sharing_on_again_makes_a_new_handle(sharing):
    carol, _ = sharing["carol"]
    first = carol.share_handle
    carol.stop_sharing()
    carol.start_sharing()
    assert carol.share_handle and carol.share_handle != first
    assert len(carol.share_handle) >= 20


def test_names_from_the_other_listeners_upload_are_withheld(sharing):
    alice, _ = sharing["alice"]
    carol, _ = sharing["carol"]
    # A shared row whose names Carol's upload gave: Alice must not read them through Carol.
    shared = queries.compare_listeners(alice, handle=carol.share_handle)["tracks"][0]
    track = Item.objects.get(spotify_id=shared["spotify_id"], private_to__isnull=True)
    assert shared["name"] == track.name
    Item.objects.filter(pk=track.pk).update(names_from=NamesFrom.UPLOAD, named_by=carol)
    artist = track.primary_artist
    Artist.objects.filter(pk=artist.pk).update(names_from=NamesFrom.UPLOAD, named_by=carol)
    answer = queries.compare_listeners(alice, handle=carol.share_handle, limit=50)
    rows = {row["spotify_id"]: row for row in answer["tracks"]}
    assert rows[track.spotify_id]["name"] is None
    assert rows[track.spotify_id]["artist"] is None
    assert None in {a["name"] for a in answer["artists"]}
    # Carol's own answer names them: they are her names.
    back = queries.compare_listeners(carol, handle=alice.share_handle, limit=50)
    assert {row["spotify_id"]: row for row in back["tracks"]}[track.spotify_id]["name"] == (
        track.name
    )
