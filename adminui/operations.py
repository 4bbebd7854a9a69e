"""What an operator (or a listener, for themselves) may do to a listener, in one place.

The admin API (`adminui.api_listeners`) and the pages (`adminui.pages`) both call these, so a
pause, a poll now or a deletion follows the same rules and says the same thing whichever way it
was asked for. A refused action raises `ActionRefused` with one sentence saying why; the API
answers it with 409, the pages show it as a message.
"""

from zoneinfo import available_timezones

from django.db import transaction

from accounts import scopes
from accounts.models import Listener
from imports.models import ImportJob
from plays.forgetting import lock_catalogue
from plays.models import CreatedPlaylist, Play, PreferenceEvent, SyncRun, TasteProfile
from plays.tasks import request_poll_now


class ActionRefused(Exception):
    """The listener's state does not allow the action; `str(exc)` says why."""


def _refusal(listener, action):
    return ActionRefused(
        f"Listener '{listener.spotify_user_id}' is {listener.status}, so it can't be {action}."
    )


def check_can_pause(listener):
    if listener.status != Listener.Status.ACTIVE:
        raise _refusal(listener, "paused")


def check_can_resume(listener):
    if listener.status != Listener.Status.PAUSED:
        raise _refusal(listener, "resumed")


def pause(listener):
    """Pauses an active listener's polling (ActionRefused for any other status)."""
    with transaction.atomic():
        listener = Listener.objects.select_for_update().get(pk=listener.pk)
        check_can_pause(listener)
        listener.pause()
    return listener


def resume(listener):
    """Resumes a paused listener's polling from now (ActionRefused for any other status)."""
    with transaction.atomic():
        listener = Listener.objects.select_for_update().get(pk=listener.pk)
        check_can_resume(listener)
        listener.resume()
    return listener


def poll_now(listener):
    """Queues an immediate poll; only an active listener with a refresh token can be polled."""
    if listener.status != Listener.Status.ACTIVE:
        raise _refusal(listener, "polled")
    if not listener.can_be_polled:
        raise ActionRefused(
            f"Listener '{listener.spotify_user_id}' has no refresh token, so it can't be polled: "
            "they must log in again."
        )
    request_poll_now(listener)


def set_time_zone(listener, name):
    """Sets the zone charts and times are shown in (an IANA name; ActionRefused otherwise)."""
    if name not in available_timezones():
        raise ActionRefused(
            f"Unknown time zone '{name}': use an IANA name such as 'Europe/Paris' or 'UTC'."
        )
    listener.time_zone = name
    listener.save(update_fields=["time_zone", "updated_at"])
    return listener


def drop_assistant_scopes(listener):
    """Turns off "assistants may create playlists and look things up on Spotify": the stored
    scopes keep only those of a plain login, so the live tools refuse from now on."""
    with transaction.atomic():
        listener = Listener.objects.select_for_update().get(pk=listener.pk)
        listener.scope = " ".join(s for s in listener.scope.split() if s in scopes.BASE_SCOPES)
        listener.save(update_fields=["scope", "updated_at"])


def set_show_artwork(listener, show):
    """Whether the listener's own pages load album covers from Spotify's image servers."""
    listener.show_artwork = bool(show)
    listener.save(update_fields=["show_artwork", "updated_at"])
    return listener


def delete_listener(listener):
    """Deletes the listener with every row and file of theirs: plays, sync runs, import jobs, log
    entries, MCP tokens, rollups, taste profile, preference events and playlist ledger by
    cascade; their private catalogue items and the shared ones only they needed
    (`plays.forgetting`); the Django admin's log entries about them and their rows
    (`adminui.admin_log`); the uploads of their import jobs still stored in IMPORT_UPLOAD_DIR once
    the deletion has committed (`imports.jobs.remove_uploads_of`). Playlists on Spotify are the
    listener's and stay there. Returns what was deleted."""
    with transaction.atomic():
        # Before locking the listener row: an ingest batch holding the catalogue lock may need
        # that row for its plays, and would wait for us while we wait for it.
        lock_catalogue()
        listener = Listener.objects.select_for_update().get(pk=listener.pk)
        counts = {
            "plays": Play.objects.filter(listener=listener).count(),
            "sync_runs": SyncRun.objects.filter(listener=listener).count(),
            "import_jobs": ImportJob.objects.filter(listener=listener).count(),
            "taste_profile": TasteProfile.objects.filter(listener=listener).count(),
            "preference_events": PreferenceEvent.objects.filter(listener=listener).count(),
            "playlists_recorded": CreatedPlaylist.objects.filter(listener=listener).count(),
        }
        listener.delete()
    return counts
