"""Every page answers with Content-Security-Policy, Referrer-Policy and Permissions-Policy, and
none carries inline script or style that the policy would block.

The pages are walked as each kind of visitor sees them: anonymous (login pages, errors, the
admin API's docs), the operator (their pages, the Django admin) and a listener (their page).
`test_pages_in_a_browser_report_no_policy_violation` loads the main ones in headless Chromium.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Listener
from adminui.tests.conftest import STAFF_PASSWORD, add_plays, log_in_as_listener
from imports.models import ImportJob

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: https://i.scdn.co",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=|\son[a-z]+\s*=", re.I)


def directives(header):
    parsed = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        parsed[name] = value.strip()
    return parsed


def assert_headers(response, path):
    policy = directives(response["Content-Security-Policy"])
    for name, value in POLICY.items():
        assert policy.get(name) == value, (path, name, policy.get(name))
    assert "unsafe-inline" not in response["Content-Security-Policy"], path
    assert "unsafe-eval" not in response["Content-Security-Policy"], path
    assert response["Referrer-Policy"] == "same-origin", path
    permissions = response["Permissions-Policy"]
    for feature in DENIED_FEATURES:
        assert f"{feature}=()" in permissions, (path, feature)
    assert "clipboard-write=(self)" in permissions, path
    assert response["X-Frame-Options"] == "DENY", path
    if response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), (path, INLINE_SCRIPT.search(html))
        assert not INLINE_STYLE.search(html), (path, INLINE_STYLE.search(html))


@pytest.fixture
def listener_with_history(active_listener, settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    start = datetime.now(UTC) - timedelta(days=20)
    add_plays(active_listener, 40, start=start, artist="Greta Lindqvist")
    add_plays(active_listener, 15, start=start, artist="Ola Borg", every=timedelta(hours=3))
    ImportJob.objects.create(
        listener=active_listener,
        file_name="my_spotify_data.zip",
        file_size=1000,
        status=ImportJob.Status.RUNNING,
        records_total=100,
        records_done=40,
    )
    return active_listener


ANONYMOUS_PAGES = {
    "/login": 200,
    "/auth/login": 302,
    "/auth/callback?state=forged&code=x": 400,
    "/auth/connected": 302,
    "/me/logged-out": 200,
    "/healthz": 200,
    "/admin/docs": 200,
    "/admin/openapi.json": 200,
    "/admin/users": 401,
    "/admin/db/login/": 200,
    "/no-such-page": 404,
    "/mcp/openapi.json": 200,
}


@pytest.mark.parametrize(("path", "status"), ANONYMOUS_PAGES.items())
def test_every_anonymous_page_has_the_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status, path
    assert_headers(response, path)


def test_the_error_pages_have_the_headers(client):
    get_user_model().objects.create_user("operator", password=STAFF_PASSWORD, is_staff=True)
    csrf_refused = client.post("/logout", {})
    assert csrf_refused.status_code in (302, 403)
    assert_headers(csrf_refused, "/logout")
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    refused = strict.post("/login", {"username": "operator", "password": "x"})
    assert refused.status_code == 403
    assert_headers(refused, "CSRF failure page")
    for _ in range(5):
        locked = client.post("/login", {"username": "operator", "password": "wrong"})
    assert locked.status_code == 429
    assert_headers(locked, "lockout page")


def test_every_operator_page_has_the_headers(staff_client, listener_with_history):
    user_id = listener_with_history.spotify_user_id
    staff_client.force_login(
        get_user_model().objects.create_superuser("root", password=STAFF_PASSWORD)
    )
    pages = [
        "/",
        f"/listeners/{user_id}",
        f"/listeners/{user_id}?period=all",
        f"/listeners/{user_id}/delete",
        "/imports",
        "/jobs",
        "/logs",
        "/admin/db/",
        "/admin/db/accounts/listener/",
        f"/admin/db/accounts/listener/{listener_with_history.pk}/change/",
        "/admin/db/imports/importjob/",
        "/admin/db/auth/user/add/",
    ]
    for path in pages:
        response = staff_client.get(path)
        assert response.status_code == 200, path
        assert_headers(response, path)
    created = staff_client.post(f"/listeners/{user_id}/tokens", {"name": "Claude"}, follow=True)
    assert created.redirect_chain and created.status_code == 200
    assert_headers(created, "the new token page")


def test_every_listener_page_has_the_headers(client, listener_with_history):
    log_in_as_listener(client, listener_with_history)
    for path in ["/me", "/me?period=all", "/auth/connected"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_headers(response, path)
    assert Listener.objects.count() == 1


# --- in a real browser ---------------------------------------------------------------------------

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""


@pytest.mark.django_db(transaction=True)
def test_pages_in_a_browser_report_no_policy_violation(
    live_server, chromium, listener_with_history, tmp_path
):
    """Headless Chromium opens the main pages with the policy on: every page still draws (charts,
    progress bars, the admin API's Swagger UI, the Django admin) and the browser reports no
    Content-Security-Policy violation, neither as an event nor on the console."""
    from django.conf import settings as django_settings
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.oauth import LISTENER_SESSION_KEY

    get_user_model().objects.create_superuser("operator", password=STAFF_PASSWORD)
    user_id = listener_with_history.spotify_user_id
    listener_session = SessionStore()
    listener_session[LISTENER_SESSION_KEY] = listener_with_history.pk
    listener_session.create()
    base = live_server.url
    operator_pages = {
        "/": "#listeners, table",
        f"/listeners/{user_id}": "#top-artists .bar",
        "/imports": ".progress span",
        "/jobs": "table",
        "/logs": "form",
        "/admin/docs": ".swagger-ui .info",
        "/admin/db/": "#content",
        f"/admin/db/accounts/listener/{listener_with_history.pk}/change/": "#content form",
    }
    console_errors, visited, widths = [], [], []
    with chromium() as page:
        page.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda message: (
                console_errors.append(message.text)
                if message.type in ("error", "warning")
                else None
            ),
        )

        def check(path, selector):
            page.goto(f"{base}{path}")
            page.wait_for_selector(selector, timeout=20_000)
            visited.append((path, page.evaluate("window.__violations")))

        check("/login", "#id_username")
        page.fill("#id_username", "operator")
        page.fill("#id_password", STAFF_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        for path, selector in operator_pages.items():
            check(path, selector)
            if path in (f"/listeners/{user_id}", "/imports"):
                page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '-')}.png"))
        page.set_viewport_size({"width": 360, "height": 800})
        for path, drawn_here in ((f"/listeners/{user_id}", "#top-artists"), ("/imports", "td")):
            check(path, f"{drawn_here} .bar, {drawn_here} .progress")
            bars = page.locator(f"{drawn_here}:has(.bar), {drawn_here}:has(.progress)").first
            bars.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '-')}-360.png"))
            widths.append(bars.evaluate("element => [element.scrollWidth, element.clientWidth]"))
        page.context.clear_cookies()
        page.context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": listener_session.session_key,
                    "url": base,
                }
            ]
        )
        check("/me", "#top-artists .bar")
        drawn = page.locator("#top-artists .bar").first.bounding_box()
        check("/me/logged-out", "main")
    assert [path for path, _ in visited][:2] == ["/login", "/"]
    assert all(violations == [] for _, violations in visited), visited
    policy_errors = [text for text in console_errors if "Content Security Policy" in text]
    assert policy_errors == []
    assert drawn["width"] > 0  # the top artist's bar is drawn at its share of the width
    assert all(scroll <= viewport for scroll, viewport in widths), (
        widths
    )  # the bars fit their box on a phone
