"""Who may open which page: staff (Django's auth) for operator pages, a listener for their own.

Two separate kinds of visitor:

- the operator logs in at /login with a Django staff account (see `adminui.staff_account` for the
  one ADMIN_USERNAME / ADMIN_PASSWORD create); every operator page needs `is_staff`;
- a listener logs in with Spotify (`accounts.views`), which puts their id in the session under
  `accounts.oauth.LISTENER_SESSION_KEY`; their pages (/me...) only ever load *that* listener.

A listener's session never opens an operator page: without a staff login they are sent to the
staff login form, and a logged-in non-staff user is refused with 403.

Both guards also count every POST (a state-changing request) on the visitor's page allowance
(`adminui.page_limits`), once they know who the visitor is and before the view reads the body.
"""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from accounts.oauth import LISTENER_SESSION_KEY, session_listener
from adminui import page_limits


def staff_required(view):
    """Operator pages: anonymous visitors go to /login?next=..., non-staff users get 403."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("pages:login"))
        if not (user.is_active and user.is_staff):
            raise PermissionDenied("This page is for the operator's staff accounts only.")
        refused = page_limits.refused_write(request, page_limits.staff_key(user.pk))
        if refused is not None:
            return refused
        return view(request, *args, **kwargs)

    return guarded


def listener_required(view):
    """Listener pages: the view gets the session's listener as `listener`; without one the
    visitor is sent to the Spotify login."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        listener = session_listener(request.session)
        if listener is None:
            request.session.pop(LISTENER_SESSION_KEY, None)
            return redirect("accounts:login")
        refused = page_limits.refused_write(request, page_limits.listener_key(listener.pk))
        if refused is not None:
            return refused
        return view(request, listener, *args, **kwargs)

    return guarded
