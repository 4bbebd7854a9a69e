"""The totals of a window in one answer: plays, minutes, variety, top fives, habits."""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.

from __future__ import annotations

from collections import defaultdict

from plays.queries.exclusions import says_excluded_artists
from plays.queries.hours import HOUR_SUMS, WEEKDAYS, heat, time_sums
from plays.queries.listings import artist_rows, track_rows
from plays.queries.sums import first_and_last, grouped_each, to_minutes
from plays.queries.windows import Window, iso, listener_tz, min_play_ms
from plays.rollups import ensure_fresh


@says_excluded_artists
def listening_summary(listener, *, window=None, tz=None) -> dict:
    """Totals of a window: plays, minutes, variety, firsts and lasts, top fives, habits."""
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    # The window's totals as one bucket, then the counted plays by hour of the week: both read
    # the day rollup in a whole-hour zone (the sums other than plays and ms it holds per day).
    totals = time_sums(listener, window, tz, None).get(0, dict.fromkeys(HOUR_SUMS, 0))
    by_hour, by_weekday = defaultdict(int), defaultdict(int)
    for (wd, hr), sums in heat(listener, window, tz, ("plays",)).items():
        by_hour[hr] += sums["plays"]
        by_weekday[wd] += sums["plays"]
    peak_hour = max(by_hour.items(), key=lambda kv: (kv[1], -kv[0]), default=None)
    peak_day = max(by_weekday.items(), key=lambda kv: (kv[1], -kv[0]), default=None)
    (tracks, unique_tracks), (artists, unique_artists) = grouped_each(
        listener, window, ("item", "item__primary_artist"), kinds=["track"], limit=5
    )
    first, last = first_and_last(listener, window)
    track_plays = totals["track_plays"]
    return {
        "plays": totals["plays"],
        "minutes": to_minutes(totals["ms"]),
        "track_plays": track_plays,
        "unique_tracks": unique_tracks,
        "unique_artists": unique_artists,
        "first_play": iso(first, tz),
        "last_play": iso(last, tz),
        "top_artists": artist_rows(artists),
        "top_tracks": track_rows(tracks),
        "peak_hour": {"hour": peak_hour[0], "plays": peak_hour[1]} if peak_hour else None,
        "peak_weekday": {"weekday": WEEKDAYS[peak_day[0] - 1], "plays": peak_day[1]}
        if peak_day
        else None,
        "repeat_rate": round((track_plays - unique_tracks) / track_plays, 4)
        if track_plays
        else None,
        "skipped_share": round(totals["short_or_skipped"] / totals["stored"], 4)
        if totals["stored"]
        else None,
        "window": window.describe(tz),
        "time_zone": str(tz),
        "min_play_seconds": min_play_ms() / 1000,
    }
