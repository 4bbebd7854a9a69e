"""`/listeners/<spotify_user_id>`: one listener's state, charts and the operator's actions."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from accounts.models import Listener
from adminui.tests.conftest import add_plays
from imports.models import ImportJob
from mcp.tokens import active_tokens, issue_token
from plays.models import Play, SyncRun

pytestmark = pytest.mark.django_db


def recent_monday_noon_utc():
    """Noon UTC on a Monday two to three weeks ago (inside the default 90 days)."""
    day = (timezone.now() - timedelta(days=14)).date()
    day -= timedelta(days=day.weekday())
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


def test_the_page_opens_on_the_whole_history(staff_client, active_listener):
    monday = recent_monday_noon_utc()
    add_plays(active_listener, 3, start=monday, every=timedelta(minutes=5))
    add_plays(active_listener, 2, start=monday - timedelta(days=400), artist="Old Favourite")
    response = staff_client.get("/listeners/carol")
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["window_plays"] == 5
    assert response.context["period"].choice == "all"
    assert response.context["granularity"] == "week"  # 400 days: per week
    assert "Greta Lindqvist" in page and "Old Favourite" in page
    assert 'id="coverage"' in page


def test_the_last_90_days_are_charted_per_day_in_the_listeners_time_zone(
    staff_client, active_listener
):
    monday = recent_monday_noon_utc()
    add_plays(active_listener, 3, start=monday, every=timedelta(minutes=5))
    add_plays(active_listener, 2, start=monday - timedelta(days=400), artist="Old Favourite")
    response = staff_client.get("/listeners/carol?days=90")
    page = response.content.decode()
    assert response.context["window_plays"] == 3
    assert response.context["granularity"] == "day"
    assert len(response.context["timeline"].bars) >= 90
    # Noon UTC is 13:00 or 14:00 in Paris, and the heatmap is in Paris time.
    paris_hour = monday.astimezone(ZoneInfo("Europe/Paris")).hour
    assert f"Mon {paris_hour:02d}:00: 3 plays" in page
    assert "Greta Lindqvist" in page and "Old Favourite" not in page
    assert "Europe/Paris" in page


def test_a_year_and_a_range_of_dates_can_be_picked(staff_client, active_listener):
    add_plays(active_listener, 4, start=datetime(2021, 12, 31, 22, 30, tzinfo=UTC))
    add_plays(active_listener, 2, start=datetime(2023, 5, 1, 12, tzinfo=UTC), artist="Later")
    response = staff_client.get("/listeners/carol")
    assert response.context["years"] == [2021, 2022, 2023]  # Paris: 23:30 is 2022 already
    response = staff_client.get("/listeners/carol?year=2022")
    assert response.status_code == 200
    # 22:30 UTC on New Year's Eve is 23:30 in Paris; the plays after it are 2022's.
    assert response.context["window_plays"] == 3
    assert response.context["period"].label == "2022"
    response = staff_client.get("/listeners/carol?start=2023-01-01&end=2023-05-01")
    assert response.context["window_plays"] == 2
    response = staff_client.get("/listeners/carol?end=2022-12-31")
    assert response.context["window_plays"] == 4


@pytest.mark.parametrize(
    "query, message",
    [
        ("days=9999", "The period must be the last 30, 90 or 365 days"),
        ("year=20x1", "The year must be one from 1900 to 9998"),
        ("start=yesterday", "is not a date"),
        ("start=2024-05-01&end=2024-01-01", "must not be after"),
    ],
)
def test_a_period_the_page_can_not_show_is_refused_with_a_message(
    staff_client, active_listener, query, message
):
    response = staff_client.get(f"/listeners/carol?{query}")
    assert response.status_code == 400
    assert response.context["period"].choice == "all"
    assert message in response.content.decode()


def test_an_unknown_listener_is_404(staff_client):
    assert staff_client.get("/listeners/nobody").status_code == 404
    assert staff_client.post("/listeners/nobody/pause").status_code == 404


def test_pause_and_resume_change_the_status_and_say_so(staff_client, active_listener):
    response = staff_client.post("/listeners/carol/pause", follow=True)
    assert "Paused polling of carol." in response.content.decode()
    assert Listener.objects.get(pk=active_listener.pk).status == "paused"
    response = staff_client.post("/listeners/carol/resume", follow=True)
    assert "Resumed polling of carol." in response.content.decode()
    assert Listener.objects.get(pk=active_listener.pk).status == "active"


def test_an_action_the_status_does_not_allow_is_refused_with_the_reason(
    staff_client, active_listener
):
    response = staff_client.post("/listeners/carol/resume", follow=True)
    assert "Listener &#x27;carol&#x27; is active, so it can&#x27;t be resumed." in (
        response.content.decode()
    )
    assert Listener.objects.get(pk=active_listener.pk).status == "active"


def test_poll_now_queues_a_poll_for_the_worker(staff_client, active_listener):
    response = staff_client.post("/listeners/carol/poll", follow=True)
    assert "Queued a poll of carol" in response.content.decode()
    [task] = OrmQ.objects.all()
    assert task.task["args"] == (active_listener.pk,)


def test_a_listener_without_a_refresh_token_is_not_polled(staff_client, listener):
    Listener.objects.filter(pk=listener.pk).update(status="active")
    response = staff_client.post("/listeners/alice/poll", follow=True)
    assert "has no refresh token" in response.content.decode()
    assert not OrmQ.objects.exists()


def test_the_page_lists_the_latest_runs_and_imports(staff_client, active_listener):
    SyncRun.objects.create(
        listener=active_listener,
        kind="poll",
        status="failed",
        started_at=timezone.now(),
        error="Spotify answered 503",
    )
    ImportJob.objects.create(listener=active_listener, file_name="old.zip", status="succeeded")
    page = staff_client.get("/listeners/carol").content.decode()
    assert "Spotify answered 503" in page
    assert "old.zip" in page


def test_deleting_needs_the_user_id_typed_and_then_removes_everything_of_theirs(
    staff_client, active_listener, listener, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_DIR = tmp_path
    upload = tmp_path / "left.zip"
    upload.write_bytes(b"PK")
    add_plays(active_listener, 4, start=recent_monday_noon_utc())
    add_plays(listener, 2, start=recent_monday_noon_utc(), artist="Alice's")
    ImportJob.objects.create(
        listener=active_listener, file_name="left.zip", stored_path=str(upload)
    )

    confirm_page = staff_client.get("/listeners/carol/delete")
    assert (
        confirm_page.status_code == 200
        and "Type <code>carol</code>" in confirm_page.content.decode()
    )
    wrong = staff_client.post("/listeners/carol/delete", {"confirm": "alice"})
    assert wrong.status_code == 400
    assert "Type carol exactly" in wrong.content.decode()
    assert Play.objects.filter(listener=active_listener).count() == 4

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/listeners/carol/delete", {"confirm": "carol"}, follow=True)
    assert "Deleted carol with 4 plays, 0 sync runs and 1 import jobs." in response.content.decode()
    assert not Listener.objects.filter(spotify_user_id="carol").exists()
    assert not upload.exists()
    assert Play.objects.filter(listener=listener).count() == 2


def test_an_mcp_token_is_shown_once_and_only_its_prefix_after(staff_client, active_listener):
    response = staff_client.post("/listeners/carol/tokens", {"name": "Claude Desktop"})
    assert (response.status_code, response["Location"]) == (302, "/listeners/carol/tokens/new")
    response = staff_client.get("/listeners/carol/tokens/new")
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    [token] = active_tokens(active_listener)
    assert token.name == "Claude Desktop"
    assert secret in response.content.decode()
    later = staff_client.get("/listeners/carol").content.decode()
    assert secret not in later
    assert token.prefix in later


def test_a_token_can_be_revoked_but_not_through_another_listeners_page(
    staff_client, active_listener, listener
):
    token, _ = issue_token(listener, name="alice's")
    assert staff_client.post(f"/listeners/carol/tokens/{token.pk}/revoke").status_code == 404
    assert list(active_tokens(listener)) == [token]
    response = staff_client.post(f"/listeners/alice/tokens/{token.pk}/revoke", follow=True)
    assert "Revoked the token alice&#x27;s." in response.content.decode()
    assert list(active_tokens(listener)) == []


def test_a_token_name_over_100_characters_is_refused(staff_client, active_listener):
    response = staff_client.post("/listeners/carol/tokens", {"name": "x" * 101}, follow=True)
    assert "too long" in response.content.decode()
    assert not active_tokens(active_listener).exists()


def test_the_time_zone_can_be_changed_and_an_unknown_one_is_refused(staff_client, active_listener):
    response = staff_client.post(
        "/listeners/carol/time-zone", {"time_zone": "Asia/Tokyo"}, follow=True
    )
    assert "Times of carol are now shown in Asia/Tokyo." in response.content.decode()
    assert Listener.objects.get(pk=active_listener.pk).time_zone == "Asia/Tokyo"
    response = staff_client.post(
        "/listeners/carol/time-zone", {"time_zone": "Mars/Olympus"}, follow=True
    )
    assert "Unknown time zone Mars/Olympus" in response.content.decode()
    assert Listener.objects.get(pk=active_listener.pk).time_zone == "Asia/Tokyo"


def test_times_on_the_page_are_shown_in_the_listeners_zone(staff_client, active_listener):
    Listener.objects.filter(pk=active_listener.pk).update(
        last_poll_at=datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
    )
    page = staff_client.get("/listeners/carol").content.decode()
    assert "2026-01-16 00:30" in page  # Paris is UTC+1 in January
