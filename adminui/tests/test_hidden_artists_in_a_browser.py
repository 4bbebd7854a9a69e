"""Hiding an artist and sharing, in headless Chromium at 360 px and 1280 px: the cards fit the
screen and pass axe-core, finding an artist and pressing Hide leaves a note on the history pages,
and the sharing toggle shows the handle."""

import pytest

from accounts.models import Listener
from adminui.tests.test_form_traps_in_a_browser import FITS, as_listener, listener_session
from plays.models import ExcludedArtist
from plays.tests.query_fixtures import build_history

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (360, 1280)


def test_hiding_an_artist_and_sharing_in_a_browser(live_server, chromium, axe):
    alice = Listener.objects.create(
        spotify_user_id="alice", display_name="Alice", time_zone="Europe/Paris"
    )
    build_history(alice, "a", 1, 150)
    base, cookie = live_server.url, listener_session(alice)
    problems, seen = [], {}

    def check(page, where):
        if not page.evaluate(FITS):
            problems.append(f"{where}: wider than the screen")
        for violation in axe(page):
            if violation["impact"] in ("serious", "critical"):
                problems.append(f"{where}: axe {violation}")

    with chromium() as page:
        as_listener(page, base, cookie)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{base}/me#hidden-artists")
            check(page, f"/me at {width} px")
            page.goto(f"{base}/me?artist_search=c#hidden-artists")  # too short: a sentence
            check(page, f"refused search at {width} px")
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(f"{base}/me")
        page.fill("#id_artist_search", "cold")
        page.click("#hidden-artists button:has-text('Find')")
        page.wait_for_url("**artist_search=cold**")
        page.get_by_role("button", name="Hide “Cold Rivers”").click()
        page.wait_for_url(f"{base}/me#hidden-artists")
        seen["said"] = page.locator(".messages").inner_text()
        seen["note"] = page.locator("#excluded-note").inner_text()
        seen["hidden"] = page.locator("#hidden-list").inner_text()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            for path in ("/me", "/me/plays"):
                page.goto(f"{base}{path}")
                seen[f"{path} {width}"] = page.locator("#excluded-note").is_visible()
                check(page, f"{path} with a hidden artist at {width} px")
        page.goto(f"{base}/me#sharing")
        page.check("#id_share")
        page.click("#sharing button:has-text('Save')")
        page.wait_for_url(f"{base}/me#sharing")
        seen["handle"] = page.locator("#share-handle").inner_text()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{base}/me#sharing")
            check(page, f"/me sharing at {width} px")

    assert not problems, "\n".join(problems)
    assert "Cold Rivers is hidden" in seen["said"]
    assert "The plays of 1 artist you hide are left out" in seen["note"]
    assert "Cold Rivers" in seen["hidden"]
    assert all(seen[f"{path} {width}"] for path in ("/me", "/me/plays") for width in WIDTHS)
    assert ExcludedArtist.objects.filter(listener=alice).count() == 1
    alice.refresh_from_db()
    assert alice.shares_listening and seen["handle"] == alice.share_handle
