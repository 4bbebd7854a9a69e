"""Turning the assistants' Spotify permissions off, in a real browser (headless Chromium): the
form posts to /me/permissions/off, which sends the listener through Spotify's login again. The
page's Content-Security-Policy (`form-action`) must let that redirect chain reach Spotify's
accounts server, else the browser stops on an error page and the listener never logs in again.
"""

import pytest

from accounts import scopes
from accounts.models import Listener
from adminui.tests.conftest import log_in_as_listener

pytestmark = pytest.mark.django_db(transaction=True)


def test_turning_permissions_off_logs_in_again_through_spotify(browser_app, chromium):
    blocked = []
    with chromium() as page:
        page.on("console", lambda message: blocked.append(message.text))
        page.goto(f"{browser_app.url}/auth/login?with=playlists")
        page.wait_for_url(f"{browser_app.url}/auth/connected")
        page.goto(f"{browser_app.url}/me")
        page.click("#assistant-permissions button[type=submit]")
        page.wait_for_url(f"{browser_app.url}/auth/connected", timeout=10_000)
        heading = page.locator("h1").inner_text()

    assert heading == "Connected: Carol"
    assert not [text for text in blocked if "form-action" in text]
    listener = Listener.objects.get(spotify_user_id="carol")
    assert not scopes.assistants_may_use_spotify(listener)


def form_action(response):
    for part in response["Content-Security-Policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        if name == "form-action":
            return value.split()
    return None


def test_my_page_lets_the_turn_off_form_reach_spotifys_login_and_nothing_else(
    client, active_listener, settings
):
    settings.SPOTIFY_ACCOUNTS_BASE_URL = "https://accounts.spotify.example:8443/"
    log_in_as_listener(client, active_listener)
    assert form_action(client.get("/me")) == ["'self'"]  # no "Turn off" form: nothing more
    active_listener.scope = " ".join((*scopes.BASE_SCOPES, *scopes.ASSISTANT_SCOPES))
    active_listener.save(update_fields=["scope"])
    assert form_action(client.get("/me")) == [
        "'self'",
        "https://accounts.spotify.example:8443",
    ]
    assert form_action(client.get("/me/plays")) == ["'self'"]
