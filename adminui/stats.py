"""What a listener's history pages show (the listener's own /me..., and the operator's
/listeners/<id>...): the overview with its charts, one artist, track, album or show, the plays
one by one, podcasts, and search.

Numbers come from `plays.queries`, the one query module the MCP tools use too, so a page and an
assistant never disagree; `adminui.charts` turns them into SVG geometry and `adminui.periods`
reads the period asked for.
"""

from datetime import datetime

from django.utils import timezone

from accounts.oauth import public_login_url
from adminui import charts, listener_state, periods
from adminui.moments import in_utc
from plays import queries

RANKED = 10
RECENT_ON_OVERVIEW = 10
PLAYS_PER_PAGE = 50
MONTHLY_UP_TO = 150  # an item's history is charted per month up to this many, else per year


def zone_of(listener):
    try:
        return queries.listener_tz(listener)
    except queries.QueryError:
        return queries.UTC_ZONE


def _day(iso):
    return datetime.fromisoformat(iso).date() if iso else None


def _bucket_label(start, granularity):
    return start[:7] if granularity == "month" else start[:4] if granularity == "year" else start


def listener_context(listener, params):
    """Template context of the overview: the listener, their status, coverage and its gaps, the
    period asked for, and the charts and lists of that period."""
    tz = zone_of(listener)
    period = periods.parse_period(params, tz)
    window = period.window
    status = queries.sync_status(listener, tz=tz)
    granularity = period.granularity(_day(status["first_play"]), _day(status["last_play"]))
    timeline = queries.listening_timeline(listener, window=window, granularity=granularity, tz=tz)
    if period.is_all_time and granularity == "month":  # the years are in the months already
        years = sorted({b["start"][:4] for b in timeline["buckets"] if b["plays"]})
    else:
        buckets = queries.listening_timeline(listener, granularity="year", tz=tz)["buckets"]
        years = [b["start"][:4] for b in buckets if b["plays"]]
    heat = queries.listening_heatmap(listener, window=window, tz=tz)
    points = [(_bucket_label(b["start"], granularity), b["plays"]) for b in timeline["buckets"]]
    drawn = charts.drawn_for_both(points, heat["cells"])
    return {
        "listener": listener,
        "status": status,
        "state": listener_state.describe(listener, timezone.now()),
        "login_url": public_login_url(),
        "gaps": queries.coverage_gaps(listener, tz=tz),
        "time_zone": str(tz),
        "period": period,
        "days": period.choice,
        "day_choices": periods.DAY_CHOICES,
        "years": [int(year) for year in years],
        "granularity": granularity,
        "min_play_seconds": queries.min_play_ms() // 1000,
        "window_plays": timeline["plays"],
        "window_minutes": timeline["minutes"],
        "timeline": drawn["wide"]["bars"],
        "drawn": drawn,
        "peak": heat["peak"],
        "top_artists": charts.ranking(_top(queries.top_artists, listener, window, tz)),
        "top_tracks": charts.ranking(_top(queries.top_tracks, listener, window, tz)),
        "top_albums": charts.ranking(_top(queries.top_albums, listener, window, tz)),
        "recent": queries.recent_plays(listener, limit=RECENT_ON_OVERVIEW, window=window, tz=tz)[
            "items"
        ],
        "podcasts": queries.podcasts(listener, window=window, limit=5, tz=tz),
        "excluded_artists": queries.excluded_artists(listener),
    }


def _top(query, listener, window, tz):
    return query(listener, window=window, limit=RANKED, tz=tz)["items"]


def item_context(listener, kind, item_id):
    """One artist, track, album, show or episode (QueryError when the listener never played it)."""
    tz = zone_of(listener)
    detail = queries.item_detail(listener, kind=kind, item_id=item_id, tz=tz)
    if len(detail["per_month"]) <= MONTHLY_UP_TO:
        points = [(m["month"], m["plays"]) for m in detail["per_month"]]
        per = "month"
    else:
        points = [(str(y["year"]), y["plays"]) for y in detail["per_year"]]
        per = "year"
    return {
        "item": detail,
        "kind": kind,
        "per": per,
        "drawn": charts.drawn_for_both(points),
        # An artist's tracks need not name the artist again on every line.
        "contents": charts.ranking(
            [{**row, "artists": []} for row in detail["contents"]]
            if kind == "artist"
            else detail["contents"]
        ),
        "min_play_seconds": queries.min_play_ms() // 1000,
        "time_zone": str(tz),
    }


def plays_context(listener, before):
    """The listener's plays newest first, PLAYS_PER_PAGE at a time, before `before` (ISO time)."""
    tz = zone_of(listener)
    end = None
    if before:
        try:
            end = datetime.fromisoformat(before)
            end = in_utc(end if end.tzinfo else end.replace(tzinfo=tz))
        except ValueError:
            raise queries.QueryError(
                "'before' must be a time such as 2024-03-01T18:00:00+01:00, between the years "
                "1 and 9999."
            ) from None
    window = queries.Window(None, end) if end else None
    plays = queries.recent_plays(listener, limit=PLAYS_PER_PAGE, window=window, tz=tz)["items"]
    return {
        "plays": plays,
        "before": before,
        "older": plays[-1]["played_at"] if len(plays) == PLAYS_PER_PAGE else None,
        "time_zone": str(tz),
    }


def podcasts_context(listener, params):
    tz = zone_of(listener)
    period = periods.parse_period(params, tz)
    answer = queries.podcasts(listener, window=period.window, limit=50, tz=tz)
    return {
        "period": period,
        "day_choices": periods.DAY_CHOICES,
        "podcasts": answer,
        "shows": charts.ranking(answer["shows"], value_key="minutes"),
        "episodes": charts.ranking(answer["episodes"], value_key="minutes"),
        "time_zone": str(tz),
    }


def search_context(listener, text):
    tz = zone_of(listener)
    found = queries.search_history(listener, query=text, limit=20, tz=tz)
    for row in found["tracks"]:
        row["link_kind"] = "track" if row["kind"] == "track" else "episode"
    results = [
        ("Tracks and episodes", found["tracks"]),
        ("Artists", [{**row, "link_kind": "artist"} for row in found["artists"]]),
        ("Albums", [{**row, "link_kind": "album"} for row in found["albums"]]),
        ("Shows and audiobooks", [{**row, "link_kind": "show"} for row in found["shows"]]),
    ]
    return {"found": found, "results": results, "time_zone": str(tz)}
