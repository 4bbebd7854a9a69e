"""Reading Spotify item references: URIs, open.spotify.com links and bare ids."""

import pytest

from plays.spotify_refs import parse_reference

ID = "4uLU6hMCjMI75M1A2tKUQC"


@pytest.mark.parametrize(
    ("text", "bare_kind", "expected"),
    [
        (f"spotify:track:{ID}", None, ("track", ID)),
        (f"spotify:playlist:{ID}", None, ("playlist", ID)),
        (f" spotify:episode:{ID} ", None, ("episode", ID)),
        (f"https://open.spotify.com/track/{ID}", None, ("track", ID)),
        (f"https://open.spotify.com/intl-de/album/{ID}?si=abc", None, ("album", ID)),
        (ID, "track", ("track", ID)),
        (ID, None, None),
        (f"spotify:track:{ID}x", None, None),
        ("spotify:user:alice", None, None),
        (f"https://evil.example/track/{ID}", None, None),
        ("", "track", None),
        (42, "track", None),
        (None, "track", None),
    ],
)
def test_it_reads_uris_links_and_bare_ids(text, bare_kind, expected):
    assert parse_reference(text, bare_kind=bare_kind) == expected
