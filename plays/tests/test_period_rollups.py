"""PeriodTotal (per artist, album and track in each UTC week, month and year) stays equal to counts
made in plain Python from the plays: after the first build, after a poll-like insert near a local
month's boundary, and with an artist hidden; and the ranks read from it move the plays near
non-UTC boundaries into the listener's local periods."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Listener
from plays import queries
from plays.excluding import hide_artist
from plays.ingest import ingest_plays
from plays.models import Artist, Item, PeriodTotal, Play
from plays.records import PlayRecord
from plays.rollups import ensure_fresh
from plays.tests.query_fixtures import two_listeners

pytestmark = pytest.mark.django_db

KATHMANDU = ZoneInfo("Asia/Kathmandu")  # UTC+5:45: local months start 5 h 45 min before UTC's


def _period(day, unit):
    if unit == "w":
        return day - timedelta(days=day.weekday())
    if unit == "m":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _truth(listener, hidden_names=()):
    """{(kind, unit, period, key): counted plays of tracks} from the plays, in UTC periods."""
    counts = Counter()
    plays = Play.objects.filter(listener=listener, item__kind="track").select_related("item")
    for play in plays:
        if play.ms_played is not None and play.ms_played < 30_000:
            continue
        credited = set(play.item.artists.values_list("name", flat=True))
        if credited & set(hidden_names):
            continue
        day = play.played_at.astimezone(UTC).date()
        for kind, key in (
            ("track", play.item_id),
            ("artist", play.item.primary_artist_id),
            ("album", play.item.album_id),
        ):
            if key is not None:
                for unit in "wmy":
                    counts[(kind, unit, _period(day, unit), key)] += 1
    return dict(counts)


def _stored(listener):
    return {
        (row.kind, row.unit, row.period, row.key): row.plays
        for row in PeriodTotal.objects.filter(listener=listener)
    }


def _track(name, artist, at, ms=90_000):
    return PlayRecord(
        played_at=at,
        source="api",
        kind="track",
        item_name=name,
        item_uri=f"spotify:track:{(name.replace(' ', '') + 'z' * 22)[:22]}",
        artist_names=(artist,),
        album_name=f"{artist} Singles",
        duration_ms=200_000,
        ms_played=ms,
    )


def test_the_built_rows_are_the_counts_of_the_plays():
    alice, _, bob, _ = two_listeners()
    for listener in (alice, bob):
        ensure_fresh(listener)
        truth = _truth(listener)
        assert {k[:2] for k in truth} == {
            (kind, u) for kind in ("track", "artist", "album") for u in "wmy"
        }
        assert _stored(listener) == truth


def test_a_poll_like_insert_near_a_boundary_is_counted_at_once():
    alice, _, _, _ = two_listeners()
    ensure_fresh(alice)
    # 23:00 UTC on 31 January is February in Kathmandu: five plays of a new artist there.
    late = datetime(2024, 1, 31, 23, 0, tzinfo=UTC)
    ingest_plays(
        alice,
        [_track("Night Bus", "Sliver Band", late + timedelta(minutes=i * 4)) for i in range(5)],
    )
    ingest_plays(alice, [_track("Short One", "Sliver Band", late, ms=1_000)])  # too short to count
    assert _stored(alice) != _truth(alice)  # not rebuilt until a query asks
    answer = queries.rank_history(alice, "artist", "Sliver Band", tz=KATHMANDU)
    assert _stored(alice) == _truth(alice)
    plays = {row["period"]: row["plays"] for row in answer["periods"]}
    assert plays["2024-02"] == 5 and plays["2024-01"] == 0
    by_month_utc = {
        row["period"]: row["plays"]
        for row in queries.rank_history(alice, "artist", "Sliver Band", tz=UTC)["periods"]
    }
    assert by_month_utc["2024-01"] == 5 and by_month_utc.get("2024-02", 0) == 0


def test_a_sliver_can_make_a_number_one_and_ties_share_it():
    carol = Listener.objects.create(spotify_user_id="carol", time_zone="Asia/Kathmandu")
    feb = datetime(2024, 2, 10, 12, 0, tzinfo=UTC)
    records = [_track("Steady", "Steady Artist", feb + timedelta(hours=i)) for i in range(3)]
    # Three plays at 20:00-22:00 UTC on 31 January: in UTC they are January's; in Kathmandu
    # (after 01:45 on 1 February) they tie Steady Artist for February's number one.
    edge = datetime(2024, 1, 31, 20, 0, tzinfo=UTC)
    records += [_track("Edge", "Edge Artist", edge + timedelta(hours=i)) for i in range(3)]
    records += [_track("Early", "Early Artist", datetime(2024, 1, 5, 12, tzinfo=UTC))]
    ingest_plays(carol, records)
    months = queries.number_ones(carol, "artist", tz=KATHMANDU)["periods"]
    assert [(r["period"], r["name"], r["plays"], r["tied_with"]) for r in months] == [
        ("2024-01", "Early Artist", 1, []),
        ("2024-02", "Edge Artist", 3, ["Steady Artist"]),
    ]
    utc = queries.number_ones(carol, "artist", tz=UTC)["periods"]
    assert [(r["period"], r["name"], r["plays"]) for r in utc] == [
        ("2024-01", "Edge Artist", 3),
        ("2024-02", "Steady Artist", 3),
    ]
    ranks = queries.rank_history(carol, "artist", "Steady Artist", tz=KATHMANDU)["periods"]
    assert [(r["period"], r["rank"], r["tied"], r["ranked"]) for r in ranks] == [
        ("2024-01", None, 0, 1),
        ("2024-02", 1, 1, 2),
    ]
    weeks = queries.number_ones(carol, "track", granularity="week", tz=KATHMANDU)["periods"]
    # 31 January 2024 is a Wednesday: the edge plays stay in the week of 29 January either way.
    assert ("2024-01-29", "Edge", 3) in [(r["period"], r["name"], r["plays"]) for r in weeks]


def test_hidden_artists_are_left_out_of_the_rows_and_the_ranks():
    alice, _, _, _ = two_listeners()
    ensure_fresh(alice)
    hidden = Artist.objects.get(name="Cold Rivers")
    hidden_items = set(Item.objects.filter(artists=hidden).values_list("pk", flat=True))
    hide_artist(alice, hidden.pk)
    answer = queries.number_ones(alice, "artist", tz=KATHMANDU)
    local = {}  # {local month: Counter(artist: counted plays)} without the hidden artist's tracks
    for play in Play.objects.filter(listener=alice, item__kind="track").select_related("item"):
        if play.item_id in hidden_items or (play.ms_played is not None and play.ms_played < 30_000):
            continue
        month = play.played_at.astimezone(KATHMANDU).date().replace(day=1)
        local.setdefault(month, Counter())[play.item.primary_artist.name] += 1
    expected = []
    for month in sorted(local):
        most = max(local[month].values())
        tied = sorted(name for name, n in local[month].items() if n == most)
        expected.append((month.isoformat()[:7], tied[0], most, tied[1:]))
    assert [(r["period"], r["name"], r["plays"], r["tied_with"]) for r in answer["periods"]] == (
        expected
    )
    assert "Cold Rivers" not in {row["name"] for row in answer["periods"]}
    assert _stored(alice) == _truth(alice, hidden_names=("Cold Rivers",))
    keys = set(
        PeriodTotal.objects.filter(listener=alice, kind="track").values_list("key", flat=True)
    )
    assert keys and not keys & hidden_items
    assert not PeriodTotal.objects.filter(listener=alice, kind="artist", key=hidden.pk).exists()
