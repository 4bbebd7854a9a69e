"""Rows of extended streaming history files become PlayRecords or counted skip reasons."""

import dataclasses
from datetime import UTC, datetime

import pytest

from imports.formats import SKIP_REASONS, parse_row
from imports.tests.fixtures import (
    AUDIOBOOK_URI,
    CHAPTER_URI,
    EPISODE_URI,
    IP_ADDRESS,
    OLD_IP_ADDRESS,
    TRACK_URI,
    USER_AGENT,
    USERNAME,
    endsong_row,
    extended_chapter_row,
    extended_episode_row,
    extended_track_row,
)
from plays.records import PlayRecord


def parse(row):
    return parse_row(row, "extended")


def test_a_track_row_becomes_a_track_play_with_every_field_mapped():
    assert parse(extended_track_row()) == PlayRecord(
        played_at=datetime(2024, 3, 9, 18, 4, 27, tzinfo=UTC),
        source="extended",
        kind="track",
        item_name="Silver Harbor",
        item_uri=TRACK_URI,
        artist_names=("Greta Lindqvist",),
        album_name="Northern Lights, Vol. 2",
        ms_played=214_360,
        platform="android",
        country="DE",
        reason_start="trackdone",
        reason_end="trackdone",
        shuffle=True,
        skipped=False,
        offline=False,
        incognito=False,
    )


def test_the_play_time_is_an_aware_utc_datetime():
    played_at = parse(extended_track_row()).played_at

    assert played_at.tzinfo is UTC
    assert played_at.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    ("ts", "expected"),
    [
        ("2024-03-09T18:04:27Z", datetime(2024, 3, 9, 18, 4, 27, tzinfo=UTC)),
        ("2024-03-09T18:04:27.250Z", datetime(2024, 3, 9, 18, 4, 27, 250_000, tzinfo=UTC)),
        ("2024-03-09T18:04:27+00:00", datetime(2024, 3, 9, 18, 4, 27, tzinfo=UTC)),
        ("2024-03-09T20:04:27+02:00", datetime(2024, 3, 9, 18, 4, 27, tzinfo=UTC)),
        ("2024-03-09T18:04:27", datetime(2024, 3, 9, 18, 4, 27, tzinfo=UTC)),
    ],
)
def test_timestamps_are_read_tolerantly_and_always_as_utc(ts, expected):
    played_at = parse(extended_track_row(ts=ts)).played_at

    assert played_at == expected
    assert played_at.tzinfo is UTC


def test_a_podcast_row_with_null_track_fields_becomes_an_episode_play():
    record = parse(extended_episode_row())

    assert (record.kind, record.item_name, record.item_uri, record.show_name) == (
        "episode",
        "#112: The Lantern Problem",
        EPISODE_URI,
        "The Signal Hour",
    )
    assert record.artist_names == ()
    assert record.album_name is None
    assert record.ms_played == 1_804_220


def test_a_video_history_row_of_a_video_podcast_is_an_episode_play():
    record = parse(extended_episode_row(platform="ios", episode_name="Behind the Mirror (Video)"))

    assert (record.kind, record.item_name) == ("episode", "Behind the Mirror (Video)")


def test_an_audiobook_row_becomes_a_chapter_play_of_its_book():
    record = parse(extended_chapter_row())

    assert record.kind == "chapter"
    assert record.item_name == "Chapter 7"
    assert record.item_uri == CHAPTER_URI
    assert record.show_name == "Hollow Orchard: A Novel"
    assert record.show_id == AUDIOBOOK_URI.rsplit(":", 1)[1]
    assert record.offline is None


def test_an_audiobook_row_naming_chapter_and_audiobook_uris_is_read_too():
    record = parse(
        extended_chapter_row(
            audiobook_uri="spotify:audiobook:7iHfbu1YPACw6oZPAFJtqe",
            audiobook_chapter_uri="spotify:chapter:0D5wENdkdwbqlrHoaJ9g29",
        )
    )

    assert (record.item_uri, record.show_id) == (
        "spotify:chapter:0D5wENdkdwbqlrHoaJ9g29",
        "7iHfbu1YPACw6oZPAFJtqe",
    )


def test_a_local_file_keeps_its_names_but_has_no_spotify_uri():
    record = parse(
        extended_track_row(
            spotify_track_uri="spotify:local:Greta+Lindqvist:Demos:Silver+Harbor:241"
        )
    )

    assert record.kind == "track"
    assert record.item_uri is None
    assert (record.item_name, record.artist_names, record.album_name) == (
        "Silver Harbor",
        ("Greta Lindqvist",),
        "Northern Lights, Vol. 2",
    )


def test_a_local_file_without_names_in_the_row_takes_them_from_its_uri():
    record = parse(
        extended_track_row(
            master_metadata_track_name=None,
            master_metadata_album_artist_name=None,
            master_metadata_album_album_name=None,
            spotify_track_uri="spotify:local:Zo%C3%AB+%26+the+Engines:Live+Tapes:Paper+Moon%3A+Reprise:241",
        )
    )

    assert record.kind == "track"
    assert record.item_uri is None
    assert record.item_name == "Paper Moon: Reprise"
    assert record.artist_names == ("Zoë & the Engines",)
    assert record.album_name == "Live Tapes"
    assert record.duration_ms == 241_000


