"""Share links of a Wrapped: off until the listener makes one, shown once and stored as a hash,
bound to one listener and one range, showing that Wrapped and nothing else (no other page, no
other range, no API), revocable (a revoked link is a 404), limited in number, and made only by a
same-origin form with its CSRF token."""

import hashlib
import html
import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from adminui import shares
from adminui.models import WrappedShare
from adminui.tests.conftest import log_in_as_listener
from adminui.tests.test_wrapped_page import PARIS, field, names_in
from plays import queries
from plays.tests.query_fixtures import build_history

pytestmark = pytest.mark.django_db

BASE = "https://history.example.org"


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE


@pytest.fixture
def carol_history(active_listener):
    return build_history(active_listener, "c", 1)


def make_link(client, start="2023", end="2023"):
    """Makes a share link as the logged-in listener; returns its path (/wrapped/<secret>)."""
    response = client.post("/me/wrapped/shares", {"start": start, "end": end})
    assert response.status_code == 302, response.content.decode()[:300]
    page = client.get(response["Location"]).content.decode()
    url = field(page, "new-share-url")
    assert url.startswith(f"{BASE}/wrapped/")
    return url[len(BASE) :]


def test_nothing_is_shared_until_the_listener_makes_a_link(listener_client, carol_history):
    me = listener_client.get("/me").content.decode()
    wrapped = listener_client.get("/me/wrapped?start=2023&end=2023").content.decode()
    assert 'id="no-share-links"' in me and 'id="no-share-links"' in wrapped
    assert WrappedShare.objects.count() == 0
    assert 'id="new-share-url"' not in wrapped


def test_a_new_link_is_shown_once_and_only_its_hash_is_stored(
    listener_client, active_listener, carol_history
):
    path = make_link(listener_client)
    secret = path.rsplit("/", 1)[1]
    share = WrappedShare.objects.get()
    assert (share.listener, share.start, share.end) == (active_listener, "2023", "2023")
    assert share.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(WrappedShare.objects.values().get())
    assert len(secret) == 43  # 256 random bits
    # Shown once: the page again shows no link, but lists it by its first characters.
    again = listener_client.get("/me/wrapped?start=2023&end=2023").content.decode()
    assert secret not in again and 'id="new-share-url"' not in again
    assert f"…/wrapped/{share.prefix}…" in again
    assert f"…/wrapped/{share.prefix}…" in listener_client.get("/me").content.decode()


def test_the_shared_page_shows_that_wrapped_to_anybody_with_the_same_numbers(
    listener_client, active_listener, carol_history
):
    path = make_link(listener_client)
    response = Client().get(path)
    assert response.status_code == 200
    page = response.content.decode()
    window = queries.Window.parse(start="2023", end="2023", tz=PARIS)
    summary = queries.listening_summary(active_listener, window=window, tz=PARIS)
    artists = queries.top_artists(active_listener, window=window, limit=5, tz=PARIS)["items"]
    assert "<h1>Carol's Wrapped: 2023</h1>" in html.unescape(page)
    assert field(page, "wrapped-minutes") == f"{round(summary['minutes']):,}"
    assert field(page, "wrapped-plays") == f"{summary['plays']:,}"
    assert names_in(page, "wrapped-artists-list") == [row["name"] for row in artists]
    # The link's preview: absolute URLs on PUBLIC_BASE_URL, the picture under the link.
    meta = dict(re.findall(r'<meta property="(og:[a-z:]+)" content="([^"]*)">', page))
    assert meta["og:url"] == f"{BASE}{path}"
    assert meta["og:image"] == f"{BASE}{path}/card.png"
    assert html.unescape(meta["og:title"]) == "Carol's Wrapped: 2023"
    assert f"{summary['plays']:,} plays" in meta["og:description"]
    assert artists[0]["name"] in html.unescape(meta["og:description"])
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_the_shared_page_links_to_nothing_and_names_no_account(listener_client, carol_history):
    page = Client().get(make_link(listener_client)).content.decode()
    targets = re.findall(r'(?:href|src|action)="([^"]*)"', page)
    assert targets  # the stylesheet, the script, the skip link
    assert all(t.startswith("/static/") or t == "#main" for t in targets), targets
    assert "<form" not in page and "<a " not in page.replace('<a class="skip"', "")
    assert "carol" not in page  # the Spotify user id; the display name (Carol) is shown
    assert "/me" not in page and "/listeners/" not in page and "/mcp" not in page


