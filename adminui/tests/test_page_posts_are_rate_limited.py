"""Every state-changing page request (a form POST of a listener on /me, or of the operator on the
staff pages) counts on its visitor's PAGE_RATE_LIMIT_PER_MINUTE; past it, 429 with Retry-After and
a sentence, and nothing changes. A listener's own uploads are capped at IMPORT_UPLOADS_PER_DAY in
any 24 hours, refused before the file is stored. Both refusals are counted in /metrics. The URLs
come from the resolver, so a POST page added later is checked at once."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, get_resolver
from django.utils import timezone

from accounts.models import Listener, PageRateCounter
from adminui.tests.conftest import log_in_as_listener
from adminui.tests.test_metrics_endpoint import samples, value
from imports.models import ImportJob
from imports.tests.fixtures import extended_track_row, write_zip
from mcp.models import McpToken
from plays.models import TasteProfile

pytestmark = pytest.mark.django_db

AUDIO = "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json"

# Not behind a visitor's guard: the staff login (django-axes counts its failures) and the
# listener's logout (it only ends the session it is sent with).
UNGUARDED = {"pages:login", "pages:logout", "pages:me-logout", "pages:me-logged-out"}
ASKED_FOR = {
    "pages:me-import",
    "pages:me-token-create",
    "pages:me-token-revoke",
    "pages:me-time-zone",
    "pages:me-taste-profile",
    "pages:me-taste-profile-clear",
    "pages:me-permissions-off",
    "pages:me-delete",
    "pages:me-assistant-disconnect",
    "pages:me-hide-artist",
    "pages:me-show-artist",
    "pages:me-sharing",
    "pages:me-wrapped-share",
    "pages:me-wrapped-share-revoke",
    "pages:listener-pause",
    "pages:listener-resume",
    "pages:listener-poll",
    "pages:listener-time-zone",
    "pages:listener-token-create",
    "pages:listener-token-revoke",
    "pages:listener-assistant-disconnect",
    "pages:listener-delete",
    "pages:imports",
    "pages:logs-purge",
}


def page_paths(listener):
    """(URL name, path) of every page, path arguments filled in for `listener`."""
    resolver = get_resolver()
    pages = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "pages")
    for pattern in pages.url_patterns:
        assert isinstance(pattern, URLPattern)
        name = f"pages:{pattern.name}"
        path = "/" + str(pattern.pattern)
        path = path.replace("<str:user_id>", listener.spotify_user_id)
        for converter in (
            "<int:token_id>",
            "<int:connection_id>",
            "<int:job_id>",
            "<int:item_id>",
            "<int:share_id>",
        ):
            path = path.replace(converter, "1")
        yield name, path


METRICS_TOKEN = "page-limits-metrics-token-0123456789abcdef"


@pytest.fixture
def limit_of_one(settings):
    settings.PAGE_RATE_LIMIT_PER_MINUTE = 1


@pytest.fixture
def refusals(settings):
    """`refusals(limit)`: what /metrics says of the refusals by `limit` (a scrape with the admin
    token, on a client of its own)."""
    settings.ADMIN_AUTH_MODE = "token"
    settings.ADMIN_TOKEN = METRICS_TOKEN
    settings.METRICS_ALLOWED_ADDRESSES = []

    def scraped(limit):
        response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
        assert response.status_code == 200
        return value(
            samples(response.content.decode()),
            "spotify_history_rate_limit_refusals_total",
            limit=limit,
        )

    return scraped


def test_past_the_limit_every_post_of_a_listener_is_answered_429(
    client, active_listener, limit_of_one
):
    log_in_as_listener(client, active_listener)
    assert client.post("/me/time-zone", {"time_zone": "Asia/Tokyo"}).status_code == 302
    limited = set()
    for name, path in page_paths(active_listener):
        if not path.startswith("/me") or name in UNGUARDED:
            continue
        response = client.post(path, {"time_zone": "UTC"})
        if response.status_code == 405:
            continue  # reads only (GET)
        assert response.status_code == 429, (name, response.status_code)
        assert 1 <= int(response["Retry-After"]) <= 60
        assert "more than 1 changes in a minute" in response.content.decode()
        limited.add(name)
    assert {name for name in ASKED_FOR if name.startswith("pages:me")} <= limited
    active_listener.refresh_from_db()
    assert active_listener.time_zone == "Asia/Tokyo"  # the refused ones changed nothing
    assert Listener.objects.filter(pk=active_listener.pk).exists()


def test_past_the_limit_every_post_of_the_operator_is_answered_429(
    staff_client, active_listener, limit_of_one
):
    assert staff_client.post(f"/listeners/{active_listener.spotify_user_id}/pause").status_code
    limited = set()
    for name, path in page_paths(active_listener):
        if path.startswith("/me") or name in UNGUARDED:
            continue
        response = staff_client.post(path, {"time_zone": "UTC", "days": "1"})
        if response.status_code == 405:
            continue
        assert response.status_code == 429, (name, response.status_code)
        assert int(response["Retry-After"]) >= 1
        limited.add(name)
    assert {name for name in ASKED_FOR if not name.startswith("pages:me")} <= limited
    active_listener.refresh_from_db()
    assert active_listener.time_zone == "Europe/Paris"
    assert Listener.objects.filter(pk=active_listener.pk).exists()


def test_a_refused_token_creation_or_taste_profile_changes_nothing(
    listener_client, active_listener, settings
):
    settings.PAGE_RATE_LIMIT_PER_MINUTE = 2
    assert listener_client.post("/me/tokens", {"name": "one"}).status_code == 302
    assert listener_client.post("/me/tokens", {"name": "two"}).status_code == 302
    assert listener_client.post("/me/tokens", {"name": "three"}).status_code == 429
    assert listener_client.post("/me/taste-profile", {"document": '{"a": 1}'}).status_code == 429
    assert sorted(McpToken.objects.values_list("name", flat=True)) == ["one", "two"]
    assert not TasteProfile.objects.filter(listener=active_listener).exists()


def test_refused_page_posts_are_counted_in_the_metrics(listener_client, limit_of_one, refusals):
    assert refusals("page_posts") == 0
    assert listener_client.post("/me/time-zone", {"time_zone": "UTC"}).status_code == 302
    for _ in range(2):
        assert listener_client.post("/me/time-zone", {"time_zone": "UTC"}).status_code == 429
    assert refusals("page_posts") == 2
    assert refusals("import_uploads") == 0


def test_each_visitor_has_an_allowance_of_their_own(client, active_listener, settings):
    settings.PAGE_RATE_LIMIT_PER_MINUTE = 1
    other = Listener.objects.create(spotify_user_id="dave", status=Listener.Status.ACTIVE)
    log_in_as_listener(client, active_listener)
    client.post("/me/time-zone", {"time_zone": "UTC"})
    assert client.post("/me/time-zone", {"time_zone": "UTC"}).status_code == 429
    log_in_as_listener(client, other)
    assert client.post("/me/time-zone", {"time_zone": "Asia/Tokyo"}).status_code == 302
    assert set(PageRateCounter.objects.values_list("key", flat=True)) == {
        f"listener:{active_listener.pk}",
        f"listener:{other.pk}",
    }


def test_reading_pages_is_not_counted(listener_client, settings):
    settings.PAGE_RATE_LIMIT_PER_MINUTE = 1
    for _ in range(3):
        assert listener_client.get("/me").status_code == 200
    assert listener_client.post("/me/time-zone", {"time_zone": "UTC"}).status_code == 302


def test_a_listener_may_upload_at_most_the_daily_cap(
    listener_client, active_listener, upload_dir, tmp_path, settings
):
    settings.IMPORT_UPLOADS_PER_DAY = 2
    settings.PAGE_RATE_LIMIT_PER_MINUTE = 100
    data = write_zip(tmp_path / "mine.zip", {AUDIO: [extended_track_row()]}).read_bytes()
    for n in range(2):
        response = listener_client.post(
            "/me/import", {"file": SimpleUploadedFile(f"mine-{n}.zip", data)}
        )
        assert response.status_code == 302
    refused = listener_client.post("/me/import", {"file": SimpleUploadedFile("third.zip", data)})
    assert refused.status_code == 429
    assert "You uploaded 2 files in the last 24 hours" in refused.content.decode()
    assert 23 * 3600 < int(refused["Retry-After"]) <= 24 * 3600 + 1
    assert ImportJob.objects.filter(listener=active_listener).count() == 2
    assert sorted(p.name for p in upload_dir.iterdir()) == sorted(
        p.split("/")[-1] for p in ImportJob.objects.values_list("stored_path", flat=True)
    )
    # A day later the oldest upload no longer counts.
    ImportJob.objects.filter(file_name="mine-0.zip").update(
        created_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    again = listener_client.post("/me/import", {"file": SimpleUploadedFile("fourth.zip", data)})
    assert again.status_code == 302


def test_refused_uploads_are_counted_in_the_metrics(
    listener_client, active_listener, upload_dir, tmp_path, settings, refusals
):
    settings.IMPORT_UPLOADS_PER_DAY = 1
    settings.PAGE_RATE_LIMIT_PER_MINUTE = 100
    data = write_zip(tmp_path / "mine.zip", {AUDIO: [extended_track_row()]}).read_bytes()
    first = listener_client.post("/me/import", {"file": SimpleUploadedFile("one.zip", data)})
    assert first.status_code == 302
    assert refusals("import_uploads") == 0
    refused = listener_client.post("/me/import", {"file": SimpleUploadedFile("two.zip", data)})
    assert refused.status_code == 429
    assert refusals("import_uploads") == 1
    assert refusals("page_posts") == 0


def test_the_operators_uploads_for_a_listener_are_not_capped(
    staff_client, active_listener, upload_dir, tmp_path, settings
):
    settings.IMPORT_UPLOADS_PER_DAY = 1
    data = write_zip(tmp_path / "x.zip", {AUDIO: [extended_track_row()]}).read_bytes()
    for n in range(2):
        response = staff_client.post(
            "/imports",
            {
                "listener": active_listener.spotify_user_id,
                "file": SimpleUploadedFile(f"x{n}.zip", data),
            },
        )
        assert response.status_code == 302, response.content[:300]
