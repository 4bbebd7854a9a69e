"""`GET /metrics`: who may scrape it, and that every series says what the database holds, whichever
process did the counting."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_q.models import OrmQ
from prometheus_client.parser import text_string_to_metric_families

from accounts import metric_counts
from accounts.models import Listener, MetricCounter, WorkerHeartbeat
from imports.models import ImportJob
from mcp import tokens
from plays.ingest import ingest_plays
from plays.models import Play, SyncRun
from plays.poller import Poller
from plays.records import PlayRecord
from plays.tests.conftest import connect, standin  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN_TOKEN = "metrics-admin-token-0123456789abcdefghij"


@pytest.fixture(autouse=True)
def _admin_token(settings):
    settings.ADMIN_AUTH_MODE = "token"
    settings.ADMIN_TOKEN = ADMIN_TOKEN
    settings.METRICS_ALLOWED_ADDRESSES = []
    settings.TRUST_X_FORWARDED_FOR = False


def scrape(**headers):
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {ADMIN_TOKEN}", **headers)
    assert response.status_code == 200, response.content
    return samples(response.content.decode())


def samples(text):
    """{(sample name, frozenset of labels): value} of an exposition."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped, name, **labels):
    return scraped[(name, frozenset(labels.items()))]


# --- who may scrape ------------------------------------------------------------------------------


