"""The operator's tools (the original design's `ops.*`): listeners, sync runs, import jobs.

For the operator's ADMIN_TOKEN only (`audience=OPERATOR`: a listener's token is refused, and
they are not in its tools/list). `user_id` is then an optional filter rather than the listener
asked about. The answers come from the same code as the admin API (`plays.queries.operator`,
`imports.listing`), with times as ISO 8601 strings in UTC.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.serializers.json import DjangoJSONEncoder

from imports.listing import recent_import_jobs
from imports.models import ImportJob
from mcp.tools.base import OPERATOR, Tool, ToolError
from mcp.tools.schemas import (
    BOOL,
    CHOICE_MAX,
    DATE_MAX,
    INT,
    NUM,
    STR,
    TIME,
    USER_ID_MAX,
    nullable,
    object_schema,
    tool_input,
)
from plays.models import SyncRun
from plays.queries import operator

_ENCODER = DjangoJSONEncoder()
_USER_FILTER = {
    "user_id": {
        "type": "string",
        "maxLength": USER_ID_MAX,
        "description": "Only this listener (a Spotify user id); leave out for every listener.",
    }
}
_WINDOW = {
    "since": {
        "type": "string",
        "maxLength": DATE_MAX,
        "description": "From this time on (ISO 8601 date or datetime, UTC unless an offset "
        "is given).",
    },
    "until": {
        "type": "string",
        "maxLength": DATE_MAX,
        "description": "Before this time (same form as since).",
    },
    "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 500,
        "default": 50,
        "description": "At most this many, newest first (1 to 500, default 50).",
    },
}


def _operator_input(properties):
    schema = tool_input(properties)
    schema["properties"].update(_USER_FILTER)
    return schema


def _plain(value):
    """JSON-able copy: times as ISO 8601 strings, written as the admin API writes them."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime | date):
        return _ENCODER.default(value)
    return value


def _moment(args, name):
    text = args.get(name)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise ToolError(
            f"{name} must be an ISO 8601 date or datetime such as '2026-01-31' or "
            f"'2026-01-31T18:00:00Z' (got {text[:40]!r})."
        ) from None


def _window(listener, args):
    return {
        "listener": listener,
        "since": _moment(args, "since"),
        "until": _moment(args, "until"),
        "limit": args.get("limit", 50),
    }


def _listeners(listener, args, tz):
    rows = operator.listeners() if listener is None else [operator.listener_overview(listener)]
    return {"listeners": _plain(rows)}


_LISTENER_ROW = object_schema(
    {
        "spotify_user_id": STR,
        "display_name": STR,
        "status": STR,
        "status_label": STR,
        "status_reason": STR,
        "time_zone": STR,
        "plays": INT,
        "plays_by_source": {"type": "object", "additionalProperties": INT},
        "first_play": TIME,
        "last_play": TIME,
        "last_poll_at": TIME,
        "next_poll_at": TIME,
        "rate_limited_until": TIME,
        "refresh_token_expires_at": TIME,
        "needs_initial_sync": BOOL,
    }
)
_RUN_ROW = object_schema(
    {
        "id": INT,
        "user_id": STR,
        "kind": STR,
        "status": STR,
        "started_at": STR,
        "finished_at": TIME,
        "requests": INT,
        "fetched": INT,
        "inserted": INT,
        "duplicates": INT,
        "error": STR,
        "worker": STR,
    }
)
_JOB_ROW = object_schema(
    {
        "id": INT,
        "job_id": INT,
        "listener": STR,
        "file_name": STR,
        "file_size": INT,
        "status": STR,
        "format": STR,
        "records_total": INT,
        "records_done": INT,
        "inserted": INT,
        "duplicates": INT,
        "errors": {"type": "array", "items": STR},
        "created_at": STR,
        "finished_at": TIME,
        "seconds": nullable(NUM),
    }
)

OPS_TOOLS = [
    Tool(
        name="list_listeners",
        title="Listeners (operator)",
        summary="Operator only: every listener (or the one named by user_id) with status, "
        "stored plays by source, first and last play, polling state and the Spotify access "
        "expiry, as GET /admin/users answers.",
        input_schema=_operator_input({}),
        output_schema=object_schema({"listeners": {"type": "array", "items": _LISTENER_ROW}}),
        run=_listeners,
        audience=OPERATOR,
        counts_plays=False,
    ),
    Tool(
        name="recent_sync_runs",
        title="Recent sync runs (operator)",
        summary="Operator only: polls and initial syncs, newest first, with requests, fetched, "
        "inserted, duplicates and errors, as GET /admin/sync-runs answers.",
        input_schema=_operator_input(
            {
                "kind": {
                    "type": "string",
                    "maxLength": CHOICE_MAX,
                    "enum": list(SyncRun.Kind.values),
                    "description": "Only polls or only initial syncs: "
                    + " or ".join(f"'{kind}'" for kind in SyncRun.Kind.values)
                    + ".",
                },
                "status": {
                    "type": "string",
                    "maxLength": CHOICE_MAX,
                    "enum": list(SyncRun.Status.values),
                    "description": "Only runs that ended so (or are still running): "
                    + ", ".join(f"'{status}'" for status in SyncRun.Status.values)
                    + ".",
                },
                **_WINDOW,
            }
        ),
        output_schema=object_schema({"sync_runs": {"type": "array", "items": _RUN_ROW}}),
        run=lambda listener, args, tz: {
            "sync_runs": _plain(
                operator.recent_sync_runs(
                    kind=args.get("kind"), status=args.get("status"), **_window(listener, args)
                )
            )
        },
        audience=OPERATOR,
        counts_plays=False,
    ),
    Tool(
        name="recent_import_jobs",
        title="Recent import jobs (operator)",
        summary="Operator only: export imports, newest first, with progress, counts and "
        "errors, as GET /admin/import-jobs answers.",
        input_schema=_operator_input(
            {
                "status": {
                    "type": "string",
                    "maxLength": CHOICE_MAX,
                    "enum": list(ImportJob.Status.values),
                    "description": "Only jobs in this state: "
                    + ", ".join(f"'{status}'" for status in ImportJob.Status.values)
                    + ".",
                },
                **_WINDOW,
            }
        ),
        output_schema=object_schema({"import_jobs": {"type": "array", "items": _JOB_ROW}}),
        run=lambda listener, args, tz: {
            "import_jobs": _plain(
                recent_import_jobs(status=args.get("status"), **_window(listener, args))
            )
        },
        audience=OPERATOR,
        counts_plays=False,
    ),
]

# The original design's names.
OPS_ALIASES = {
    "ops.list_users": "list_listeners",
    "ops.latest_job_runs": "recent_sync_runs",
    "ops.latest_import_jobs": "recent_import_jobs",
}
