"""The dashboard's view of every listener: their state in words, problems first.

`listener_rows()` gives one row per listener with the facts the dashboard shows (status, last and
next poll, plays by source, coverage, token expiry) and the `problems` an operator should act on,
sorted so that listeners with problems come first. Kept apart from the view so the rules have
their own tests.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from accounts.models import Listener
from plays import queries
from plays.models import Play

# Spotify ends an app's access six months after the listener authorised it: warn this early.
EXPIRY_WARNING = timedelta(days=14)

SEVERITY = {"bad": 0, "warn": 1}
# Short names of the sources for the dashboard's narrow columns.
SOURCE_NAMES = {
    Play.Source.API: "polled",
    Play.Source.EXTENDED: "extended export",
    Play.Source.ACCOUNT_DATA: "account data export",
}


@dataclass
class ListenerRow:
    listener: Listener
    state: str  # a CSS class: ok, paused, bad, warn, idle
    state_label: str
    problems: list = field(default_factory=list)  # [(severity, sentence)]
    by_source: dict = field(default_factory=dict)
    plays: int = 0
    first_play: object = None
    last_play: object = None
    gaps: dict = field(default_factory=dict)  # plays.queries.coverage_gaps, in UTC

    @property
    def worst(self):
        return min((SEVERITY[severity] for severity, _ in self.problems), default=len(SEVERITY))


def describe(listener, now):
    """(state, label, problems) for one listener."""
    status = listener.status
    problems = []
    if status == Listener.Status.NEEDS_REAUTH:
        problems.append(("bad", "Needs to log in with Spotify again."))
    elif status == Listener.Status.NOT_REGISTERED:
        problems.append(
            ("bad", "Not registered as a user of the Spotify app (Developer Dashboard).")
        )
    if listener.rate_limited_until and listener.rate_limited_until > now:
        problems.append(
            ("warn", f"Rate limited until {listener.rate_limited_until:%Y-%m-%d %H:%M} UTC.")
        )
    expires = listener.refresh_token_expires_at
    if status in (Listener.Status.ACTIVE, Listener.Status.PAUSED) and expires:
        if expires <= now:
            problems.append(("bad", f"Spotify access expired on {expires:%Y-%m-%d}: log in again."))
        elif expires - now <= EXPIRY_WARNING:
            problems.append(
                ("warn", f"Spotify access expires on {expires:%Y-%m-%d}: log in again before.")
            )
    if listener.consecutive_failures:
        problems.append(("warn", f"The last {listener.consecutive_failures} polls failed."))
    if (
        status == Listener.Status.ACTIVE
        and listener.rate_limited_until
        and listener.rate_limited_until > now
    ):
        return "warn", f"Rate limited until {listener.rate_limited_until:%H:%M} UTC", problems
    state = {
        Listener.Status.ACTIVE: "ok",
        Listener.Status.PAUSED: "paused",
        Listener.Status.NEEDS_REAUTH: "bad",
        Listener.Status.NOT_REGISTERED: "bad",
        Listener.Status.IMPORT_ONLY: "idle",
    }[status]
    return state, listener.get_status_display(), problems


def listener_rows(now=None):
    """Every listener's dashboard row, problems first (worst first), then by Spotify user id."""
    now = now or timezone.now()
    rows = []
    for listener in Listener.objects.all():
        state, label, problems = describe(listener, now)
        stored = queries.coverage(listener)
        rows.append(
            ListenerRow(
                listener=listener,
                state=state,
                state_label=label,
                problems=problems,
                by_source={
                    name: stored["by_source"][source] for source, name in SOURCE_NAMES.items()
                },
                plays=stored["plays"],
                first_play=stored["first_play"],
                last_play=stored["last_play"],
                gaps=queries.coverage_gaps(listener, tz=queries.UTC_ZONE),
            )
        )
    rows.sort(key=lambda row: (row.worst, row.listener.spotify_user_id))
    return rows


def totals(rows):
    """Listeners by state label, and plays in all and by source, over the dashboard's rows."""
    by_state = {}
    by_source = {}
    for row in rows:
        by_state[row.state_label] = by_state.get(row.state_label, 0) + 1
        for source, count in row.by_source.items():
            by_source[source] = by_source.get(source, 0) + count
    return {
        "listeners": len(rows),
        "by_state": by_state,
        "plays": sum(row.plays for row in rows),
        "by_source": by_source,
        "with_problems": sum(1 for row in rows if row.problems),
    }