def test_a_row_with_all_metadata_null_is_skipped_as_missing_a_name():
    row = extended_track_row(
        master_metadata_track_name=None,
        master_metadata_album_artist_name=None,
        master_metadata_album_album_name=None,
        spotify_track_uri=None,
    )

    assert parse(row) == "missing_name"


def test_a_track_known_by_title_alone_is_skipped_as_missing_an_artist():
    row = extended_track_row(spotify_track_uri=None, master_metadata_album_artist_name=None)

    assert parse(row) == "missing_artist"


def test_a_track_with_a_uri_but_no_artist_is_kept():
    record = parse(extended_track_row(master_metadata_album_artist_name=None))

    assert (record.item_uri, record.artist_names) == (TRACK_URI, ())


def test_a_missing_ms_played_is_unknown_and_zero_is_kept():
    row = extended_track_row()
    del row["ms_played"]

    assert parse(row).ms_played is None
    assert parse(extended_track_row(ms_played=None)).ms_played is None
    assert parse(extended_track_row(ms_played=0)).ms_played == 0


@pytest.mark.parametrize("ms_played", [-1, 12.5, "214360", True, 2**31])
def test_an_impossible_ms_played_skips_the_row(ms_played):
    assert parse(extended_track_row(ms_played=ms_played)) == "bad_ms_played"


@pytest.mark.parametrize("ts", [None, ""])
def test_a_row_without_a_timestamp_is_skipped(ts):
    row = extended_track_row(ts=ts)
    assert parse(row) == "missing_timestamp"
    del row["ts"]
    assert parse(row) == "missing_timestamp"


@pytest.mark.parametrize(
    "ts", ["yesterday", "2024-13-09T18:04:27Z", "09/03/2024 18:04", 1710007467]
)
def test_a_row_with_an_unreadable_timestamp_is_skipped(ts):
    assert parse(extended_track_row(ts=ts)) == "bad_timestamp"


@pytest.mark.parametrize("row", [None, 42, "row", ["ts", "2024-03-09T18:04:27Z"]])
def test_a_value_that_is_not_an_object_is_skipped(row):
    assert parse(row) == "not_an_object"


def test_flags_that_are_null_or_not_booleans_are_unknown():
    record = parse(
        extended_track_row(shuffle=None, skipped="true", offline=1, incognito_mode="false")
    )

    assert (record.shuffle, record.skipped, record.offline, record.incognito) == (
        None,
        None,
        None,
        None,
    )


def test_missing_or_null_details_become_empty_strings():
    row = extended_track_row(platform=None, conn_country="", reason_start=None)
    del row["reason_end"]

    record = parse(row)

    assert (record.platform, record.country, record.reason_start, record.reason_end) == (
        "",
        "",
        "",
        "",
    )


def test_values_longer_than_the_database_holds_are_cut():
    record = parse(
        extended_track_row(
            master_metadata_track_name="Symphony " * 100,
            platform="Partner " * 50,
            conn_country="GERMANY-ISH",
            reason_end="unexpected-exit-while-paused-and-then-some",
        )
    )

    assert len(record.item_name) == 500
    assert len(record.platform) == 255
    assert len(record.country) == 8
    assert len(record.reason_end) == 32


def test_an_old_endsong_row_is_read_and_its_personal_data_dropped():
    record = parse(endsong_row())

    assert (record.kind, record.item_name, record.artist_names, record.country) == (
        "track",
        "Paper Moon",
        ("The Quiet Engines",),
        "AT",
    )
    assert record.platform == "Android OS 6.0.1 API 23 (samsung, SM-G920F)"
    assert record.shuffle is None
    assert_no_personal_data(record)


@pytest.mark.parametrize(
    "row", [extended_track_row(), extended_episode_row(), extended_chapter_row(), endsong_row()]
)
def test_ip_addresses_user_agents_and_user_names_never_reach_the_record(row):
    assert_no_personal_data(parse(row))


def test_a_malformed_uri_is_not_passed_on():
    assert (
        parse(extended_track_row(spotify_track_uri="spotify:track:not a real id")).item_uri is None
    )
    assert parse(extended_episode_row(spotify_episode_uri="spotify:show:abc")).item_uri is None


def test_every_skip_reason_has_a_sentence():
    assert set(SKIP_REASONS) >= {
        "not_an_object",
        "missing_timestamp",
        "bad_timestamp",
        "bad_ms_played",
        "missing_name",
        "missing_artist",
    }
    assert all(sentence and sentence[0].islower() for sentence in SKIP_REASONS.values())


def test_an_unknown_format_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown export format 'csv'"):
        parse_row(extended_track_row(), "csv")


def assert_no_personal_data(record: PlayRecord) -> None:
    values = repr(dataclasses.astuple(record))
    for personal in (IP_ADDRESS, OLD_IP_ADDRESS, USER_AGENT, USERNAME):
        assert personal not in values
