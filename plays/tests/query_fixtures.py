"""A fixture history for the query tests, stored through the real insert path, and kept in Python.

`build_history(listener, seed)` makes a few hundred plays over seven years (several artists with
featured credits, albums, a podcast, an audiobook; short plays, skipped plays, plays from the API,
the extended export and the account-data export; plays around midnight and around the DST
changes of Europe/Paris and America/New_York), stores them with `plays.ingest.ingest_plays`, and
returns them as plain `FixturePlay`s, so each test can work out the right answer in plain Python
and compare it with what `plays.queries` says.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from plays.ingest import ingest_plays
from plays.records import PlayRecord

MIN_PLAY_MS = 30_000


@dataclass(frozen=True)
class Track:
    uri: str
    name: str
    artists: tuple[str, ...]
    album: str
    duration_ms: int

    @property
    def spotify_id(self):
        return self.uri.split(":")[-1]


@dataclass(frozen=True)
class Episode:
    uri: str
    name: str
    show: str
    kind: str  # "episode" or "chapter"
    show_kind: str  # "podcast" or "audiobook"
    duration_ms: int

    @property
    def spotify_id(self):
        return self.uri.split(":")[-1]


@dataclass(frozen=True)
class FixturePlay:
    at: datetime  # aware UTC, as stored
    item: Track | Episode
    source: str
    ms_played: int | None
    skipped: bool | None

    @property
    def kind(self):
        return "track" if isinstance(self.item, Track) else self.item.kind

    @property
    def counted(self):
        return self.ms_played is None or self.ms_played >= MIN_PLAY_MS

    @property
    def ms(self):
        return self.item.duration_ms if self.ms_played is None else self.ms_played

    @property
    def artist(self):
        return self.item.artists[0] if isinstance(self.item, Track) else None


def _id(prefix, number):
    return (prefix + f"{number:04d}" + "x" * 22)[:22]


def catalogue(prefix):
    """Tracks (some with featured artists) and episodes; `prefix` keeps ids apart per listener."""
    artists = ["Ænima Collective", "Björk Tribute", "Cold Rivers", "Dawn Patrol", "Echo Lane"]
    tracks = []
    for a, artist in enumerate(artists):
        for t in range(4):
            credits = (artist,) if t != 3 else (artist, artists[(a + 1) % len(artists)])
            tracks.append(
                Track(
                    uri=f"spotify:track:{_id(prefix + 'T', a * 10 + t)}",
                    name=(f"{artist.split()[0]} Song {t}" if t else "Intro")
                    + ("" if prefix == "a" else f" ({prefix})"),
                    artists=credits,
                    album=f"{artist} Album {t % 2}",
                    duration_ms=150_000 + 10_000 * t + 1_000 * a,
                )
            )
    episodes = [
        Episode(
            uri=f"spotify:episode:{_id(prefix + 'E', e)}",
            name=f"Daily Talk #{e}",
            show="Daily Talk",
            kind="episode",
            show_kind="podcast",
            duration_ms=1_800_000,
        )
        for e in range(3)
    ] + [
        Episode(
            uri=f"spotify:chapter:{_id(prefix + 'C', c)}",
            name=f"Chapter {c + 1}",
            show="Long Book",
            kind="chapter",
            show_kind="audiobook",
            duration_ms=900_000,
        )
        for c in range(3)
    ]
    return tracks, episodes


# Moments the tests care about: around midnight UTC, and the hours the clocks change.
EDGE_MOMENTS = [
    datetime(2024, 3, 31, 0, 50, tzinfo=UTC),  # 01:50 CET, just before Paris springs forward
    datetime(2024, 3, 31, 1, 10, tzinfo=UTC),  # 03:10 CEST, just after
    datetime(2024, 10, 27, 0, 30, tzinfo=UTC),  # 02:30 CEST, first pass
    datetime(2024, 10, 27, 1, 30, tzinfo=UTC),  # 02:30 CET, second pass
    datetime(2024, 11, 3, 5, 30, tzinfo=UTC),  # 01:30 EDT in New York
    datetime(2024, 11, 3, 6, 30, tzinfo=UTC),  # 01:30 EST, the repeated hour
    datetime(2023, 12, 31, 23, 59, 30, tzinfo=UTC),  # New Year in UTC, not in New York
    datetime(2024, 1, 1, 0, 0, 30, tzinfo=UTC),
    datetime(2022, 12, 31, 23, 30, tzinfo=UTC),  # already 2023 in Paris
    datetime(2024, 2, 29, 23, 45, tzinfo=UTC),  # leap day, March in Paris
]


def history(prefix="a", seed=1, count=420):
    """The fixture plays, in time order, at least two minutes apart (no two are one listen)."""
    rng = random.Random(seed)
    tracks, episodes = catalogue(prefix)
    start = datetime(2019, 1, 1, tzinfo=UTC)
    span = int((datetime(2025, 12, 31, tzinfo=UTC) - start).total_seconds() // 60)
    moments = sorted(
        {
            start + timedelta(minutes=rng.randrange(span), seconds=rng.randrange(60))
            for _ in range(count)
        }
        | set(EDGE_MOMENTS)
    )
    kept = []
    for moment in moments:
        if not kept or moment - kept[-1] >= timedelta(minutes=2):
            kept.append(moment)
    # A new track turns up every four months or so, so every year has discoveries.
    arrival = {track: start + timedelta(days=125 * i) for i, track in enumerate(tracks)}
    plays, heard = [], set()
    for moment in kept:
        available = [t for t in tracks if arrival[t] <= moment]
        if rng.random() < 0.12:
            item = rng.choice(episodes)
        else:
            item = rng.choices(available, [1 / (1 + i % 4) for i in range(len(available))])[0]
        source = rng.choices(["extended", "api", "account_data"], [6, 2, 2])[0]
        if item not in heard:  # first heard with its URI, so name-only rows find the track
            source = "extended"
        heard.add(item)
        if source == "account_data" and isinstance(item, Episode):
            source = "extended"
        if source == "account_data":
            moment = moment.replace(second=0, microsecond=0)
        length = rng.random()
        ms_played = (
            None
            if source == "api"
            else rng.randrange(1_000, MIN_PLAY_MS)
            if length < 0.2
            else MIN_PLAY_MS
            if length < 0.25
            else rng.randrange(MIN_PLAY_MS, item.duration_ms)
        )
        skipped = (
            None
            if source != "extended"
            else (ms_played is not None and ms_played < MIN_PLAY_MS and rng.random() < 0.7)
        )
        plays.append(FixturePlay(moment, item, source, ms_played, skipped))
    return plays


def _record(play):
    item = play.item
    common = {
        "played_at": play.at,
        "source": play.source,
        "ms_played": play.ms_played,
        "skipped": play.skipped,
    }
    if isinstance(item, Episode):
        return PlayRecord(
            kind=item.kind,
            item_name=item.name,
            item_uri=item.uri,
            show_name=item.show,
            duration_ms=item.duration_ms,
            **common,
        )
    if play.source == "account_data":  # names only, like the real export
        return PlayRecord(
            kind="track", item_name=item.name, artist_names=item.artists[:1], **common
        )
    return PlayRecord(
        kind="track",
        item_name=item.name,
        item_uri=item.uri,
        artist_names=item.artists,
        album_name=item.album,
        duration_ms=item.duration_ms,
        **common,
    )


def store(listener, plays):
    """Stores the plays through the insert path: URI-bearing sources first, as imports would."""
    named = [p for p in plays if p.source != "account_data"]
    # Every track also appears with its URI, so name-only rows land on the real track.
    seen = {p.item for p in named}
    tracks, _ = catalogue_of(plays)
    missing = [t for t in tracks if t not in seen]
    assert not missing, "every fixture track must be played at least once with its URI"
    result = ingest_plays(listener, [_record(p) for p in named])
    result.add(ingest_plays(listener, [_record(p) for p in plays if p.source == "account_data"]))
    assert result.inserted == len(plays), "the fixture plays must all be distinct"
    return plays


def catalogue_of(plays):
    tracks = sorted({p.item for p in plays if isinstance(p.item, Track)}, key=lambda t: t.uri)
    episodes = sorted({p.item for p in plays if isinstance(p.item, Episode)}, key=lambda e: e.uri)
    return tracks, episodes


def build_history(listener, prefix="a", seed=1, count=420):
    return store(listener, history(prefix, seed, count))


def two_listeners():
    """Alice (in Paris) and Bob (in New York), each with a stored history of their own."""
    from accounts.models import Listener

    alice = Listener.objects.create(spotify_user_id="alice", time_zone="Europe/Paris")
    bob = Listener.objects.create(spotify_user_id="bob", time_zone="America/New_York")
    return alice, build_history(alice, "a", 1), bob, build_history(bob, "b", 2, 300)


# --- Independent answers, in plain Python ---------------------------------------------------------


def in_window(plays, start=None, end=None, *, counted=True):
    """The plays in [start, end), counted ones only unless told otherwise."""
    return [
        p
        for p in plays
        if (not counted or p.counted)
        and (start is None or p.at >= start)
        and (end is None or p.at < end)
    ]


def totals_by(plays, key):
    """{key(play): (plays, ms)} over the plays, skipping those whose key is None."""
    totals = {}
    for play in plays:
        k = key(play)
        if k is None:
            continue
        count, ms = totals.get(k, (0, 0))
        totals[k] = (count + 1, ms + play.ms)
    return totals


def minutes(ms):
    return round(ms / 60000, 1)
