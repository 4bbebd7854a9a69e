"""Template filters of the pages."""

from datetime import datetime

from django import template

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
