"""A Wrapped of any range of dates: what the listener played most, how long, what was new, how
they listened (sessions, the longest streak, the number ones) and month by month, as one printable
page (`/me/wrapped`, the operator's `/listeners/<id>/wrapped`,
and a share link's `/wrapped/<secret>`).

The range is read exactly as the MCP tools read theirs (`plays.queries.Window.parse`: a year
`2023`, a month `2023-03` or a date on each side, the end included, in the listener's zone);
without one, the page shows the calendar year of the listener's latest play. Every number comes
from `plays.queries`, so the page, a share link's preview and an assistant never disagree.
"""

from dataclasses import dataclass
from datetime import date, datetime

from adminui import charts, periods, stats
from plays import queries

TOP = 5  # a Wrapped shows the top five of each list
MAX_TEXT = 32  # characters of a range's side (a datetime with its offset fits)
MONTHLY_UP_TO = 36  # months; a longer range is shown year by year


@dataclass(frozen=True)
class Range:
    start: str
    end: str
    window: queries.Window | None
    error: str | None = None

    @property
    def label(self):
        if self.start == self.end:
            return self.start
        return f"{self.start or 'the first play'} to {self.end or 'now'}"

    def query(self):
        """The query string of this range (for links and forms that keep it)."""
        return "&".join(f"{name}={value}" for name, value in self.parts() if value)

    def parts(self):
        return (("start", self.start), ("end", self.end))


def default_year(listener, tz):
    """The calendar year of the listener's latest play (in their zone), or this year."""
    last = queries.coverage(listener)["last_play"]
    return str((last.astimezone(tz) if last else datetime.now(tz)).year)


def read_range(listener, params, tz):
    """The Range `params` ask for (`start`, `end`), with `error` set when it can't be read."""
    start = (params.get("start") or "").strip()
    end = (params.get("end") or "").strip()
    if not start and not end:
        start = end = default_year(listener, tz)
    for name, value in (("start", start), ("end", end)):
        if len(value) > MAX_TEXT:
            return Range(
                start[:MAX_TEXT], end[:MAX_TEXT], None, f"The '{name}' is too long for a date."
            )
    try:
        window = queries.Window.parse(start=start or None, end=end or None, tz=tz)
    except queries.QueryError as error:
        return Range(start, end, None, str(error))
    if periods.too_long(window):
        return Range(start, end, None, periods.too_long(window))
    return Range(start, end, window)


def _month_label(day, granularity, one_year):
    if granularity == "year":
        return str(day.year)
    return f"{day:%b}" if one_year else f"{day:%b %Y}"


def month_strip(listener, window, tz):
    """Minutes per month of the window (per year when it spans more than MONTHLY_UP_TO months),
    each with its share of the busiest for a bar and its number-one artist; and those number
    ones (`plays.queries.number_ones`)."""
    timeline = queries.listening_timeline(listener, window=window, granularity="month", tz=tz)
    granularity = "month"
    if len(timeline["buckets"]) > MONTHLY_UP_TO:
        granularity = "year"
        timeline = queries.listening_timeline(listener, window=window, granularity="year", tz=tz)
    tops = queries.number_ones(listener, "artist", window=window, granularity=granularity, tz=tz)
    top_of = {row["start"]: row for row in tops["periods"]}
    days = [date.fromisoformat(bucket["start"]) for bucket in timeline["buckets"]]
    one_year = len({day.year for day in days}) == 1
    cells = charts.ranking(timeline["buckets"], value_key="minutes")
    for cell, day in zip(cells, days, strict=True):
        cell["label"] = _month_label(day, granularity, one_year)
        top = top_of.get(cell["start"])
        cell["number_one"] = top["name"] if top else None
    return {"granularity": granularity, "cells": cells, "number_ones": tops}


def wrapped_context(listener, params):
    """(template context, status) of a listener's Wrapped for the range in `params`; status 400
    with the reason in `range.error` when the range can't be read."""
    tz = stats.zone_of(listener)
    asked = read_range(listener, params, tz)
    context = {"listener": listener, "range": asked, "time_zone": str(tz)}
    if asked.error:
        return context, 400
    return {**context, **wrapped_numbers(listener, asked.window, tz)}, 200


def wrapped_numbers(listener, window, tz):
    """Everything a Wrapped shows of `window`, from the one query package."""
    summary = queries.listening_summary(listener, window=window, tz=tz)
    new = queries.discoveries(listener, window=window, limit=TOP, tz=tz)
    return {
        "summary": summary,
        "top_artists": charts.ranking(_top(queries.top_artists, listener, window, tz)),
        "top_tracks": charts.ranking(_top(queries.top_tracks, listener, window, tz)),
        "top_albums": charts.ranking(_top(queries.top_albums, listener, window, tz)),
        "discoveries": new,
        "new_artists": charts.ranking(new["artists"]),
        "new_tracks": charts.ranking(new["tracks"]),
        "months": month_strip(listener, window, tz),
        "sessions": queries.listening_sessions(listener, window=window, limit=1, tz=tz),
        "streaks": queries.listening_streaks(listener, window=window, limit=1, tz=tz),
        "min_play_seconds": queries.min_play_ms() // 1000,
    }


def _top(query, listener, window, tz):
    return query(listener, window=window, limit=TOP, tz=tz)["items"]


def years_played(listener, tz):
    """The years with counted plays, for the page's quick links."""
    buckets = queries.listening_timeline(listener, granularity="year", tz=tz)["buckets"]
    return [bucket["start"][:4] for bucket in buckets if bucket["plays"]]


def display_name(listener):
    """The name a shared Wrapped gives its listener: their display name, never their Spotify
    user id (which may be an e-mail-like handle they did not choose to publish)."""
    return listener.display_name.strip() or "A listener"


def description(context):
    """One sentence of the Wrapped for a link's preview (og:description)."""
    summary = context["summary"]
    text = (
        f"{round(summary['minutes']):,} minutes of listening, {summary['plays']:,} plays, "
        f"{summary['unique_artists']:,} artists"
    )
    artists = [row["name"] for row in context["top_artists"][:3]]
    if artists:
        text += ". Top artists: " + ", ".join(artists)
    return text + "."
