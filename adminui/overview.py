"""The dashboard's view of every listener: their state in words, problems first.

`listener_rows()` gives one row per listener with the facts the dashboard shows (status, last and
next poll, plays by source, coverage, token expiry) and the `problems` an operator should act on
(`adminui.listener_state`, which the listener's page uses too), sorted so that listeners with
problems come first. Kept apart from the view so the rules have their own tests.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Listener
from adminui.listener_state import ListenerState, describe
from plays import queries
from plays.models import Play

# Short names of the sources for the dashboard's narrow columns.
SOURCE_NAMES = {
    Play.Source.API: "polled",
    Play.Source.EXTENDED: "extended export",
    Play.Source.ACCOUNT_DATA: "account data export",
    Play.Source.LASTFM: "Last.fm",
    Play.Source.LISTENBRAINZ: "ListenBrainz",
    Play.Source.MALOJA: "Maloja",
}
# Spotify's own sources are always shown; other services' only for listeners who imported some.
ALWAYS_SHOWN = (Play.Source.API, Play.Source.EXTENDED, Play.Source.ACCOUNT_DATA)


@dataclass
class ListenerRow:
    listener: Listener
    status: ListenerState
    by_source: dict = field(default_factory=dict)
    plays: int = 0
    first_play: object = None
    last_play: object = None
    gaps: dict = field(default_factory=dict)  # plays.queries.coverage_gaps, in UTC

    @property
    def problems(self):
        return self.status.problems

    @property
    def worst(self):
        return self.status.worst


def listener_rows(now=None):
    """Every listener's dashboard row, problems first (worst first), then by Spotify user id."""
    now = now or timezone.now()
    rows = []
    for listener in Listener.objects.all():
        stored = queries.coverage(listener)
        rows.append(
            ListenerRow(
                listener=listener,
                status=describe(listener, now),
                by_source={
                    name: stored["by_source"][source]
                    for source, name in SOURCE_NAMES.items()
                    if source in ALWAYS_SHOWN or stored["by_source"][source]
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
        label = row.listener.get_status_display()
        by_state[label] = by_state.get(label, 0) + 1
        for source, count in row.by_source.items():
            by_source[source] = by_source.get(source, 0) + count
    return {
        "listeners": len(rows),
        "by_state": by_state,
        "plays": sum(row.plays for row in rows),
        "by_source": by_source,
        "with_problems": sum(1 for row in rows if row.problems),
    }
