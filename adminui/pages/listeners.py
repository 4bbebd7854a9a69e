"""`/listeners/<spotify_user_id>`: one listener's state, charts and the operator's actions."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Listener
from adminui import assistants, operations, stats, tokens
from adminui.access import staff_required
from adminui.forms import DeleteConfirmForm, TimeZoneForm, TokenForm, time_zone_names
from adminui.progress import job_progress
from imports.models import ImportJob
from plays.models import SyncRun

LATEST = 10


def _listener(user_id):
    return get_object_or_404(Listener, spotify_user_id=user_id)


def _back(listener):
    return redirect("pages:listener", user_id=listener.spotify_user_id)


@require_GET
@staff_required
def listener_detail(request, user_id):
    listener = _listener(user_id)
    context = stats.listener_context(listener, request.GET)
    context.update(
        {
            "history_scope": listener.spotify_user_id,
            "own": False,
            "sync_runs": SyncRun.objects.filter(listener=listener)[:LATEST],
            "import_jobs": [
                (job, job_progress(job))
                for job in ImportJob.objects.filter(listener=listener).select_related("listener")[
                    :LATEST
                ]
            ],
            "tokens": tokens.active_tokens(listener),
            "token_form": TokenForm(),
            "assistants": assistants.connected(listener),
            "time_zone_form": TimeZoneForm(initial={"time_zone": listener.time_zone}),
            "time_zone_names": time_zone_names(),
            "time_zone_url": reverse("pages:listener-time-zone", kwargs={"user_id": user_id}),
        }
    )
    status = 400 if context["period"].error or context["rank"]["error"] else 200
    return render(request, "adminui/listener.html", context, status=status)


def _act(request, user_id, action, done):
    listener = _listener(user_id)
    try:
        action(listener)
    except operations.ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done.format(user=listener.spotify_user_id))
    return _back(listener)


@require_POST
@staff_required
def pause(request, user_id):
    return _act(request, user_id, operations.pause, "Paused polling of {user}.")


@require_POST
@staff_required
def resume(request, user_id):
    return _act(request, user_id, operations.resume, "Resumed polling of {user}.")


@require_POST
@staff_required
def poll_now(request, user_id):
    return _act(request, user_id, operations.poll_now, "Queued a poll of {user}; it runs shortly.")


@require_POST
@staff_required
def time_zone(request, user_id):
    listener = _listener(user_id)
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["time_zone"]))
        return _back(listener)
    operations.set_time_zone(listener, form.cleaned_data["time_zone"])
    messages.success(request, f"Times of {user_id} are now shown in {listener.time_zone}.")
    return _back(listener)


@require_POST
@staff_required
def create_token(request, user_id):
    listener = _listener(user_id)
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The token name is too long (100 characters at most).")
        return _back(listener)
    if tokens.issue_for_display(request, listener, form.cleaned_data["name"]) is None:
        return _back(listener)
    return redirect("pages:listener-token-new", user_id=listener.spotify_user_id)


@never_cache
@require_GET
@staff_required
def new_token(request, user_id):
    """The new token's secret, shown once (post/redirect/get: a reload creates nothing)."""
    listener = _listener(user_id)
    back_url = reverse("pages:listener", kwargs={"user_id": listener.spotify_user_id})
    return tokens.render_new_token(request, listener, back_url, "adminui/operator_base.html")


@require_POST
@staff_required
def revoke_token(request, user_id, token_id):
    listener = _listener(user_id)
    name = tokens.revoke(listener, token_id)
    messages.success(request, f"Revoked the token {name}.")
    return _back(listener)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def disconnect_assistant(request, user_id, connection_id):
    listener = _listener(user_id)
    return assistants.confirm_or_disconnect(
        request,
        listener,
        connection_id,
        back_url=reverse("pages:listener", kwargs={"user_id": listener.spotify_user_id}),
        base_template="adminui/operator_base.html",
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def delete(request, user_id):
    listener = _listener(user_id)
    form = DeleteConfirmForm(request.POST or None, expected=listener.spotify_user_id)
    if request.method == "POST" and form.is_valid():
        counts = operations.delete_listener(listener)
        messages.success(
            request,
            f"Deleted {user_id} with {counts['plays']} plays, {counts['sync_runs']} sync runs "
            f"and {counts['import_jobs']} import jobs.",
        )
        return redirect("pages:dashboard")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "adminui/delete_listener.html",
        {
            "listener": listener,
            "form": form,
            "cancel_url": reverse("pages:listener", kwargs={"user_id": user_id}),
        },
        status=status,
    )
