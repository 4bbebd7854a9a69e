"""What a listener's page shows (the operator's /listeners/<id> and the listener's own /me).

Numbers come from `plays.queries`, the one query module the MCP tools use too, so a page and an
assistant never disagree; `adminui.charts` turns them into SVG geometry.
"""

from django.utils import timezone

from accounts.oauth import public_login_url
from adminui import charts, listener_state
from plays import queries

DAY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("all", "All time")]
DEFAULT_DAYS = "90"
DAILY_UP_TO = 90  # longer windows are charted per week


def parse_days(raw):
    """(choice, days or None for all time, error sentence or None) from `?days=`."""
    if raw in (None, ""):
        raw = DEFAULT_DAYS
    if raw not in dict(DAY_CHOICES):
        return (
            DEFAULT_DAYS,
            int(DEFAULT_DAYS),
            f"'{raw}' is not a period this page shows; showing the last {DEFAULT_DAYS} days.",
        )
    return raw, None if raw == "all" else int(raw), None


def listener_context(listener, raw_days):
    """Template context: the listener, their status and coverage, and the charts' geometry."""
    choice, days, days_error = parse_days(raw_days)
    try:
        tz = queries.listener_tz(listener)
    except queries.QueryError:
        tz = queries.UTC_ZONE
    window = queries.Window.parse(days=days, tz=tz) if days else queries.Window.all_time()
    granularity = "day" if days and days <= DAILY_UP_TO else "week"
    timeline = queries.listening_timeline(listener, window=window, granularity=granularity, tz=tz)
    heat = queries.listening_heatmap(listener, window=window, tz=tz)
    artists = queries.top_artists(listener, window=window, limit=10, tz=tz)["items"]
    tracks = queries.top_tracks(listener, window=window, limit=10, tz=tz)["items"]
    return {
        "listener": listener,
        "status": queries.sync_status(listener, tz=tz),
        "state": listener_state.describe(listener, timezone.now()),
        "login_url": public_login_url(),
        "time_zone": str(tz),
        "days": choice,
        "day_choices": DAY_CHOICES,
        "days_error": days_error,
        "granularity": granularity,
        "min_play_seconds": queries.min_play_ms() // 1000,
        "window_plays": timeline["plays"],
        "window_minutes": timeline["minutes"],
        "timeline": charts.bar_chart([(b["start"], b["plays"]) for b in timeline["buckets"]]),
        "heatmap": charts.heatmap(heat["cells"]),
        "peak": heat["peak"],
        "top_artists": charts.ranking(artists),
        "top_tracks": charts.ranking(tracks),
    }
