"""A real browser (headless Chromium) that opens /auth/login ends on the connected page."""

import pytest

from accounts.crypto import decrypt_token
from accounts.models import Listener
from spotify_standin import StandinServer


@pytest.fixture
def standin():
    with StandinServer("127.0.0.1", 0, client_id="browser-client", client_secret="s3") as server:
        server.state.authorize_as("carol")
        yield server


@pytest.fixture
def app(live_server, settings, standin):
    settings.SPOTIFY_ACCOUNTS_BASE_URL = standin.url
    settings.SPOTIFY_API_BASE_URL = standin.api_url
    settings.SPOTIFY_CLIENT_ID = "browser-client"
    settings.SPOTIFY_CLIENT_SECRET = "s3"
    settings.SPOTIFY_REDIRECT_URI = f"{live_server.url}/auth/callback"
    return live_server


def test_a_browser_logs_in_through_the_stand_in(app, chromium):
    with chromium() as page:
        page.goto(f"{app.url}/auth/login")
        page.wait_for_url(f"{app.url}/auth/connected")
        heading = page.locator("h1").inner_text()
        html = page.content()

    assert heading == "Connected: Carol"
    listener = Listener.objects.get(spotify_user_id="carol")
    assert listener.status == Listener.Status.ACTIVE
    assert decrypt_token(listener.encrypted_refresh_token) not in html
