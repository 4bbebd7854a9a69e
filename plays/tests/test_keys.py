"""Catalogue keys: the Spotify URI when known, otherwise a stable key from names."""

from plays.keys import local_key, match_key, normalize_name, parse_spotify_uri, spotify_key


def test_it_uses_the_spotify_uri_as_key():
    assert spotify_key("track", "4uLU6hMCjMI75M1A2tKUQC") == "spotify:track:4uLU6hMCjMI75M1A2tKUQC"


def test_it_parses_spotify_uris_and_rejects_others():
    assert parse_spotify_uri("spotify:episode:0abcDEF123") == ("episode", "0abcDEF123")
    assert parse_spotify_uri("spotify:local:Artist:Album:Title:215") is None
    assert parse_spotify_uri(None) is None
    assert parse_spotify_uri("https://open.spotify.com/track/abc") is None


def test_it_builds_the_same_local_key_for_the_same_names_however_spelled():
    assert local_key("track", "Daft Punk", "One More Time") == local_key(
        "track", "  daft   PUNK ", "one more time"
    )


def test_it_builds_different_local_keys_for_different_names_or_kinds():
    assert local_key("track", "A", "B") != local_key("track", "A", "C")
    assert local_key("track", "AB", "C") != local_key("track", "A", "BC")
    assert local_key("track", "A", "B") != local_key("episode", "A", "B")
    assert local_key("track", "A", "B").startswith("local:track:")


def test_it_normalises_names_for_matching():
    assert normalize_name("Ｂｅｙｏｎｃé\u00a0 Knowles") == "beyoncé knowles"
    assert normalize_name(None) == ""
    assert match_key("Sigur Rós", "Hoppípolla") == match_key("SIGUR RÓS", " Hoppípolla ")
