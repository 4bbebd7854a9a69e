"""A real browser (headless Chromium) that opens /auth/login ends on the connected page."""

from accounts.crypto import decrypt_token
from accounts.models import Listener


def test_a_browser_logs_in_through_the_stand_in(browser_app, chromium):
    with chromium() as page:
        page.goto(f"{browser_app.url}/auth/login")
        page.wait_for_url(f"{browser_app.url}/auth/connected")
        heading = page.locator("h1").inner_text()
        html = page.content()

    assert heading == "Connected: Carol"
    listener = Listener.objects.get(spotify_user_id="carol")
    assert listener.status == Listener.Status.ACTIVE
    assert decrypt_token(listener.encrypted_refresh_token) not in html
