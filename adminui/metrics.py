"""`GET /metrics`: the service's numbers in Prometheus' text format, read from the database.

Everything comes from the database at the moment of the scrape, never from one process's memory,
so the answer is the same whichever gunicorn process (or web container) serves it, and it
includes the worker's polls and imports, which run in other processes:

- counters (polls by outcome, plays stored by source, import records, import jobs that ended,
  MCP calls with their time, rate-limit refusals, alert deliveries) are the running totals that
  `accounts.metric_counts` keeps in `MetricCounter` rows;
- gauges (listeners by status, those failing or rate limited, Spotify access about to end, import
  jobs by status, the queue and its oldest task, the worker's heartbeat, open alerts) are counted
  from their tables now: small tables, one grouped query each.

No label names a listener, a token or anything a listener wrote: labels are fixed words (a status,
a source, a tool's name). docs/operations.md explains each series, with alert rules and a
dashboard.

Who may scrape: `Authorization: Bearer $ADMIN_TOKEN` always (checked by the admin API's own
`adminui.auth`, in constant time, with its limit on wrong credentials), and any client address in
METRICS_ALLOWED_ADDRESSES (empty by default; the address as `accounts.client_ip` sees it, so
behind the proxy only with TRUST_X_FORWARDED_FOR). Anybody else gets 401.
"""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)

from accounts import metric_counts
from accounts.client_ip import client_ip
from accounts.models import Listener, MetricCounter, OpenAlert
from adminui import service_health
from adminui.alerts import CONDITIONS as ALERT_CONDITIONS
from adminui.auth import AdminAuth, CrossSiteRequest, TooManyFailures, active_mode, challenge
from adminui.listener_state import EXPIRY_WARNING
from imports.models import ImportJob
from plays.models import Play, SyncRun

PREFIX = "spotify_history_"
# How a poll can end: its run's status, or a failure that says more (see plays.poller).
POLL_OUTCOMES = (
    SyncRun.Status.SUCCEEDED,
    SyncRun.Status.RATE_LIMITED,
    SyncRun.Status.FAILED,
    "needs_reauth",
    "not_registered",
    "abandoned",
)
RATE_LIMITS = (
    "mcp_calls",
    "auth_failures",
    "login_lockout",
    "oauth_registrations",
    "page_posts",
    "import_uploads",
    "share_views",
)


# --- who may scrape ------------------------------------------------------------------------------


class ScraperAuth(AdminAuth):
    """The admin API's check, except that the bearer ADMIN_TOKEN works whatever ADMIN_AUTH_MODE
    says (Prometheus is configured with the token; an operator on Basic keeps Basic too)."""

    def _authenticate(self, scheme, credentials):
        if scheme == "bearer":
            return self._authenticate_token(credentials)
        return super()._authenticate(scheme, credentials)


def allowed_networks(entries=None):
    """METRICS_ALLOWED_ADDRESSES as networks (a bare address is a network of one); entries that
    are not addresses are left out (the system check names them)."""
    networks = []
    for entry in settings.METRICS_ALLOWED_ADDRESSES if entries is None else entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _from_allowed_address(request):
    address = client_ip(request)
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in allowed_networks())


def _refusal(request):
    """None when the caller may scrape, else the answer to give them."""
    if _from_allowed_address(request):
        return None
    try:
        identity = ScraperAuth()(request)
    except TooManyFailures as error:
        response = JsonResponse({"detail": error.message}, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    except CrossSiteRequest:
        return JsonResponse({"detail": CrossSiteRequest.message}, status=403)
    if identity is not None:
        return None
    response = JsonResponse(
        {
            "detail": "Metrics need 'Authorization: Bearer <ADMIN_TOKEN>', or a scraper address "
            "listed in METRICS_ALLOWED_ADDRESSES."
        },
        status=401,
    )
    response["WWW-Authenticate"] = (
        "Bearer" if active_mode() != "basic" else f"Bearer, {challenge('basic')}"
    )
    return response


@csrf_exempt  # a bearer-token endpoint that only reads; any other method gets 405
@never_cache
def metrics(request):
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    return _exposition(request)


@require_safe
def _exposition(request):
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(timezone.now()))
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_PLAIN_0_0_4)


