"""Recently-played items become PlayRecords with millisecond times and every field kept."""

from datetime import UTC, datetime

from plays.api_records import parse_played_at, record_from_api_item, to_unix_ms

ITEM = {
    "played_at": "2021-10-25T05:13:13.658Z",
    "context": {"type": "playlist", "uri": "spotify:playlist:37i9dQZF1DX", "href": "h"},
    "track": {
        "id": "0DiWol3AO6WpXZgp0goxAV",
        "name": "One More Time",
        "uri": "spotify:track:0DiWol3AO6WpXZgp0goxAV",
        "type": "track",
        "duration_ms": 320357,
        "is_local": False,
        "artists": [{"id": "4tZwfgrHOc3mvqYlEYSvVi", "name": "Daft Punk"}],
        "album": {
            "id": "2noRn2Aes5aoNVsU6iWThc",
            "name": "Discovery",
            "album_type": "album",
            "release_date": "2001-03-12",
        },
    },
}


def test_it_keeps_milliseconds_of_played_at():
    moment = parse_played_at("2021-10-25T05:13:13.658Z")
    assert moment == datetime(2021, 10, 25, 5, 13, 13, 658000, tzinfo=UTC)
    assert to_unix_ms(moment) == 1635138793658


def test_millisecond_cursors_are_exact_for_any_time():
    for text in (
        "1999-12-31T23:59:59.999Z",
        "2024-02-29T00:00:00.001Z",
        "2026-11-24T10:00:00.000Z",
    ):
        moment = parse_played_at(text)
        assert to_unix_ms(moment) % 1000 == int(text[-4:-1])


def test_it_turns_an_item_into_a_record():
    record = record_from_api_item(ITEM)
    assert record.source == "api"
    assert (record.kind, record.item_name, record.item_uri) == (
        "track",
        "One More Time",
        "spotify:track:0DiWol3AO6WpXZgp0goxAV",
    )
    assert record.artist_names == ("Daft Punk",)
    assert record.artist_ids == ("4tZwfgrHOc3mvqYlEYSvVi",)
    assert (record.album_name, record.album_type, record.release_date) == (
        "Discovery",
        "album",
        "2001-03-12",
    )
    assert record.duration_ms == 320357
    assert record.ms_played is None
    assert (record.context_type, record.context_uri) == ("playlist", "spotify:playlist:37i9dQZF1DX")


def test_a_null_context_is_empty():
    record = record_from_api_item({**ITEM, "context": None})
    assert (record.context_type, record.context_uri) == ("", "")


def test_a_local_file_has_no_uri():
    track = {**ITEM["track"], "is_local": True, "uri": "spotify:local:A:B:C:200", "id": None}
    assert record_from_api_item({**ITEM, "track": track}).item_uri is None


def test_an_item_without_a_track_is_skipped():
    assert record_from_api_item({"played_at": ITEM["played_at"], "track": None}) is None
