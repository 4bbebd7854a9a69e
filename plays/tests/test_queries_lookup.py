"""recent_plays, search_history, item_history and podcasts agree with the fixture history."""

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from plays import queries
from plays.queries import QueryError, Window
from plays.tests.query_fixtures import in_window, minutes, totals_by, two_listeners

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def test_recent_plays_are_the_newest_counted_plays_first():
    alice, plays, _, _ = two_listeners()
    answer = queries.recent_plays(alice, limit=25, tz=NEW_YORK)
    newest = sorted((p for p in plays if p.counted), key=lambda p: p.at, reverse=True)[:25]
    assert [i["played_at"] for i in answer["items"]] == [
        p.at.astimezone(NEW_YORK).isoformat() for p in newest
    ]
    assert [(i["track"], i["source"], i["ms_played"]) for i in answer["items"]] == [
        (p.item.name, p.source, p.ms_played) for p in newest
    ]
    for item, play in zip(answer["items"], newest, strict=True):
        if play.kind == "track":
            assert (tuple(item["artists"]), item["album"]) == (play.item.artists, play.item.album)
        else:
            assert item["show"] == play.item.show


def test_recent_plays_in_a_window_end_at_its_end():
    alice, plays, _, _ = two_listeners()
    window = Window.parse(end="2022-06-30", days=30, tz=UTC)
    answer = queries.recent_plays(alice, limit=200, window=window)
    assert answer["count"] == len(in_window(plays, window.start, window.end))


def test_search_finds_tracks_artists_albums_and_shows_by_part_of_the_name():
    alice, plays, _, _ = two_listeners()
    counted = [p for p in plays if p.counted]
    answer = queries.search_history(alice, query="SONG 2", limit=50)
    expected = totals_by(counted, lambda p: p.item if "song 2" in p.item.name.lower() else None)
    assert {(t["spotify_id"], t["plays"], t["minutes"]) for t in answer["tracks"]} == {
        (track.spotify_id, count, minutes(ms)) for track, (count, ms) in expected.items()
    }
    for track in answer["tracks"]:
        times = [p.at for p in counted if p.item.spotify_id == track["spotify_id"]]
        assert track["first_play"] == min(times).astimezone(ZoneInfo("Europe/Paris")).isoformat()
        assert track["last_play"] == max(times).astimezone(ZoneInfo("Europe/Paris")).isoformat()

    artists = queries.search_history(alice, query="rivers")["artists"]
    tracks = [p for p in counted if p.kind == "track"]
    assert [(a["name"], a["plays"]) for a in artists] == [
        ("Cold Rivers", sum(1 for p in tracks if p.artist == "Cold Rivers"))
    ]
    albums = queries.search_history(alice, query="album 1", limit=50)["albums"]
    assert {(a["name"], a["plays"]) for a in albums} == {
        (album, count)
        for album, (count, _) in totals_by(
            tracks, lambda p: p.item.album if p.item.album.endswith("Album 1") else None
        ).items()
    }
    shows = queries.search_history(alice, query="long b")["shows"]
    assert [(s["name"], s["kind"], s["plays"]) for s in shows] == [
        ("Long Book", "audiobook", sum(1 for p in counted if p.kind == "chapter"))
    ]


def test_search_in_a_window_counts_only_that_window():
    alice, plays, _, _ = two_listeners()
    window = Window(datetime(2021, 5, 5, 5, 5, tzinfo=UTC), datetime(2022, 8, 8, tzinfo=UTC))
    answer = queries.search_history(alice, query="intro", window=window)
    expected = Counter(
        p.item.spotify_id
        for p in in_window(plays, window.start, window.end)
        if p.item.name == "Intro"
    )
    assert {t["spotify_id"]: t["plays"] for t in answer["tracks"]} == dict(expected)


def test_search_needs_two_characters():
    alice, _, _, _ = two_listeners()
    with pytest.raises(QueryError, match="at least two characters"):
        queries.search_history(alice, query=" a ")


def test_search_refuses_a_nul_character_in_a_sentence():
    # PostgreSQL refuses NUL in a text parameter: asked, it raised DataError (a 500).
    alice, _, _, _ = two_listeners()
    with pytest.raises(QueryError, match="must not contain NUL characters"):
        queries.search_history(alice, query="Int\x00ro")


