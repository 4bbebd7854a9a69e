"""The consent page in a real browser (headless Chromium), on a phone and on a desktop: a listener
follows an assistant's authorization link, logs in with Spotify (the stand-in), reads the page,
allows, lands back at the assistant with a code, and finds the assistant on their own page. The
page asking to change things too (two Allow buttons) fits the same screens; "Allow reading only"
gives a token that can only read. Both versions pass axe-core with no violation at all.

Set SCREENSHOTS_DIR to keep the screenshots (see adminui/tests/test_pages_in_a_browser.py).
"""

import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from mcp.oauth.models import Connection
from mcp.oauth.provider_settings import SCOPE, WRITE_SCOPE
from mcp.oauth.tests.conftest import authorize_url, pkce, use_public_base_url
from spotify_standin import StandinServer

pytestmark = pytest.mark.django_db(transaction=True)

REDIRECT = "http://127.0.0.1:53682/callback"
SIZES = {"phone": (360, 740), "desktop": (1280, 900)}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
# The whole of /me is being reworked for phones elsewhere; this checks the part added here.
CARD_FITS = (
    "(() => { const card = document.getElementById('assistants');"
    " return card.scrollWidth <= card.clientWidth"
    " && card.getBoundingClientRect().right <= window.innerWidth; })()"
)
INLINE_SCRIPTS = "Array.from(document.scripts).filter(s => !s.src).length"


@pytest.fixture
def app(live_server, settings):
    with StandinServer("127.0.0.1", 0, client_id="web-app", client_secret="web-secret") as standin:
        standin.state.authorize_as("fiona")
        settings.SPOTIFY_ACCOUNTS_BASE_URL = standin.url
        settings.SPOTIFY_API_BASE_URL = standin.api_url
        settings.SPOTIFY_CLIENT_ID = "web-app"
        settings.SPOTIFY_CLIENT_SECRET = "web-secret"
        settings.SPOTIFY_REDIRECT_URI = f"{live_server.url}/auth/callback"
        use_public_base_url(settings, live_server.url)
        yield live_server


def keep(page, name, tmp_path):
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("SCREENSHOTS_DIR"):
        Path(os.environ["SCREENSHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(os.environ["SCREENSHOTS_DIR"]) / path.name)


def register(app):
    return requests.post(
        f"{app.url}/oauth/register",
        json={"client_name": "Claude", "redirect_uris": [REDIRECT]},
        timeout=10,
    ).json()


def exchange(app, registration, landed, verifier):
    """Trades the code the browser handed to the assistant for a token, as the assistant does."""
    code = parse_qs(urlsplit(landed).query)["code"][0]
    return requests.post(
        f"{app.url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": registration["client_id"],
            "client_secret": registration["client_secret"],
            "code_verifier": verifier,
        },
        timeout=10,
    )


def answer(page, button):
    """Presses `button` and returns the URL the browser was sent to. Nothing listens at the
    assistant's loopback address: the request going there is the browser handing over the code."""
    with page.expect_request(lambda request: request.url.startswith(REDIRECT)) as sent:
        page.click(button)
    return sent.value.url


@pytest.mark.parametrize("size", SIZES)
def test_a_listener_reads_the_consent_page_allows_and_sees_the_assistant_on_their_page(
    app, chromium, axe, size, tmp_path
):
    registration = register(app)
    verifier, challenge = pkce()
    url = app.url + authorize_url(registration["client_id"], challenge, resource=f"{app.url}/mcp")
    seen = {}
    with chromium() as page:
        page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
        page.goto(url)
        page.wait_for_selector("text=Connect Claude?")
        seen["fits"] = page.evaluate(NO_SIDEWAYS_SCROLL)
        seen["inline_scripts"] = page.evaluate(INLINE_SCRIPTS)
        seen["text"] = page.inner_text("main")
        seen["buttons"] = page.locator("form.actions button").all_inner_texts()
        seen["axe"] = axe(page)
        keep(page, f"oauth-consent-{size}", tmp_path)
        seen["landed"] = answer(page, "button[value=allow]")
        seen["exchange"] = exchange(app, registration, seen["landed"], verifier).status_code
        page.goto(f"{app.url}/me")
        page.wait_for_selector("#assistants-list")
        seen["card_fits"] = page.evaluate(CARD_FITS)
        seen["me_assistants"] = page.inner_text("#assistants")
        keep(page, f"oauth-connected-{size}", tmp_path)

    assert seen["fits"], "the consent page scrolls sideways"
    assert seen["inline_scripts"] == 0
    assert seen["axe"] == []
    assert seen["buttons"] == ["Allow", "Deny"]
    assert "nothing has checked it" in seen["text"]
    assert "127.0.0.1:53682" in seen["text"]
    params = parse_qs(urlsplit(seen["landed"]).query)
    assert set(params) == {"code", "state", "iss"}
    assert params["iss"] == [app.url]
    assert seen["card_fits"], "the connected assistants spill out of their card"
    assert "Claude" in seen["me_assistants"] and "Disconnect" in seen["me_assistants"]
    assert seen["exchange"] == 200
    assert Connection.objects.get().listener.spotify_user_id == "fiona"


@pytest.mark.parametrize("size", SIZES)
def test_the_consent_page_asking_to_change_things_fits_passes_axe_and_can_allow_reading_only(
    app, chromium, axe, size, tmp_path
):
    registration = register(app)
    verifier, challenge = pkce()
    url = app.url + authorize_url(
        registration["client_id"],
        challenge,
        resource=f"{app.url}/mcp",
        scope=f"{SCOPE} {WRITE_SCOPE}",
    )
    seen = {}
    with chromium() as page:
        page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
        page.goto(url)
        page.wait_for_selector("text=Connect Claude?")
        seen["fits"] = page.evaluate(NO_SIDEWAYS_SCROLL)
        seen["text"] = page.inner_text("main")
        seen["buttons"] = page.locator("form.actions button").all_inner_texts()
        seen["axe"] = axe(page)
        keep(page, f"oauth-consent-changes-{size}", tmp_path)
        seen["landed"] = answer(page, "button[value=allow_read]")
    token = exchange(app, registration, seen["landed"], verifier)

    assert seen["fits"], "the consent page asking to change things scrolls sideways"
    assert seen["axe"] == []
    assert seen["buttons"] == ["Allow reading and changes", "Allow reading only", "Deny"]
    assert "It asks to change things" in seen["text"]
    assert token.status_code == 200
    assert token.json()["scope"] == SCOPE
