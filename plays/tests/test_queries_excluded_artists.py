"""With an artist hidden, every query leaves out the plays of every track crediting that artist
(first or featured), and agrees with counts made in plain Python over the rest of the fixture
history; the export still holds every play."""

import itertools
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plays import queries
from plays.excluding import ExclusionRefused, find_artists, hide_artist, show_artist
from plays.ingest import ingest_plays
from plays.models import Artist, Item, ItemArtist
from plays.queries import QueryError, Window
from plays.records import PlayRecord
from plays.tests.query_fixtures import (
    MIN_PLAY_MS,
    Track,
    in_window,
    minutes,
    totals_by,
    two_listeners,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
HIDDEN = "Cold Rivers"  # first artist of four tracks, featured on one of Björk Tribute's
WINDOWS = {
    "all time": Window(),
    "2024 in Paris": Window.parse("2024", "2024", tz=PARIS),
    "ragged": Window(
        datetime(2020, 6, 3, 10, 11, tzinfo=UTC), datetime(2023, 2, 9, 17, 45, tzinfo=UTC)
    ),
}


def _hidden(play):
    return isinstance(play.item, Track) and HIDDEN in play.item.artists


@pytest.fixture
def alice_hiding():
    """Alice hides Cold Rivers; (alice, her plays left in the answers, all her plays)."""
    alice, plays, _bob, _ = two_listeners()
    hide_artist(alice, Artist.objects.get(name=HIDDEN).pk)
    kept = [p for p in plays if not _hidden(p)]
    assert len(kept) < len(plays)
    assert any(_hidden(p) and p.artist != HIDDEN for p in plays), "a featured credit is hidden"
    return alice, kept, plays


@pytest.mark.parametrize("window_name", list(WINDOWS))
def test_top_lists_leave_out_the_hidden_artists_tracks(alice_hiding, window_name):
    alice, kept, _ = alice_hiding
    window = WINDOWS[window_name]
    tracks = [p for p in in_window(kept, window.start, window.end) if p.kind == "track"]
    artists = queries.top_artists(alice, window=window, limit=100)["items"]
    assert {(a["name"], a["plays"], a["minutes"]) for a in artists} == {
        (name, count, minutes(ms))
        for name, (count, ms) in totals_by(tracks, lambda p: p.artist).items()
    }
    assert HIDDEN not in {a["name"] for a in artists}
    found = queries.top_tracks(alice, window=window, limit=100, by="time")["items"]
    assert {(t["spotify_id"], t["plays"], t["minutes"]) for t in found} == {
        (item.spotify_id, count, minutes(ms))
        for item, (count, ms) in totals_by(tracks, lambda p: p.item).items()
    }
    albums = queries.top_albums(alice, window=window, limit=100)["items"]
    assert {(a["name"], a["plays"]) for a in albums} == {
        (album, count) for album, (count, _) in totals_by(tracks, lambda p: p.item.album).items()
    }


@pytest.mark.parametrize("window_name", list(WINDOWS))
def test_the_summary_adds_up_without_the_hidden_plays(alice_hiding, window_name):
    alice, kept, _ = alice_hiding
    window = WINDOWS[window_name]
    counted = in_window(kept, window.start, window.end)
    stored = in_window(kept, window.start, window.end, counted=False)
    tracks = [p for p in counted if p.kind == "track"]
    answer = queries.listening_summary(alice, window=window, tz=PARIS)
    assert answer["plays"] == len(counted)
    assert answer["minutes"] == minutes(sum(p.ms for p in counted))
    assert answer["track_plays"] == len(tracks)
    assert answer["unique_tracks"] == len({p.item for p in tracks})
    assert answer["unique_artists"] == len({p.artist for p in tracks})
    assert answer["first_play"] == min(p.at for p in counted).astimezone(PARIS).isoformat()
    assert answer["last_play"] == max(p.at for p in counted).astimezone(PARIS).isoformat()
    short_or_skipped = [
        p for p in stored if p.skipped or (p.ms_played is not None and p.ms_played < MIN_PLAY_MS)
    ]
    assert answer["skipped_share"] == round(len(short_or_skipped) / len(stored), 4)
    hours = Counter(p.at.astimezone(PARIS).hour for p in counted)
    assert answer["peak_hour"]["plays"] == max(hours.values())


@pytest.mark.parametrize("zone", ["Europe/Paris", "Asia/Kathmandu"])
@pytest.mark.parametrize("window_name", list(WINDOWS))
def test_the_timeline_and_heatmap_take_the_hidden_plays_out_of_every_hour(
    alice_hiding, zone, window_name
):
    alice, kept, _ = alice_hiding
    tz, window = ZoneInfo(zone), WINDOWS[window_name]
    counted = in_window(kept, window.start, window.end)
    expected = defaultdict(lambda: [0, 0])
    for play in counted:
        day = expected[play.at.astimezone(tz).date()]
        day[0] += 1
        day[1] += play.ms
    answer = queries.listening_timeline(alice, window=window, granularity="day", tz=tz)
    assert {
        date.fromisoformat(b["start"]): (b["plays"], b["minutes"])
        for b in answer["buckets"]
        if b["plays"]
    } == {day: (count, minutes(ms)) for day, (count, ms) in expected.items()}
    heat = queries.listening_heatmap(alice, window=window, tz=tz)
    cells = Counter((p.at.astimezone(tz).isoweekday(), p.at.astimezone(tz).hour) for p in counted)
    assert heat["cells"] == [[cells[(wd, hr)] for hr in range(24)] for wd in range(1, 8)]


@pytest.mark.parametrize("window_name", list(WINDOWS))
def test_discoveries_count_firsts_among_the_plays_left(alice_hiding, window_name):
    alice, kept, _ = alice_hiding
    window = WINDOWS[window_name]
    answer = queries.discoveries(alice, window=window, limit=100, tz=UTC)
    firsts = {}
    for play in sorted((p for p in kept if p.counted and p.kind == "track"), key=lambda p: p.at):
        firsts.setdefault(play.artist, play.at)
    new_artists = {artist for artist, first in firsts.items() if window.contains(first)}
    assert {a["name"] for a in answer["artists"]} == new_artists
    assert answer["new_artists"] == len(new_artists)
    assert all(HIDDEN not in t["artists"] for t in answer["tracks"])


def test_compare_periods_totals_leave_out_the_hidden_plays(alice_hiding):
    alice, kept, _ = alice_hiding
    first, second = WINDOWS["ragged"], WINDOWS["2024 in Paris"]
    answer = queries.compare_periods(alice, first=first, second=second, limit=50, tz=PARIS)
    for side, window in (("first", first), ("second", second)):
        counted = in_window(kept, window.start, window.end)
        assert answer[side]["plays"] == len(counted)
        assert answer[side]["minutes"] == minutes(sum(p.ms for p in counted))
    names = {row["name"] for kind in ("grew", "faded") for row in answer["artists"][kind]}
    assert HIDDEN not in names


def test_recent_plays_search_and_item_history_never_show_the_hidden_tracks(alice_hiding):
    alice, kept, plays = alice_hiding
    recent = queries.recent_plays(alice, limit=200)["items"]
    newest = sorted((p for p in kept if p.counted), key=lambda p: p.at, reverse=True)[:200]
    assert [r["played_at"] for r in recent] == [p.at.astimezone(PARIS).isoformat() for p in newest]
    found = queries.search_history(alice, query="cold", limit=50)
    assert found["artists"] == [] and found["tracks"] == []
    with pytest.raises(QueryError) as refused:
        queries.item_history(alice, item=HIDDEN)
    assert "The plays of the 1 artist the listener hides are left out." in str(refused.value)
    featured = next(p.item for p in plays if _hidden(p) and p.artist != HIDDEN)
    with pytest.raises(QueryError):
        queries.item_history(alice, item=featured.spotify_id)
    host = queries.item_history(alice, item=featured.artists[0], kind="artist")
    assert host["plays"] == sum(1 for p in kept if p.counted and p.artist == featured.artists[0]), (
        "the host artist keeps the plays of their other tracks"
    )


def test_coverage_and_its_gaps_count_only_the_plays_left(alice_hiding):
    alice, kept, _ = alice_hiding
    status = queries.sync_status(alice)
    assert status["plays"] == len(kept)
    for row in status["coverage"]:
        mine = [p.at for p in kept if p.source == row["source"]]
        assert row["plays"] == len(mine)
        if mine:
            assert row["first_play"] == min(mine).astimezone(PARIS).isoformat()
            assert row["last_play"] == max(mine).astimezone(PARIS).isoformat()
    assert status["excluded_artists"] == 1
    times = sorted(p.at for p in kept)
    expected = [
        (before, after)
        for before, after in itertools.pairwise(times)
        if after - before >= timedelta(days=14)
    ]
    gaps = queries.coverage_gaps(alice, min_gap_days=14, tz=UTC)
    assert [(g["start"], g["end"]) for g in gaps["gaps"]] == [
        (before.isoformat(), after.isoformat()) for before, after in expected
    ]


def test_the_operators_count_of_stored_rows_and_the_export_keep_every_play(alice_hiding):
    alice, _, plays = alice_hiding
    assert queries.coverage(alice)["plays"] == len(plays)
    assert queries.count_plays(alice) == len(plays)
    assert sum(1 for _ in queries.exported_plays(alice)) == len(plays)


def test_the_count_is_said_and_showing_the_artist_again_brings_every_play_back(alice_hiding):
    alice, _, plays = alice_hiding
    assert queries.excluded_artists(alice) == 1
    artist = Artist.objects.get(name=HIDDEN)
    assert show_artist(alice, artist.pk) == HIDDEN
    assert queries.excluded_artists(alice) == 0
    assert queries.listening_summary(alice)["plays"] == sum(1 for p in plays if p.counted)


def test_another_listeners_answers_are_untouched():
    alice, _, bob, bob_plays = two_listeners()
    hide_artist(alice, Artist.objects.get(name=HIDDEN).pk)
    assert queries.excluded_artists(bob) == 0
    assert queries.listening_summary(bob)["plays"] == sum(1 for p in bob_plays if p.counted)


def test_only_an_artist_of_ones_own_history_can_be_hidden_or_found():
    alice, _, _, _ = two_listeners()
    stranger = Artist.objects.create(key="local:artist:stranger", name="Stranger Things Band")
    with pytest.raises(ExclusionRefused):
        hide_artist(alice, stranger.pk)
    assert find_artists(alice, "stranger") == []
    assert [a["name"] for a in find_artists(alice, "cold")] == [HIDDEN]
    hide_artist(alice, Artist.objects.get(name=HIDDEN).pk)
    assert find_artists(alice, "cold") == [], "an artist already hidden is not offered again"
    with pytest.raises(ExclusionRefused):
        find_artists(alice, "c")


def _heat_counts(plays, tz):
    cells = Counter((p.at.astimezone(tz).isoweekday(), p.at.astimezone(tz).hour) for p in plays)
    return [[cells[(wd, hr)] for hr in range(24)] for wd in range(1, 8)]


def test_a_track_credited_to_the_hidden_artist_later_is_hidden_from_then_on(alice_hiding):
    alice, kept, _ = alice_hiding
    # Spotify's names now credit Cold Rivers on one of Echo Lane's tracks too.
    track = next(p.item for p in kept if p.artist == "Echo Lane" and len(p.item.artists) == 1)
    item = Item.objects.get(spotify_id=track.spotify_id, private_to__isnull=True)
    ItemArtist.objects.create(item=item, artist=Artist.objects.get(name=HIDDEN), position=1)
    left = [p for p in kept if p.item != track]
    heat = queries.listening_heatmap(alice, tz=PARIS)
    assert heat["cells"] == _heat_counts([p for p in left if p.counted], PARIS)
    assert queries.sync_status(alice)["plays"] == len(left)


def test_a_new_play_of_a_hidden_track_stays_out(alice_hiding):
    alice, kept, plays = alice_hiding
    hidden = next(p for p in plays if _hidden(p))
    again = datetime(2025, 12, 30, 20, 0, tzinfo=UTC)
    ingest_plays(
        alice,
        [
            PlayRecord(
                played_at=again,
                source="extended",
                kind="track",
                item_name=hidden.item.name,
                item_uri=hidden.item.uri,
                artist_names=hidden.item.artists,
                album_name=hidden.item.album,
                duration_ms=hidden.item.duration_ms,
                ms_played=100_000,
            )
        ],
    )
    heat = queries.listening_heatmap(alice, tz=PARIS)
    assert heat["cells"] == _heat_counts([p for p in kept if p.counted], PARIS)
    assert queries.history_coverage(alice)["plays"] == len(kept)
