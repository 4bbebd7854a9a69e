"""Every admin API endpoint lets in the operator, and nobody else, in either ADMIN_AUTH_MODE."""

import logging
from base64 import b64encode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import LogEntry
from imports.models import ImportJob

pytestmark = pytest.mark.django_db

TOKEN = "the-admin-token-0123456789"
USERNAME = "operator-7"
PASSWORD = "the-admin-password-9876"
NOT_UTF8 = b64encode(b"operator-7:\xff\xfe").decode()
BEARER_CHALLENGE = "Bearer"
BASIC_CHALLENGE = 'Basic realm="spotify-history admin"'


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def basic(username, password):
    encoded = b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def import_an_export(client, headers):
    upload = SimpleUploadedFile("export.json", b"[]", content_type="application/json")
    return client.post("/admin/users/alice/import", {"file": upload}, headers=headers)


def purge_logs(client, headers):
    return client.post("/admin/maintenance/purge-logs?days=90", headers=headers)


ENDPOINTS = {"import": (import_an_export, 202), "purge-logs": (purge_logs, 200)}


@pytest.fixture(params=ENDPOINTS)
def endpoint(request, listener, settings, tmp_path):
    """(call(client, headers), status of a successful call) of each endpoint in turn."""
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return ENDPOINTS[request.param]


@pytest.fixture
def credentials(settings):
    """Both kinds of credentials are configured, so each mode can be shown to ignore the other."""
    settings.ADMIN_TOKEN = TOKEN
    settings.ADMIN_USERNAME = USERNAME
    settings.ADMIN_PASSWORD = PASSWORD


@pytest.fixture
def token_mode(settings, credentials):
    settings.ADMIN_AUTH_MODE = "token"


@pytest.fixture
def basic_mode(settings, credentials):
    settings.ADMIN_AUTH_MODE = "basic"


def assert_refused(response, challenge):
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == challenge
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("Missing or wrong admin credentials")


# --- token mode ----------------------------------------------------------------------------------


def test_the_right_token_is_let_in(client, token_mode, endpoint):
    call, success = endpoint
    assert call(client, bearer(TOKEN)).status_code == success


def test_the_bearer_scheme_name_is_case_insensitive(client, token_mode, endpoint):
    call, success = endpoint
    assert call(client, {"Authorization": f"bearer {TOKEN}"}).status_code == success


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing header"),
        pytest.param(bearer("wrong-token"), id="wrong token"),
        pytest.param(bearer(TOKEN[:-1]), id="token missing its last character"),
        pytest.param(bearer(TOKEN + "x"), id="token with a character too many"),
        pytest.param({"Authorization": "Bearer"}, id="Bearer with nothing"),
        pytest.param({"Authorization": "Bearer "}, id="Bearer and a space"),
        pytest.param({"Authorization": TOKEN}, id="token without a scheme"),
        pytest.param({"Authorization": f"Token {TOKEN}"}, id="another scheme"),
        pytest.param(basic(USERNAME, PASSWORD), id="basic credentials in token mode"),
    ],
)
def test_anything_but_the_token_is_refused_in_token_mode(client, token_mode, endpoint, headers):
    call, _ = endpoint
    assert_refused(call(client, headers), BEARER_CHALLENGE)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Authorization": "Bearer"}, id="Bearer with nothing"),
        pytest.param({"Authorization": "Bearer "}, id="Bearer and a space"),
        pytest.param({"Authorization": 'Bearer ""'}, id="Bearer and empty quotes"),
    ],
)
def test_an_empty_configured_token_never_matches(client, token_mode, settings, endpoint, headers):
    settings.ADMIN_TOKEN = ""
    call, _ = endpoint
    assert_refused(call(client, headers), BEARER_CHALLENGE)


# --- basic mode ----------------------------------------------------------------------------------


def test_the_right_username_and_password_are_let_in(client, basic_mode, endpoint):
    call, success = endpoint
    assert call(client, basic(USERNAME, PASSWORD)).status_code == success


def test_a_password_may_contain_colons(client, basic_mode, settings, endpoint):
    settings.ADMIN_PASSWORD = "with:two:colons"
    call, success = endpoint
    assert call(client, basic(USERNAME, "with:two:colons")).status_code == success


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing header"),
        pytest.param(basic(USERNAME, "wrong-password"), id="wrong password"),
        pytest.param(basic("intruder", PASSWORD), id="wrong username"),
        pytest.param(basic(USERNAME.upper(), PASSWORD), id="username in another case"),
        pytest.param(basic(USERNAME, ""), id="empty password"),
        pytest.param({"Authorization": "Basic"}, id="Basic with nothing"),
        pytest.param({"Authorization": "Basic !!not base64!!"}, id="Basic with non-base64"),
        pytest.param(
            {"Authorization": f"Basic {b64encode(USERNAME.encode()).decode()}"},
            id="Basic without a colon",
        ),
        pytest.param(
            {"Authorization": f"Basic {NOT_UTF8}"},
            id="Basic that is not UTF-8",
        ),
        pytest.param(bearer(TOKEN), id="the token in basic mode"),
    ],
)
def test_anything_but_the_username_and_password_is_refused_in_basic_mode(
    client, basic_mode, endpoint, headers
):
    call, _ = endpoint
    assert_refused(call(client, headers), BASIC_CHALLENGE)


