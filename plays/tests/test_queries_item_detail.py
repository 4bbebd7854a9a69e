"""item_detail (an artist's, track's, album's or show's page) agrees with the fixture history
counted in plain Python, and never shows a listener an item only someone else played."""

from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from plays import queries
from plays.models import Album, Artist, Item, Show
from plays.queries import QueryError
from plays.tests.query_fixtures import minutes, two_listeners

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def per_month(plays, tz):
    months = Counter(p.at.astimezone(tz).strftime("%Y-%m") for p in plays)
    return {month: count for month, count in months.items()}


def check_totals(answer, plays, tz=PARIS):
    assert answer["plays"] == len(plays)
    assert answer["minutes"] == minutes(sum(p.ms for p in plays))
    assert answer["first_play"] == min(p.at for p in plays).astimezone(tz).isoformat()
    assert answer["last_play"] == max(p.at for p in plays).astimezone(tz).isoformat()
    shown = {m["month"]: m["plays"] for m in answer["per_month"] if m["plays"]}
    assert shown == per_month(plays, tz)
    minutes_by_month = Counter()
    for p in plays:
        minutes_by_month[p.at.astimezone(tz).strftime("%Y-%m")] += p.ms
    assert {m["month"]: m["minutes"] for m in answer["per_month"] if m["plays"]} == {
        month: minutes(ms) for month, ms in minutes_by_month.items()
    }
    # Months run without holes from the first to the last.
    months = [m["month"] for m in answer["per_month"]]
    assert months == sorted(months) and len(months) == len(set(months))
    assert sum(m["plays"] for m in answer["per_month"]) == len(plays)
    assert sum(y["plays"] for y in answer["per_year"]) == len(plays)


@pytest.mark.parametrize("tz", [PARIS, ZoneInfo("America/New_York"), ZoneInfo("UTC")])
def test_an_artist_page_counts_their_tracks_and_lists_the_most_played(tz):
    alice, plays, _, _ = two_listeners()
    counted = [p for p in plays if p.counted and p.kind == "track"]
    artist = Artist.objects.get(name="Cold Rivers")
    answer = queries.item_detail(alice, kind="artist", item_id=artist.pk, tz=tz)
    mine = [p for p in counted if p.artist == "Cold Rivers"]
    check_totals(answer, mine, tz)
    tracks = Counter(p.item.spotify_id for p in mine)
    assert {c["spotify_id"]: c["plays"] for c in answer["contents"]} == dict(tracks)
    counts = [c["plays"] for c in answer["contents"]]
    assert counts == sorted(counts, reverse=True)
    assert all(c["kind"] == "track" and c["id"] for c in answer["contents"])
    assert answer["id"] == artist.pk and answer["kind"] == "artist"


def test_a_track_page_names_its_artists_with_their_ids_and_its_album():
    alice, plays, _, _ = two_listeners()
    track = next(p.item for p in plays if p.kind == "track" and len(p.item.artists) == 2)
    item = Item.objects.get(spotify_id=track.spotify_id)
    answer = queries.item_detail(alice, kind="track", item_id=item.pk, tz=PARIS)
    check_totals(answer, [p for p in plays if p.counted and p.item == track])
    assert [c["name"] for c in answer["credits"]] == list(track.artists)
    assert [c["id"] for c in answer["credits"]] == [
        Artist.objects.get(name=name).pk for name in track.artists
    ]
    assert answer["album"] == {"id": item.album_id, "name": track.album}
    assert answer["spotify_id"] == track.spotify_id and answer["contents"] == []


def test_an_album_page_adds_up_its_tracks_and_carries_the_cover_spotify_gave():
    alice, plays, _, _ = two_listeners()
    album = Album.objects.get(name="Echo Lane Album 0")
    Album.objects.filter(pk=album.pk).update(image_url="https://i.scdn.co/image/abc")
    answer = queries.item_detail(alice, kind="album", item_id=album.pk, tz=PARIS)
    check_totals(
        answer, [p for p in plays if p.counted and p.kind == "track" and p.item.album == album.name]
    )
    assert answer["image_url"] == "https://i.scdn.co/image/abc"
    assert answer["credits"] == [{"id": album.artist_id, "name": "Echo Lane"}]


def test_a_show_page_lists_its_episodes_and_an_episode_page_its_show():
    alice, plays, _, _ = two_listeners()
    show = Show.objects.get(name="Daily Talk")
    answer = queries.item_detail(alice, kind="show", item_id=show.pk, tz=PARIS)
    mine = [p for p in plays if p.counted and p.kind == "episode"]
    check_totals(answer, mine)
    assert {c["name"]: c["plays"] for c in answer["contents"]} == Counter(p.item.name for p in mine)
    episode = Item.objects.get(pk=answer["contents"][0]["id"])
    detail = queries.item_detail(alice, kind="episode", item_id=episode.pk, tz=PARIS)
    assert detail["show"] == {"id": show.pk, "name": "Daily Talk"}


def test_an_item_only_another_listener_played_is_not_found():
    alice, _, bob, bob_plays = two_listeners()
    theirs = Item.objects.get(spotify_id=bob_plays[0].item.spotify_id)
    with pytest.raises(QueryError, match="is in this listener's history"):
        queries.item_detail(
            alice, kind=theirs.kind if theirs.kind == "track" else "episode", item_id=theirs.pk
        )
    assert (
        queries.item_detail(
            bob, kind="track" if theirs.kind == "track" else "episode", item_id=theirs.pk
        )["plays"]
        > 0
    )


@pytest.mark.parametrize(
    "kind, item_id", [("playlist", 1), ("track", "1"), ("track", 10**9), ("artist", None)]
)
def test_an_unknown_kind_or_id_is_refused(kind, item_id):
    alice, _, _, _ = two_listeners()
    with pytest.raises(QueryError):
        queries.item_detail(alice, kind=kind, item_id=item_id)


def test_plays_near_the_turn_of_a_month_count_in_the_listeners_month():
    """Every track, in zones ahead of and behind UTC: the fixture's plays around midnight on
    the last day of a month (UTC) land in the month they fell in where the listener is."""
    alice, plays, _, _ = two_listeners()
    tracks = {p.item for p in plays if p.kind == "track" and p.counted}
    edge_tracks = {p.item for p in plays if p.kind == "track" and p.at.day in (1, 28, 29, 30, 31)}
    assert edge_tracks, "the fixture has plays near the turn of a month"
    for tz in (PARIS, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")):
        for track in tracks:
            item = Item.objects.get(spotify_id=track.spotify_id)
            answer = queries.item_detail(alice, kind="track", item_id=item.pk, tz=tz)
            check_totals(answer, [p for p in plays if p.counted and p.item == track], tz)
