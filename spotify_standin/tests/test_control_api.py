"""The /_control API: users, plays, tokens, reset, config and the request log."""

from __future__ import annotations

import json

import requests

from spotify_standin import StandinServer

from .support import api_get, control, exchange, recently_played, redirect_params
from .support import authorize as authorize_request


def test_users_can_be_created_with_profile_fields_and_generated_plays(standin):
    created = control(
        standin,
        "POST",
        "/users",
        {"id": "carol", "display_name": "Carol", "country": "FR", "plays": 12},
    )

    assert created.status_code == 201
    assert created.json()["play_count"] == 12
    token = control(standin, "POST", "/users/carol/tokens").json()["access_token"]
    me = api_get(standin, "/me", token).json()
    assert (me["id"], me["display_name"], me["country"]) == ("carol", "Carol", "FR")


def test_the_plays_endpoint_returns_the_full_truth_not_only_50(standin):
    body = control(standin, "GET", "/users/demo-listener/plays").json()

    assert body["total"] == 120
    assert len(body["items"]) == 120
    assert sum(item["visible"] for item in body["items"]) == 50
    assert body["items"] == standin.state.plays("demo-listener")


def test_plays_can_be_added_by_count_or_as_items(standin):
    track = standin.state.catalogue.tracks[0].id

    by_count = control(standin, "POST", "/users/dave/plays", {"count": 4})
    by_items = control(
        standin,
        "POST",
        "/users/dave/plays",
        {"items": [{"track_id": track, "played_at": "2031-05-05T05:05:05.555Z"}]},
    )

    assert len(by_count.json()["added"]) == 4
    assert by_items.json()["added"][0]["played_at"] == "2031-05-05T05:05:05.555Z"
    assert len(standin.state.plays("dave")) == 120 + 4 + 1


def test_minted_tokens_work_for_the_api_and_can_be_refreshed(standin):
    minted = control(standin, "POST", "/users/erin/tokens").json()

    assert set(minted) >= {"access_token", "refresh_token", "expires_in"}
    assert api_get(standin, "/me", minted["access_token"]).json()["id"] == "erin"
    form = {"grant_type": "refresh_token", "refresh_token": minted["refresh_token"]}
    assert requests.post(f"{standin.url}/api/token", data=form, timeout=10).status_code == 200


def test_authorize_as_switches_the_listener_and_can_deny(standin):
    control(standin, "POST", "/authorize-as", {"user_id": "frank"})
    code = redirect_params(authorize_request(standin))["code"]
    token = exchange(standin, code).json()["access_token"]

    control(standin, "POST", "/authorize-as", {"deny": True})
    denied = redirect_params(authorize_request(standin))

    assert api_get(standin, "/me", token).json()["id"] == "frank"
    assert denied["error"] == "access_denied"


def test_reset_forgets_users_tokens_faults_and_requests(standin, tokens):
    before = standin.state.plays("demo-listener")
    standin.state.add_plays("demo-listener", count=3)
    standin.state.inject_fault("me", status=500)
    api_get(standin, "/me", "whatever")

    assert control(standin, "POST", "/reset").status_code == 200

    assert api_get(standin, "/me", tokens["access_token"]).status_code == 401
    assert standin.state.faults() == []
    assert [entry["status"] for entry in standin.state.requests] == [401]
    assert standin.state.plays("demo-listener") == before


def test_config_can_be_read_and_changed(standin):
    changed = control(standin, "POST", "/config", {"access_token_ttl": 5, "latency_ms": 0})
    minted = standin.state.mint_tokens("demo-listener")

    assert changed.json() == {
        "rotate_refresh_tokens": False,
        "access_token_ttl": 5,
        "latency_ms": 0,
        "allow_insecure_redirects": False,
        "fault_rate": 0.0,
        "fault_retry_after": 30,
    }
    assert minted["expires_in"] == 5


def test_the_request_log_names_endpoint_user_and_status_but_never_tokens(standin):
    code = redirect_params(authorize_request(standin))["code"]
    tokens = exchange(standin, code).json()
    recently_played(standin, tokens["access_token"], limit=50, after=123)

    log = control(standin, "GET", "/requests").json()["requests"]
    dumped = json.dumps(log)

    assert [(e["endpoint"], e["user"], e["status"]) for e in log] == [
        ("authorize", "demo-listener", 302),
        ("token", "demo-listener", 200),
        ("recently_played", "demo-listener", 200),
    ]
    assert log[1]["form"]["code"] == "REDACTED"
    assert log[1]["form"]["grant_type"] == "authorization_code"
    assert log[2]["query"] == "limit=50&after=123"
    for secret in (code, tokens["access_token"], tokens["refresh_token"]):
        assert secret not in dumped


def test_the_request_log_can_be_filtered_and_cleared(standin, tokens):
    api_get(standin, "/me", tokens["access_token"])
    recently_played(standin, tokens["access_token"])

    only_me = control(standin, "GET", "/requests", endpoint="me").json()["requests"]
    control(standin, "DELETE", "/requests")

    assert [entry["endpoint"] for entry in only_me] == ["me"]
    assert standin.state.requests == []


def test_unknown_fields_and_routes_are_refused(standin):
    assert control(standin, "POST", "/users", {"id": "x", "nickname": "y"}).status_code == 400
    assert control(standin, "POST", "/users", {"display_name": "no id"}).status_code == 400
    assert control(standin, "POST", "/config", {"latency": 5}).status_code == 400
    assert control(standin, "GET", "/nothing-here").status_code == 404
    bad_json = requests.post(f"{standin.url}/_control/users", data="{", timeout=10)
    assert bad_json.status_code == 400


def test_stopping_the_server_closes_its_port():
    server = StandinServer(port=0).start()
    url = server.url
    assert control(server, "GET", "/config").status_code == 200

    server.stop()

    try:
        requests.get(f"{url}/_control/config", timeout=2)
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("the stopped server still answered")
