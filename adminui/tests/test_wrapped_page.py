"""A Wrapped of any range (`/me/wrapped`, the operator's `/listeners/<id>/wrapped`): every number on
the page is the one `plays.queries` answers for that range, the range is read like the tools read
theirs, and an unreadable one is refused with a sentence (400)."""

import html
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from adminui.templatetags.pages import short_time
from adminui.tests.conftest import add_plays, log_in_as_listener
from plays import queries
from plays.tests.query_fixtures import build_history

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def carol_history(active_listener):
    return build_history(active_listener, "c", 1)


def field(page, element_id):
    """The text of the element with `element_id` (no markup inside)."""
    match = re.search(rf'id="{element_id}">([^<]*)<', page)
    assert match, f"no #{element_id} on the page"
    return match.group(1).strip()


def names_in(page, list_id):
    """The names of a top list, in order (linked or not)."""
    block = re.search(rf'<ol class="ranking[^"]*" id="{list_id}">(.*?)</ol>', page, re.S)
    assert block, f"no #{list_id} on the page"
    return [
        re.sub(r"<[^>]+>", "", name).strip()
        for name in re.findall(r'<span class="name">(.*?)(?: <small|</span>)', block.group(1))
    ]


def expected(listener, start, end):
    window = queries.Window.parse(start=start, end=end, tz=PARIS)
    return {
        "summary": queries.listening_summary(listener, window=window, tz=PARIS),
        "artists": queries.top_artists(listener, window=window, limit=5, tz=PARIS)["items"],
        "tracks": queries.top_tracks(listener, window=window, limit=5, tz=PARIS)["items"],
        "albums": queries.top_albums(listener, window=window, limit=5, tz=PARIS)["items"],
        "new": queries.discoveries(listener, window=window, limit=5, tz=PARIS),
        "months": queries.listening_timeline(
            listener, window=window, granularity="month", tz=PARIS
        )["buckets"],
        "sessions": queries.listening_sessions(listener, window=window, tz=PARIS),
        "streaks": queries.listening_streaks(listener, window=window, tz=PARIS),
        "number_ones": queries.number_ones(listener, "artist", window=window, tz=PARIS),
    }


def test_a_years_wrapped_shows_the_numbers_the_queries_answer(
    listener_client, active_listener, carol_history
):
    response = listener_client.get("/me/wrapped?start=2023&end=2023")
    assert response.status_code == 200
    page = response.content.decode()
    want = expected(active_listener, "2023", "2023")
    summary = want["summary"]
    assert summary["plays"] > 20  # the fixture has a real year to show
    assert "<h1>Wrapped: 2023" in page
    assert field(page, "wrapped-minutes") == f"{round(summary['minutes']):,}"
    assert field(page, "wrapped-plays") == f"{summary['plays']:,}"
    assert field(page, "wrapped-artists") == f"{summary['unique_artists']:,}"
    assert field(page, "wrapped-new-artists") == f"{want['new']['new_artists']:,}"
    assert names_in(page, "wrapped-artists-list") == [row["name"] for row in want["artists"]]
    assert names_in(page, "wrapped-tracks-list") == [row["name"] for row in want["tracks"]]
    assert names_in(page, "wrapped-albums-list") == [row["name"] for row in want["albums"]]
    assert names_in(page, "wrapped-new-artists-list") == [
        row["name"] for row in want["new"]["artists"]
    ]
    assert names_in(page, "wrapped-new-tracks-list") == [
        row["name"] for row in want["new"]["tracks"]
    ]
    # Twelve months, January first, each with the minutes the timeline has for it.
    strip = re.search(r'<ol class="month-strip" id="month-strip">(.*?)</ol>', page, re.S).group(1)
    months = re.findall(r'<span class="month">([^<]*)</span>', strip)
    assert months == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                      "Nov", "Dec"]  # fmt: skip
    assert len(want["months"]) == 12
    counts = re.findall(r'<span class="count" title="[^"]*">([^<]*)</span>', strip)
    assert counts == [short_time(bucket["minutes"]) for bucket in want["months"]]
    # Sessions, the longest streak and each month's number-one artist.
    assert field(page, "wrapped-sessions") == f"{want['sessions']['sessions']:,}"
    assert field(page, "wrapped-longest-session") == short_time(
        want["sessions"]["longest"][0]["minutes"]
    )
    assert field(page, "wrapped-streak") == str(want["streaks"]["longest"][0]["days"])
    tops = re.findall(r'<span class="top"><span class="sr-only">Number one: </span>([^<]*)<', strip)
    by_month = {row["start"]: row["name"] for row in want["number_ones"]["periods"]}
    assert tops == [by_month[b["start"]] for b in want["months"] if b["start"] in by_month]
    assert len(tops) >= 6
    reigns = re.findall(r"<li><strong>([^<]*)</strong>: the most played artist of (\d+)", page)
    assert reigns == [
        (html.escape(row["name"]), str(row["periods"]))
        for row in want["number_ones"]["most_periods"][:5]
    ]
    # The listener's own Wrapped links each name to its page.
    assert "/me/artists/" in page and "/me/tracks/" in page


