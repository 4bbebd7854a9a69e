"""Who may open which page: staff for the operator's, a listener for their own, CSRF everywhere."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import resolve

from accounts.models import Listener
from adminui.pages import activity, dashboard, imports, listeners, me
from adminui.tests.conftest import log_in_as_listener

pytestmark = pytest.mark.django_db

OPERATOR_GETS = [
    "/",
    "/listeners/carol",
    "/listeners/carol/delete",
    "/imports",
    "/imports/progress?ids=1",
    "/jobs",
    "/logs",
]
OPERATOR_POSTS = [
    "/listeners/carol/pause",
    "/listeners/carol/resume",
    "/listeners/carol/poll",
    "/listeners/carol/time-zone",
    "/listeners/carol/tokens",
    "/listeners/carol/tokens/1/revoke",
    "/listeners/carol/delete",
    "/imports",
    "/imports/1/retry",
    "/logs/purge",
]
LISTENER_GETS = ["/me", "/me/delete", "/me/imports/progress?ids=1", "/me/export?format=csv"]
LISTENER_POSTS = ["/me/import", "/me/time-zone", "/me/tokens", "/me/tokens/1/revoke", "/me/delete"]

DOCUMENTED = {
    "/": dashboard.dashboard,
    "/listeners/carol": listeners.listener_detail,
    "/listeners/carol/pause": listeners.pause,
    "/listeners/carol/resume": listeners.resume,
    "/listeners/carol/poll": listeners.poll_now,
    "/listeners/carol/delete": listeners.delete,
    "/imports": imports.imports,
    "/imports/progress": imports.progress,
    "/jobs": activity.job_list,
    "/logs": activity.logs,
    "/logs/purge": activity.purge_logs,
    "/me": me.me,
    "/me/import": me.upload,
    "/me/export": me.export,
    "/me/delete": me.delete,
}


@pytest.mark.parametrize(("path", "view"), DOCUMENTED.items())
def test_every_page_resolves_to_its_view_next_to_the_admin_api(path, view):
    assert resolve(path).func is view


def test_the_admin_api_and_django_admin_keep_their_urls():
    assert resolve("/admin/").url_name != "dashboard"
    assert resolve("/admin/status").url_name == "status"
    assert resolve("/admin/db/").app_name == "admin"


@pytest.mark.parametrize("path", OPERATOR_GETS)
def test_an_anonymous_visitor_is_sent_to_the_staff_login(client, active_listener, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", OPERATOR_POSTS)
def test_an_anonymous_post_changes_nothing_and_is_sent_to_the_login(client, active_listener, path):
    response = client.post(path, {"confirm": "carol", "days": 1})
    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=")
    assert Listener.objects.get(spotify_user_id="carol").status == Listener.Status.ACTIVE


@pytest.mark.parametrize("path", OPERATOR_GETS + OPERATOR_POSTS)
def test_a_listener_session_never_opens_an_operator_page(listener_client, path):
    response = listener_client.get(path) if path in OPERATOR_GETS else listener_client.post(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=")
    assert Listener.objects.get(spotify_user_id="carol").status == Listener.Status.ACTIVE


@pytest.mark.parametrize("path", OPERATOR_GETS)
def test_a_user_who_is_not_staff_is_refused(client, active_listener, path):
    user = get_user_model().objects.create_user("visitor", password="not-staff-password-1")
    client.force_login(user)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", LISTENER_GETS + LISTENER_POSTS)
def test_listener_pages_send_a_visitor_without_a_spotify_login_to_it(staff_client, path):
    # A staff login is not a listener: /me needs the Spotify login.
    response = staff_client.get(path) if path in LISTENER_GETS else staff_client.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/auth/login"


def test_a_session_whose_listener_was_deleted_is_sent_to_the_login(
    listener_client, active_listener
):
    active_listener.delete()
    response = listener_client.get("/me")
    assert (response.status_code, response["Location"]) == (302, "/auth/login")


@pytest.mark.parametrize("path", OPERATOR_POSTS)
def test_post_only_operator_actions_refuse_get(staff_client, active_listener, path):
    response = staff_client.put(path) if path in OPERATOR_GETS else staff_client.get(path)
    assert response.status_code == 405


@pytest.mark.parametrize("path", ["/me/import", "/me/tokens", "/me/tokens/1/revoke", "/me/logout"])
def test_post_only_listener_actions_refuse_get(listener_client, path):
    assert listener_client.get(path).status_code == 405


@pytest.mark.parametrize("path", ["/", "/jobs", "/logs", "/imports/progress"])
def test_read_only_pages_refuse_post(staff_client, path):
    assert staff_client.post(path).status_code == 405


@pytest.fixture
def csrf_staff_client(staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    return client


@pytest.mark.parametrize("path", OPERATOR_POSTS)
def test_every_operator_form_needs_its_csrf_token(csrf_staff_client, active_listener, path):
    response = csrf_staff_client.post(path, {"confirm": "carol", "days": 1, "listener": "carol"})
    assert response.status_code == 403
    assert Listener.objects.get(spotify_user_id="carol").status == Listener.Status.ACTIVE


@pytest.mark.parametrize("path", [*LISTENER_POSTS, "/me/logout"])
def test_every_listener_form_needs_its_csrf_token(active_listener, path):
    client = log_in_as_listener(Client(enforce_csrf_checks=True), active_listener)
    response = client.post(path, {"confirm": "carol"})
    assert response.status_code == 403
    assert Listener.objects.filter(spotify_user_id="carol").exists()
    assert client.get("/me").status_code == 200  # still logged in


def test_a_form_with_its_token_passes_the_csrf_check(csrf_staff_client, active_listener):
    page = csrf_staff_client.get("/listeners/carol")
    token = page.context["csrf_token"]
    response = csrf_staff_client.post("/listeners/carol/pause", {"csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert Listener.objects.get(spotify_user_id="carol").status == Listener.Status.PAUSED
