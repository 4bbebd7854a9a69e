"""The listener's page (`/me`, and the operator's `/listeners/<id>`) beyond the overview: sessions
(the longest, a histogram of their lengths), streaks, an artist's or track's rank over time, the
forgotten favourites and the stored plays per month with the gaps shaded; every number is the one
`plays.queries` answers for the period shown."""

import html
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from adminui.templatetags.pages import short_time
from adminui.tests.conftest import add_plays
from plays import queries
from plays.tests.query_fixtures import build_history

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
YEAR = queries.Window.parse(start="2023", end="2023", tz=PARIS)


@pytest.fixture
def carol_history(active_listener):
    return build_history(active_listener, "c", 1)


def block(page, element_id, tag):
    match = re.search(rf'<{tag}[^>]* id="{element_id}"[^>]*>(.*?)</{tag}>', page, re.S)
    assert match, f"no #{element_id} on the page"
    return match.group(1)


def cells(row_html):
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in
            re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)]  # fmt: skip


def rows(table_html):
    return [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", table_html, re.S) if "<td" in row]


def test_sessions_and_streaks_of_the_period_are_the_queries_answers(
    listener_client, active_listener, carol_history
):
    page = listener_client.get("/me?year=2023").content.decode()
    sessions = queries.listening_sessions(active_listener, window=YEAR, limit=5, tz=PARIS)
    streaks = queries.listening_streaks(active_listener, window=YEAR, limit=3, tz=PARIS)
    assert sessions["sessions"] > 10
    totals = re.sub(r"<[^>]+>", "", block(page, "session-totals", "p"))
    assert " ".join(totals.split()) == (
        f"{sessions['sessions']:,} sessions {short_time(sessions['average_minutes'])} on average"
    )
    lengths = re.findall(
        r'<span class="name">([^<]*)</span>.*?<span class="count">([\d,]+)<',
        block(page, "session-lengths", "ol"),
    )
    assert [int(count) for _, count in lengths] == [r["sessions"] for r in sessions["histogram"]]
    assert lengths[0][0] == "under 15 min"
    longest = rows(block(page, "longest-sessions", "table"))
    assert [row[0] for row in longest] == [
        datetime.fromisoformat(s["start"]).strftime("%Y-%m-%d %H:%M") for s in sessions["longest"]
    ]
    assert [row[1] for row in longest] == [short_time(s["minutes"]) for s in sessions["longest"]]
    listed = re.findall(
        r'<strong>(\d+) days?</strong> in a row, <span class="nowrap">([\d-]+) → ([\d-]+)<', page
    )
    assert listed == [(str(s["days"]), s["start"], s["end"]) for s in streaks["longest"]]
    assert "No streak going on now." in page  # 2023 is over


def test_the_operator_sees_the_same_sessions(staff_client, active_listener, carol_history):
    page = staff_client.get("/listeners/carol?year=2023").content.decode()
    sessions = queries.listening_sessions(active_listener, window=YEAR, limit=5, tz=PARIS)
    assert f"<strong>{sessions['sessions']:,}</strong> sessions" in page
    assert 'id="rank-chart"' in page and 'id="forgotten"' in page and 'id="coverage-chart"' in page


def test_the_rank_chart_shows_the_periods_top_artist_by_default(
    listener_client, active_listener, carol_history
):
    page = listener_client.get("/me?year=2023").content.decode()
    top = queries.top_artists(active_listener, window=YEAR, limit=1, tz=PARIS)["items"][0]
    history = queries.rank_history(active_listener, "artist", top["name"], window=YEAR, tz=PARIS)
    assert html.unescape(block(page, "rank-summary", "p")).startswith(
        f"<strong>{top['name']}</strong>"
    )
    table = rows(block(page, "rank-table", "table"))
    assert table == [
        [r["period"], f"#{r['rank']}" if r["rank"] else "—", str(r["plays"])]
        for r in history["periods"]
    ]
    assert len(table) == 12
    assert 'value="artist" selected' in page and 'name="year" value="2023"' in page
    points = re.findall(r"<circle [^>]*><title>([^<]*)</title>", block(page, "rank-chart", "svg"))
    assert len(points) == sum(1 for r in history["periods"] if r["rank"])


def test_a_chosen_track_is_charted_with_its_rank_each_month(
    listener_client, active_listener, carol_history
):
    name = queries.top_tracks(active_listener, window=YEAR, limit=3, tz=PARIS)["items"][2]["name"]
    response = listener_client.get(f"/me?year=2023&rank_kind=track&rank_item={name}")
    assert response.status_code == 200
    history = queries.rank_history(active_listener, "track", name, window=YEAR, tz=PARIS)
    table = rows(block(response.content.decode(), "rank-table", "table"))
    assert [row[1] for row in table] == [
        f"#{r['rank']}" if r["rank"] else "—" for r in history["periods"]
    ]


def test_ranks_are_per_month_up_to_ten_years_and_per_year_beyond(listener_client, active_listener):
    add_plays(active_listener, 3, start=datetime(2016, 2, 1, tzinfo=UTC), artist="Lasting")
    add_plays(active_listener, 3, start=datetime(2024, 11, 1, tzinfo=UTC), artist="Lasting")
    monthly = rows(block(listener_client.get("/me").content.decode(), "rank-table", "table"))
    assert len(monthly) == 8 * 12 + 10 and monthly[0][0] == "2016-02"
    add_plays(active_listener, 3, start=datetime(2012, 6, 1, tzinfo=UTC), artist="Lasting")
    yearly = rows(block(listener_client.get("/me").content.decode(), "rank-table", "table"))
    assert [row[0] for row in yearly] == [str(year) for year in range(2012, 2025)]
    assert [row[1] for row in yearly if row[1] != "—"] == ["#1"] * 3


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ("rank_kind=track&rank_item=No such song anywhere", "No track matching"),
        ("rank_kind=planet&rank_item=Mars", "Pick an artist or a track"),
        ("rank_item=" + "x" * 201, "longer than 200 characters"),
    ],
)
def test_an_item_that_cant_be_charted_is_refused_with_a_sentence(
    listener_client, carol_history, query, sentence
):
    response = listener_client.get(f"/me?{query}")
    assert response.status_code == 400
    assert sentence in html.unescape(block(response.content.decode(), "rank-error", "p"))


