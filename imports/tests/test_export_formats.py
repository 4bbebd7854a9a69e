"""The export formats as pure functions: the fields of each, CSV quoting and formula guards."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from imports.export_formats import (
    BLOCK_BYTES,
    CSV_COLUMNS,
    FORMATS,
    csv_row,
    history_header,
    history_record,
    iso_time,
    listenbrainz_listen,
    spreadsheet_safe,
    write_csv,
    write_history_json,
    write_listenbrainz,
)
from imports.foreign import parse_history_row, parse_listenbrainz_row
from plays.queries import ExportedItem, ExportedPlay, Window

T = datetime(2024, 3, 9, 18, 4, 27, tzinfo=UTC)


def track(**changes):
    item = ExportedItem(
        kind="track",
        name="Silver Harbor",
        uri="spotify:track:4uLU6hMCjMI75M1A2tKUQC",
        spotify_id="4uLU6hMCjMI75M1A2tKUQC",
        duration_ms=215_000,
        artists=(("Greta Lindqvist", "1vCWHaC5f2uS3yhpwWbIA6"), ("Ayşe Haddad", "")),
        album=("Northern Lights, Vol. 2", "4aawyAB9vmqN3uQ7FjRGTy", "album", "2019-05-03"),
        show=None,
    )
    fields = {
        "played_at": T,
        "source": "extended",
        "ms_played": 214_360,
        "context_uri": "",
        "context_type": "",
        "platform": "android",
        "country": "DE",
        "reason_start": "trackdone",
        "reason_end": "trackdone",
        "shuffle": True,
        "skipped": False,
        "offline": None,
        "incognito": False,
        "item": item,
    }
    fields.update(changes)
    return ExportedPlay(**fields)


def episode(**changes):
    item = ExportedItem(
        kind="episode",
        name="#112: The Lantern Problem",
        uri="spotify:episode:7makk4oTQel546B0PZlDM5",
        spotify_id="7makk4oTQel546B0PZlDM5",
        duration_ms=None,
        artists=(),
        album=None,
        show=("The Signal Hour", "", "podcast"),
    )
    return track(item=item, **changes)


def test_times_are_utc_iso_to_the_precision_stored():
    assert iso_time(T) == "2024-03-09T18:04:27Z"
    assert iso_time(T.replace(microsecond=123_000)) == "2024-03-09T18:04:27.123Z"
    assert iso_time(T.replace(microsecond=123_456)) == "2024-03-09T18:04:27.123456Z"


def test_a_json_export_is_a_header_line_then_one_line_per_play():
    header = history_header("alice", T, Window(start=T))
    lines = b"".join(write_history_json([track(), episode()], header)).splitlines()
    assert [json.loads(line)["type"] for line in lines] == ["header", "play", "play"]
    assert json.loads(lines[0]) == {
        "type": "header",
        "format": "spotify-history",
        "version": 1,
        "listener": "alice",
        "exported_at": "2024-03-09T18:04:27Z",
        "start": "2024-03-09T18:04:27Z",
        "end": None,
    }
    assert json.loads(lines[1])["item"] == {
        "kind": "track",
        "name": "Silver Harbor",
        "uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
        "spotify_id": "4uLU6hMCjMI75M1A2tKUQC",
        "duration_ms": 215_000,
        "artists": [
            {"name": "Greta Lindqvist", "spotify_id": "1vCWHaC5f2uS3yhpwWbIA6"},
            {"name": "Ayşe Haddad", "spotify_id": None},
        ],
        "album": {
            "name": "Northern Lights, Vol. 2",
            "spotify_id": "4aawyAB9vmqN3uQ7FjRGTy",
            "album_type": "album",
            "release_date": "2019-05-03",
        },
        "show": None,
    }


def test_records_of_other_types_follow_the_header_and_the_reader_skips_nothing_it_needs():
    blocks = write_history_json([track()], history_header("a", T), [{"type": "taste_profile"}])
    types = [json.loads(line)["type"] for line in b"".join(blocks).splitlines()]
    assert types == ["header", "taste_profile", "play"]


def test_a_play_line_parses_back_into_the_record_it_came_from():
    for play in (track(), episode(ms_played=None, shuffle=None)):
        record = parse_history_row(json.loads(json.dumps(history_record(play))))
        assert (record.played_at, record.source, record.kind, record.item_name) == (
            play.played_at,
            play.source,
            play.item.kind,
            play.item.name,
        )
        assert record.item_uri == play.item.uri
        assert record.artist_names == tuple(name for name, _ in play.item.artists)
        assert record.ms_played == play.ms_played
        assert (record.platform, record.country, record.shuffle, record.offline) == (
            play.platform,
            play.country,
            play.shuffle,
            play.offline,
        )


def test_csv_has_a_bom_a_header_and_rfc_4180_quoting():
    play = track(
        item=ExportedItem(
            kind="track",
            name='A "quoted", comma\nand newline',
            uri=None,
            spotify_id="",
            duration_ms=None,
            artists=(("Ünïcödé", ""),),
            album=None,
            show=None,
        )
    )
    text = b"".join(write_csv([play])).decode("utf-8")
    assert text.startswith("\ufeffplayed_at_utc,source,kind,title,")
    assert '"A ""quoted"", comma\nand newline"' in text
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows[0] == list(CSV_COLUMNS)
    assert rows[1][:6] == [
        "2024-03-09 18:04:27",
        "extended",
        "track",
        'A "quoted", comma\nand newline',
        "Ünïcödé",
        "Ünïcödé",
    ]


def test_cells_a_spreadsheet_would_run_as_formulas_get_a_quote():
    for dangerous in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet_safe(dangerous) == "'" + dangerous
    for harmless in ("Silver Harbor", "1+1", "a=b", "", "'quoted"):
        assert spreadsheet_safe(harmless) == harmless
    row = csv_row(track(platform="=cmd|' /C calc'!A0"))
    assert row[CSV_COLUMNS.index("platform")] == "'=cmd|' /C calc'!A0"


def test_csv_flags_are_true_false_or_empty_and_numbers_plain():
    row = dict(zip(CSV_COLUMNS, csv_row(track()), strict=True))
    assert (row["shuffle"], row["skipped"], row["offline"]) == ("true", "false", "")
    assert (row["ms_played"], row["duration_ms"]) == ("214360", "215000")
    assert row["artist_spotify_ids"] == "1vCWHaC5f2uS3yhpwWbIA6; "


def test_a_listenbrainz_listen_starts_when_the_play_did_and_names_spotify():
    listen = listenbrainz_listen(track())
    assert listen["listened_at"] == (T - timedelta(milliseconds=214_360)).timestamp()
    metadata = listen["track_metadata"]
    assert (metadata["artist_name"], metadata["track_name"], metadata["release_name"]) == (
        "Greta Lindqvist, Ayşe Haddad",
        "Silver Harbor",
        "Northern Lights, Vol. 2",
    )
    assert metadata["additional_info"] == {
        "artist_names": ["Greta Lindqvist", "Ayşe Haddad"],
        "spotify_album_id": "https://open.spotify.com/album/4aawyAB9vmqN3uQ7FjRGTy",
        "duration_ms": 215_000,
        "ms_played": 214_360,
        "spotify_id": "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
        "origin_url": "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
        "music_service": "spotify.com",
        "submission_client": "spotify-history",
        "item_kind": "track",
        "play_source": "extended",
    }
    back = parse_listenbrainz_row(json.loads(json.dumps(listen)))
    assert (back.played_at, back.item_uri, back.ms_played) == (T, track().item.uri, 214_360)


def test_a_listenbrainz_listen_of_an_episode_names_the_show_as_the_artist():
    listen = listenbrainz_listen(episode(ms_played=None))
    assert listen["listened_at"] == int(T.timestamp())  # no length known: the end is the start
    metadata = listen["track_metadata"]
    assert (metadata["artist_name"], metadata["release_name"]) == ("The Signal Hour",) * 2
    assert "ms_played" not in metadata["additional_info"]
    back = parse_listenbrainz_row(listen)
    assert (back.kind, back.show_name, back.played_at) == ("episode", "The Signal Hour", T)


def test_a_scrobble_of_unknown_length_keeps_its_start_in_listenbrainz_and_back():
    item = track().item
    scrobble = track(source="lastfm", ms_played=None)
    listen = listenbrainz_listen(scrobble)
    assert listen["listened_at"] == int(T.timestamp())
    assert "duration_ms" not in listen["track_metadata"]["additional_info"]
    assert parse_listenbrainz_row(listen).played_at == T
    assert item.duration_ms == 215_000  # known, yet not added to a start that is the end


def test_writers_yield_blocks_not_lines():
    plays = [track()] * 2000
    for write in (write_history_json, write_csv, write_listenbrainz):
        blocks = list(write(plays, history_header("a", T)))
        assert 1 < len(blocks) < len(plays) // 50
        assert all(len(block) >= BLOCK_BYTES for block in blocks[:-1])
    assert set(FORMATS) == {"json", "csv", "listenbrainz"}