def test_query_parameters_do_not_change_a_shared_range(listener_client, carol_history):
    path = make_link(listener_client)
    plain = Client().get(path).content.decode()
    for query in ("start=2019&end=2025", "year=2024", "days=30", "start=2022"):
        other = Client().get(f"{path}?{query}").content.decode()
        assert other == plain, query


def test_a_link_opens_nothing_else_of_the_listener(listener_client, active_listener, carol_history):
    path = make_link(listener_client)
    visitor = Client()
    response = visitor.get(path)
    assert response.cookies == {} or "sessionid" not in response.cookies
    assert visitor.get("/me").status_code == 302
    assert visitor.get("/me/wrapped?start=2019&end=2025")["Location"].startswith("/auth/login")
    assert visitor.get("/listeners/carol/wrapped")["Location"].startswith("/login")
    assert visitor.get("/mcp/tools").status_code == 401
    assert visitor.post("/mcp/call", "{}", content_type="application/json").status_code == 401
    assert visitor.get("/admin/users/carol").status_code == 401
    # The secret is no credential anywhere else either.
    secret = path.rsplit("/", 1)[1]
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bearer.get("/mcp/tools").status_code == 401
    assert bearer.get("/admin/users/carol").status_code == 401


def test_each_link_shows_its_own_listener_only(client, listener, active_listener, carol_history):
    build_history(listener, "a", 2, 200)
    carol_link = make_link(log_in_as_listener(Client(), active_listener), "2019", "2025")
    alice_link = make_link(log_in_as_listener(client, listener), "2019", "2025")
    for link, who in ((carol_link, active_listener), (alice_link, listener)):
        tz = queries.listener_tz(who)
        window = queries.Window.parse(start="2019", end="2025", tz=tz)
        plays = queries.listening_summary(who, window=window, tz=tz)["plays"]
        assert field(Client().get(link).content.decode(), "wrapped-plays") == f"{plays:,}"
    assert "Alice" in Client().get(alice_link).content.decode()
    assert "Carol" not in Client().get(alice_link).content.decode()


