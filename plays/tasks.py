"""Background tasks of the plays app, run by the django-q2 worker."""

from accounts.models import Listener
from plays import rollups
from plays.poller import Poller


def poll_due_listeners():
    """One polling pass over every due listener (the schedule runs this every minute)."""
    return Poller().run_pass().polled


def poll_listener_now(listener_id):
    """Polls one listener at once, whatever its schedule ("poll now" on the operator pages)."""
    return Poller(pool_size=1).run_pass(listener_ids=[listener_id], ignore_schedule=True).polled


def request_poll_now(listener: Listener):
    """Queues an immediate poll of `listener` for the worker."""
    from django_q.tasks import async_task

    return async_task(poll_listener_now, listener.pk, task_name=f"poll-now-{listener.pk}")


def request_poll_after_login(sender, listener, **kwargs):
    """A listener who just logged in is polled (or initially synced) at once, not next minute."""
    request_poll_now(listener)


def refresh_rollups(listener_id):
    """Brings a listener's rollups up to date now, so the first question after an import is fast."""
    listener = Listener.objects.filter(pk=listener_id).first()
    return listener is not None and rollups.ensure_fresh(listener)


def request_rollup_refresh(listener: Listener):
    """Queues `refresh_rollups` for the worker (after an import stored many plays)."""
    from django_q.tasks import async_task

    return async_task(refresh_rollups, listener.pk, task_name=f"rollups-{listener.pk}")
