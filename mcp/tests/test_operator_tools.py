"""The operator's tools (list_listeners, recent_sync_runs, recent_import_jobs): the admin token
only, and the same answers as the admin API."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Listener
from imports.models import ImportJob
from mcp.tests.conftest import ADMIN_TOKEN
from mcp.tools import resolve_tool, schema_problem
from plays import queries
from plays.models import SyncRun
from plays.tests.query_fixtures import build_history

pytestmark = pytest.mark.django_db

AUTH = {"HTTP_AUTHORIZATION": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture(autouse=True)
def admin_api_token(settings):
    settings.ADMIN_AUTH_MODE = "token"


@pytest.fixture
def activity(listener):
    bob = Listener.objects.create(spotify_user_id="bob", status=Listener.Status.ACTIVE)
    build_history(listener, count=40)
    now = timezone.now()
    for owner, minutes in ((listener, 5), (bob, 3), (listener, 1)):
        SyncRun.objects.create(
            listener=owner,
            kind=SyncRun.Kind.POLL,
            status=SyncRun.Status.SUCCEEDED,
            started_at=now - timedelta(minutes=minutes),
            finished_at=now,
            fetched=minutes,
        )
    ImportJob.objects.create(listener=listener, file_name="alice.zip", status="succeeded")
    ImportJob.objects.create(listener=bob, file_name="bob.zip", status="failed")
    return listener, bob


def call(client, tool, args, token=ADMIN_TOKEN):
    return client.post(
        "/mcp/call",
        data=json.dumps({"tool": tool, "args": args}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def admin_api(client, path, **query):
    return client.get(path, query, **AUTH).json()


@pytest.mark.parametrize(
    ("tool", "args", "path", "query", "key"),
    [
        ("list_listeners", {}, "/admin/users", {}, "listeners"),
        ("recent_sync_runs", {}, "/admin/sync-runs", {}, "sync_runs"),
        (
            "recent_sync_runs",
            {"user_id": "bob"},
            "/admin/sync-runs",
            {"user_id": "bob"},
            "sync_runs",
        ),
        ("recent_sync_runs", {"limit": 1}, "/admin/sync-runs", {"limit": 1}, "sync_runs"),
        ("recent_import_jobs", {}, "/admin/import-jobs", {}, "import_jobs"),
        (
            "recent_import_jobs",
            {"status": "failed"},
            "/admin/import-jobs",
            {"status": "failed"},
            "import_jobs",
        ),
    ],
)
def test_each_answers_what_the_admin_api_answers(client, activity, tool, args, path, query, key):
    response = call(client, tool, args)
    assert response.status_code == 200, response.json()
    answer = response.json()["result"]
    assert answer[key] == admin_api(client, path, **query)
    assert schema_problem(resolve_tool(tool).output_schema, answer, tool) is None


def test_list_listeners_with_a_user_id_answers_that_listener(client, activity):
    answer = call(client, "ops.list_users", {"user_id": "alice"}).json()["result"]
    assert [row["spotify_user_id"] for row in answer["listeners"]] == ["alice"]
    assert answer["listeners"][0]["plays"] == queries.coverage(activity[0])["plays"] > 0


def test_times_filter_and_bad_ones_are_a_sentence(client, activity):
    since = (timezone.now() - timedelta(minutes=2)).isoformat()
    runs = call(client, "recent_sync_runs", {"since": since}).json()["result"]["sync_runs"]
    assert [run["fetched"] for run in runs] == [1]
    bad = call(client, "recent_sync_runs", {"since": "yesterday"})
    assert bad.status_code == 400 and "ISO 8601" in bad.json()["error"]
    unknown = call(client, "recent_import_jobs", {"user_id": "nobody"})
    assert unknown.status_code == 404


def test_a_listener_token_is_refused_and_not_offered_them(client, activity, secret, rpc):
    response = call(client, "list_listeners", {}, token=secret)
    assert response.status_code == 403
    assert "operator tool" in response.json()["error"]
    result = rpc(secret, "tools/call", {"name": "recent_sync_runs", "arguments": {}}).json()
    assert result["result"]["isError"] is True
    assert "bob" not in json.dumps(result)
    listed = rpc(secret, "tools/list").json()["result"]["tools"]
    assert not {"list_listeners", "recent_sync_runs", "recent_import_jobs"} & {
        tool["name"] for tool in listed
    }
