"""Alerts without Prometheus: the worker tells ALERT_WEBHOOK_URL when a listener needs attention.

The `send-alerts` schedule runs `send_alerts()` every minute in the worker (never in a request).
It looks for four conditions, each of one listener:

- `needs_reauth`: they must log in with Spotify again (Spotify refused the service's access, they
  are not on the Spotify app's user list, or their access has ended);
- `access_expiring`: their Spotify access ends within 14 days (`adminui.listener_state`);
- `failing_polls`: their last ALERT_FAILED_POLLS polls (or more) failed in a row;
- `import_failed`: an import of theirs failed in the last day (one alert per job).

Each condition that holds is kept as an `OpenAlert` row, and POSTed once: one alert per condition
and listener until it clears, however many passes see it. A condition that stops holding deletes
its row (and, if it had been sent, a "cleared" note follows, once, without retries); should it
come back later, it is alerted on again.

The POST is one JSON object with `title`, `message` and `text` (Slack-style receivers show `text`,
Gotify `title` and `message`, ntfy's JSON publishing `title` and `message`), plus the condition,
the listener's Spotify user id and `state` (`open` or `cleared`). It holds only the service's own
sentences: never a token, never text that came from an upload or from Spotify.

A receiver that fails (an error status, a timeout, no answer) is logged, by its host only (the URL
may carry a token, as Gotify's does), and the alert is tried again with growing delays; the pass
stops at the first failure so a dead receiver costs one timeout a minute. Two workers never send
the same alert: each attempt is claimed first by a conditional UPDATE of `next_attempt_at`.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import metric_counts
from accounts.logs import log_event
from accounts.models import Listener, OpenAlert
from accounts.oauth import public_login_url
from adminui.listener_state import EXPIRY_WARNING
from imports.models import ImportJob

logger = logging.getLogger(__name__)

NEEDS_REAUTH = "needs_reauth"
ACCESS_EXPIRING = "access_expiring"
FAILING_POLLS = "failing_polls"
IMPORT_FAILED = "import_failed"
CONDITIONS = (NEEDS_REAUTH, ACCESS_EXPIRING, FAILING_POLLS, IMPORT_FAILED)
# A failed import is alerted on while it is this recent (older failures, from before alerts were
# set up, are not news).
IMPORT_FAILURE_NEWS_FOR = timedelta(days=1)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)

_TITLES = {
    NEEDS_REAUTH: "{user} must log in with Spotify again",
    ACCESS_EXPIRING: "{user}'s Spotify access ends soon",
    FAILING_POLLS: "Polls of {user} keep failing",
    IMPORT_FAILED: "An import for {user} failed",
}


@dataclass(frozen=True)
class Condition:
    listener_id: int
    spotify_user_id: str
    condition: str
    message: str
    subject: str = ""

    @property
    def key(self):
        return (self.listener_id, self.condition, self.subject)


def current_conditions(now):
    """Every listener condition that holds at `now`, by (listener id, condition, subject)."""
    found = [
        *_needing_login(now),
        *_expiring(now),
        *_failing(),
        *_failed_imports(now),
    ]
    return {condition.key: condition for condition in found}


_HOLDS_ACCESS = [Listener.Status.ACTIVE, Listener.Status.PAUSED]


def _needing_login(now):
    listeners = Listener.objects.filter(
        Q(status__in=[Listener.Status.NEEDS_REAUTH, Listener.Status.NOT_REGISTERED])
        | Q(status__in=_HOLDS_ACCESS, refresh_token_expires_at__lte=now)
    ).values_list("pk", "spotify_user_id", "status", "refresh_token_expires_at")
    for pk, user, status, expires in listeners:
        if status == Listener.Status.NOT_REGISTERED:
            why = (
                "is not on the Spotify app's user list: add them under Users and Access in the "
                "Spotify Developer Dashboard, then have them log in again"
            )
        elif status == Listener.Status.NEEDS_REAUTH:
            why = "must log in with Spotify again: Spotify refused the service's access"
        else:
            why = f"must log in with Spotify again: their access ended on {expires:%Y-%m-%d}"
        message = f"Listener {user} {why}. Their login: {public_login_url()}"
        yield Condition(pk, user, NEEDS_REAUTH, message + " Nothing is polled until then.")


def _expiring(now):
    listeners = Listener.objects.filter(
        status__in=_HOLDS_ACCESS,
        refresh_token_expires_at__gt=now,
        refresh_token_expires_at__lte=now + EXPIRY_WARNING,
    ).values_list("pk", "spotify_user_id", "refresh_token_expires_at")
    for pk, user, expires in listeners:
        message = (
            f"Listener {user}'s Spotify access ends on {expires:%Y-%m-%d} (Spotify ends it six "
            f"months after a login): they must log in again before then, at {public_login_url()}"
        )
        yield Condition(pk, user, ACCESS_EXPIRING, message)


def _failing():
    failures = max(1, settings.ALERT_FAILED_POLLS)
    listeners = Listener.objects.filter(
        status=Listener.Status.ACTIVE, consecutive_failures__gte=failures
    ).values_list("pk", "spotify_user_id", "consecutive_failures")
    for pk, user, count in listeners:
        message = (
            f"The last {count} polls of listener {user} failed in a row; the worker keeps trying "
            "with growing delays. Each error is in the job history (/jobs)."
        )
        yield Condition(pk, user, FAILING_POLLS, message)


def _failed_imports(now):
    jobs = ImportJob.objects.filter(
        status=ImportJob.Status.FAILED, finished_at__gte=now - IMPORT_FAILURE_NEWS_FOR
    ).values_list("pk", "listener_id", "listener__spotify_user_id")
    for pk, listener_id, user in jobs:
        message = (
            f"Import job {pk} for listener {user} failed, and took back every play it had "
            "stored. The reason, and a retry, are on the imports page (/imports)."
        )
        yield Condition(listener_id, user, IMPORT_FAILED, message, subject=str(pk))


# --- the pass ------------------------------------------------------------------------------------


def send_alerts(now=None):
    """One pass: open, send (or retry) and clear alerts; returns what it did (for the task log).

    While ALERT_WEBHOOK_URL is empty it sends nothing and keeps no record (records left from
    before it was emptied go: set again, it alerts on what holds then)."""
    done = {"opened": 0, "sent": 0, "failed": 0, "cleared": 0}
    if not settings.ALERT_WEBHOOK_URL:
        OpenAlert.objects.all().delete()
        return done
    now = now or timezone.now()
    holding = current_conditions(now)
    receiver_up = True
    for alert in OpenAlert.objects.select_related("listener"):
        if (alert.listener_id, alert.condition, alert.subject) in holding:
            holding.pop((alert.listener_id, alert.condition, alert.subject))
            continue
        if not OpenAlert.objects.filter(pk=alert.pk).delete()[0]:
            continue  # another worker cleared it
        done["cleared"] += 1
        if alert.sent_at and receiver_up:
            receiver_up = post_alert(_payload(alert, alert.listener.spotify_user_id, "cleared"))
    for condition in holding.values():
        try:
            with transaction.atomic():
                OpenAlert.objects.create(
                    listener_id=condition.listener_id,
                    condition=condition.condition,
                    subject=condition.subject,
                    message=condition.message,
                    opened_at=now,
                    next_attempt_at=now,
                )
            done["opened"] += 1
        except IntegrityError:
            continue  # another worker opened it first
    due = OpenAlert.objects.filter(sent_at=None, next_attempt_at__lte=now).select_related(
        "listener"
    )
    for alert in due.order_by("opened_at", "pk"):
        if not receiver_up:
            break
        if not _claim(alert, now):
            continue
        receiver_up = post_alert(_payload(alert, alert.listener.spotify_user_id, "open"))
        if receiver_up:
            OpenAlert.objects.filter(pk=alert.pk).update(sent_at=timezone.now())
            done["sent"] += 1
        else:
            done["failed"] += 1
    return done


def retry_delay(attempts):
    """How long after its `attempts`-th failed delivery an alert is tried again."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_RETRY)


