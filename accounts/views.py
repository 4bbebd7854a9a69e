"""Spotify login pages: start, callback, and the "connected" page a listener lands on."""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Listener
from accounts.oauth import LISTENER_SESSION_KEY, LoginFailed, begin_login, complete_login
from accounts.scopes import LOGIN_SCOPES, scopes_for_login


@never_cache
@require_GET
def login(request):
    if not (settings.SPOTIFY_CLIENT_ID and settings.SPOTIFY_CLIENT_SECRET):
        return render(
            request,
            "accounts/login_failed.html",
            {
                "title": "Spotify login is not configured",
                "message": "The operator has not set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET.",
            },
            status=503,
        )
    # ?with=playlists also asks for the scopes assistants need (accounts.scopes).
    scopes = scopes_for_login(request.GET.get("with"))
    if scopes is None:
        choices = ", ".join(repr(choice) for choice in LOGIN_SCOPES if choice)
        return render(
            request,
            "accounts/login_failed.html",
            {
                "title": "Unknown login option",
                "message": f"The 'with' parameter may be {choices}, or left out.",
            },
            status=400,
        )
    return redirect(begin_login(request.session, scopes=scopes))


@never_cache
@require_GET
def callback(request):
    try:
        listener = complete_login(request.session, request.GET)
    except LoginFailed as failure:
        return render(
            request,
            "accounts/login_failed.html",
            {"title": failure.title, "message": failure.message},
            status=failure.status,
        )
    request.session.cycle_key()
    request.session[LISTENER_SESSION_KEY] = listener.pk
    return redirect("accounts:connected")


@never_cache
@require_GET
def connected(request):
    listener_id = request.session.get(LISTENER_SESSION_KEY)
    if listener_id is None:
        return redirect("accounts:login")
    listener = get_object_or_404(Listener, pk=listener_id)
    return render(
        request,
        "accounts/connected.html",
        {"listener": listener, "interval_minutes": settings.COLLECTOR_INTERVAL_SECONDS // 60},
    )
