"""A Wrapped in a real browser (headless Chromium) on a phone (360 px) and a wide screen
(1280 px): the listener opens it after importing two years, makes a share link with the button,
and a visitor with no session opens the link; each page fits the screen and passes axe-core,
prints without its menus and forms, and the link's preview picture loads.

With SCREENSHOTS_DIR set, the README's pictures of the Wrapped are kept there (`wrapped.png`,
`wrapped-360.png`, `wrapped-shared.png`, `wrapped-shared-360.png`).
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import Listener
from adminui.tests.conftest import log_in_as_listener
from benchmarks.synthetic import build_synthetic_export
from plays import queries

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (360, 1280)
HEIGHT = 900
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def keep(page, tmp_path, name, width):
    """A full-page screenshot, kept in SCREENSHOTS_DIR when it is set."""
    file_name = f"{name}.png" if width == 1280 else f"{name}-{width}.png"
    path = tmp_path / file_name
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("SCREENSHOTS_DIR"):
        folder = Path(os.environ["SCREENSHOTS_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / file_name)


def test_a_listener_opens_and_shares_their_wrapped_on_a_phone_and_a_wide_screen(
    live_server, chromium, axe, settings, tmp_path, client
):
    settings.PUBLIC_BASE_URL = live_server.url
    fiona = Listener.objects.create(
        spotify_user_id="fiona", display_name="Fiona", time_zone="Europe/Stockholm"
    )
    export = tmp_path / "my_spotify_data.zip"
    build_synthetic_export(export, records=30_000, seed=5, start_year=2023)
    call_command("import_zip", "fiona", str(export), verbosity=0)
    cookie = log_in_as_listener(client, fiona).cookies["sessionid"].value
    base = live_server.url
    wrapped_url = f"{base}/me/wrapped?start=2024&end=2024"
    problems, seen = [], {}

    def check(page, where):
        if page.evaluate(OVERFLOW) > 0:
            problems.append(f"{where}: wider than the screen")
        for violation in axe(page):
            if violation["impact"] in ("serious", "critical"):
                problems.append(f"{where}: axe {violation}")

    with chromium() as page:
        page.set_default_timeout(120_000)
        page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            page.goto(wrapped_url)
            check(page, f"/me/wrapped at {width} px")
            seen[f"months-{width}"] = page.locator("#month-strip li").count()
            seen[f"plays-{width}"] = page.locator("#wrapped-plays").inner_text()
            keep(page, tmp_path, "wrapped", width)
        # Printed, the Wrapped keeps its numbers and loses the menus, forms and share links.
        page.emulate_media(media="print")
        seen["print"] = {
            selector: page.locator(selector).first.is_visible()
            for selector in ("header.site", "#wrapped-range", "#share", "#wrapped-totals")
        }
        page.emulate_media(media="screen")

        page.click("#share-form button[type=submit]")
        page.wait_for_url(f"{wrapped_url}#share")
        link = page.locator("#new-share-url").inner_text().strip()
        page.reload()
        seen["shown_again"] = page.locator("#new-share-url").count()

        page.context.clear_cookies()  # a visitor: no session at all
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            response = page.goto(link)
            seen[f"shared-status-{width}"] = response.status
            check(page, f"the shared Wrapped at {width} px")
            keep(page, tmp_path, "wrapped-shared", width)
        seen["shared_plays"] = page.locator("#wrapped-plays").inner_text()
        seen["links"] = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
        image = page.locator('meta[property="og:image"]').get_attribute("content")
        picture = page.request.get(image)
        seen["picture"] = (picture.status, picture.headers["content-type"], picture.body()[:8])

    assert problems == [], "\n".join(problems)
    tz = queries.listener_tz(fiona)
    window = queries.Window.parse(start="2024", end="2024", tz=tz)
    plays = queries.listening_summary(fiona, window=window, tz=tz)["plays"]
    assert plays > 1000
    assert seen["plays-360"] == seen["plays-1280"] == seen["shared_plays"] == f"{plays:,}"
    assert seen["months-360"] == seen["months-1280"] == 12
    assert seen["print"] == {
        "header.site": False,
        "#wrapped-range": False,
        "#share": False,
        "#wrapped-totals": True,
    }
    assert link.startswith(f"{base}/wrapped/") and seen["shown_again"] == 0
    assert seen["shared-status-360"] == seen["shared-status-1280"] == 200
    assert seen["links"] == [f"{link}#main"]  # the skip link, and nothing else
    assert seen["picture"] == (200, "image/png", b"\x89PNG\r\n\x1a\n")
    assert [url for url in requested if not url.startswith(base)] == []