def test_forgotten_favourites_are_the_most_played_then_and_not_since(
    listener_client, active_listener
):
    long_ago = timezone.now() - timedelta(days=900)
    add_plays(active_listener, 40, start=long_ago, artist="Old Flame")
    add_plays(active_listener, 25, start=long_ago, artist="Still Here")
    add_plays(active_listener, 5, start=timezone.now() - timedelta(days=3), artist="Still Here")
    page = listener_client.get("/me").content.decode()
    forgotten = queries.forgotten_favorites(active_listener, limit=10)
    names = re.findall(
        r'<span class="name"><a [^>]*>([^<]*)</a>', block(page, "forgotten-artists", "ol")
    )
    assert names == [row["name"] for row in forgotten["artists"]] == ["Old Flame"]
    assert 'last played <span class="nowrap">' + (long_ago + timedelta(hours=39)).astimezone(
        PARIS
    ).strftime("%Y-%m-%d") in block(page, "forgotten-artists", "ol")


def test_the_stored_plays_per_month_shade_each_gap(listener_client, active_listener):
    add_plays(active_listener, 10, start=datetime(2022, 1, 3, tzinfo=UTC))
    add_plays(active_listener, 10, start=datetime(2022, 4, 20, tzinfo=UTC))
    page = listener_client.get("/me").content.decode()
    held = queries.history_coverage(active_listener, tz=PARIS)
    chart = block(page, "coverage-chart", "svg")
    bars = re.findall(r"<rect x[^>]*><title>([^<]*)</title>", chart)
    assert bars == [f"{m['month']}: {m['plays']} plays" for m in held["months"]]
    [gap] = held["gaps"]
    [band] = re.findall(r'<rect class="band"[^>]*><title>([^<]*)</title>', chart)
    assert band == f"No play stored from {gap['start'][:10]} to {gap['end'][:10]} (107 days)"
    assert "4 months from the first play to the last, 2 of them without any play." in page
