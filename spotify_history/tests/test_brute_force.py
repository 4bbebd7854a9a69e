"""Guessing passwords and tokens is held off: 429 after a few failures, per client address.

The password logins (/login for the operator pages, /admin/db/login/ for the Django admin) lock a
client out after LOGIN_FAILURE_LIMIT failed logins, with a plain page in the site's style
(django-axes). The admin API, /mcp and /metrics answer 429 with Retry-After to a client that sent
API_AUTH_FAILURE_LIMIT wrong credentials within a window (to any of them: one count per address),
counted in the database so every gunicorn worker sees the same count.
"""

from base64 import b64encode
from datetime import timedelta

import pytest
import requests
from django.contrib.auth import get_user_model
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-staff-password-42"
TOKEN = "the-admin-token-0123456789abcdefghij"
ATTACKER = "203.0.113.66"
SOMEONE_ELSE = "198.51.100.7"
LOGIN_FORMS = ["/login", "/admin/db/login/"]


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_user(
        "operator", password=PASSWORD, is_staff=True, is_superuser=True
    )


def log_in(client, path, password, address=ATTACKER, **headers):
    return client.post(
        path,
        {"username": "operator", "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )


def assert_locked_out(response):
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "app.css" in page  # the site's own page, not a bare text answer
    assert int(response["Retry-After"]) == 15 * 60


# --- the login forms -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_a_login_form_locks_a_client_out_after_the_failure_limit(client, operator, path, settings):
    assert settings.LOGIN_FAILURE_LIMIT == 5
    for _ in range(4):
        assert log_in(client, path, "wrong").status_code == 200  # the form again, with its error
    assert_locked_out(log_in(client, path, "wrong"))
    # Locked out, even the right password is not tried.
    assert_locked_out(log_in(client, path, PASSWORD))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_a_locked_out_address_does_not_lock_out_anyone_else(client, operator, path):
    for _ in range(5):
        log_in(client, path, "wrong")
    response = log_in(client, path, PASSWORD, address=SOMEONE_ELSE)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(operator.pk)


def test_the_lockout_ends_after_the_lockout_minutes(client, operator):
    from axes.models import AccessAttempt

    for _ in range(5):
        log_in(client, "/login", "wrong")
    assert_locked_out(log_in(client, "/login", PASSWORD))
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, "/login", PASSWORD).status_code == 302


def test_a_successful_login_clears_the_failures_before_it(client, operator):
    for _ in range(4):
        log_in(client, "/login", "wrong")
    assert log_in(client, "/login", PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(4):
        assert log_in(client, "/login", "wrong").status_code == 200


def test_the_failed_passwords_are_never_stored(client, operator):
    from axes.models import AccessAttempt

    log_in(client, "/login", "guess-number-one")
    stored = " ".join(f"{a.get_data} {a.post_data}" for a in AccessAttempt.objects.all())
    assert "guess-number-one" not in stored


# --- the admin API and /mcp ----------------------------------------------------------------------


@pytest.fixture
def admin_token(settings):
    settings.ADMIN_AUTH_MODE = "token"
    settings.ADMIN_TOKEN = TOKEN


def admin_api(client, token, address=ATTACKER):
    return client.get(
        "/admin/users", headers={"Authorization": f"Bearer {token}"}, REMOTE_ADDR=address
    )


def mcp(client, token, address=ATTACKER):
    return client.post(
        "/mcp",
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        REMOTE_ADDR=address,
    )


def metrics(client, token, address=ATTACKER):
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"}, REMOTE_ADDR=address)


ENDPOINTS = {"admin API": admin_api, "MCP": mcp, "metrics": metrics}


@pytest.mark.parametrize("call", ENDPOINTS.values(), ids=ENDPOINTS.keys())
def test_wrong_tokens_are_answered_429_with_retry_after_past_the_limit(
    client, admin_token, settings, call
):
    assert settings.API_AUTH_FAILURE_LIMIT == 20
    for guess in range(20):
        assert call(client, f"guess-{guess}").status_code == 401
    refused = call(client, "guess-21")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 15 * 60
    # Held off, even the right token is not looked at ...
    assert call(client, TOKEN).status_code == 429
    # ... while every other address goes on as before.
    assert call(client, TOKEN, address=SOMEONE_ELSE).status_code == 200


def test_admin_api_mcp_and_metrics_failures_add_up(client, admin_token):
    for guess in range(7):
        admin_api(client, f"guess-{guess}")
        mcp(client, f"guess-{guess}")
        metrics(client, f"guess-{guess}")
    assert admin_api(client, TOKEN).status_code == 429
    assert mcp(client, TOKEN).status_code == 429
    assert metrics(client, TOKEN).status_code == 429


def test_wrong_basic_passwords_count_too(client, settings):
    settings.ADMIN_AUTH_MODE = "basic"
    settings.ADMIN_USERNAME, settings.ADMIN_PASSWORD = "operator", PASSWORD
    for guess in range(20):
        credentials = b64encode(f"operator:guess-{guess}".encode()).decode()
        client.get(
            "/admin/users", headers={"Authorization": f"Basic {credentials}"}, REMOTE_ADDR=ATTACKER
        )
    right = b64encode(f"operator:{PASSWORD}".encode()).decode()
    response = client.get(
        "/admin/users", headers={"Authorization": f"Basic {right}"}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 429


def test_requests_without_credentials_are_not_counted(client, admin_token):
    for _ in range(30):
        assert client.get("/admin/users", REMOTE_ADDR=ATTACKER).status_code == 401
    assert admin_api(client, TOKEN).status_code == 200


def test_the_limit_can_be_turned_off(client, admin_token, settings):
    settings.API_AUTH_FAILURE_LIMIT = 0
    for guess in range(25):
        admin_api(client, f"guess-{guess}")
    assert admin_api(client, TOKEN).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_failures_are_counted_across_processes_through_the_database(
    live_server, client, admin_token
):
    """Half the guesses go to the live server (its own thread and database connection), half
    to the test client: both count in one place, as gunicorn workers do."""
    for guess in range(10):
        answer = requests.get(
            f"{live_server.url}/admin/users",
            headers={"Authorization": f"Bearer guess-{guess}"},
            timeout=10,
        )
        assert answer.status_code == 401
    for guess in range(10):
        admin_api(client, f"guess-{guess}", address="127.0.0.1")
    assert admin_api(client, TOKEN, address="127.0.0.1").status_code == 429
    answer = requests.get(
        f"{live_server.url}/admin/users", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    assert answer.status_code == 429


# --- behind the proxy ----------------------------------------------------------------------------


def test_behind_a_trusted_proxy_clients_are_told_apart_by_x_forwarded_for(
    client, admin_token, settings
):
    settings.TRUST_X_FORWARDED_FOR = True
    proxy = "10.0.0.2"
    for guess in range(20):
        client.get(
            "/admin/users",
            headers={
                "Authorization": f"Bearer guess-{guess}",
                "X-Forwarded-For": f"1.2.3.{guess}, {ATTACKER}",
            },
            REMOTE_ADDR=proxy,
        )
    blocked = client.get(
        "/admin/users",
        headers={"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": ATTACKER},
        REMOTE_ADDR=proxy,
    )
    other = client.get(
        "/admin/users",
        headers={"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": SOMEONE_ELSE},
        REMOTE_ADDR=proxy,
    )
    assert (blocked.status_code, other.status_code) == (429, 200)
