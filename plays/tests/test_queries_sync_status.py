"""sync_status and plays_by_source: coverage per source, polling state and recent imports."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from imports.models import ImportJob
from plays import queries
from plays.tests.query_fixtures import two_listeners

pytestmark = pytest.mark.django_db

# Spotify's three, and the other services' whose exports can be imported.
SOURCES = ("api", "extended", "account_data", "lastfm", "listenbrainz", "maloja")


def test_coverage_counts_every_stored_play_of_each_source_with_its_first_and_last():
    alice, plays, _, _ = two_listeners()
    paris = ZoneInfo("Europe/Paris")
    answer = queries.sync_status(alice)
    assert answer["time_zone"] == "Europe/Paris"
    coverage = {c["source"]: c for c in answer["coverage"]}
    assert set(coverage) == set(SOURCES)
    for source, row in coverage.items():
        mine = [p.at for p in plays if p.source == source]
        assert row["plays"] == len(mine), "short plays are stored, so they count here"
        if not mine:  # the fixture imports nothing from other services
            assert row["first_play"] is row["last_play"] is None
            continue
        assert row["first_play"] == min(mine).astimezone(paris).isoformat()
        assert row["last_play"] == max(mine).astimezone(paris).isoformat()
    assert answer["plays"] == len(plays)
    assert answer["first_play"] == min(p.at for p in plays).astimezone(paris).isoformat()
    assert answer["last_play"] == max(p.at for p in plays).astimezone(paris).isoformat()
    assert queries.plays_by_source(alice) == {
        source: sum(1 for p in plays if p.source == source) for source in SOURCES
    }


def test_a_listener_without_plays_has_empty_coverage(listener):
    answer = queries.sync_status(listener)
    assert answer["plays"] == 0 and answer["first_play"] is None
    assert all(c["plays"] == 0 and c["first_play"] is None for c in answer["coverage"])
    assert queries.plays_by_source(listener) == dict.fromkeys(SOURCES, 0)


def test_it_says_when_the_listener_must_log_in_again_or_is_rate_limited(listener):
    now = timezone.now()
    listener.status = listener.Status.NEEDS_REAUTH
    listener.status_reason = "invalid_grant: Refresh token revoked"
    listener.rate_limited_until = now + timedelta(minutes=5)
    listener.refresh_token_expires_at = now + timedelta(days=100)
    listener.last_poll_at = now - timedelta(minutes=3)
    listener.next_poll_at = now + timedelta(minutes=7)
    listener.save()
    answer = queries.sync_status(listener, tz=ZoneInfo("UTC"))
    assert answer["needs_reauth"] is True and answer["polling"] is False
    assert answer["status_reason"] == "invalid_grant: Refresh token revoked"
    assert answer["rate_limited_until"] == listener.rate_limited_until.isoformat()
    assert answer["refresh_token_expires_at"] == listener.refresh_token_expires_at.isoformat()
    assert answer["last_poll_at"] == listener.last_poll_at.isoformat()
    assert answer["next_poll_at"] is None, "no poll is coming while they must log in again"

    listener.rate_limited_until = now - timedelta(minutes=1)
    listener.save()
    assert queries.sync_status(listener)["rate_limited_until"] is None


def test_recent_imports_are_the_listeners_own_newest_five():
    alice, _, bob, _ = two_listeners()
    for n in range(7):
        ImportJob.objects.create(
            listener=alice,
            file_name=f"alice-{n}.zip",
            status=ImportJob.Status.FAILED if n == 6 else ImportJob.Status.SUCCEEDED,
            error="The file is not a ZIP archive." if n == 6 else "",
            inserted=n,
            created_at=timezone.now() + timedelta(minutes=n),
        )
    ImportJob.objects.create(listener=bob, file_name="bob.zip", created_at=timezone.now())
    imports = queries.sync_status(alice)["recent_imports"]
    assert [job["file_name"] for job in imports] == [f"alice-{n}.zip" for n in (6, 5, 4, 3, 2)]
    assert imports[0]["status"] == "failed"
    assert imports[0]["error"] == "The file is not a ZIP archive."
    assert imports[1]["error"] is None and imports[1]["inserted"] == 5


def test_the_dashboards_coverage_matches_the_stored_plays_of_one_listener_only():
    alice, plays, bob, bobs_plays = two_listeners()
    for listener, mine in ((alice, plays), (bob, bobs_plays)):
        answer = queries.coverage(listener)
        assert answer["plays"] == len(mine)
        assert answer["by_source"] == {
            source: sum(1 for p in mine if p.source == source) for source in SOURCES
        }
        assert answer["first_play"] == min(p.at for p in mine)
        assert answer["last_play"] == max(p.at for p in mine)


def test_the_coverage_of_a_listener_without_plays_is_empty(listener):
    assert queries.coverage(listener) == {
        "plays": 0,
        "by_source": dict.fromkeys(SOURCES, 0),
        "first_play": None,
        "last_play": None,
    }
