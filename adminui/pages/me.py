"""`/me...`: a listener's own page, reached after logging in with Spotify.

Every view here loads the listener from the session (`access.listener_required`) and nothing
else: no URL names a listener, so there is no other listener's id to try.
"""

import functools
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import scopes
from accounts.oauth import LISTENER_SESSION_KEY
from adminui import assistants, operations, page_limits, shares, stats, tokens
from adminui.access import listener_required
from adminui.downloads import export_response
from adminui.forms import (
    ArtistChoiceForm,
    ArtworkForm,
    DeleteConfirmForm,
    OwnUploadForm,
    SharingForm,
    TasteProfileForm,
    TimeZoneForm,
    TokenForm,
    time_zone_names,
)
from adminui.import_upload import UploadRefused, accept_upload
from adminui.pages.imports import progress_response
from adminui.pages.uploading import upload_view
from adminui.progress import job_progress
from imports.export_formats import FORMATS
from imports.exporting import ExportRefused, prepare_export
from imports.models import ImportJob
from plays import excluding, queries, taste
from plays.models import CreatedPlaylist

SHOWN = 20


def _taste_context(listener, form=None):
    profile = taste.view(listener, events=SHOWN)
    initial = json.dumps(profile["profile"], indent=2, ensure_ascii=False)
    return {
        "taste": profile,
        "taste_form": form or TasteProfileForm(initial={"document": initial}),
        "assistant_access": scopes.assistants_may_use_spotify(listener),
        "created_playlists": CreatedPlaylist.objects.filter(listener=listener)[:SHOWN],
    }


ARTIST_SEARCH = "artist_search"
PICK_LIST = 10


def _hidden_artists_context(listener, search):
    """The artists hidden, and those the listener may pick: the matches of a search, or else
    their most played artists of all time (never anybody else's)."""
    found, search_error = [], None
    if search is not None:
        try:
            found = excluding.find_artists(listener, search)
        except excluding.ExclusionRefused as refusal:
            search_error = str(refusal)
    else:
        found = [
            {"id": row["id"], "name": row["name"]}
            for row in queries.top_artists(listener, limit=PICK_LIST)["items"]
        ]
    return {
        "hidden_artists": excluding.hidden_artists(listener),
        "artist_choices": found,
        "artist_search": search,
        "artist_search_error": search_error,
    }


def _page(
    request,
    listener,
    upload_form=None,
    status=200,
    refusal=None,
    taste_form=None,
    export_refusal=None,
):
    context = stats.listener_context(listener, request.GET)
    if (context["period"].error or context["rank"]["error"]) and status == 200:
        status = 400
    context.update(_hidden_artists_context(listener, request.GET.get(ARTIST_SEARCH)))
    if context["artist_search_error"] and status == 200:
        status = 400
    jobs = ImportJob.objects.filter(listener=listener).select_related("listener")[:SHOWN]
    context.update(_taste_context(listener, taste_form))
    context.update(
        {
            "history_scope": None,
            "own": True,
            "artwork": listener.show_artwork,
            "tokens": tokens.active_tokens(listener),
            "shares": shares.active_shares(listener),
            "token_form": TokenForm(),
            "assistants": assistants.connected(listener),
            "mcp_url": assistants.mcp_url(),
            "time_zone_form": TimeZoneForm(initial={"time_zone": listener.time_zone}),
            "time_zone_names": time_zone_names(),
            "time_zone_url": reverse("pages:me-time-zone"),
            "upload_form": upload_form or OwnUploadForm(),
            "refusal": refusal,
            "export_refusal": export_refusal,
            "export_formats": list(FORMATS),
            "jobs": [(job, job_progress(job)) for job in jobs],
        }
    )
    # Dates the template formats itself (tokens, imports) are shown in the listener's zone too.
    with timezone.override(stats.zone_of(listener)):
        page = render(request, "adminui/me.html", context, status=status)
    if context["assistant_access"]:
        # "Turn off" posts to permissions_off, whose redirect goes on to Spotify's login: the
        # browser checks that whole chain against this page's form-action, so allow Spotify's
        # accounts origin, on this page only (as the OAuth consent page does for assistants).
        target = urlsplit(settings.SPOTIFY_ACCOUNTS_BASE_URL)
        page._csp_update = {"form-action": [f"{target.scheme}://{target.netloc}"]}
    return page


@never_cache
@require_GET
@listener_required
def me(request, listener):
    return _page(request, listener)


def _refused(request, message, status, listener):
    return _page(request, listener, None, status, refusal=message)


def _upload_allowance(view):
    """Refuses a listener's upload past IMPORT_UPLOADS_PER_DAY before its body is read."""

    @functools.wraps(view)
    def guarded(request, listener, *args, **kwargs):
        refused = page_limits.refused_upload(request, listener)
        if refused is not None:
            return refused
        return view(request, listener, *args, **kwargs)

    return guarded


@never_cache
@require_POST
@listener_required
@_upload_allowance
@upload_view(_refused)
def upload(request, listener):
    form = OwnUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = accept_upload(listener, form.cleaned_data["file"])
        except UploadRefused as refusal:
            form.add_error("file", str(refusal))
        else:
            messages.success(request, f"Queued the import of {job.file_name}.")
            return redirect(reverse("pages:me") + "#imports")
    return _page(request, listener, form, 400)


@never_cache
@require_GET
@gzip_page
@listener_required
def export(request, listener):
    """The listener's own plays as a download (json, csv or listenbrainz), streamed."""
    try:
        history = prepare_export(
            listener, request.GET.get("format"), request.GET.get("start"), request.GET.get("end")
        )
    except ExportRefused as refusal:
        return _page(request, listener, status=400, export_refusal=str(refusal))
    return export_response(history)


