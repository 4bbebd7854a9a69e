"""The admin API refuses state-changing requests a browser sends from another site (CSRF).

With ADMIN_AUTH_MODE=basic a browser caches the operator's credentials and sends them along with
any request a hostile page makes it send; with a token, a page could still try. So a POST, PUT,
PATCH or DELETE that carries a foreign `Origin`, or `Sec-Fetch-Site: cross-site`, is answered 403
before its credentials are even looked at, in both modes. Requests without an Origin (curl,
scripts) and from this server's own origin or CSRF_TRUSTED_ORIGINS keep working.
"""

from base64 import b64encode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Listener, LogEntry
from adminui.api import admin_api
from imports.models import ImportJob

pytestmark = pytest.mark.django_db

TOKEN = "the-admin-token-0123456789abcdefghij"
USERNAME, PASSWORD = "operator-7", "the-admin-password-9876"
STATE_CHANGING = {"post", "put", "patch", "delete"}


@pytest.fixture(params=["token", "basic"])
def credentials(request, settings):
    """The operator's credentials in each ADMIN_AUTH_MODE, as request headers."""
    settings.ADMIN_AUTH_MODE = request.param
    settings.ADMIN_TOKEN = TOKEN
    settings.ADMIN_USERNAME, settings.ADMIN_PASSWORD = USERNAME, PASSWORD
    if request.param == "token":
        return {"Authorization": f"Bearer {TOKEN}"}
    encoded = b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


@pytest.fixture
def alice(db, settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return Listener.objects.create(
        spotify_user_id="alice", display_name="Alice", status=Listener.Status.ACTIVE
    )


def state_changing_operations():
    """(method, path) of every POST/PUT/PATCH/DELETE in the admin API's own OpenAPI document."""
    schema = admin_api.get_openapi_schema(path_prefix="/admin")
    return [
        (method, path.replace("{user_id}", "alice").replace("{job_id}", "1"))
        for path, methods in schema["paths"].items()
        for method in methods
        if method in STATE_CHANGING
    ]


def send(client, method, path, headers):
    if method == "post" and path.endswith("/import"):
        upload = SimpleUploadedFile("export.json", b"[]", content_type="application/json")
        return client.post(path, {"file": upload}, headers=headers)
    if method == "patch":
        return client.patch(
            path, {"paused": True}, content_type="application/json", headers=headers
        )
    return getattr(client, method)(path, headers=headers)


def old_log_entry():
    from datetime import timedelta

    from django.utils import timezone

    return LogEntry.objects.create(
        logger="test",
        level="INFO",
        event="old",
        message="old",
        created=timezone.now() - timedelta(days=400),
    )


def test_the_api_has_the_state_changing_operations_the_tests_walk():
    operations = state_changing_operations()
    assert ("post", "/admin/maintenance/purge-logs") in operations
    assert ("post", "/admin/users/alice/poll") in operations
    assert ("post", "/admin/users/alice/import") in operations
    assert ("patch", "/admin/users/alice") in operations
    assert ("delete", "/admin/users/alice") in operations


@pytest.mark.parametrize(
    "browser_headers",
    [
        pytest.param({"Origin": "https://evil.example"}, id="foreign Origin"),
        pytest.param({"Origin": "null"}, id="opaque Origin"),
        pytest.param({"Origin": "http://testserver.evil.example"}, id="look-alike Origin"),
        pytest.param({"Sec-Fetch-Site": "cross-site"}, id="Sec-Fetch-Site cross-site"),
        pytest.param(
            {"Origin": "http://testserver", "Sec-Fetch-Site": "cross-site"},
            id="own Origin but cross-site fetch",
        ),
    ],
)
def test_every_state_changing_request_from_another_site_is_refused_and_changes_nothing(
    client, credentials, alice, browser_headers
):
    entry = old_log_entry()
    for method, path in state_changing_operations():
        response = send(client, method, path, {**credentials, **browser_headers})
        assert response.status_code == 403, (method, path)
        assert "another site" in response.json()["detail"]
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    alice.refresh_from_db()
    assert alice.status == Listener.Status.ACTIVE
    assert not ImportJob.objects.exists()


def test_a_cross_site_request_is_refused_before_its_credentials_are_checked(client, credentials):
    response = client.post(
        "/admin/maintenance/purge-logs",
        headers={"Authorization": "Bearer wrong", "Origin": "https://evil.example"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "browser_headers",
    [
        pytest.param({}, id="no Origin (curl, scripts)"),
        pytest.param({"Origin": "http://testserver"}, id="this server's own origin"),
        pytest.param({"Origin": "https://history.example.org"}, id="a CSRF_TRUSTED_ORIGINS entry"),
        pytest.param({"Sec-Fetch-Site": "same-origin"}, id="Sec-Fetch-Site same-origin"),
        pytest.param({"Sec-Fetch-Site": "none"}, id="Sec-Fetch-Site none (typed by the user)"),
    ],
)
def test_requests_without_a_foreign_origin_keep_working(
    client, credentials, settings, browser_headers
):
    settings.CSRF_TRUSTED_ORIGINS = ["https://history.example.org"]
    entry = old_log_entry()
    response = client.post(
        "/admin/maintenance/purge-logs?days=90", headers={**credentials, **browser_headers}
    )
    assert response.status_code == 200
    assert response.json()["deleted"] == 1
    assert not LogEntry.objects.filter(pk=entry.pk).exists()


def test_reading_from_another_site_is_left_to_the_same_origin_policy(client, credentials):
    response = client.get("/admin/users", headers={**credentials, "Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
