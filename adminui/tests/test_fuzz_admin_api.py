"""Fuzzing the admin API from its own OpenAPI document (/admin/openapi.json) with schemathesis:
every operation, with parameters and bodies that fit the document and ones that break it, sent
with the admin token through the real WSGI application. Never a 500, never a traceback in an
answer, nothing logged at ERROR, and every status is one the document lists.

Each operation runs FUZZ_EXAMPLES / 2 examples (see conftest.py): half fitting the schema, half not
(schemathesis's positive and negative modes); a request here costs more than one of the other fuzz
tests' examples, and a dozen operations share the budget. The operations are read from the document
when the module is collected, so a new endpoint is fuzzed at once. (schemathesis's own pytest
plugin is not used: its lazy loader does not work with pytest 9; its strategies and checks are.)
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from accounts.models import Listener
from conftest import FUZZ_EXAMPLES
from imports.models import ImportJob
from spotify_history.wsgi import application

TOKEN = "fuzz-admin-token-0123456789abcdef"
pytestmark = pytest.mark.django_db

SCHEMA = schemathesis.openapi.from_wsgi("/admin/openapi.json", application)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
EXAMPLES_PER_MODE = max(FUZZ_EXAMPLES // 4, 1)


@pytest.fixture
def in_test_transaction():
    """Django's request signals close the database connection at the end of each request, which
    would end the test's transaction; the test client turns them off the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_api(settings, tmp_path, in_test_transaction):
    """The admin token, a listener and an import job for the generated calls to find."""
    settings.ADMIN_AUTH_MODE = "token"
    settings.ADMIN_TOKEN = TOKEN
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    listener = Listener.objects.create(spotify_user_id="alice", status=Listener.Status.ACTIVE)
    ImportJob.objects.create(listener=listener, file_name="x.zip", file_size=1)


def test_the_document_lists_every_operation():
    assert len(OPERATIONS) >= 12


@pytest.mark.parametrize("mode", MODES, ids=[mode.value for mode in MODES])
@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_every_operation_answers_cleanly(admin_api, error_logs, operation, mode):
    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(max_examples=EXAMPLES_PER_MODE)
    def call(case):
        # Uncompressed answers: the export is gzipped when the client accepts it, and the text
        # is read here as it came (schemathesis' response keeps the body as sent).
        response = case.call(
            headers={"Authorization": f"Bearer {TOKEN}", "Accept-Encoding": "identity"}
        )
        case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
        assert "Traceback" not in response.text
        assert error_logs == []

    call()
