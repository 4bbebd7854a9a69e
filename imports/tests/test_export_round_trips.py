"""Round trips: what leaves in one format comes back, or reads back, exactly.

A rich history (the query tests' fixture: tracks with featured artists, podcasts, an audiobook,
short and skipped plays from the API and both Spotify exports, plays around midnight and the DST
changes) plus plays of every other kind of source and awkward names, exported by the same code
the command line, the admin API and the page use:

- `json`, imported for a new listener, gives the very same plays (every stored field) and the
  same answer from every MCP tool;
- `listenbrainz`, imported for a new listener, gives the same number of plays, per kind;
- `csv`, read back with the csv module, gives one row per play with its fields.
"""

import csv
import re
from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Listener
from imports.export_formats import CSV_COLUMNS, spreadsheet_safe
from imports.exporting import prepare_export
from imports.jobs import job_for_file, run_import_job
from mcp.tools import TOOLS_BY_NAME, call_tool
from mcp.tools.history import HISTORY_TOOLS
from plays.ingest import ingest_plays
from plays.models import Play
from plays.records import PlayRecord
from plays.tests.query_fixtures import build_history

pytestmark = pytest.mark.django_db

PLAY_FIELDS = [
    "played_at",
    "item__key",
    "source",
    "ms_played",
    "context_uri",
    "context_type",
    "platform",
    "country",
    "reason_start",
    "reason_end",
    "shuffle",
    "skipped",
    "offline",
    "incognito",
]
T = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)


def awkward_plays():
    """Plays of the other sources, local files and names a CSV or a spreadsheet could trip on."""
    api = PlayRecord(
        played_at=T + timedelta(milliseconds=123),
        source="api",
        kind="track",
        item_name='=HYPERLINK("http://example.com","click"), "quoted"',
        item_uri="spotify:track:0eGsygTp906u18L0Oimnem",
        artist_names=("-Minus Sign", "@At Sign"),
        artist_ids=("1vCWHaC5f2uS3yhpwWbIA6", "2vCWHaC5f2uS3yhpwWbIA6"),
        album_name="+Plus; Album\nwith a line break",
        album_id="4aawyAB9vmqN3uQ7FjRGTy",
        album_type="album",
        release_date="2019-05-03",
        duration_ms=201_000,
        context_uri="spotify:playlist:37i9dQZF1DXcBWIGoYBM5M",
        context_type="playlist",
    )
    local = PlayRecord(
        played_at=T + timedelta(minutes=10),
        source="extended",
        kind="track",
        item_name="Demo (home recording)",
        artist_names=("Garage Band Ünïcödé",),
        album_name="Tapes",
        duration_ms=95_000,
        ms_played=95_000,
        platform="windows",
        country="FR",
        reason_start="clickrow",
        reason_end="trackdone",
        shuffle=False,
        skipped=False,
        offline=True,
        incognito=True,
    )
    scrobble = PlayRecord(
        played_at=T + timedelta(minutes=30),
        source="lastfm",
        kind="track",
        item_name="Kickstart My Heart",
        artist_names=("Mötley Crüe",),
    )
    listen = PlayRecord(
        played_at=T + timedelta(minutes=40),
        source="listenbrainz",
        kind="track",
        item_name="Jóga",
        artist_names=("Björk",),
        duration_ms=305_000,
        ms_played=305_000,
    )
    maloja = PlayRecord(
        played_at=T + timedelta(minutes=50),
        source="maloja",
        kind="track",
        item_name="Rêverie",
        artist_names=("Hélène Grimaud",),
        album_name="Tapes",
        ms_played=240_000,
    )
    return [api], [local], [scrobble], [listen], [maloja]


@pytest.fixture
def alice(db):
    alice = Listener.objects.create(spotify_user_id="alice", time_zone="Europe/Paris")
    build_history(alice, "a", 1)
    for batch in awkward_plays():  # one source per batch, as polls and imports store them
        assert ingest_plays(alice, batch).inserted == 1
    return alice


def export_to(tmp_path, listener, format, **window):
    path = tmp_path / f"export.{format}"
    with path.open("wb") as out:
        for block in prepare_export(listener, format, **window).stream():
            out.write(block)
    return path


def import_for_new_listener(path, user_id):
    listener = Listener.objects.create(spotify_user_id=user_id, time_zone="Europe/Paris")
    job = run_import_job(job_for_file(listener, path).pk)
    assert (job.status, job.error) == ("succeeded", "")
    return listener, job