@pytest.mark.parametrize(
    ("configured", "sent"),
    [
        pytest.param({"ADMIN_PASSWORD": ""}, (USERNAME, ""), id="empty password"),
        pytest.param({"ADMIN_USERNAME": ""}, ("", PASSWORD), id="empty username"),
        pytest.param({"ADMIN_USERNAME": "", "ADMIN_PASSWORD": ""}, ("", ""), id="both empty"),
    ],
)
def test_empty_configured_basic_credentials_never_match(
    client, basic_mode, settings, endpoint, configured, sent
):
    for name, value in configured.items():
        setattr(settings, name, value)
    call, _ = endpoint
    assert_refused(call(client, basic(*sent)), BASIC_CHALLENGE)


def test_username_and_password_are_both_compared_in_constant_time(client, basic_mode, monkeypatch):
    import accounts.credentials

    compared = []
    real_compare_digest = accounts.credentials.secrets.compare_digest

    def recording_compare_digest(given, configured):
        compared.append(configured)
        return real_compare_digest(given, configured)

    monkeypatch.setattr(accounts.credentials.secrets, "compare_digest", recording_compare_digest)
    purge_logs(client, basic("intruder", "guess"))
    assert compared == [USERNAME.encode(), PASSWORD.encode()]


# --- both modes ----------------------------------------------------------------------------------


def test_the_mode_is_read_on_every_request(client, credentials, settings):
    settings.ADMIN_AUTH_MODE = "token"
    assert purge_logs(client, bearer(TOKEN)).status_code == 200
    settings.ADMIN_AUTH_MODE = "basic"
    assert_refused(purge_logs(client, bearer(TOKEN)), BASIC_CHALLENGE)
    assert purge_logs(client, basic(USERNAME, PASSWORD)).status_code == 200


def test_an_unknown_mode_lets_nobody_in(client, credentials, settings):
    settings.ADMIN_AUTH_MODE = "none"
    assert purge_logs(client, bearer(TOKEN)).status_code == 401
    assert purge_logs(client, basic(USERNAME, PASSWORD)).status_code == 401


def test_a_refused_import_stores_nothing(client, token_mode, listener, settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    assert_refused(import_an_export(client, bearer("wrong")), BEARER_CHALLENGE)
    assert not ImportJob.objects.exists()
    assert not (tmp_path / "uploads").exists()


@pytest.fixture
def every_log_record(monkeypatch):
    """Every record any logger hands to its handlers, whatever those handlers then do with it."""
    records = []
    call_handlers = logging.Logger.callHandlers

    def record_and_call_handlers(logger, record):
        records.append(record)
        return call_handlers(logger, record)

    monkeypatch.setattr(logging.Logger, "callHandlers", record_and_call_handlers)
    return records


def test_credentials_never_reach_a_log_or_an_answer(
    client, credentials, settings, every_log_record
):
    settings.DEBUG = True  # where ninja's own auth classes log the header they could not use
    sent_secrets = ["sent-token-abc", "sent-password-xyz", "sent-user-qrs", "c2VudC1ub3QtYmFzZTY0"]
    answers = []
    for mode, headers in [
        ("token", bearer("sent-token-abc")),
        ("token", {"Authorization": "Sent-token-abc"}),
        ("basic", basic("sent-user-qrs", "sent-password-xyz")),
        ("basic", {"Authorization": "Basic c2VudC1ub3QtYmFzZTY0!"}),
        ("basic", bearer("sent-token-abc")),
    ]:
        settings.ADMIN_AUTH_MODE = mode
        answers.append(purge_logs(client, headers))
    assert all(answer.status_code == 401 for answer in answers)
    written = [record.getMessage() + repr(record.__dict__) for record in every_log_record]
    written += [f"{entry.message} {entry.context}" for entry in LogEntry.objects.all()]
    written += [answer.content.decode() + repr(answer.headers) for answer in answers]
    for secret in [*sent_secrets, TOKEN, PASSWORD, USERNAME]:
        assert not any(secret.lower() in text.lower() for text in written), secret
