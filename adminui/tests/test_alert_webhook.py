"""ALERT_WEBHOOK_URL: the worker POSTs one alert per listener condition until it clears, to a real
receiver on 127.0.0.1; a receiver that fails or hangs is logged and retried, never fatal."""

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.crypto import encrypt_token
from accounts.models import Listener, LogEntry, OpenAlert
from adminui.alerts import retry_delay, send_alerts
from imports.jobs import job_for_file, run_import_job
from imports.models import ImportJob
from imports.tests.fixtures import extended_track_row, write_zip
from plays.poller import Poller
from plays.tests.conftest import connect, standin  # noqa: F401 - fixtures
from spotify_history.checks import webhook_url_problem

pytestmark = pytest.mark.django_db(transaction=True)

RECEIVER_TOKEN = "gotify-app-token-AbCdEf123456"  # in the URL's query, as Gotify wants it
REFRESH_TOKEN = "carols-refresh-token-never-in-an-alert"
ADMIN_TOKEN = "alerts-admin-token-0123456789abcdefghij"


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps every JSON body POSTed to it."""

    def __init__(self):
        self.bodies = []
        self.status = 200
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                time.sleep(receiver.delay)
                receiver.bodies.append(
                    {"path": self.path, "type": self.headers["Content-Type"], **json.loads(body)}
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/message?token={RECEIVER_TOKEN}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    receiver = Receiver()
    settings.ALERT_WEBHOOK_URL = receiver.url
    settings.ALERT_WEBHOOK_TIMEOUT_SECONDS = 5
    settings.ALERT_FAILED_POLLS = 3
    settings.ADMIN_TOKEN = ADMIN_TOKEN
    settings.SPOTIFY_REDIRECT_URI = "https://history.example.org/auth/callback"
    yield receiver
    receiver.close()


def carol(**fields):
    values = {
        "status": Listener.Status.ACTIVE,
        "encrypted_refresh_token": encrypt_token(REFRESH_TOKEN),
        "refresh_token_expires_at": timezone.now() + timedelta(days=150),
        **fields,
    }
    return Listener.objects.create(spotify_user_id="carol", display_name="Carol", **values)


def conditions(receiver):
    return [(body["state"], body["condition"], body["listener"]) for body in receiver.bodies]


def test_without_a_webhook_url_nothing_is_sent_or_stored(receiver, settings):
    carol(status=Listener.Status.NEEDS_REAUTH)
    send_alerts()
    settings.ALERT_WEBHOOK_URL = ""
    assert send_alerts() == {"opened": 0, "sent": 0, "failed": 0, "cleared": 0}
    assert not OpenAlert.objects.exists()  # what was open is forgotten, not "cleared"
    assert len(receiver.bodies) == 1


def test_a_listener_who_must_log_in_again_is_alerted_once_while_it_lasts(receiver):
    carol(status=Listener.Status.NEEDS_REAUTH)
    send_alerts()
    send_alerts()
    send_alerts(timezone.now() + timedelta(hours=3))
    assert conditions(receiver) == [("open", "needs_reauth", "carol")]
    [body] = receiver.bodies
    assert body["type"] == "application/json"
    assert body["title"] == "carol must log in with Spotify again"
    assert "carol" in body["message"]
    assert "https://history.example.org/auth/login" in body["message"]
    assert body["text"].startswith(body["title"])  # Slack-style receivers show only "text"
    assert body["message"] in body["text"]
    assert OpenAlert.objects.get().sent_at is not None


def test_an_alert_holds_no_secret(receiver):
    carol(status=Listener.Status.NEEDS_REAUTH, status_reason="Spotify said: invalid_grant xyz")
    send_alerts()
    [body] = receiver.bodies
    text = json.dumps({key: body[key] for key in body if key not in ("path", "type")})
    for secret in (REFRESH_TOKEN, ADMIN_TOKEN, RECEIVER_TOKEN, "invalid_grant xyz", "Carol"):
        assert secret not in text


def test_a_cleared_condition_says_so_once_and_a_new_one_is_alerted_again(receiver):
    listener = carol(status=Listener.Status.NEEDS_REAUTH)
    send_alerts()
    Listener.objects.filter(pk=listener.pk).update(status=Listener.Status.ACTIVE)
    send_alerts()
    send_alerts()
    assert not OpenAlert.objects.exists()
    Listener.objects.filter(pk=listener.pk).update(status=Listener.Status.NEEDS_REAUTH)
    send_alerts()
    assert conditions(receiver) == [
        ("open", "needs_reauth", "carol"),
        ("cleared", "needs_reauth", "carol"),
        ("open", "needs_reauth", "carol"),
    ]
    assert receiver.bodies[1]["title"].startswith("Cleared: ")


def test_spotify_access_ending_within_14_days_is_alerted_and_later_is_not(receiver):
    now = timezone.now()
    carol(refresh_token_expires_at=now + timedelta(days=13))
    Listener.objects.create(
        spotify_user_id="dan",
        status=Listener.Status.ACTIVE,
        refresh_token_expires_at=now + timedelta(days=15),
    )
    send_alerts()
    assert conditions(receiver) == [("open", "access_expiring", "carol")]
    expires = (now + timedelta(days=13)).strftime("%Y-%m-%d")
    assert expires in receiver.bodies[0]["message"]


def test_access_that_ended_turns_the_expiry_warning_into_a_login_alert(receiver):
    now = timezone.now()
    carol(refresh_token_expires_at=now + timedelta(days=2))
    send_alerts(now)
    send_alerts(now + timedelta(days=3))
    assert conditions(receiver) == [
        ("open", "access_expiring", "carol"),
        ("cleared", "access_expiring", "carol"),
        ("open", "needs_reauth", "carol"),
    ]


def test_polls_failing_n_times_in_a_row_are_alerted(receiver, standin, connect):  # noqa: F811
    listener = connect("erin")
    standin.state.inject_fault("recently_played", status=502, count=3)
    for attempt in range(3):
        Listener.objects.filter(pk=listener.pk).update(next_poll_at=timezone.now())
        Poller(pool_size=1).run_pass()
        send_alerts()
        expected = [("open", "failing_polls", "erin")] if attempt == 2 else []
        assert conditions(receiver) == expected, f"after {attempt + 1} failed polls"
    assert "The last 3 polls of listener erin failed" in receiver.bodies[0]["message"]
    Listener.objects.filter(pk=listener.pk).update(next_poll_at=timezone.now())
    Poller(pool_size=1).run_pass()  # Spotify answers again
    send_alerts()
    assert conditions(receiver)[-1] == ("cleared", "failing_polls", "erin")


def test_the_number_of_failed_polls_is_a_setting(receiver, settings):
    settings.ALERT_FAILED_POLLS = 5
    carol(consecutive_failures=4)
    send_alerts()
    assert receiver.bodies == []
    Listener.objects.update(consecutive_failures=5)
    send_alerts()
    assert conditions(receiver) == [("open", "failing_polls", "carol")]


def test_a_failed_import_is_alerted_once_per_job(receiver, tmp_path):
    listener = carol()
    broken = tmp_path / "my_spotify_data.zip"
    broken.write_bytes(b"this is not a zip file")
    job = run_import_job(job_for_file(listener, broken).pk)
    assert job.status == ImportJob.Status.FAILED
    good_rows = [
        extended_track_row(ts="2024-03-01T12:00:00Z", spotify_track_uri=f"spotify:track:{0:022d}")
    ]
    good = write_zip(tmp_path / "good.zip", {"Streaming_History_Audio_2024.json": good_rows})
    assert run_import_job(job_for_file(listener, good).pk).status == ImportJob.Status.SUCCEEDED
    send_alerts()
    send_alerts()
    assert conditions(receiver) == [("open", "import_failed", "carol")]
    assert f"Import job {job.pk} for listener carol failed" in receiver.bodies[0]["message"]
    assert "my_spotify_data" not in json.dumps(receiver.bodies[0])  # an upload's name is data


def test_an_import_that_failed_before_the_last_day_is_old_news(receiver):
    listener = carol()
    ImportJob.objects.create(
        listener=listener,
        file_name="x.zip",
        status=ImportJob.Status.FAILED,
        finished_at=timezone.now() - timedelta(days=2),
    )
    send_alerts()
    assert receiver.bodies == []


def test_a_receiver_that_fails_is_logged_without_its_url_and_tried_again_later(receiver, caplog):
    receiver.status = 500
    carol(status=Listener.Status.NEEDS_REAUTH)
    now = timezone.now()
    assert send_alerts(now)["failed"] == 1
    alert = OpenAlert.objects.get()
    assert (alert.sent_at, alert.attempts) == (None, 1)
    [entry] = LogEntry.objects.filter(event="alert.delivery_failed")
    assert "127.0.0.1" in entry.message
    assert "answered 500" in entry.message
    assert RECEIVER_TOKEN not in entry.message + json.dumps(entry.context) + caplog.text
    receiver.status = 200
    send_alerts(now + retry_delay(1) / 2)
    assert len(receiver.bodies) == 1  # not yet: it waits before trying again
    assert send_alerts(now + retry_delay(1))["sent"] == 1
    assert len(receiver.bodies) == 2
    assert OpenAlert.objects.get().sent_at is not None


def test_a_receiver_that_hangs_times_out_and_the_pass_stops_there(receiver, settings, caplog):
    settings.ALERT_WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.delay = 1.5
    carol(status=Listener.Status.NEEDS_REAUTH)
    Listener.objects.create(spotify_user_id="dan", status=Listener.Status.NOT_REGISTERED)
    done = send_alerts()
    assert (done["opened"], done["failed"], done["sent"]) == (2, 1, 0)
    assert OpenAlert.objects.filter(attempts=0).count() == 1  # not tried: the receiver is down
    entry = LogEntry.objects.get(event="alert.delivery_failed")
    assert "did not answer in time" in entry.message
    assert RECEIVER_TOKEN not in caplog.text


def test_a_receiver_that_is_not_there_is_logged(settings, caplog):
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        port = closed.server_port
    settings.ALERT_WEBHOOK_URL = f"http://127.0.0.1:{port}/hook?token={RECEIVER_TOKEN}"
    carol(status=Listener.Status.NEEDS_REAUTH)
    assert send_alerts()["failed"] == 1
    entry = LogEntry.objects.get(event="alert.delivery_failed")
    assert "ConnectionError" in entry.message
    assert RECEIVER_TOKEN not in entry.message + caplog.text


def test_two_workers_at_once_send_each_alert_once(receiver):
    for user in ("p", "q", "r"):
        Listener.objects.create(spotify_user_id=user, status=Listener.Status.NEEDS_REAUTH)
    now = timezone.now()
    threads = [threading.Thread(target=send_alerts, args=(now,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(conditions(receiver)) == [("open", "needs_reauth", u) for u in ("p", "q", "r")]


def test_deliveries_and_open_alerts_show_in_the_metrics(receiver):
    carol(status=Listener.Status.NEEDS_REAUTH)
    send_alerts()
    text = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {ADMIN_TOKEN}").content.decode()
    assert 'spotify_history_alerts_open{condition="needs_reauth"} 1.0' in text
    assert 'spotify_history_alert_deliveries_total{outcome="sent"} 1.0' in text


def test_the_worker_runs_it_every_minute():
    from django_q.models import Schedule

    call_command("migrate", verbosity=0)
    schedule = Schedule.objects.get(name="send-alerts")
    assert (schedule.func, schedule.minutes) == ("adminui.alerts.send_alerts", 1)


@pytest.mark.parametrize(
    "url",
    ["ntfy.sh/my-topic", "ftp://example.org/hook", "https:///no-host", "http://host:port/x"],
)
def test_a_malformed_webhook_url_is_a_warning_that_never_shows_the_url(url, run_manage):
    assert webhook_url_problem(url)
    result = run_manage("check", env={"ALERT_WEBHOOK_URL": url, "DEBUG": "true"})
    assert "spotify_history.W040" in result.stderr
    assert "ALERT_WEBHOOK_URL is not an absolute" in result.stderr or "port" in result.stderr
    assert url not in result.stderr


@pytest.mark.parametrize("url", ["", "https://ntfy.sh/my-topic", "http://127.0.0.1:8080/hook"])
def test_good_webhook_urls_pass_the_check(url):
    assert webhook_url_problem(url) is None


def test_the_alert_time_is_in_the_payload(receiver):
    carol(status=Listener.Status.NEEDS_REAUTH)
    at = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    send_alerts(at)
    assert receiver.bodies[0]["since"] == at.isoformat()
