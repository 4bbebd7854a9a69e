"""The Grafana dashboard and the alert rules of docs/operations.md are valid, and every query names
a series that /metrics exposes."""

import json
import re
from pathlib import Path

import pytest
import yaml
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs"
ADMIN_TOKEN = "docs-admin-token-0123456789abcdefghijkl"
SERIES = re.compile(r"\b(spotify_history_[a-z_]+|up)\b")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


@pytest.fixture
def exposed(settings):
    """Every sample name /metrics can expose (a histogram's, even before its first sample)."""
    settings.ADMIN_TOKEN = ADMIN_TOKEN
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {ADMIN_TOKEN}")
    assert response.status_code == 200
    return {
        family.name + suffix
        for family in text_string_to_metric_families(response.content.decode())
        for suffix in SUFFIXES[family.type]
    }


def dashboard():
    return json.loads((DOCS / "grafana-dashboard.json").read_text())


def alert_rules():
    text = (DOCS / "operations.md").read_text()
    [block] = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "groups:" in b]
    return yaml.safe_load(block)["groups"][0]["rules"]


def test_the_dashboard_is_importable_json_with_a_query_on_every_panel():
    board = dashboard()
    assert board["title"] and board["uid"]
    panels = [panel for panel in board["panels"] if panel["type"] != "row"]
    assert len(panels) >= 10
    for panel in panels:
        assert panel["targets"], panel["title"]
        assert all(target["expr"].strip() for target in panel["targets"]), panel["title"]
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}"
    assert [i["name"] for i in board["__inputs"]] == ["DS_PROMETHEUS"]
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))


def test_every_dashboard_query_names_series_the_endpoint_exposes(exposed):
    queried = {
        name
        for panel in dashboard()["panels"]
        for target in panel.get("targets", [])
        for name in SERIES.findall(target["expr"])
    }
    assert queried - exposed == set()
    # The dashboard covers what the issue asks for.
    for series in (
        "spotify_history_polls_total",
        "spotify_history_plays_stored_total",
        "spotify_history_import_records_total",
        "spotify_history_import_jobs",
        "spotify_history_mcp_call_duration_seconds_bucket",
        "spotify_history_mcp_call_duration_seconds_count",
        "spotify_history_rate_limit_refusals_total",
        "spotify_history_queue_tasks",
        "spotify_history_queue_oldest_task_age_seconds",
        "spotify_history_listeners",
        "spotify_history_listeners_spotify_access_expiring",
    ):
        assert series in queried


def test_the_alert_rules_are_valid_and_name_only_exposed_series(exposed):
    rules = alert_rules()
    assert len(rules) >= 8
    for rule in rules:
        assert set(rule) >= {"alert", "expr", "annotations"}
        names = set(SERIES.findall(rule["expr"]))
        assert names, rule["alert"]
        assert names - exposed - {"up"} == set(), rule["alert"]
