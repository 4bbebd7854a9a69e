"""Spotify login pages: start, callback, and the "connected" page a listener lands on.

The logins a browser has started travel in a signed cookie (see `accounts.oauth`), limited to
/auth/; only a completed login creates a session.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import scopes as spotify_scopes
from accounts.models import Listener
from accounts.oauth import (
    LISTENER_SESSION_KEY,
    PENDING_COOKIE,
    PENDING_COOKIE_LIFETIME_SECONDS,
    LoginFailed,
    begin_login,
    complete_login,
    keeps_granted,
    pending_from_cookie,
    pending_to_cookie,
    return_path_of,
    session_listener,
)
from accounts.scopes import LOGIN_SCOPES, scopes_for_login

COOKIE_PATH = "/auth/"


def _pending_logins(request):
    return pending_from_cookie(request.COOKIES.get(PENDING_COOKIE))


def _give_back(response, pending):
    """Sets the browser's pending-logins cookie to `pending` (removes it when there are none)."""
    if not pending:
        response.delete_cookie(PENDING_COOKIE, path=COOKIE_PATH, samesite="Lax")
        return response
    response.set_cookie(
        PENDING_COOKIE,
        pending_to_cookie(pending),
        max_age=PENDING_COOKIE_LIFETIME_SECONDS,
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        # Lax: sent on the top-level redirect back from Spotify, never on another site's POST.
        samesite="Lax",
    )
    return response


@never_cache
@require_GET
def login(request):
    if not (settings.SPOTIFY_CLIENT_ID and settings.SPOTIFY_CLIENT_SECRET):
        return render(
            request,
            "accounts/login_failed.html",
            {
                "title": "Spotify login is not configured",
                "message": "This service has no Spotify app yet, so nobody can log in with Spotify "
                "here. Its operator must set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (see "
                '"Connecting Spotify" in the README) and restart it; trying again before then '
                "gives this same page.",
                "retry": False,
            },
            status=503,
        )
    # ?with=playlists also asks for the scopes assistants need (accounts.scopes); a plain login
    # keeps the ones the session's listener already granted.
    plain = not request.GET.get("with")
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
    if plain:
        listener_id = request.session.get(LISTENER_SESSION_KEY)
        known = Listener.objects.filter(pk=listener_id).first() if listener_id else None
        scopes = spotify_scopes.kept_on_login(known)
    url, pending = begin_login(
        _pending_logins(request),
        return_path=request.GET.get("next"),
        scopes=scopes,
        keep_granted=plain,
    )
    return _give_back(redirect(url), pending)


@never_cache
@require_GET
def callback(request):
    pending = _pending_logins(request)
    return_path = return_path_of(pending, request.GET.get("state"))
    plain = keeps_granted(pending, request.GET.get("state"))
    try:
        listener = complete_login(pending, request.GET)
    except LoginFailed as failure:
        page = render(
            request,
            "accounts/login_failed.html",
            {"title": failure.title, "message": failure.message, "retry": True},
            status=failure.status,
        )
        return _give_back(page, pending)
    request.session.cycle_key()
    request.session[LISTENER_SESSION_KEY] = listener.pk
    lost = spotify_scopes.dropped(listener.scopes_before_login, listener.scope)
    if plain and lost:
        # A plain login of a visitor we could not know beforehand: ask again for what the
        # listener had granted, once (this second login is not a plain one).
        url, pending = begin_login(
            pending,
            return_path=return_path,
            scopes=spotify_scopes.keeping(listener.scopes_before_login),
        )
        return _give_back(redirect(url), pending)
    return _give_back(redirect(return_path or "accounts:connected"), pending)


@never_cache
@require_GET
def connected(request):
    listener = session_listener(request.session)
    if listener is None:
        return redirect("accounts:login")
    return render(
        request,
        "accounts/connected.html",
        {"listener": listener, "interval_minutes": settings.COLLECTOR_INTERVAL_SECONDS // 60},
    )