# --- the series ----------------------------------------------------------------------------------


class DatabaseCollector:
    """A prometheus_client collector that reads every series from the database at `now`."""

    def __init__(self, now):
        self.now = now

    def collect(self):
        counters = _counter_rows()
        yield from self._polls(counters)
        yield from self._plays(counters)
        yield from self._imports(counters)
        yield self._mcp_calls(counters)
        yield _counter(
            "rate_limit_refusals",
            "Requests refused for going over a limit (429), by limit.",
            counters,
            metric_counts.RATE_LIMIT_REFUSALS,
            ["limit"],
            [(limit,) for limit in RATE_LIMITS],
        )
        yield from self._queue()
        yield from self._listeners()
        yield from self._alerts(counters)

    def _polls(self, counters):
        yield _counter(
            "polls",
            "Polls and initial syncs of listeners' Spotify feeds that ended, by kind and outcome.",
            counters,
            metric_counts.POLLS,
            ["kind", "outcome"],
            [(kind, outcome) for kind in SyncRun.Kind.values for outcome in POLL_OUTCOMES],
        )

    def _plays(self, counters):
        yield _counter(
            "plays_stored",
            "Plays stored (new, not already kept), by source: api is polling, the rest imports.",
            counters,
            metric_counts.PLAYS_STORED,
            ["source"],
            [(source,) for source in Play.Source.values],
        )
        yield _counter(
            "plays_taken_back",
            "Plays a failed import removed again (it leaves the history as it was).",
            counters,
            metric_counts.PLAYS_TAKEN_BACK,
        )

    def _imports(self, counters):
        yield _counter(
            "import_records",
            "Rows of exports that imports have read and committed (rate() is records/s).",
            counters,
            metric_counts.IMPORT_RECORDS,
        )
        yield _counter(
            "import_jobs_finished",
            "Import jobs that ended, by outcome.",
            counters,
            metric_counts.IMPORT_JOBS_FINISHED,
            ["outcome"],
            [(outcome,) for outcome in ImportJob.FINISHED],
        )
        jobs = GaugeMetricFamily(
            PREFIX + "import_jobs", "Import jobs by status, now.", labels=["status"]
        )
        by_status = dict(ImportJob.objects.order_by().values_list("status").annotate(n=Count("id")))
        for status in ImportJob.Status.values:
            jobs.add_metric([status], by_status.get(status, 0))
        yield jobs

    def _mcp_calls(self, counters):
        histogram = HistogramMetricFamily(
            PREFIX + "mcp_call_duration_seconds",
            "MCP tool calls by tool and outcome (ok, error: the tool said what to change, "
            "refused: not this caller's), and how long they took.",
            labels=["tool", "outcome"],
        )
        series = {}
        for labels, count, total in counters.get(metric_counts.MCP_CALL_SECONDS, []):
            key = (labels.get("tool", ""), labels.get("outcome", ""))
            buckets, _ = series.setdefault(key, ({}, [0.0]))
            buckets[labels.get("le", metric_counts.INFINITY)] = count
            series[key][1][0] += total
        bounds = [metric_counts.format_bound(b) for b in metric_counts.LATENCY_BUCKETS]
        for key in sorted(series):
            counts, total = series[key]
            cumulative, running = [], 0
            for bound in [*bounds, metric_counts.INFINITY]:
                running += counts.get(bound, 0)
                cumulative.append((bound, running))
            histogram.add_metric(list(key), cumulative, total[0])
        return histogram

    def _queue(self):
        worker = service_health.read_worker(self.now)
        yield GaugeMetricFamily(
            PREFIX + "queue_tasks",
            "Tasks waiting in the worker's queue (django-q2's OrmQ table).",
            value=worker.queued,
        )
        wait = worker.oldest_wait(self.now)
        yield GaugeMetricFamily(
            PREFIX + "queue_oldest_task_age_seconds",
            "How long the oldest waiting task has waited (0 when none waits).",
            value=max(0.0, wait.total_seconds()) if wait is not None else 0.0,
        )
        age = worker.heartbeat_age(self.now)
        yield GaugeMetricFamily(
            PREFIX + "worker_heartbeat_age_seconds",
            "Seconds since a worker last wrote its heartbeat (every minute); +Inf if never.",
            value=max(0.0, age.total_seconds()) if age is not None else float("inf"),
        )

    def _listeners(self):
        listeners = GaugeMetricFamily(
            PREFIX + "listeners", "Listeners by status, now.", labels=["status"]
        )
        by_status = dict(Listener.objects.order_by().values_list("status").annotate(n=Count("id")))
        for status in Listener.Status.values:
            listeners.add_metric([status], by_status.get(status, 0))
        yield listeners
        holds_access = Q(status__in=[Listener.Status.ACTIVE, Listener.Status.PAUSED])
        facts = Listener.objects.aggregate(
            failing=Count(
                "id",
                filter=Q(
                    status=Listener.Status.ACTIVE,
                    consecutive_failures__gte=settings.ALERT_FAILED_POLLS,
                ),
            ),
            rate_limited=Count("id", filter=Q(rate_limited_until__gt=self.now)),
            expiring=Count(
                "id",
                filter=holds_access
                & Q(
                    refresh_token_expires_at__gt=self.now,
                    refresh_token_expires_at__lte=self.now + EXPIRY_WARNING,
                ),
            ),
            expired=Count("id", filter=holds_access & Q(refresh_token_expires_at__lte=self.now)),
        )
        yield GaugeMetricFamily(
            PREFIX + "listeners_failing",
            "Active listeners whose last ALERT_FAILED_POLLS (or more) polls all failed.",
            value=facts["failing"],
        )
        yield GaugeMetricFamily(
            PREFIX + "listeners_rate_limited",
            "Listeners Spotify asked to wait (429) who are still waiting.",
            value=facts["rate_limited"],
        )
        days = EXPIRY_WARNING // timedelta(days=1)
        yield GaugeMetricFamily(
            PREFIX + "listeners_spotify_access_expiring",
            f"Listeners whose Spotify access ends within {days} days: they must log in again.",
            value=facts["expiring"],
        )
        yield GaugeMetricFamily(
            PREFIX + "listeners_spotify_access_expired",
            "Active or paused listeners whose Spotify access has ended: they must log in again.",
            value=facts["expired"],
        )

    def _alerts(self, counters):
        open_alerts = GaugeMetricFamily(
            PREFIX + "alerts_open",
            "Listener conditions that ALERT_WEBHOOK_URL was told about and that still hold.",
            labels=["condition"],
        )
        by_condition = dict(
            OpenAlert.objects.order_by().values_list("condition").annotate(n=Count("id"))
        )
        for condition in ALERT_CONDITIONS:
            open_alerts.add_metric([condition], by_condition.get(condition, 0))
        yield open_alerts
        yield _counter(
            "alert_deliveries",
            "Alerts POSTed to ALERT_WEBHOOK_URL, by outcome (sent, failed: retried later).",
            counters,
            metric_counts.ALERT_DELIVERIES,
            ["outcome"],
            [("sent",), ("failed",)],
        )


def _counter_rows():
    """{series name: [(labels, count, total)]} of every counter row."""
    rows = {}
    for name, key, count, total in MetricCounter.objects.values_list(
        "name", "labels", "count", "total"
    ):
        rows.setdefault(name, []).append((metric_counts.parse_labels(key), count, total))
    return rows


def _counter(name, documentation, counters, series, label_names=(), known=((),)):
    """A counter family of `series`: every `known` label set (0 until counted), then any other
    label set that was counted."""
    family = CounterMetricFamily(PREFIX + name, documentation, labels=list(label_names))
    values = {
        tuple(labels.get(label, "") for label in label_names): count
        for labels, count, _ in counters.get(series, [])
    }
    for labels in known:
        family.add_metric(list(labels), values.pop(tuple(labels), 0))
    for labels in sorted(values):
        family.add_metric(list(labels), values[labels])
    return family