def test_item_history_of_a_track_by_name_id_uri_and_link():
    alice, plays, _, _ = two_listeners()
    counted = [p for p in plays if p.counted]
    track = Counter(p.item for p in counted if p.kind == "track").most_common(1)[0][0]
    mine = [p for p in counted if p.item == track]
    expected_years = Counter(p.at.astimezone(NEW_YORK).year for p in mine)
    for name in (
        track.name,
        track.spotify_id,
        track.uri,
        f"https://open.spotify.com/intl-fr/track/{track.spotify_id}?si=abc",
    ):
        answer = queries.item_history(alice, item=name, tz=NEW_YORK)
        assert (answer["kind"], answer["spotify_id"], answer["plays"]) == (
            "track",
            track.spotify_id,
            len(mine),
        )
        assert answer["artists"] == list(track.artists)
        assert answer["minutes"] == minutes(sum(p.ms for p in mine))
        assert answer["first_play"] == min(p.at for p in mine).astimezone(NEW_YORK).isoformat()
        assert answer["last_play"] == max(p.at for p in mine).astimezone(NEW_YORK).isoformat()
        assert {y["year"]: y["plays"] for y in answer["per_year"]} == dict(expected_years)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"])
def test_item_history_of_an_artist_counts_plays_per_local_year(zone):
    alice, plays, _, _ = two_listeners()
    tz = ZoneInfo(zone)
    mine = [p for p in plays if p.counted and p.artist == "Ænima Collective"]
    # Case-insensitive (SQLite folds the case of ASCII letters only).
    answer = queries.item_history(alice, item="Ænima COLLECTIVE", kind="artist", tz=tz)
    assert (answer["kind"], answer["name"], answer["plays"]) == (
        "artist",
        "Ænima Collective",
        len(mine),
    )
    expected = {}
    for play in mine:
        year = play.at.astimezone(tz).year
        count, ms = expected.get(year, (0, 0))
        expected[year] = (count + 1, ms + play.ms)
    assert {y["year"]: (y["plays"], y["minutes"]) for y in answer["per_year"]} == {
        year: (count, minutes(ms)) for year, (count, ms) in expected.items()
    }


def test_an_ambiguous_name_picks_the_most_played_and_lists_the_others():
    alice, plays, _, _ = two_listeners()
    intros = Counter(p.item for p in plays if p.counted and p.item.name == "Intro")
    answer = queries.item_history(alice, item="Intro")
    assert answer["plays"] == max(intros.values())
    assert {(m["name"], m["plays"]) for m in answer["other_matches"]} <= {
        ("Intro", count) for count in intros.values()
    }
    assert len(answer["other_matches"]) == len(intros) - 1
    album = queries.item_history(alice, item="Cold Rivers Album 0", kind="album")
    assert album["artists"] == ["Cold Rivers"]
    assert album["plays"] == sum(
        1
        for p in plays
        if p.counted and p.kind == "track" and p.item.album == "Cold Rivers Album 0"
    )


def test_item_history_says_how_to_find_what_it_cannot():
    alice, _, _, _ = two_listeners()
    with pytest.raises(QueryError, match="try search_history"):
        queries.item_history(alice, item="No Such Song Anywhere")
    with pytest.raises(QueryError, match="'kind' must be one of"):
        queries.item_history(alice, item="Intro", kind="playlist")


@pytest.mark.parametrize(
    "window",
    [Window(), Window(datetime(2020, 2, 2, 2, 2, tzinfo=UTC), datetime(2024, 4, 4, tzinfo=UTC))],
)
def test_podcasts_rank_shows_and_episodes_by_minutes(window):
    alice, plays, _, _ = two_listeners()
    spoken = [p for p in in_window(plays, window.start, window.end) if p.kind != "track"]
    answer = queries.podcasts(alice, window=window, limit=100)
    assert answer["plays"] == len(spoken)
    assert answer["minutes"] == minutes(sum(p.ms for p in spoken))
    shows = totals_by(spoken, lambda p: (p.item.show, p.item.show_kind))
    assert {(s["name"], s["kind"], s["plays"], s["minutes"]) for s in answer["shows"]} == {
        (name, kind, count, minutes(ms)) for (name, kind), (count, ms) in shows.items()
    }
    episodes = totals_by(spoken, lambda p: p.item)
    assert {(e["spotify_id"], e["show"], e["kind"], e["plays"]) for e in answer["episodes"]} == {
        (e.spotify_id, e.show, e.kind, count) for e, (count, _) in episodes.items()
    }
    ranked = [e["minutes"] for e in answer["episodes"]]
    assert ranked == sorted(ranked, reverse=True)
