"""Template filters and tags of the pages: times, numbers, durations, links."""

import re
from datetime import datetime

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse

from plays.api_records import is_cover_url

register = template.Library()


@register.filter
def when(iso, precision="minute"):
    """An ISO datetime string (as `plays.queries` returns, already in the listener's zone) as
    "2026-03-01 14:05", or "2026-03-01" with precision "day"; "" for None or text that isn't one."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return ""
    return moment.strftime("%Y-%m-%d" if precision == "day" else "%Y-%m-%d %H:%M")


@register.filter
def listening_time(minutes):
    """Minutes listened as people say them: "45 minutes", "7.5 hours", "18,018 hours (751 days)"."""
    try:
        minutes = float(minutes or 0)
    except (TypeError, ValueError):
        return ""
    if minutes < 120:
        count = round(minutes)
        return f"{count} minute{'' if count == 1 else 's'}"
    hours = minutes / 60
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{intcomma(round(hours))} hours ({intcomma(round(hours / 24))} days)"


@register.filter
def short_time(minutes):
    """Minutes listened in few characters, for small tiles: "45 min", "111 h", "1,340 h"."""
    try:
        minutes = float(minutes or 0)
    except (TypeError, ValueError):
        return ""
    if minutes < 120:
        return f"{round(minutes)} min"
    return f"{intcomma(round(minutes / 60))} h"


@register.filter
def bar_step(share):
    """A percentage as the w-N class step of the stylesheet (even numbers, 0 to 100), so bars
    need no inline style; anything above zero shows at least 2%."""
    try:
        share = float(share)
    except (TypeError, ValueError):
        return 0
    if share <= 0:
        return 0
    return min(100, max(2, round(share / 2) * 2))


_SPOTIFY_ID = re.compile(r"^[A-Za-z0-9]{22}$")
_OPEN_KINDS = {
    "track": "track",
    "episode": "episode",
    "chapter": "episode",
    "artist": "artist",
    "album": "album",
    "show": "show",
    "podcast": "show",
    "audiobook": "show",
}


@register.filter
def cover_url(url):
    """The album cover's URL when the pages may load it (`plays.api_records.is_cover_url`: https,
    on a host the Content-Security-Policy allows), else "" (the neutral square is shown)."""
    return url if is_cover_url(url) else ""


@register.filter
def spotify_url(spotify_id, kind):
    """The open.spotify.com page of an item (a plain link: nothing is loaded from Spotify until
    the listener follows it), or "" without a real Spotify id."""
    if not isinstance(spotify_id, str) or not _SPOTIFY_ID.match(spotify_id):
        return ""
    path = _OPEN_KINDS.get(kind)
    return f"https://open.spotify.com/{path}/{spotify_id}" if path else ""


# The history pages exist twice: the listener's own under /me, the operator's under
# /listeners/<id>. `history_scope` in the context says which (None: own).
_HISTORY_PAGES = {"overview", "plays", "podcasts", "search", "artwork", "wrapped"}


@register.simple_tag(takes_context=True)
def history_url(context, page, item_id=None):
    """The URL of a history page ("overview", "plays", "podcasts", "search", "wrapped") or item page
    ("artist", "track", "album", "show", "episode" with its id) of the page's listener."""
    scope = context.get("history_scope")
    kwargs = {} if item_id is None else {"item_id": item_id}
    if page not in _HISTORY_PAGES and item_id is None:
        raise template.TemplateSyntaxError(f"history_url {page!r} needs an item id")
    if page == "episode" or page == "chapter":
        page = "episode"
    if scope:
        name = "listener" if page == "overview" else f"listener-{page}"
        return reverse(f"pages:{name}", kwargs={"user_id": scope, **kwargs})
    name = "me" if page == "overview" else f"me-{page}"
    return reverse(f"pages:{name}", kwargs=kwargs)
