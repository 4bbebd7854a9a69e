"""A question about one listener is answered from that listener's plays only."""

from zoneinfo import ZoneInfo

import pytest

from plays import queries
from plays.queries import QueryError, Window
from plays.tests.query_fixtures import two_listeners

pytestmark = pytest.mark.django_db


def _names(answer):
    return {item["name"] for item in answer["items"]}


def test_no_answer_about_alice_includes_bobs_plays():
    alice, alice_plays, _, bob_plays = two_listeners()
    bob_tracks = {p.item for p in bob_plays if p.kind == "track"}
    alice_counted = [p for p in alice_plays if p.counted]

    assert not _names(queries.top_tracks(alice, limit=100)) & {t.name for t in bob_tracks}
    assert sum(i["plays"] for i in queries.top_artists(alice, limit=100)["items"]) == sum(
        1 for p in alice_counted if p.kind == "track"
    )
    assert queries.listening_summary(alice)["plays"] == len(alice_counted)
    assert queries.listening_timeline(alice, granularity="year")["plays"] == len(alice_counted)
    assert queries.listening_heatmap(alice)["plays"] == len(alice_counted)
    assert queries.podcasts(alice)["plays"] == sum(1 for p in alice_counted if p.kind != "track")
    assert queries.sync_status(alice)["plays"] == len(alice_plays)
    assert sum(queries.plays_by_source(alice).values()) == len(alice_plays)
    assert all(
        t["name"] not in {b.name for b in bob_tracks}
        for t in queries.discoveries(alice, limit=100)["tracks"]
    )
    assert all(
        item["track"] not in {b.name for b in bob_tracks}
        for item in queries.recent_plays(alice, limit=200)["items"]
    )

    found = queries.search_history(alice, query="(b)")
    assert found["tracks"] == [] and found["albums"] == []
    bobs = next(iter(bob_tracks))
    with pytest.raises(QueryError, match="Nothing matching"):
        queries.item_history(alice, item=bobs.spotify_id)

    # The artists are shared: Bob's plays of them still don't count for Alice.
    artist = "Cold Rivers"
    assert queries.item_history(alice, item=artist, kind="artist")["plays"] == sum(
        1 for p in alice_counted if p.artist == artist
    )
    compared = queries.compare_periods(
        alice, first=Window.parse("2019", "2021", tz=ZoneInfo("Europe/Paris")), second=Window()
    )
    assert compared["second"]["plays"] == len(alice_counted)


def test_bob_gets_his_own_answers_too():
    _, alice_plays, bob, bob_plays = two_listeners()
    assert queries.listening_summary(bob)["plays"] == sum(1 for p in bob_plays if p.counted)
    assert not _names(queries.top_tracks(bob, limit=100)) & {p.item.name for p in alice_plays}
