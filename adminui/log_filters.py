"""Filtering stored log entries: one set of rules for the admin API's /admin/logs and /logs."""

from django.db.models import Q

LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def filter_log_entries(entries, *, level=None, logger=None, text=None):
    """`level` is a minimum (WARNING keeps WARNING, ERROR, CRITICAL); `logger` keeps that logger
    and those below it ('plays' keeps 'plays.poller'); `text` is searched in message and event,
    in any case."""
    if level:
        entries = entries.filter(level__in=LEVELS[LEVELS.index(level) :])
    if logger:
        entries = entries.filter(Q(logger=logger) | Q(logger__startswith=f"{logger}."))
    if text:
        entries = entries.filter(Q(message__icontains=text) | Q(event__icontains=text))
    return entries