def _claim(alert, now):
    """Takes this attempt at sending `alert`; False when another worker took it."""
    return bool(
        OpenAlert.objects.filter(pk=alert.pk, sent_at=None, next_attempt_at__lte=now).update(
            attempts=F("attempts") + 1, next_attempt_at=now + retry_delay(alert.attempts + 1)
        )
    )


def _payload(alert, user, state):
    title = _TITLES.get(alert.condition, "{user} needs attention").format(user=user)
    if state == "cleared":
        title = f"Cleared: {title}"
        message = (
            f"This no longer holds for listener {user} (alerted since "
            f"{alert.opened_at:%Y-%m-%d %H:%M} UTC)."
        )
    else:
        message = alert.message
    return {
        "title": title,
        "message": message,
        "text": f"{title}. {message}",
        "state": state,
        "condition": alert.condition,
        "listener": user,
        "since": alert.opened_at.isoformat(),
        "service": settings.PUBLIC_BASE_URL,
    }


def receiver_name():
    """The receiver's host, which is all the logs say of ALERT_WEBHOOK_URL (it may hold a token)."""
    return urlsplit(settings.ALERT_WEBHOOK_URL).hostname or "?"


def post_alert(payload):
    """POSTs one alert; True when the receiver took it (2xx). Never raises for the receiver's
    faults: they are logged (without the URL) and counted."""
    try:
        response = requests.post(
            settings.ALERT_WEBHOOK_URL,
            json=payload,
            timeout=settings.ALERT_WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
            headers={"User-Agent": "spotify-history-alerts"},
        )
        response.close()
    except requests.RequestException as error:
        # Never str(error): requests puts the URL, query and all, in its messages.
        if isinstance(error, requests.Timeout):
            reason = "it did not answer in time"
        else:
            reason = f"the request failed ({type(error).__name__})"
        return _delivery_failed(payload, reason)
    if not 200 <= response.status_code < 300:
        return _delivery_failed(payload, f"it answered {response.status_code}")
    metric_counts.add(metric_counts.ALERT_DELIVERIES, outcome="sent")
    log_event(
        logger,
        "alert.sent",
        f"Alert sent to {receiver_name()}: {payload['title']}",
        condition=payload["condition"],
        state=payload["state"],
    )
    return True


def _delivery_failed(payload, reason):
    metric_counts.add(metric_counts.ALERT_DELIVERIES, outcome="failed")
    log_event(
        logger,
        "alert.delivery_failed",
        f"Could not deliver an alert to {receiver_name()}: {reason}; it is tried again later",
        level=logging.WARNING,
        condition=payload["condition"],
        state=payload["state"],
    )
    return False
