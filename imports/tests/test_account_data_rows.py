"""Rows of account-data files (the last year, minute precision, no URIs) become PlayRecords."""

from datetime import UTC, datetime

import pytest

from imports.formats import parse_row
from imports.tests.fixtures import audiobook_row, music_row, podcast_row
from plays.records import PlayRecord


def parse(row):
    return parse_row(row, "account_data")


def test_a_music_row_becomes_a_track_play_known_by_artist_and_title():
    assert parse(music_row()) == PlayRecord(
        played_at=datetime(2024, 5, 6, 18, 43, tzinfo=UTC),
        source="account_data",
        kind="track",
        item_name="Silver Harbor",
        artist_names=("Greta Lindqvist",),
        ms_played=216_783,
    )


def test_the_minute_precise_end_time_is_read_as_utc_not_local_time():
    played_at = parse(music_row(endTime="2024-12-31 23:59")).played_at

    assert played_at == datetime(2024, 12, 31, 23, 59, tzinfo=UTC)
    assert played_at.tzinfo is UTC


def test_a_podcast_row_becomes_an_episode_play_of_its_show():
    record = parse(podcast_row())

    assert (record.kind, record.item_name, record.show_name, record.item_uri) == (
        "episode",
        "#112: The Lantern Problem",
        "The Signal Hour",
        None,
    )
    assert record.artist_names == ()


def test_an_audiobook_row_becomes_a_chapter_play_of_its_book():
    record = parse(audiobook_row())

    assert (record.kind, record.item_name, record.show_name, record.ms_played) == (
        "chapter",
        "Chapter 7",
        "Hollow Orchard: A Novel",
        1_312_004,
    )
    assert record.artist_names == ()  # the author is not a credited artist


@pytest.mark.parametrize(
    "row",
    [
        music_row(artistName=None, trackName=None),
        {"endTime": "2025-02-01 10:00", "msPlayed": 1200},
        music_row(artistName="", trackName="   "),
    ],
)
def test_a_row_naming_nothing_is_skipped_as_missing_a_name(row):
    assert parse(row) == "missing_name"


def test_a_music_row_without_an_artist_is_skipped_as_missing_an_artist():
    assert parse(music_row(artistName=None)) == "missing_artist"


def test_missing_ms_played_is_unknown_and_a_bad_one_skips_the_row():
    row = music_row()
    del row["msPlayed"]

    assert parse(row).ms_played is None
    assert parse(music_row(msPlayed=-5)) == "bad_ms_played"
    assert parse(music_row(msPlayed="216783")) == "bad_ms_played"


@pytest.mark.parametrize(
    ("end_time", "reason"),
    [(None, "missing_timestamp"), ("", "missing_timestamp"), ("May 6th", "bad_timestamp")],
)
def test_a_row_without_a_readable_end_time_is_skipped(end_time, reason):
    assert parse(music_row(endTime=end_time)) == reason


def test_a_value_that_is_not_an_object_is_skipped():
    assert parse(["2024-05-06 18:43", "Greta Lindqvist"]) == "not_an_object"
