"""The worker's schedules are created once, kept in step with settings, and never duplicated."""

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from spotify_history.schedules import PURGE_LOGS, ensure_schedules, wanted_schedules

pytestmark = pytest.mark.django_db


def test_migrate_creates_every_schedule_once():
    call_command("migrate", verbosity=0)
    call_command("migrate", verbosity=0)
    names = list(Schedule.objects.values_list("name", flat=True))
    assert sorted(names) == sorted(wanted_schedules())


def test_it_schedules_the_daily_log_purge():
    ensure_schedules()
    schedule = Schedule.objects.get(name=PURGE_LOGS)
    assert schedule.func == "accounts.tasks.purge_old_logs"
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (
        Schedule.MINUTES,
        24 * 60,
        -1,
    )
    assert schedule.next_run is not None


def test_it_repairs_a_schedule_that_was_changed_by_hand():
    ensure_schedules()
    Schedule.objects.filter(name=PURGE_LOGS).update(minutes=5, repeats=0)
    ensure_schedules()
    schedule = Schedule.objects.get(name=PURGE_LOGS)
    assert (schedule.minutes, schedule.repeats) == (24 * 60, -1)
    assert Schedule.objects.filter(name=PURGE_LOGS).count() == 1


def test_the_worker_settings_avoid_double_runs_and_catch_up(settings):
    cluster = settings.Q_CLUSTER
    assert cluster["orm"] == "default"
    assert cluster["timeout"] < cluster["retry"]
    assert cluster["catch_up"] is False


def test_it_schedules_the_daily_cleanup_of_expired_sessions():
    from spotify_history.schedules import CLEAR_SESSIONS

    ensure_schedules()
    schedule = Schedule.objects.get(name=CLEAR_SESSIONS)
    assert schedule.func == "accounts.tasks.clear_expired_sessions"
    assert (schedule.minutes, schedule.repeats) == (24 * 60, -1)
