"""Logs are JSON lines on stdout and rows in the database, with secrets masked in both."""

import json
import logging
from datetime import timedelta
from sys import exc_info

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.logs import JsonLinesFormatter, RedactSecretsFilter, log_event
from accounts.models import LogEntry
from accounts.tasks import purge_old_logs

logger = logging.getLogger("plays.poller")


def format_record(record):
    RedactSecretsFilter().filter(record)
    return json.loads(JsonLinesFormatter().format(record))


def make_record(message, *args, **extra):
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_it_formats_a_record_as_one_json_line():
    record = make_record(
        "Polled %s", "alice", event="poll.finished", listener_id=7, context={"inserted": 3}
    )
    line = JsonLinesFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "INFO"
    assert entry["logger"] == "plays.poller"
    assert entry["event"] == "poll.finished"
    assert entry["message"] == "Polled alice"
    assert entry["listener_id"] == 7
    assert entry["context"] == {"inserted": 3}
    assert entry["time"].endswith("+00:00")


def test_it_masks_secrets_in_message_context_and_exception():
    try:
        raise RuntimeError("token endpoint said refresh_token=AQBsecret")
    except RuntimeError:
        record = logger.makeRecord(
            logger.name, logging.ERROR, __file__, 1, "Bearer %s failed", ("BQCabc",), exc_info()
        )
    record.context = {"access_token": "BQCabc", "status": 400}
    entry = format_record(record)
    text = json.dumps(entry)
    assert "BQCabc" not in text
    assert "AQBsecret" not in text
    assert entry["context"]["status"] == 400
    assert "RuntimeError" in entry["exception"]


@pytest.mark.django_db
def test_it_stores_events_in_the_database(listener, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        log_event(
            logger,
            "poll.finished",
            "Polled alice with Bearer BQDsecret",
            listener=listener,
            inserted=3,
            access_token="BQDsecret",
        )
    entry = LogEntry.objects.get(event="poll.finished")
    assert (entry.level, entry.logger, entry.event) == ("INFO", "plays.poller", "poll.finished")
    assert entry.listener == listener
    assert entry.context == {"inserted": 3, "access_token": "[redacted]"}
    assert "BQDsecret" not in entry.message


def test_it_writes_json_lines_to_stdout(run_manage):
    code = (
        "import logging; from accounts.logs import log_event; "
        "log_event(logging.getLogger('plays.poller'), 'poll.finished', "
        "'Polled with Bearer BQDsecret', inserted=3, refresh_token='AQBsecret')"
    )
    result = run_manage("shell", "-c", code, env={"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if "poll.finished" in line]
    entry = json.loads(line)
    assert entry["message"] == "Polled with Bearer [redacted]"
    assert entry["context"] == {"inserted": 3, "refresh_token": "[redacted]"}
    assert "secret" not in result.stdout.replace("[redacted]", "")


@pytest.mark.django_db
def test_it_drops_the_database_entry_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            log_event(logger, "poll.failed", "rolled back")
            raise RuntimeError
        log_event(logger, "poll.finished", "kept")
    assert not LogEntry.objects.filter(message="rolled back").exists()
    assert LogEntry.objects.filter(message="kept").exists()


@pytest.mark.django_db
def test_it_deletes_a_listeners_log_entries_with_the_listener(
    listener, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        log_event(logger, "poll.finished", "about alice", listener=listener)
    assert LogEntry.objects.filter(listener=listener).count() == 1
    listener.delete()
    assert not LogEntry.objects.filter(message="about alice").exists()


@pytest.mark.django_db
def test_purge_logs_deletes_only_entries_older_than_the_retention(settings):
    settings.LOG_RETENTION_DAYS = 90
    now = timezone.now()
    old = LogEntry.objects.create(
        level="INFO", logger="x", event="old", message="old", created=now - timedelta(days=91)
    )
    recent = LogEntry.objects.create(
        level="INFO", logger="x", event="recent", message="recent", created=now - timedelta(days=89)
    )
    assert purge_old_logs() == 1
    assert not LogEntry.objects.filter(pk=old.pk).exists()
    assert LogEntry.objects.filter(pk=recent.pk).exists()


@pytest.mark.django_db
def test_the_purge_logs_command_takes_days(capsys):
    now = timezone.now()
    LogEntry.objects.create(
        level="INFO", logger="x", event="e", message="m", created=now - timedelta(days=10)
    )
    call_command("purge_logs", "--days", "30")
    assert LogEntry.objects.filter(event="e").count() == 1
    call_command("purge_logs", "--days", "5")
    assert LogEntry.objects.filter(event="e").count() == 0
    assert "Deleted 1 log entries older than 5 days." in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["0", "36501", "99999999999"])
def test_the_purge_logs_command_refuses_a_retention_out_of_range(days):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--days must be from 1 to 36500"):
        call_command("purge_logs", "--days", days)