def same_for_anyone(rows):
    """The rows with each item's key as it would be for any listener: an item without a URI
    (a local file) is each listener's own (`private:<listener id>:local:...`)."""
    return sorted(
        tuple(re.sub(r"^private:\d+:", "private:", v) if isinstance(v, str) else v for v in row)
        for row in rows
    )


def plays_of(listener):
    return same_for_anyone(Play.objects.filter(listener=listener).values_list(*PLAY_FIELDS))


TOOL_CALLS = [
    ("recent_plays", {"limit": 200}),
    ("recent_plays", {"start": "2024-03-01", "end": "2024-11-30", "limit": 50}),
    ("top_artists", {"limit": 100}),
    ("top_artists", {"by": "time", "start": "2024", "timezone": "America/New_York"}),
    ("top_tracks", {"limit": 100}),
    ("top_tracks", {"days": 400, "end": "2025-06-30"}),
    ("top_albums", {"limit": 100}),
    ("listening_summary", {}),
    ("listening_summary", {"start": "2023-12-31T23:00:00", "end": "2024-10-27"}),
    ("listening_timeline", {"granularity": "month"}),
    ("listening_timeline", {"granularity": "day", "start": "2024-03-25", "end": "2024-04-05"}),
    ("listening_heatmap", {}),
    ("listening_heatmap", {"timezone": "America/New_York", "start": "2024"}),
    ("discoveries", {"start": "2020", "end": "2021", "limit": 100}),
    ("compare_periods", {"first_start": "2023", "first_end": "2023", "second_start": "2024"}),
    ("search_history", {"query": "song", "limit": 50}),
    ("search_history", {"query": "daily talk"}),
    ("item_history", {"item": "Intro"}),
    ("item_history", {"item": "spotify:track:0eGsygTp906u18L0Oimnem"}),
    ("item_history", {"item": "Long Book", "kind": "show"}),
    ("podcasts", {"limit": 100}),
    ("sync_status", {}),
    ("listening_sessions", {"limit": 100}),
    ("listening_sessions", {"start": "2024-03-30", "end": "2024-04-01", "gap_minutes": 5}),
    ("listening_streaks", {}),
    ("listening_streaks", {"track": "Intro", "start": "2021"}),
    ("rank_history", {"kind": "artist", "item": "Cold Rivers"}),
    ("rank_history", {"kind": "album", "item": "Dawn Patrol Album 1", "granularity": "year"}),
    ("number_ones", {"kind": "track", "granularity": "week", "timezone": "America/New_York"}),
    ("number_ones", {"kind": "artist", "granularity": "year"}),
    ("forgotten_favorites", {"quiet_days": 200, "limit": 100}),
    ("heard_before", {"entries": [{"artist": "Bjork Tribute", "track": "Intro"}]}),
    ("history_coverage", {}),
]
# sync_status also describes the listener's account (who, polling, their import jobs): only its
# picture of the history is compared.
SYNC_HISTORY_KEYS = ("plays", "first_play", "last_play", "coverage")


def answer(listener, name, args):
    outcome = call_tool(TOOLS_BY_NAME[name], args, listener)
    assert outcome.error is None, outcome.error
    result = outcome.structured
    if name == "sync_status":
        result = {key: result[key] for key in SYNC_HISTORY_KEYS}
    if name == "forgotten_favorites":  # "now - quiet_days", to the microsecond of each call
        result = {key: value for key, value in result.items() if key != "quiet_since"}
    return without_row_ids(result)


def without_row_ids(answer):
    """The answer without the catalogue's row ids: a local file's item is each listener's own
    row, so its id differs between the two listeners while everything said about it is equal."""
    if isinstance(answer, dict):
        return {key: without_row_ids(value) for key, value in answer.items() if key != "id"}
    if isinstance(answer, list):
        return [without_row_ids(value) for value in answer]
    return answer


def test_json_export_imported_for_a_new_listener_gives_the_same_plays_and_answers(alice, tmp_path):
    path = export_to(tmp_path, alice, "json")
    bob, job = import_for_new_listener(path, "alice-again")

    stored = Play.objects.filter(listener=alice).count()
    assert (job.format, job.records_done, job.inserted, job.duplicates) == (
        "history_json",
        stored,
        stored,
        0,
    )
    assert plays_of(bob) == plays_of(alice)
    # Every tool that answers from the history is asked (the others act on Spotify or memory).
    assert {tool.name for tool in HISTORY_TOOLS} == {name for name, _ in TOOL_CALLS}
    for name, args in TOOL_CALLS:
        assert answer(bob, name, args) == answer(alice, name, args), (name, args)


