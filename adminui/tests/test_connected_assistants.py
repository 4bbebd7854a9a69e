"""Connected assistants on the pages: the listener's own page and the operator's listener page
list them (name, connected, last used) and disconnect one after a confirmation, which ends its
access at once; nobody can reach another listener's connection."""

import secrets
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import set_token_value

from accounts.models import Listener
from adminui.tests.conftest import log_in_as_listener
from mcp.oauth import bearer
from mcp.oauth.models import AccessToken, Application, Connection, RefreshToken
from mcp.oauth.provider_settings import resource_url

pytestmark = pytest.mark.django_db


def connect(listener, name="Claude", source=Application.RegistrationSource.DCR):
    """A connected assistant for `listener`; returns (connection, its access token's secret)."""
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://claude.ai/api/mcp/auth_callback",
        registration_source=source,
    )
    secret = secrets.token_urlsafe(30)
    access = AccessToken(
        user=listener,
        application=application,
        expires=timezone.now() + timedelta(hours=1),
        scope="history:read",
        resource=[resource_url(settings.PUBLIC_BASE_URL)],
    )
    set_token_value(access, secret)
    access.save()
    family = uuid.uuid4()
    refresh = RefreshToken(user=listener, application=application, access_token=access)
    refresh.token_family = family
    set_token_value(refresh, secrets.token_urlsafe(30))
    refresh.save()
    connection = Connection.objects.create(
        listener=listener, application=application, token_family=family
    )
    return connection, secret


@pytest.fixture
def dave(db):
    return Listener.objects.create(spotify_user_id="dave", display_name="Dave")


def test_my_page_lists_my_connected_assistants_and_not_anyone_elses(
    listener_client, active_listener, dave
):
    connect(active_listener, "Claude")
    connect(dave, "Daves Secret Bot")
    page = listener_client.get("/me").content.decode()
    assert "Connected assistants" in page
    assert "Claude" in page
    assert "unverified name" in page
    assert "Daves Secret Bot" not in page
    assert f"{settings.PUBLIC_BASE_URL}/mcp" in page


def test_disconnecting_asks_first_then_ends_access_at_once(listener_client, active_listener):
    connection, secret = connect(active_listener)
    url = f"/me/assistants/{connection.pk}/disconnect"
    confirm = listener_client.get(url)
    assert confirm.status_code == 200
    assert "Disconnect Claude?" in confirm.content.decode()
    assert bearer.authenticate(secret) is not None  # a GET changes nothing

    response = listener_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == "/me#assistants"
    assert bearer.authenticate(secret) is None
    assert not RefreshToken.objects.filter(revoked__isnull=True).exists()
    page = listener_client.get("/me").content.decode()
    assert "Disconnected Claude" in page
    assert "No assistant is connected." in page


def test_another_listeners_connection_is_not_found(listener_client, dave):
    connection, secret = connect(dave)
    url = f"/me/assistants/{connection.pk}/disconnect"
    assert listener_client.get(url).status_code == 404
    assert listener_client.post(url).status_code == 404
    assert bearer.authenticate(secret) is not None


def test_disconnecting_needs_the_csrf_token(active_listener):
    connection, secret = connect(active_listener)
    strict = log_in_as_listener(Client(enforce_csrf_checks=True), active_listener)
    response = strict.post(f"/me/assistants/{connection.pk}/disconnect")
    assert response.status_code == 403
    assert bearer.authenticate(secret) is not None


def test_the_operator_sees_and_can_disconnect_a_listeners_assistants(staff_client, active_listener):
    connection, secret = connect(active_listener, "ChatGPT")
    page = staff_client.get(f"/listeners/{active_listener.spotify_user_id}").content.decode()
    assert "Connected assistants" in page
    assert "ChatGPT" in page
    url = f"/listeners/{active_listener.spotify_user_id}/assistants/{connection.pk}/disconnect"
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url)
    assert response.status_code == 302
    assert bearer.authenticate(secret) is None


def test_a_listener_cannot_use_the_operators_disconnect(listener_client, active_listener):
    connection, secret = connect(active_listener)
    url = f"/listeners/{active_listener.spotify_user_id}/assistants/{connection.pk}/disconnect"
    response = listener_client.post(url)
    assert response.status_code == 302
    assert "/login" in response["Location"]
    assert bearer.authenticate(secret) is not None


def test_a_metadata_document_client_shows_no_unverified_warning(listener_client, active_listener):
    connect(active_listener, "VS Code", Application.RegistrationSource.CIMD)
    page = listener_client.get("/me").content.decode()
    assert "VS Code" in page
    assert "unverified name" not in page