def test_any_dates_are_read_like_the_tools_read_them(
    listener_client, active_listener, carol_history
):
    page = listener_client.get("/me/wrapped?start=2022-03&end=2022-06-15").content.decode()
    want = expected(active_listener, "2022-03", "2022-06-15")
    assert "Wrapped: 2022-03 to 2022-06-15" in page
    assert field(page, "wrapped-plays") == f"{want['summary']['plays']:,}"
    months = re.findall(r'<span class="month">([^<]*)</span>', page)
    assert months == ["Mar", "Apr", "May", "Jun"]


def test_without_a_range_it_shows_the_year_of_the_latest_play(listener_client, active_listener):
    add_plays(active_listener, 30, start=datetime(2021, 5, 1, 12, tzinfo=UTC))
    page = listener_client.get("/me/wrapped").content.decode()
    assert "<h1>Wrapped: 2021" in page
    assert field(page, "wrapped-plays") == "30"
    assert 'aria-current="true">2021<' in page  # the year's chip is the one shown


def test_a_range_of_many_years_is_shown_year_by_year(
    listener_client, active_listener, carol_history
):
    page = listener_client.get("/me/wrapped?start=2019&end=2025").content.decode()
    assert "Year by year" in page
    years = re.findall(r'<span class="month">([^<]*)</span>', page)
    assert years == [str(year) for year in range(2019, 2026)]


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ("start=soon&end=2023", "'start' is not a date"),
        ("start=2023&end=2023-13", "'end' is not a date"),
        ("start=2024&end=2023", "The window's 'start' must come before its 'end'"),
        ("start=" + "2" * 40, "The 'start' is too long for a date."),
        ("start=1900&end=9998", "A range can span at most 36,600 days (about 100 years)"),
    ],
)
def test_an_unreadable_range_is_refused_with_a_sentence(
    listener_client, carol_history, query, sentence
):
    response = listener_client.get(f"/me/wrapped?{query}")
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert sentence in page
    assert 'id="wrapped-error"' in page and 'id="wrapped-minutes"' not in page


@pytest.mark.parametrize("query", ["start=2010&end=2010", "end=2010", "start=2090"])
def test_a_range_without_plays_says_so(listener_client, carol_history, query):
    response = listener_client.get(f"/me/wrapped?{query}")
    assert response.status_code == 200
    assert "No plays in this range." in response.content.decode()


def test_the_operator_sees_the_same_wrapped_of_a_listener(
    staff_client, active_listener, carol_history
):
    response = staff_client.get("/listeners/carol/wrapped?start=2023&end=2023")
    assert response.status_code == 200
    page = response.content.decode()
    want = expected(active_listener, "2023", "2023")
    assert field(page, "wrapped-plays") == f"{want['summary']['plays']:,}"
    assert names_in(page, "wrapped-artists-list") == [row["name"] for row in want["artists"]]
    assert "/listeners/carol/artists/" in page and "/me/" not in page
    # Share links are the listener's own business: the operator's view has none.
    assert 'id="share"' not in page and "/me/wrapped/shares" not in page


def test_the_operators_wrapped_of_an_unknown_listener_is_not_found(staff_client):
    assert staff_client.get("/listeners/nobody/wrapped").status_code == 404


def test_a_listener_sees_only_their_own_wrapped(client, listener, active_listener, carol_history):
    build_history(listener, "a", 2, 200)
    page = log_in_as_listener(client, listener).get("/me/wrapped?start=2019&end=2025")
    want = expected(listener, "2019", "2025")
    assert field(page.content.decode(), "wrapped-plays") == f"{want['summary']['plays']:,}"