def test_json_export_of_a_window_holds_only_that_window(alice, tmp_path):
    path = export_to(tmp_path, alice, "json", start="2024-03-01", end="2024-03-31")
    bob, job = import_for_new_listener(path, "alice-march")
    march = Play.objects.filter(
        listener=alice,
        played_at__gte=datetime(2024, 3, 1, tzinfo=UTC),
        played_at__lt=datetime(2024, 4, 1, tzinfo=UTC),
    )
    assert job.inserted == march.count() > 0
    assert plays_of(bob) == same_for_anyone(march.values_list(*PLAY_FIELDS))


def test_a_json_export_imported_again_for_its_listener_adds_nothing(alice, tmp_path):
    before = plays_of(alice)
    job = run_import_job(job_for_file(alice, export_to(tmp_path, alice, "json")).pk)
    assert (job.status, job.inserted, job.duplicates) == ("succeeded", 0, len(before))
    assert plays_of(alice) == before


def test_listenbrainz_export_imported_for_a_new_listener_gives_the_same_counts(alice, tmp_path):
    path = export_to(tmp_path, alice, "listenbrainz")
    bob, job = import_for_new_listener(path, "alice-on-listenbrainz")

    stored = Play.objects.filter(listener=alice)
    assert (job.format, job.records_done, job.inserted) == (
        "listenbrainz",
        stored.count(),
        stored.count(),
    )
    for kind in ("track", "episode", "chapter"):
        mine = stored.filter(item__kind=kind)
        theirs = Play.objects.filter(listener=bob, item__kind=kind)
        assert theirs.count() == mine.count() > 0, kind
        assert same_for_anyone(theirs.values_list("item__key").distinct()) == same_for_anyone(
            mine.values_list("item__key").distinct()
        )
    # Every play keeps its end time: the listen's start plus the duration it was written with.
    assert same_for_anyone(
        Play.objects.filter(listener=bob).values_list("played_at", "item__key")
    ) == same_for_anyone(stored.values_list("played_at", "item__key"))


def test_csv_read_back_with_the_csv_module_is_the_plays(alice, tmp_path):
    path = export_to(tmp_path, alice, "csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read UTF-8
    assert b"\r\n" in raw
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))

    plays = (
        Play.objects.filter(listener=alice)
        .select_related("item__album", "item__show", "item__primary_artist")
        .order_by("played_at", "id")
    )
    assert len(rows) == plays.count()
    assert list(rows[0]) == list(CSV_COLUMNS)
    for row, play in zip(rows, plays, strict=True):
        item = play.item
        credits = [credit.artist for credit in item.itemartist_set.order_by("position")]
        expected = {
            "played_at_utc": play.played_at.strftime("%Y-%m-%d %H:%M:%S")
            + (f".{play.played_at.microsecond // 1000:03d}" if play.played_at.microsecond else ""),
            "source": play.source,
            "kind": item.kind,
            "title": spreadsheet_safe(item.name),
            "artist": spreadsheet_safe(credits[0].name) if credits else "",
            "all_artists": spreadsheet_safe("; ".join(a.name for a in credits)),
            "artist_spotify_ids": "; ".join(a.spotify_id for a in credits)
            if any(a.spotify_id for a in credits)
            else "",
            "album": spreadsheet_safe(item.album.name) if item.album else "",
            "album_spotify_id": item.album.spotify_id if item.album else "",
            "album_type": item.album.album_type if item.album else "",
            "release_date": item.album.release_date if item.album else "",
            "show": item.show.name if item.show else "",
            "show_spotify_id": item.show.spotify_id if item.show else "",
            "uri": item.key if item.key.startswith("spotify:") else "",
            "spotify_id": item.spotify_id,
            "duration_ms": "" if item.duration_ms is None else str(item.duration_ms),
            "ms_played": "" if play.ms_played is None else str(play.ms_played),
            "context_uri": play.context_uri,
            "context_type": play.context_type,
            "platform": play.platform,
            "country": play.country,
            "reason_start": play.reason_start,
            "reason_end": play.reason_end,
            **{
                flag: {None: "", True: "true", False: "false"}[getattr(play, flag)]
                for flag in ("shuffle", "skipped", "offline", "incognito")
            },
        }
        assert row == expected


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(alice, tmp_path):
    with export_to(tmp_path, alice, "csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    row = next(r for r in rows if r["uri"] == "spotify:track:0eGsygTp906u18L0Oimnem")
    assert row["title"] == '\'=HYPERLINK("http://example.com","click"), "quoted"'
    assert row["artist"] == "'-Minus Sign"
    assert row["all_artists"] == "'-Minus Sign; @At Sign"
    assert row["album"] == "'+Plus; Album\nwith a line break"
    assert row["played_at_utc"] == "2025-06-01 10:00:00.123"