def test_the_admin_token_may_scrape_in_prometheus_text_format():
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {ADMIN_TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert ("spotify_history_listeners", frozenset({("status", "active")})) in samples(
        response.content.decode()
    )


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {ADMIN_TOKEN}", f"Bearer {ADMIN_TOKEN}x"],
)
def test_anybody_else_gets_401_with_a_challenge(authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = Client().get("/metrics", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "spotify_history_" not in response.content.decode()


def test_a_listeners_mcp_token_is_not_the_admin_token(listener):
    _, secret = tokens.issue_token(listener, name="laptop")
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401


def test_the_admin_token_works_when_the_admin_api_is_on_basic_auth(settings):
    settings.ADMIN_AUTH_MODE = "basic"
    settings.ADMIN_USERNAME, settings.ADMIN_PASSWORD = "admin", "a-long-admin-password-42"
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {ADMIN_TOKEN}").status_code == 200
    refused = Client().get("/metrics")
    assert refused.status_code == 401
    assert "Basic" in refused["WWW-Authenticate"]


def test_an_empty_admin_token_lets_nobody_in(settings):
    settings.ADMIN_TOKEN = ""
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer x").status_code == 401


def test_a_scraper_address_on_the_allow_list_needs_no_token(settings):
    settings.METRICS_ALLOWED_ADDRESSES = ["10.1.2.3", "192.168.0.0/16"]
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="192.168.7.9").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.1.2.4").get("/metrics").status_code == 401


def test_the_allow_list_reads_the_address_the_proxy_appended_and_only_that(settings):
    settings.METRICS_ALLOWED_ADDRESSES = ["10.1.2.3"]
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    # The proxy's own address is not the client's, and a forged first entry is not trusted.
    settings.TRUST_X_FORWARDED_FOR = False
    assert proxy.get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 401
    settings.TRUST_X_FORWARDED_FOR = True
    assert proxy.get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 200
    forged = proxy.get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3, 203.0.113.5")
    assert forged.status_code == 401


def test_guessing_the_token_is_stopped_and_the_refusals_are_counted(settings):
    settings.API_AUTH_FAILURE_LIMIT = 3
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    answers = [
        guesser.get("/metrics", HTTP_AUTHORIZATION=f"Bearer guess-{n}").status_code
        for n in range(5)
    ]
    assert answers == [401, 401, 401, 429, 429]
    right_token = guesser.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {ADMIN_TOKEN}")
    assert right_token.status_code == 429  # whatever it sends until the window ends
    assert int(right_token["Retry-After"]) > 0
    scraped = scrape(REMOTE_ADDR="198.51.100.1")
    assert value(scraped, "spotify_history_rate_limit_refusals_total", limit="auth_failures") == 3


def test_it_only_reads():
    response = Client().post("/metrics", HTTP_AUTHORIZATION=f"Bearer {ADMIN_TOKEN}")
    assert response.status_code == 405
    assert Client().post("/metrics").status_code == 401


# --- what it says --------------------------------------------------------------------------------


def test_listeners_are_counted_by_status_and_by_what_needs_attention(settings):
    settings.ALERT_FAILED_POLLS = 3
    now = timezone.now()
    Listener.objects.create(spotify_user_id="ok", status=Listener.Status.ACTIVE)
    Listener.objects.create(
        spotify_user_id="failing", status=Listener.Status.ACTIVE, consecutive_failures=3
    )
    Listener.objects.create(
        spotify_user_id="failed-twice", status=Listener.Status.ACTIVE, consecutive_failures=2
    )
    Listener.objects.create(
        spotify_user_id="waiting",
        status=Listener.Status.ACTIVE,
        rate_limited_until=now + timedelta(minutes=5),
    )
    Listener.objects.create(
        spotify_user_id="soon",
        status=Listener.Status.PAUSED,
        refresh_token_expires_at=now + timedelta(days=13),
    )
    Listener.objects.create(
        spotify_user_id="later",
        status=Listener.Status.ACTIVE,
        refresh_token_expires_at=now + timedelta(days=15),
    )
    Listener.objects.create(
        spotify_user_id="ended",
        status=Listener.Status.ACTIVE,
        refresh_token_expires_at=now - timedelta(days=1),
    )
    Listener.objects.create(spotify_user_id="revoked", status=Listener.Status.NEEDS_REAUTH)
    Listener.objects.create(spotify_user_id="imported", status=Listener.Status.IMPORT_ONLY)
    scraped = scrape()
    by_status = {
        status: value(scraped, "spotify_history_listeners", status=status)
        for status in Listener.Status.values
    }
    assert by_status == {
        "active": 6,
        "paused": 1,
        "needs_reauth": 1,
        "not_registered": 0,
        "import_only": 1,
    }
    assert value(scraped, "spotify_history_listeners_failing") == 1
    assert value(scraped, "spotify_history_listeners_rate_limited") == 1
    assert value(scraped, "spotify_history_listeners_spotify_access_expiring") == 1
    assert value(scraped, "spotify_history_listeners_spotify_access_expired") == 1


def test_no_label_names_a_listener():
    Listener.objects.create(
        spotify_user_id="secret-sam", display_name="Samantha", status=Listener.Status.ACTIVE
    )
    text = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {ADMIN_TOKEN}").content.decode()
    assert "secret-sam" not in text
    assert "Samantha" not in text


def test_the_queue_depth_and_the_age_of_its_oldest_task():
    now = timezone.now()
    for minutes in (7, 2):
        OrmQ.objects.create(
            key="spotify_history", payload="x", lock=now - timedelta(minutes=minutes)
        )
    OrmQ.objects.create(key="spotify_history", payload="x", lock=now + timedelta(minutes=1))
    WorkerHeartbeat.objects.create(worker="w1", seen_at=now - timedelta(seconds=90))
    scraped = scrape()
    assert value(scraped, "spotify_history_queue_tasks") == 2  # the third is held by a worker
    assert 7 * 60 <= value(scraped, "spotify_history_queue_oldest_task_age_seconds") < 8 * 60
    assert 90 <= value(scraped, "spotify_history_worker_heartbeat_age_seconds") < 150


def test_a_worker_never_heard_of_reads_as_infinitely_old():
    assert value(scrape(), "spotify_history_worker_heartbeat_age_seconds") == float("inf")


def test_import_jobs_by_status(listener):
    for status in ("queued", "running", "failed", "failed"):
        ImportJob.objects.create(listener=listener, file_name="x.zip", status=status)
    scraped = scrape()
    assert value(scraped, "spotify_history_import_jobs", status="queued") == 1
    assert value(scraped, "spotify_history_import_jobs", status="running") == 1
    assert value(scraped, "spotify_history_import_jobs", status="failed") == 2
    assert value(scraped, "spotify_history_import_jobs", status="succeeded") == 0


START = datetime(2025, 3, 1, 12, tzinfo=UTC)


def _records(count, source=Play.Source.EXTENDED):
    start = START
    return [
        PlayRecord(
            played_at=start + timedelta(minutes=5 * n),
            source=source,
            kind="track",
            item_name=f"Song {n}",
            item_uri=f"spotify:track:{n:022d}",
            artist_names=("Artist",),
            artist_ids=(f"{1:022d}",),
            ms_played=200_000,
        )
        for n in range(count)
    ]


def test_plays_stored_are_counted_by_source_once_committed(listener):
    ingest_plays(listener, _records(12))
    ingest_plays(listener, _records(12))  # the same plays again: nothing new
    scraped = scrape()
    assert value(scraped, "spotify_history_plays_stored_total", source="extended") == 12
    assert value(scraped, "spotify_history_plays_stored_total", source="api") == 0


def test_plays_of_a_transaction_that_rolls_back_are_not_counted(listener):
    with pytest.raises(RuntimeError), transaction.atomic():
        ingest_plays(listener, _records(5))
        raise RuntimeError("the caller gives up")
    assert not Play.objects.exists()
    assert value(scrape(), "spotify_history_plays_stored_total", source="extended") == 0


def test_polls_are_counted_by_outcome_and_their_plays_by_source(standin, connect):  # noqa: F811
    alice = connect("alice")
    standin.state.add_plays("alice", 3)
    Poller(pool_size=1).run_pass()
    standin.state.inject_fault("recently_played", status=503)
    Listener.objects.filter(pk=alice.pk).update(next_poll_at=timezone.now())
    Poller(pool_size=1).run_pass()
    scraped = scrape()
    runs = sorted(SyncRun.objects.values_list("kind", "status"))
    assert runs == [("poll", "failed"), ("poll", "succeeded")]
    polls = "spotify_history_polls_total"
    assert value(scraped, polls, kind="poll", outcome="succeeded") == 1
    assert value(scraped, polls, kind="poll", outcome="failed") == 1
    assert value(scraped, polls, kind="initial_sync", outcome="succeeded") == 0
    stored = Play.objects.filter(source=Play.Source.API).count()
    assert stored >= 3
    assert value(scraped, "spotify_history_plays_stored_total", source="api") == stored


def test_mcp_calls_are_counted_by_tool_and_outcome_with_their_time(listener, settings):
    settings.MCP_RATE_LIMIT_PER_MINUTE = 3
    _, secret = tokens.issue_token(listener, name="laptop")
    mcp = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def call(tool, args):
        body = json.dumps({"tool": tool, "args": args})
        return mcp.post("/mcp/call", body, content_type="application/json").status_code

    assert call("recent_plays", {}) == 200
    assert call("recent_plays", {"limit": "many"}) != 200  # the tool says what to change
    assert call("recent_plays", {"user_id": "somebody-else"}) == 403
    assert call("recent_plays", {}) == 429  # the fourth call in a minute
    scraped = scrape()
    name = "spotify_history_mcp_call_duration_seconds"
    for outcome in ("ok", "error", "refused"):
        assert value(scraped, f"{name}_count", tool="recent_plays", outcome=outcome) == 1
        assert (
            value(scraped, f"{name}_bucket", tool="recent_plays", outcome=outcome, le="+Inf") == 1
        )
    buckets = [
        value(scraped, f"{name}_bucket", tool="recent_plays", outcome="ok", le=bound)
        for bound in [*map(metric_counts.format_bound, metric_counts.LATENCY_BUCKETS), "+Inf"]
    ]
    assert buckets == sorted(buckets)  # cumulative
    assert value(scraped, f"{name}_sum", tool="recent_plays", outcome="ok") > 0
    assert value(scraped, "spotify_history_rate_limit_refusals_total", limit="mcp_calls") == 1


def test_counts_from_several_processes_add_up():
    """Two processes counting at once, as two gunicorn workers or a web and a worker would."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{database['NAME']}"
    else:
        url = (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        )
    script = (
        "from accounts import metric_counts\n"
        "for _ in range(40):\n"
        "    metric_counts.add(metric_counts.IMPORT_RECORDS, 5)\n"
        "    metric_counts.add(metric_counts.POLLS, kind='poll', outcome='succeeded')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"ENV_FILE": "", "DATABASE_URL": url, "DEBUG": "true"})
    processes = [
        subprocess.Popen(
            [sys.executable, str(django_settings.BASE_DIR / "manage.py"), "shell", "-c", script],
            env=env,
            cwd=django_settings.BASE_DIR,
        )
        for _ in range(2)
    ]
    assert [process.wait(timeout=120) for process in processes] == [0, 0]
    scraped = scrape()
    assert value(scraped, "spotify_history_import_records_total") == 2 * 40 * 5
    assert value(scraped, "spotify_history_polls_total", kind="poll", outcome="succeeded") == 80
    assert MetricCounter.objects.filter(name=metric_counts.IMPORT_RECORDS).count() == 1
