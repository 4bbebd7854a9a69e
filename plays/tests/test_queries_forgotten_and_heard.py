"""forgotten_favorites and heard_before agree with plain Python over the fixture history; names
match ignoring case, accents and "feat." / "(Remastered ...)" / "- Live" endings, by the
strictest rule that finds something, and only among the listener's own plays."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from plays import queries
from plays.ingest import ingest_plays
from plays.queries import QueryError, Window
from plays.records import PlayRecord
from plays.tests.query_fixtures import catalogue, in_window, two_listeners

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def expected_forgotten(plays, window, quiet_days, key):
    cutoff = timezone.now() - timedelta(days=quiet_days)
    last = {}
    for play in in_window(plays):
        if play.kind == "track":
            last[key(play)] = max(last.get(key(play), play.at), play.at)
    quiet = {k for k, at in last.items() if at < cutoff}
    then = {}
    for play in in_window(plays, window.start, window.end):
        if play.kind == "track" and key(play) in quiet:
            then[key(play)] = then.get(key(play), 0) + 1
    return then, last


@pytest.mark.parametrize("quiet_days", [300, 365, 500, 2000])
@pytest.mark.parametrize(
    "window",
    [Window(), Window(datetime(2019, 1, 1, tzinfo=UTC), datetime(2022, 6, 30, 13, tzinfo=UTC))],
    ids=["all time", "then"],
)
def test_forgotten_favourites_are_the_most_played_then_and_silent_since(quiet_days, window):
    alice, plays, _, _ = two_listeners()
    answer = queries.forgotten_favorites(alice, window, quiet_days=quiet_days, limit=100)
    artists, last_artist = expected_forgotten(plays, window, quiet_days, lambda p: p.artist)
    assert {row["name"]: row["plays"] for row in answer["artists"]} == artists
    assert answer["forgotten_artists"] == len(artists)
    for row in answer["artists"]:
        assert row["last_play"] == last_artist[row["name"]].astimezone(PARIS).isoformat()
    tracks, last_track = expected_forgotten(plays, window, quiet_days, lambda p: p.item)
    found = {row["spotify_id"]: row["plays"] for row in answer["tracks"]}
    assert found == {track.spotify_id: n for track, n in tracks.items()}
    assert answer["forgotten_tracks"] == len(tracks)
    by_id = {track.spotify_id: at for track, at in last_track.items()}
    for row in answer["tracks"]:
        assert row["last_play"] == by_id[row["spotify_id"]].astimezone(PARIS).isoformat()
        assert row["days_quiet"] >= quiet_days
    plays_in_order = [row["plays"] for row in answer["tracks"]]
    assert plays_in_order == sorted(plays_in_order, reverse=True)


def test_a_favourite_played_again_recently_is_not_forgotten():
    alice, _, _, _ = two_listeners()
    before = queries.forgotten_favorites(alice, quiet_days=365)
    favourite = before["tracks"][0]
    track = next(t for t in catalogue("a")[0] if t.spotify_id == favourite["spotify_id"])
    record = PlayRecord(
        played_at=timezone.now() - timedelta(days=3),
        source="extended",
        kind="track",
        item_name=track.name,
        item_uri=track.uri,
        artist_names=track.artists,
        album_name=track.album,
        duration_ms=track.duration_ms,
        ms_played=90_000,
    )
    ingest_plays(alice, [record])
    after = queries.forgotten_favorites(alice, quiet_days=365)
    assert favourite["spotify_id"] not in {row["spotify_id"] for row in after["tracks"]}
    assert track.artists[0] not in {row["name"] for row in after["artists"]}


def test_forgotten_favourites_refuse_a_bad_quiet_days(listener):
    with pytest.raises(QueryError, match="'quiet_days' must be a whole number from 1 to 36600"):
        queries.forgotten_favorites(listener, quiet_days=0)


def counted_of(plays, keep):
    chosen = [p for p in in_window(plays) if keep(p)]
    if not chosen:
        return 0, None, None
    first, last = min(p.at for p in chosen), max(p.at for p in chosen)
    return len(chosen), first.astimezone(PARIS).isoformat(), last.astimezone(PARIS).isoformat()


def store_track(listener, name, artist, uri, when, ms=120_000):
    record = PlayRecord(
        played_at=when,
        source="extended",
        kind="track",
        item_name=name,
        item_uri=uri,
        artist_names=(artist,),
        album_name=f"{artist} Extras",
        duration_ms=200_000,
        ms_played=ms,
    )
    assert ingest_plays(listener, [record]).inserted == 1


def test_heard_before_answers_in_the_order_asked_with_the_rule_that_matched():
    alice, plays, bob, _ = two_listeners()
    tracks, episodes = catalogue("a")
    intro_cold = tracks[8]  # "Intro" by Cold Rivers
    song = tracks[6]  # "Björk Song 2"
    entries = [
        {"artist": "cold rivers"},
        {"artist": "Bjork Tribute"},
        {"artist": "AENIMA COLLECTIVE"},
        {"artist": "Cold Rivers", "track": "Intro (Remastered 2011)"},
        {"artist": "Björk Tribute feat. Somebody", "track": "Bjork Song 2 - Live at Wembley"},
        {"spotify_id": song.spotify_id},
        {"spotify_id": f"https://open.spotify.com/track/{intro_cold.spotify_id}?si=x"},
        {"spotify_id": episodes[0].uri},
        {"spotify_id": catalogue("b")[0][0].spotify_id},  # Bob's track: not Alice's
        {"artist": "Nobody"},
        {"artist": "Cold Rivers", "track": "A Song They Never Made"},
    ]
    answer = queries.heard_before(alice, entries)
    rows = answer["entries"]
    assert [row["index"] for row in rows] == list(range(len(entries)))
    assert [row["match"] for row in rows] == [
        "exact",
        "accents",
        "accents",
        "suffixes",
        "suffixes",
        "spotify_id",
        "spotify_id",
        "spotify_id",
        None,
        None,
        None,
    ]
    assert [row["heard"] for row in rows] == [True] * 8 + [False] * 3
    assert answer["heard"] == 8 and answer["asked"] == 11
    by_artist = {
        0: "Cold Rivers",
        1: "Björk Tribute",
        2: "Ænima Collective",
    }
    for index, name in by_artist.items():
        assert rows[index]["name"] == name and rows[index]["kind"] == "artist"
        assert (rows[index]["plays"], rows[index]["first_play"], rows[index]["last_play"]) == (
            counted_of(plays, lambda p, name=name: p.artist == name)
        )
    for index, track in ((3, intro_cold), (4, song), (5, song), (6, intro_cold)):
        assert rows[index]["kind"] == "track" and rows[index]["name"] == track.name
        assert rows[index]["artists"] == list(track.artists)
        assert (rows[index]["plays"], rows[index]["first_play"], rows[index]["last_play"]) == (
            counted_of(plays, lambda p, track=track: p.item == track)
        )
    assert rows[7]["kind"] == "episode" and rows[7]["name"] == episodes[0].name
    assert rows[7]["plays"] == counted_of(plays, lambda p: p.item == episodes[0])[0]
    assert rows[8] == {**rows[9], "index": 8, "kind": None}
    assert rows[9]["plays"] == 0 and rows[9]["first_play"] is None
    # Bob asking for his own track hears it.
    assert queries.heard_before(bob, [entries[8]])["entries"][0]["heard"] is True


def test_the_strictest_rule_wins_and_rows_matching_equally_add_up(listener):
    when = datetime(2024, 5, 1, 12, tzinfo=UTC)
    store_track(listener, "Dawn", "Moon Unit", "spotify:track:" + "M" * 22, when)
    store_track(
        listener, "Dawn - Live", "Moon Unit", "spotify:track:" + "N" * 22, when + timedelta(hours=1)
    )
    store_track(
        listener,
        "Dawn (Remastered 2011)",
        "Moon Unit",
        "spotify:track:" + "P" * 22,
        when + timedelta(hours=2),
    )
    store_track(
        listener,
        "Dawn",
        "Moon Unit",
        "spotify:track:" + "Q" * 22,
        when + timedelta(hours=3),
        ms=5_000,
    )
    exact, suffixed = queries.heard_before(
        listener,
        [{"artist": "moon unit", "track": "DAWN"}, {"artist": "Moon Unit", "track": "Dawn (Live)"}],
    )["entries"]
    # "Dawn" names the plain track only (its 5-second play doesn't count).
    assert (exact["match"], exact["plays"], exact["matched_rows"]) == ("exact", 1, 1)
    assert exact["first_play"] == exact["last_play"] == when.isoformat()
    # "Dawn (Live)" matches nothing exactly: all three versions under the suffix rule.
    assert (suffixed["match"], suffixed["plays"], suffixed["matched_rows"]) == ("suffixes", 3, 3)
    assert suffixed["last_play"] == (when + timedelta(hours=2)).isoformat()


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([], "'entries' must be a list of 1 to 100 entries."),
        ([{"artist": "a"}] * 101, "'entries' must be a list of 1 to 100 entries."),
        (["Cold Rivers"], "Entry 0 of 'entries' must be an object."),
        ([{"artist": "a"}, {"spotify_id": "x", "artist": "a"}], "Entry 1 of 'entries' needs"),
        ([{"track": "Intro"}], "Entry 0 of 'entries' needs either"),
        ([{"artist": "  "}], "Entry 0's 'artist' must be text"),
        ([{"artist": "a", "album": "b"}], "Entry 0 of 'entries' takes only"),
    ],
)
def test_heard_before_refuses_bad_entries_without_repeating_them(listener, entries, message):
    with pytest.raises(QueryError) as refused:
        queries.heard_before(listener, entries)
    assert str(refused.value).startswith(message)
    assert "Cold Rivers" not in str(refused.value)


def test_every_entry_of_a_hundred_is_answered():
    alice, plays, _, _ = two_listeners()
    names = sorted({p.artist for p in plays if p.artist})
    entries = [{"artist": names[i % len(names)].upper()} for i in range(100)]
    rows = queries.heard_before(alice, entries)["entries"]
    assert len(rows) == 100 and all(row["heard"] for row in rows)
    assert [row["name"] for row in rows] == [names[i % len(names)] for i in range(100)]
