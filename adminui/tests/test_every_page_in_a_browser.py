"""Every page, on a phone (360 px) and a wide screen (1280 px), in headless Chromium: nothing is
wider than the screen, axe-core finds no serious or critical accessibility problem, chart text
stays readable and names are not cut.

The pages are found in the URL resolver, not listed by hand: every route of the pages and of the
Spotify login that answers a GET with HTML is opened (the Django admin, the APIs and the MCP
endpoint are not pages of ours), so a page added later is checked too. A route with a parameter
this test has no sample value for fails the test, naming the parameter to add to SAMPLES.
"""

import os
import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from accounts.models import LogEntry
from accounts.oauth import LISTENER_SESSION_KEY
from adminui import shares
from adminui.tests.conftest import STAFF_PASSWORD
from adminui.tests.test_connected_assistants import connect
from imports.models import ImportJob
from mcp.tokens import issue_token
from plays.models import Album, Artist, ExcludedArtist, Item, Play, SyncRun
from plays.tests.query_fixtures import build_history

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (360, 1280)
# Namespaces whose routes are pages of ours; the rest (admin, the admin API, MCP) are not.
PAGE_NAMESPACES = ("pages", "accounts")


def walk(resolver=None, prefix="", namespace=None):
    """(route, namespace, name, default kwargs) of every route under the resolver."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            route = str(entry.pattern) if isinstance(entry.pattern, RoutePattern) else None
            if route is None:
                continue  # a regex include (none of ours): not a page of this project
            yield from walk(entry, prefix + route, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern):
            yield prefix + str(entry.pattern), namespace, entry.name, entry.default_args


@pytest.fixture
def history(live_server):
    """An operator, and a listener (dana) with a history of every kind, an import, a sync run, a
    log entry and an MCP token, so every page has something to show."""
    from accounts.models import Listener

    staff = get_user_model().objects.create_user("operator", password=STAFF_PASSWORD, is_staff=True)
    dana = Listener.objects.create(
        spotify_user_id="dana",
        display_name="Dana Österberg-Ramírez with a long name",
        status=Listener.Status.ACTIVE,
        time_zone="Europe/Paris",
        refresh_token_expires_at=timezone.now() + timedelta(days=100),
    )
    build_history(dana)
    # A hidden artist and sharing on, so the pages show their note, list and handle.
    ExcludedArtist.objects.create(listener=dana, artist=Artist.objects.get(name="Cold Rivers"))
    dana.start_sharing()
    # Listeners in other states, with long names, for the dashboard's rows.
    Listener.objects.create(
        spotify_user_id="erik.with.a.rather.long.spotify.user.id.1234567890",
        display_name="Erik",
        status=Listener.Status.NEEDS_REAUTH,
    )
    Listener.objects.create(spotify_user_id="frida", status=Listener.Status.IMPORT_ONLY)
    Album.objects.filter(pk=Album.objects.order_by("pk").first().pk).update(
        image_url="https://i.scdn.co/image/ab67616d00001e02000000000000000000000001"
    )
    job = ImportJob.objects.create(
        listener=dana,
        file_name="my_spotify_data_with_a_rather_long_file_name_from_spotify.zip",
        status="succeeded_with_warnings",
        records_done=460,
        records_total=460,
        inserted=455,
        duplicates=5,
        skipped={"missing_name": 3},
    )
    SyncRun.objects.create(
        listener=dana,
        kind="poll",
        status="failed",
        started_at=timezone.now(),
        error="Spotify answered 503 Service Unavailable",
    )
    LogEntry.objects.create(
        level="ERROR", logger="plays.poller", event="poll.failed", message="x" * 300
    )
    token, _ = issue_token(dana, name="Claude Desktop on a laptop")
    paris = ZoneInfo(dana.time_zone)
    share, share_secret = shares.create(dana, "2019", "2025", paris)
    shares.create(dana, "2024-03", "2024-03-31", paris)  # listed on /me and /me/wrapped
    played = Play.objects.filter(listener=dana)
    samples = {
        "user_id": "dana",
        "token_id": token.pk,
        "job_id": job.pk,
        "connection_id": connect(dana)[0].pk,
        "secret": share_secret,
        "share_id": share.pk,
        "item_id": {
            "track": played.filter(item__kind="track").values_list("item_id", flat=True).first(),
            "episode": played.exclude(item__kind="track").values_list("item_id", flat=True).first(),
            "artist": Item.objects.filter(plays__listener=dana, primary_artist__isnull=False)
            .values_list("primary_artist_id", flat=True)
            .first(),
            "album": Item.objects.filter(plays__listener=dana, album__isnull=False)
            .values_list("album_id", flat=True)
            .first(),
            "show": Item.objects.filter(plays__listener=dana, show__isnull=False)
            .values_list("show_id", flat=True)
            .first(),
        },
    }
    client = Client()
    client.force_login(staff)
    session = client.session
    session[LISTENER_SESSION_KEY] = dana.pk
    session.save()
    return {"client": client, "samples": samples, "base": live_server.url}


def fill(route, defaults, samples):
    """The route with sample values in its <converter:name> parts."""

    def value(match):
        name = match.group(2)
        if name not in samples:
            raise AssertionError(
                f"No sample value for <{match.group(1)}:{name}> of {route!r}: add one to SAMPLES"
            )
        sample = samples[name]
        return str(sample[defaults["kind"]] if isinstance(sample, dict) else sample)

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def html_pages(client, samples):
    """{path: status} of every page route answering GET with HTML, with search pages also asked
    something. The pages' routes must answer 200 with the samples; the Spotify login's callback
    answers its own error page (400) when Spotify sent nothing, and that page is checked too."""
    paths, refused = {}, []
    for route, namespace, name, defaults in walk():
        if namespace not in PAGE_NAMESPACES:
            continue
        path = fill(route, defaults, samples)
        response = client.get(path)
        if response.status_code in (301, 302, 405) or "text/html" not in response.get(
            "Content-Type", ""
        ):
            continue  # POST-only, a redirect (logins) or JSON (progress)
        if response.status_code != 200 and namespace == "pages":
            refused.append((path, response.status_code))
            continue
        paths[path] = response.status_code
        if name.endswith("search"):
            paths[f"{path}?q=da"] = 200
        if name in ("me", "listener"):
            paths.update({f"{path}?days=30": 200, f"{path}?year=2024": 200})
        if name == "me":
            paths[f"{path}?artist_search=ri"] = 200
        if name.endswith("wrapped"):
            paths.update({f"{path}?start=2019&end=2025": 200, f"{path}?start=2010": 200})
    assert not refused, f"pages that did not open with the sample values: {refused}"
    return paths


CHART_TEXT = """() => [...document.querySelectorAll('svg.chart text')]
  .filter(t => t.getClientRects().length && t.closest('svg').getBoundingClientRect().width > 0)
  .map(t => t.getBoundingClientRect().height)"""

# The elements sticking out on the right (outside any scrolling box), to say what to fix.
STICKING_OUT = """() => [...document.querySelectorAll('body *')].filter(e => {
    if (e.getBoundingClientRect().right <= window.innerWidth + 0.5) return false;
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return false;
    }
    return true;
  }).slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className ? '.' + e.className : ''))"""

CUT_NAMES = """() => [...document.querySelectorAll('.name, .what, h1, td, dd')]
  .filter(e => e.getClientRects().length && e.scrollWidth > e.clientWidth + 1
          && getComputedStyle(e).overflowX !== 'auto')
  .map(e => e.textContent.trim().slice(0, 40))"""


def test_every_page_fits_a_phone_and_a_wide_screen_and_passes_axe(history, chromium, axe):
    client, base = history["client"], history["base"]
    paths = html_pages(client, history["samples"])
    # What the walk must have found (a floor, not the list: new pages add to it).
    for expected in ("/", "/me", "/me/plays", "/me/artists/", "/listeners/dana/albums/"):
        assert any(
            p == expected or (p.startswith(expected) and expected.endswith("/")) for p in paths
        )
    cookie = client.cookies["sessionid"].value
    problems = []
    seen = {}
    with chromium() as page:
        page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            pages = {**paths, "ANON /login": 200, "ANON /me/logged-out": 200}
            for path, status in pages.items():
                anonymous = path.startswith("ANON ")
                if anonymous:
                    page.context.clear_cookies()
                    path = path[5:]
                response = page.goto(f"{base}{path}")
                where = f"{path} at {width} px"
                if response.status != status:
                    problems.append(f"{where}: status {response.status}")
                sizes = page.evaluate(
                    "() => [document.documentElement.scrollWidth, window.innerWidth]"
                )
                if sizes[0] > sizes[1]:
                    problems.append(
                        f"{where}: {sizes[0]} px wide, wider than the screen: "
                        f"{page.evaluate(STICKING_OUT)}"
                    )
                for violation in axe(page):
                    if violation["impact"] in ("serious", "critical"):
                        problems.append(f"{where}: axe {violation}")
                small = [h for h in page.evaluate(CHART_TEXT) if h < 9]
                if small:
                    problems.append(f"{where}: chart text {min(small):.1f} px high")
                cut = page.evaluate(CUT_NAMES)
                if cut:
                    problems.append(f"{where}: text cut off: {cut[:3]}")
                if path == "/me":
                    seen[width] = page.evaluate(CHART_TEXT)
                if os.environ.get("PAGE_SHOTS_DIR"):  # to look at every page while working
                    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "dashboard"
                    folder = Path(os.environ["PAGE_SHOTS_DIR"])
                    folder.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
                if anonymous:
                    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
    assert not problems, "\n".join(problems)
    # The charts were really measured at both widths (their text is there and visible).
    assert len(seen[360]) > 20 and len(seen[1280]) > 20
    # Artwork is off by default: not one request left this machine.
    assert [url for url in requested if not url.startswith(base)] == []


def test_the_pages_list_comes_from_the_resolver_and_names_a_missing_sample():
    routes = {route for route, namespace, *_ in walk() if namespace == "pages"}
    assert "me/artists/<int:item_id>" in routes and "listeners/<str:user_id>" in routes
    with pytest.raises(AssertionError, match="No sample value for <int:page_id>"):
        fill("me/pages/<int:page_id>", {}, {"user_id": "dana"})


def test_album_covers_load_from_spotify_only_after_the_listener_turns_them_on(history, chromium):
    client, base = history["client"], history["base"]
    album_id = (
        Album.objects.exclude(image_url="").values_list("pk", flat=True).get()
    )  # the album given a cover above
    cookie = client.cookies["sessionid"].value
    requested = []
    with chromium() as page:
        page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
        # Nothing leaves this machine: a request for a cover gets a local answer.
        page.route("https://i.scdn.co/**", lambda route: route.fulfill(status=204))
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{base}/me/albums/{album_id}")
        before = list(requested)
        placeholder = page.locator(".item-head .cover.placeholder").count()
        page.goto(f"{base}/me#settings")
        page.check("#id_show_artwork")
        page.click("#settings button[type=submit]")
        page.wait_for_url(f"{base}/me#settings")
        requested.clear()
        page.goto(f"{base}/me/albums/{album_id}")
        cover = page.locator(".item-head img.cover").get_attribute("src")
        page.wait_for_load_state("networkidle")
        after = list(requested)
        # The operator's view of the same album never loads it: the choice is the listener's.
        requested.clear()
        page.goto(f"{base}/listeners/dana/albums/{album_id}")
        operator = list(requested)
    assert [url for url in before if not url.startswith(base)] == [] and placeholder == 1
    assert cover.startswith("https://i.scdn.co/image/")
    assert cover in after
    assert [url for url in operator if not url.startswith(base)] == []


def test_my_page_offers_the_browsers_time_zone_in_one_click(history, chromium):
    from accounts.models import Listener

    Listener.objects.filter(spotify_user_id="dana").update(time_zone="UTC")
    client, base = history["client"], history["base"]
    cookie = client.cookies["sessionid"].value
    seen = {}
    with chromium() as page:
        page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
        cdp = page.context.new_cdp_session(page)
        cdp.send("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Tokyo"})
        page.goto(f"{base}/me")
        offer = page.locator("#tz-offer")
        seen["offer"] = offer.inner_text() if offer.is_visible() else None
        offer.locator("button[type=submit]").click()
        page.wait_for_url(f"{base}/me")
        seen["after"] = page.locator("#tz-offer").is_visible()
        seen["field"] = page.input_value("#id_time_zone")
        # Declined once, the offer stays away in this browser.
        cdp.send("Emulation.setTimezoneOverride", {"timezoneId": "America/Lima"})
        page.goto(f"{base}/me")
        page.click("#tz-offer [data-tz-dismiss]")
        page.goto(f"{base}/me")
        seen["declined"] = page.locator("#tz-offer").is_visible()
    assert "Asia/Tokyo" in seen["offer"]
    assert Listener.objects.get(spotify_user_id="dana").time_zone == "Asia/Tokyo"
    assert seen["after"] is False and seen["field"] == "Asia/Tokyo"
    assert seen["declined"] is False