def test_the_preview_picture_is_a_png_of_1200_by_630(listener_client, carol_history):
    response = Client().get(make_link(listener_client) + "/card.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert Image.open(BytesIO(response.content)).size == (1200, 630)
    assert "no-store" in response["Cache-Control"]


def test_revoking_a_link_makes_it_and_its_picture_not_found(listener_client, carol_history):
    path = make_link(listener_client)
    share = WrappedShare.objects.get()
    response = listener_client.post(f"/me/wrapped/shares/{share.pk}/revoke")
    assert response.status_code == 302
    assert Client().get(path).status_code == 404
    assert Client().get(f"{path}/card.png").status_code == 404
    assert 'id="no-share-links"' in listener_client.get("/me").content.decode()
    # Revoking twice, or a link that isn't there: not found, nothing else happens.
    assert listener_client.post(f"/me/wrapped/shares/{share.pk}/revoke").status_code == 404


def test_another_listener_cannot_revoke_a_link(client, listener, listener_client, carol_history):
    path = make_link(listener_client)
    share = WrappedShare.objects.get()
    other = log_in_as_listener(client, listener)
    assert other.post(f"/me/wrapped/shares/{share.pk}/revoke").status_code == 404
    assert Client().get(path).status_code == 200


@pytest.mark.parametrize(
    "secret",
    ["nope", "A" * 43, "A" * 44, "%2e%2e", "A" * 42 + "!"],
)
def test_unknown_or_malformed_secrets_are_not_found(secret, carol_history):
    assert Client().get(f"/wrapped/{secret}").status_code == 404
    assert Client().get(f"/wrapped/{secret}/card.png").status_code == 404


def test_a_range_that_cant_be_read_makes_no_link(listener_client, carol_history):
    response = listener_client.post("/me/wrapped/shares", {"start": "2024", "end": "2023"})
    assert response.status_code == 400
    assert "must come before" in html.unescape(response.content.decode())
    assert WrappedShare.objects.count() == 0


def test_making_links_is_limited_per_hour_and_in_number(
    listener_client, active_listener, carol_history
):
    for _ in range(shares.MAX_NEW_PER_HOUR):
        make_link(listener_client)
    response = listener_client.post("/me/wrapped/shares", {"start": "2023", "end": "2023"})
    assert response.status_code == 429
    assert "in the last hour, the most allowed" in field(response.content.decode(), "share-refusal")
    assert WrappedShare.objects.count() == shares.MAX_NEW_PER_HOUR
    # An hour later more may be made, up to the most live links at once.
    WrappedShare.objects.update(created_at=timezone.now() - timedelta(hours=2))
    for _ in range(shares.MAX_LIVE_SHARES - shares.MAX_NEW_PER_HOUR):
        make_link(listener_client)
        WrappedShare.objects.update(created_at=timezone.now() - timedelta(hours=2))
    response = listener_client.post("/me/wrapped/shares", {"start": "2023", "end": "2023"})
    assert response.status_code == 429
    assert "revoke one before making another" in html.unescape(response.content.decode())
    assert shares.active_shares(active_listener).count() == shares.MAX_LIVE_SHARES


def test_a_link_is_made_only_by_a_same_origin_form(active_listener, carol_history):
    guarded = log_in_as_listener(Client(enforce_csrf_checks=True), active_listener)
    body = {"start": "2023", "end": "2023"}
    assert guarded.post("/me/wrapped/shares", body).status_code == 403  # no CSRF token
    page = guarded.get("/me/wrapped?start=2023&end=2023").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cross_site = guarded.post(
        "/me/wrapped/shares",
        {**body, "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://evil.example",
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert cross_site.status_code == 403
    assert WrappedShare.objects.count() == 0
    same_site = guarded.post(
        "/me/wrapped/shares",
        {**body, "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="http://testserver",
    )
    assert same_site.status_code == 302 and WrappedShare.objects.count() == 1


def test_only_a_logged_in_listener_makes_links(client, carol_history):
    response = client.post("/me/wrapped/shares", {"start": "2023", "end": "2023"})
    assert response.status_code == 302 and response["Location"].startswith("/auth/login")
    assert WrappedShare.objects.count() == 0


def test_a_share_link_takes_its_views_a_minute_then_says_wait_with_nothing_of_the_wrapped(
    listener_client, carol_history, settings
):
    settings.SHARE_VIEWS_PER_MINUTE = 3
    path = make_link(listener_client)
    strangers = [Client(REMOTE_ADDR=f"198.51.100.{n}") for n in range(4)]
    # The page and its picture count together, whoever asks: other addresses can't multiply it.
    assert strangers[0].get(path).status_code == 200
    assert strangers[1].get(f"{path}/card.png").status_code == 200
    assert strangers[2].get(path).status_code == 200
    refused = strangers[3].get(path)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "opened more than 3 times in a minute" in refused.content.decode()
    assert "Top artists" not in refused.content.decode()
    assert strangers[3].get(f"{path}/card.png").status_code == 429
    # Another link of the same listener has its own allowance; the listener's own page is untouched.
    other = make_link(listener_client, "2022", "2023")
    assert strangers[3].get(other).status_code == 200
    assert listener_client.get("/me/wrapped?start=2023&end=2023").status_code == 200


def test_an_unknown_link_is_a_404_before_anything_is_counted(client, settings):
    settings.SHARE_VIEWS_PER_MINUTE = 1
    for _ in range(3):
        assert client.get("/wrapped/" + "x" * 43).status_code == 404
