"""The forms that used to trap people, in a real browser (headless Chromium) on a phone-sized
screen: a file over the size limit is refused before it is sent, a refused upload is answered
where the form is, revoking a token asks first and names it, and the pages added for these fit
360 px without scrolling sideways.
"""

import os

import pytest
from django.contrib.sessions.backends.db import SessionStore

from accounts.oauth import LISTENER_SESSION_KEY
from imports.models import ImportJob
from mcp.tokens import active_tokens, issue_token

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 740}
FITS = "document.documentElement.scrollWidth <= window.innerWidth"
# Where the refusal is, relative to the window and to the page.
PLACE = """(selector) => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, pageTop: box.top + window.scrollY,
          height: window.innerHeight};
}"""


def listener_session(listener):
    """A session logged in as `listener` (made before the browser starts: Playwright's event
    loop then refuses database calls), as a cookie for `add_cookies`."""
    session = SessionStore()
    session[LISTENER_SESSION_KEY] = listener.pk
    session.create()
    return {"name": "sessionid", "value": session.session_key}


def as_listener(page, base, cookie):
    page.context.add_cookies([{**cookie, "url": base}])


def test_my_upload_is_checked_in_the_browser_and_a_refusal_is_shown_beside_the_form(
    live_server, chromium, active_listener, settings, upload_dir, tmp_path
):
    settings.IMPORT_MAX_ZIP_SIZE_MB = 1
    big = tmp_path / "my_spotify_data.zip"
    big.write_bytes(b"PK\x03\x04" + os.urandom(2 * 1024 * 1024))
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not an export")
    base = live_server.url
    cookie = listener_session(active_listener)
    seen = {}

    with chromium() as page:
        page.set_viewport_size(PHONE)
        as_listener(page, base, cookie)
        page.goto(f"{base}/me")
        posted = []
        page.on("request", lambda request: posted.append(request.method))

        page.set_input_files("#id_file", str(big))
        seen["note"] = page.locator("#upload-size-error").inner_text()
        seen["valid"] = page.evaluate("document.querySelector('#id_file').validity.valid")
        page.click("#upload-form button[type=submit]")
        seen["url"] = page.url
        seen["posts"] = posted.count("POST")

        page.set_input_files("#id_file", str(wrong))
        seen["cleared"] = page.locator("#upload-size-error").is_hidden()
        page.click("#upload-form button[type=submit]")
        page.wait_for_url(f"{base}/me/import#imports")
        seen["refusal"] = page.evaluate(PLACE, "#id_file_error")
        seen["text"] = page.locator("#id_file_error").inner_text()

    assert seen["note"].startswith(
        "my_spotify_data.zip is 2.1 MB; the most an import may be is 1 MB."
    )
    assert seen["valid"] is False
    assert (seen["url"], seen["posts"]) == (f"{base}/me", 0)  # nothing was sent
    assert seen["cleared"]
    refusal = seen["refusal"]
    assert refusal["pageTop"] > refusal["height"]  # far down the page...
    assert refusal["top"] >= 0 and refusal["bottom"] <= refusal["height"]  # ...yet in view
    assert "notes.txt is not a ZIP, JSON or CSV file" in seen["text"]
    assert not ImportJob.objects.exists()


def test_revoking_a_token_asks_first_and_names_it(live_server, chromium, active_listener):
    token, _ = issue_token(active_listener, name="Claude Desktop")
    base = live_server.url
    cookie = listener_session(active_listener)
    seen = {}

    with chromium() as page:
        page.set_viewport_size(PHONE)
        as_listener(page, base, cookie)
        page.goto(f"{base}/me")
        button = page.get_by_role("button", name="Revoke “Claude Desktop”")
        seen["hidden_at_first"] = not button.is_visible()
        page.locator("#tokens summary").click()
        seen["asks"] = page.locator("details.confirm[open] p").inner_text()
        button.click()
        page.wait_for_url(f"{base}/me#tokens-card")
        seen["said"] = page.locator(".messages").inner_text()

    assert seen["hidden_at_first"]
    assert "stop working at once" in seen["asks"]
    assert seen["said"] == "Revoked the token Claude Desktop."
    assert not active_tokens(active_listener).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_pages_added_here_fit_a_phone(live_server, chromium, active_listener, settings):
    settings.SPOTIFY_CLIENT_ID = ""
    base = live_server.url
    cookie = listener_session(active_listener)
    fits = {}

    with chromium() as page:
        page.set_viewport_size(PHONE)
        as_listener(page, base, cookie)
        for name, path in [
            ("404", "/no/such/page/with/a/rather/long/address/that/goes/on"),
            ("login not configured", "/auth/login"),
            ("token shown already", "/me/tokens/new"),
        ]:
            page.goto(f"{base}{path}")
            fits[name] = page.evaluate(FITS)
        page.goto(f"{base}/me")
        page.fill("#id_name", "Claude Desktop on my laptop")
        page.click("text=Create an MCP token")
        page.wait_for_url(f"{base}/me/tokens/new")
        fits["new token"] = page.evaluate(FITS)

    assert fits == dict.fromkeys(fits, True)
