"""How the pages write numbers, durations, bar widths and links to Spotify."""

import pytest
from django.template import Context, Template

from adminui.templatetags.pages import bar_step, listening_time, short_time, spotify_url


@pytest.mark.parametrize(
    "minutes, shown",
    [
        (0, "0 minutes"),
        (1, "1 minute"),
        (159.4, "2.7 hours"),
        (45, "45 minutes"),
        (7.5 * 60, "7.5 hours"),
        (1_081_068, "18,018 hours (751 days)"),
        (None, "0 minutes"),
        ("nonsense", ""),
    ],
)
def test_listening_time_reads_as_people_say_it(minutes, shown):
    assert listening_time(minutes) == shown


@pytest.mark.parametrize(
    "minutes, shown",
    [(0, "0 min"), (45.4, "45 min"), (119, "119 min"), (6660, "111 h"), (80_401, "1,340 h")],
)
def test_short_time_fits_a_small_tile(minutes, shown):
    assert short_time(minutes) == shown


def test_counts_have_thousands_separators():
    rendered = Template("{% load humanize %}{{ n|intcomma }}").render(Context({"n": 198710}))
    assert rendered == "198,710"


@pytest.mark.parametrize(
    "share, step", [(0, 0), (0.3, 2), (1, 2), (49, 48), (51, 52), (100, 100), (130, 100), (None, 0)]
)
def test_bar_widths_snap_to_the_stylesheets_two_percent_steps(share, step):
    assert bar_step(share) == step


def test_spotify_links_are_built_only_from_real_spotify_ids():
    track_id = "4uLU6hMCjMI75M1A2tKUQC"
    assert spotify_url(track_id, "track") == f"https://open.spotify.com/track/{track_id}"
    assert spotify_url(track_id, "audiobook") == f"https://open.spotify.com/show/{track_id}"
    assert spotify_url(track_id, "chapter") == f"https://open.spotify.com/episode/{track_id}"
    assert spotify_url("", "track") == ""
    assert spotify_url(None, "artist") == ""
    assert spotify_url("../../evil.example", "track") == ""
    assert spotify_url(track_id, "playlist") == ""
