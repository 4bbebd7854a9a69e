"""One listener's state in words, the same on the dashboard and on the listener's own pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Listener
from adminui.listener_state import describe
from adminui.tests.conftest import NOW, log_in_as_listener

pytestmark = pytest.mark.django_db


def test_each_state_is_named_with_the_problem_to_act_on(crowd):
    said = {key: describe(listener, NOW) for key, listener in crowd.items()}
    assert (said["active"].state, said["active"].label, said["active"].problems) == (
        "ok",
        "Active",
        [],
    )
    assert (said["paused"].state, said["paused"].label) == ("paused", "Paused")
    assert (said["imported"].state, said["imported"].label) == (
        "idle",
        "Import only (never logged in)",
    )
    assert said["reauth"].problems == [("bad", "Needs to log in with Spotify again.")]
    assert "Not registered" in said["unregistered"].problems[0][1]
    assert (said["limited"].state, said["limited"].label) == (
        "warn",
        "Rate limited until 12:30 UTC",
    )
    assert said["expiring"].problems == [
        ("warn", "Spotify access expires on 2026-06-06: log in again before.")
    ]
    assert said["expired"].problems == [
        ("bad", "Spotify access expired on 2026-05-31: log in again.")
    ]


def test_a_rate_limit_that_has_passed_is_no_problem(crowd):
    listener = crowd["limited"]
    listener.rate_limited_until = NOW - timedelta(minutes=1)
    state = describe(listener, NOW)
    assert (state.state, state.label, state.problems) == ("ok", "Active", [])


def test_failing_polls_make_the_badge_a_warning():
    listener = Listener(spotify_user_id="x", status="active", consecutive_failures=3)
    state = describe(listener, NOW)
    assert (state.state, state.label) == ("warn", "Failing (3 polls in a row)")
    assert state.problems == [("warn", "The last 3 polls failed.")]


def test_who_must_log_in_again_and_whose_access_has_ended(crowd):
    said = {key: describe(listener, NOW) for key, listener in crowd.items()}
    must_log_in = {key for key, state in said.items() if state.needs_login}
    assert must_log_in == {"reauth", "unregistered", "expired", "expiring"}
    ended = {key: state.access_note for key, state in said.items() if state.access_ended}
    assert ended == {
        "reauth": "Ended: Spotify refused the service's access",
        "unregistered": "None: not on the Spotify app's list",
        "expired": "Expired on 2026-05-31",
        "imported": "None: never logged in",
    }


@pytest.fixture
def failing(active_listener):
    Listener.objects.filter(pk=active_listener.pk).update(consecutive_failures=4)
    return active_listener


def badge(page, marker):
    start = page.index(marker)
    return page[page.rindex("<span", 0, start) : page.index("</span>", start)]


def test_the_dashboard_and_both_listener_pages_show_the_same_failing_badge(
    client, staff_client, failing
):
    dashboard = staff_client.get("/").content.decode()
    operator_page = staff_client.get("/listeners/carol").content.decode()
    own_page = log_in_as_listener(client, failing).get("/me").content.decode()
    assert 'class="badge warn">Failing (4 polls in a row)' in dashboard
    for page in (operator_page, own_page):
        assert '<span class="badge warn" id="listener-state">Failing (4 polls in a row)' in page
        assert "The last 4 polls failed." in page
        assert ">Active<" not in page


@pytest.fixture
def revoked(active_listener):
    Listener.objects.filter(pk=active_listener.pk).update(
        status=Listener.Status.NEEDS_REAUTH,
        status_reason="invalid_grant: Refresh token revoked",
        refresh_token_expires_at=timezone.now() + timedelta(days=150),
    )
    active_listener.refresh_from_db()
    return active_listener


def test_a_listener_who_must_log_in_again_gets_a_link_to_send_and_no_valid_looking_expiry(
    staff_client, revoked, settings
):
    settings.SPOTIFY_REDIRECT_URI = "https://history.example.org/auth/callback"
    expiry = f"{revoked.refresh_token_expires_at:%Y-%m-%d}"
    page = staff_client.get("/listeners/carol").content.decode()
    assert '<pre id="relogin-url">https://history.example.org/auth/login</pre>' in page
    assert "Ended: Spotify refused the service&#x27;s access" in page
    assert expiry not in page
    dashboard = staff_client.get("/").content.decode()
    assert "<code>https://history.example.org/auth/login</code>" in dashboard
    assert expiry not in dashboard


def test_an_active_listener_shows_their_expiry_and_no_relogin_link(staff_client, active_listener):
    page = staff_client.get("/listeners/carol").content.decode()
    assert 'id="relogin-url"' not in page
    assert f"{active_listener.refresh_token_expires_at:%Y-%m-%d}" in page
