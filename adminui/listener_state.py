"""One listener's state in words: the badge, the problems to act on, and their Spotify access.

The one status helper of the pages: the dashboard's rows (`adminui.overview`) and the listener's
page (operator's and the listener's own, through `adminui.stats`) both call `describe()`, so a
listener whose polls fail can't be "Active" on one page and failing on the other.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from accounts.models import Listener

# Spotify ends an app's access six months after the listener authorised it: warn this early.
EXPIRY_WARNING = timedelta(days=14)

SEVERITY = {"bad": 0, "warn": 1}

_BADGES = {
    Listener.Status.ACTIVE: "ok",
    Listener.Status.PAUSED: "paused",
    Listener.Status.NEEDS_REAUTH: "bad",
    Listener.Status.NOT_REGISTERED: "bad",
    Listener.Status.IMPORT_ONLY: "idle",
}
_HOLDS_ACCESS = (Listener.Status.ACTIVE, Listener.Status.PAUSED)


@dataclass(frozen=True)
class ListenerState:
    state: str  # a CSS class of the badge: ok, paused, idle, warn, bad
    label: str  # the badge's words
    problems: list = field(default_factory=list)  # [(severity, sentence)], worst first
    access_ended: bool = False  # Spotify access is over (or never was valid): no expiry date
    access_note: str = ""  # the words to show instead of the expiry date when it ended
    needs_login: bool = False  # they must log in with Spotify again (now or soon)

    @property
    def worst(self):
        return min((SEVERITY[severity] for severity, _ in self.problems), default=len(SEVERITY))


def describe(listener, now):
    """The state of `listener` at `now`."""
    status = listener.status
    problems = []
    needs_login = False
    access_ended, access_note = False, ""
    if status == Listener.Status.NEEDS_REAUTH:
        problems.append(("bad", "Needs to log in with Spotify again."))
        needs_login = access_ended = True
        access_note = "Ended: Spotify refused the service's access"
    elif status == Listener.Status.NOT_REGISTERED:
        problems.append(
            ("bad", "Not registered as a user of the Spotify app (Developer Dashboard).")
        )
        needs_login = access_ended = True
        access_note = "None: not on the Spotify app's list"
    elif status == Listener.Status.IMPORT_ONLY:
        access_ended, access_note = True, "None: never logged in"
    limited = listener.rate_limited_until and listener.rate_limited_until > now
    if limited:
        problems.append(
            ("warn", f"Rate limited until {listener.rate_limited_until:%Y-%m-%d %H:%M} UTC.")
        )
    expires = listener.refresh_token_expires_at
    expired = False
    if status in _HOLDS_ACCESS and expires:
        if expires <= now:
            expired = needs_login = access_ended = True
            access_note = f"Expired on {expires:%Y-%m-%d}"
            problems.append(("bad", f"Spotify access expired on {expires:%Y-%m-%d}: log in again."))
        elif expires - now <= EXPIRY_WARNING:
            needs_login = True
            problems.append(
                ("warn", f"Spotify access expires on {expires:%Y-%m-%d}: log in again before.")
            )
    failures = listener.consecutive_failures
    if failures:
        problems.append(("warn", f"The last {failures} polls failed."))
    problems.sort(key=lambda problem: SEVERITY[problem[0]])

    state, label = _BADGES[status], listener.get_status_display()
    if status == Listener.Status.ACTIVE:
        if expired:
            state, label = "bad", "Spotify access expired"
        elif limited:
            state, label = "warn", f"Rate limited until {listener.rate_limited_until:%H:%M} UTC"
        elif failures:
            state, label = "warn", f"Failing ({failures} polls in a row)"
    return ListenerState(
        state=state,
        label=label,
        problems=problems,
        access_ended=access_ended,
        access_note=access_note,
        needs_login=needs_login,
    )