@never_cache
@require_GET
@listener_required
def progress(request, listener):
    """Live progress of the listener's own import jobs (others' ids are simply not found)."""
    return progress_response(ImportJob.objects.filter(listener=listener), request.GET.get("ids"))


@require_POST
@listener_required
def time_zone(request, listener):
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["time_zone"]))
        return redirect("pages:me")
    operations.set_time_zone(listener, form.cleaned_data["time_zone"])
    messages.success(request, f"Times are now shown in {listener.time_zone}.")
    return redirect("pages:me")


@require_POST
@listener_required
def artwork(request, listener):
    """Turns album covers from Spotify's image servers on or off for the listener's pages."""
    form = ArtworkForm(request.POST)
    form.is_valid()  # a checkbox: anything but "on" is off
    shown = form.cleaned_data.get("show_artwork", False)
    operations.set_show_artwork(listener, shown)
    messages.success(
        request,
        "Album covers are now loaded from Spotify's image servers."
        if shown
        else "Album covers are off: nothing is loaded from Spotify's servers.",
    )
    return redirect(reverse("pages:me") + "#settings")


@require_POST
@listener_required
def hide_artist(request, listener):
    """Hides an artist of the listener's own history from every answer and page."""
    form = ArtistChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick an artist from the list to hide.")
        return redirect(reverse("pages:me") + "#hidden-artists")
    try:
        name = excluding.hide_artist(listener, form.cleaned_data["artist"])
    except excluding.ExclusionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{name} is hidden: their plays are left out everywhere.")
    return redirect(reverse("pages:me") + "#hidden-artists")


@require_POST
@listener_required
def show_artist(request, listener):
    form = ArtistChoiceForm(request.POST)
    name = excluding.show_artist(listener, form.cleaned_data["artist"]) if form.is_valid() else None
    if name is None:
        messages.error(request, "That artist is not hidden.")
    else:
        messages.success(request, f"{name} is shown again.")
    return redirect(reverse("pages:me") + "#hidden-artists")


@require_POST
@listener_required
def sharing(request, listener):
    """Turns comparing with other listeners on (with a new share handle) or off."""
    form = SharingForm(request.POST)
    form.is_valid()  # a checkbox: anything but "on" is off
    if form.cleaned_data.get("share", False):
        listener.start_sharing()
        messages.success(
            request, "Sharing is on: give your share handle to the listeners to compare with."
        )
    else:
        listener.stop_sharing()
        messages.success(request, "Sharing is off: nobody can compare with you.")
    return redirect(reverse("pages:me") + "#sharing")


@never_cache
@require_POST
@listener_required
def create_token(request, listener):
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The token name is too long (100 characters at most).")
        return redirect(reverse("pages:me") + "#tokens-card")
    if tokens.issue_for_display(request, listener, form.cleaned_data["name"]) is None:
        return redirect(reverse("pages:me") + "#tokens-card")
    return redirect("pages:me-token-new")


@never_cache
@require_GET
@listener_required
def new_token(request, listener):
    """The new token's secret, shown once (post/redirect/get: a reload creates nothing)."""
    return tokens.render_new_token(
        request, listener, reverse("pages:me") + "#tokens-card", "adminui/listener_base.html"
    )


@require_POST
@listener_required
def revoke_token(request, listener, token_id):
    name = tokens.revoke(listener, token_id)
    messages.success(request, f"Revoked the token {name}.")
    return redirect(reverse("pages:me") + "#tokens-card")


@never_cache
@require_http_methods(["GET", "POST"])
@listener_required
def disconnect_assistant(request, listener, connection_id):
    return assistants.confirm_or_disconnect(
        request,
        listener,
        connection_id,
        back_url=reverse("pages:me") + "#assistants",
        base_template="adminui/listener_base.html",
    )


@require_POST
@listener_required
def permissions_off(request, listener):
    """Stops assistants using Spotify at once (the stored scopes lose the extra ones), then logs
    in again with the base scope so the stored tokens lose them too."""
    operations.drop_assistant_scopes(listener)
    return redirect("accounts:login")


@never_cache
@require_POST
@listener_required
def save_taste_profile(request, listener):
    form = TasteProfileForm(request.POST)
    if not form.is_valid():
        return _page(request, listener, status=400, taste_form=form)
    taste.replace(listener, form.cleaned_data["document"], by="your page")
    messages.success(request, "Saved your taste profile.")
    return redirect(reverse("pages:me") + "#taste-profile")


@require_POST
@listener_required
def clear_taste_profile(request, listener):
    cleared = taste.clear(listener)
    messages.success(
        request,
        f"Cleared your taste profile and {cleared['events_removed']} remembered preferences.",
    )
    return redirect(reverse("pages:me") + "#taste-profile")


@never_cache
@require_http_methods(["GET", "POST"])
@listener_required
def delete(request, listener):
    form = DeleteConfirmForm(request.POST or None, expected=listener.spotify_user_id)
    if request.method == "POST" and form.is_valid():
        counts = operations.delete_listener(listener)
        request.session.flush()
        return render(request, "adminui/me_deleted.html", {"counts": counts})
    return render(
        request,
        "adminui/delete_listener.html",
        {"listener": listener, "form": form, "cancel_url": reverse("pages:me"), "own": True},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def logout(request):
    """Ends the listener's session (their data and collection stay)."""
    request.session.pop(LISTENER_SESSION_KEY, None)
    request.session.cycle_key()
    return redirect("pages:me-logged-out")


@require_GET
def logged_out(request):
    return render(request, "adminui/me_logged_out.html")
