"""Structured logging: JSON lines on stdout and the same events in the database.

Every part of the service logs through the standard `logging` module. `log_event()` attaches the
three things the operator pages filter on (an event name, the listener concerned, and a small
context dict); the formatter and the database handler below turn any record into the same shape.
Both handlers sit behind `RedactSecretsFilter`, so a token that slips into a message is masked
before it reaches either place.
"""

import json
import logging
import threading
import traceback
from datetime import UTC, datetime

from accounts.redaction import redact_data, redact_text

_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
}


def log_event(
    logger, event, message, *, level=logging.INFO, listener=None, exc_info=False, **context
):
    """Logs `message` with an event name, the listener it concerns and JSON-able context."""
    logger.log(
        level,
        message,
        exc_info=exc_info,
        extra={
            "event": event,
            "listener_id": getattr(listener, "pk", listener),
            "context": context,
        },
    )


def _record_event(record):
    return getattr(record, "event", None) or record.name


def _record_context(record):
    context = getattr(record, "context", None)
    return dict(context) if isinstance(context, dict) else {}


def _record_exception(record):
    if record.exc_info:
        return "".join(traceback.format_exception(*record.exc_info)).rstrip()
    return None


class RedactSecretsFilter(logging.Filter):
    """Masks secrets in the message, its arguments, the context and any exception text."""

    def filter(self, record):
        record.msg = redact_text(record.getMessage())
        record.args = ()
        if isinstance(getattr(record, "context", None), dict):
            record.context = redact_data(record.context)
        if record.exc_info:
            record.exc_text = redact_text(_record_exception(record))
            record.exc_info = None
        return True


class JsonLinesFormatter(logging.Formatter):
    """Formats a record as one JSON object per line."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "event": _record_event(record),
            "message": record.getMessage(),
        }
        if getattr(record, "listener_id", None) is not None:
            entry["listener_id"] = record.listener_id
        context = _record_context(record)
        if context:
            entry["context"] = context
        exception = record.exc_text or _record_exception(record)
        if exception:
            entry["exception"] = exception
        return json.dumps(entry, default=str)


class DatabaseHandler(logging.Handler):
    """Stores records as `LogEntry` rows for the operator pages and the admin API.

    A record emitted inside a transaction is stored when that transaction commits (and dropped,
    on this handler only, if it rolls back), so a log line never holds the caller's write lock
    open nor outlives data that was never saved. A failure to store is reported on stderr and
    never breaks the code that logged.
    """

    _local = threading.local()

    def emit(self, record):
        if getattr(self._local, "busy", False):
            return  # a log written while storing a log: don't recurse
        from django.apps import apps

        if not apps.ready:
            return
        self._local.busy = True
        try:
            from django.db import transaction

            from accounts.models import LogEntry

            entry = LogEntry(
                created=datetime.fromtimestamp(record.created, tz=UTC),
                level=record.levelname,
                logger=record.name[: LogEntry._meta.get_field("logger").max_length],
                event=_record_event(record)[: LogEntry._meta.get_field("event").max_length],
                message=record.getMessage(),
                context=json.loads(json.dumps(_record_context(record), default=str)),
                exception=record.exc_text or _record_exception(record) or "",
                listener_id=getattr(record, "listener_id", None),
            )
            transaction.on_commit(lambda: self._save(entry))
        except Exception:
            self.handleError(record)
        finally:
            self._local.busy = False

    def _save(self, entry):
        self._local.busy = True
        try:
            from accounts.bookkeeping import unhurried

            with unhurried():  # a log line needn't wait for the disk (accounts.bookkeeping)
                entry.save(force_insert=True)
        except Exception:
            # The table may not exist yet (before `migrate`), or the listener was just deleted.
            logging.getLogger("spotify_history.logs").debug("log entry not stored", exc_info=True)
        finally:
            self._local.busy = False
