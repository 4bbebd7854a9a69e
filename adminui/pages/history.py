"""A listener's history beyond the overview: one artist, track, album, show or episode, the plays
one by one, podcasts and audiobooks, and search.

Each view exists twice with the same template: the listener's own under /me (their Spotify login,
`access.listener_required`) and the operator's under /listeners/<id> (staff login). Item ids are
the catalogue's, and `plays.queries.item_detail` answers only for items the listener played, so a
listener trying other ids finds nothing of anyone else's (404).
"""

import functools

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Listener
from adminui import stats
from adminui.access import listener_required, staff_required
from plays import queries


def own(view):
    """The listener's own page: times in their zone, their navigation."""

    @require_GET
    @listener_required
    @functools.wraps(view)
    def page(request, listener, **kwargs):
        scope = {"history_scope": None, "base_template": "adminui/listener_base.html"}
        with timezone.override(stats.zone_of(listener)):
            return view(request, listener, scope, **kwargs)

    return page


def operated(view):
    """The operator's view of the same page, for the listener named in the URL."""

    @require_GET
    @staff_required
    @functools.wraps(view)
    def page(request, user_id, **kwargs):
        listener = get_object_or_404(Listener, spotify_user_id=user_id)
        scope = {"history_scope": user_id, "base_template": "adminui/operator_base.html"}
        return view(request, listener, scope, **kwargs)

    return page


def _render(request, template, listener, scope, context, status=200):
    context = {
        **scope,
        "listener": listener,
        "own": scope["history_scope"] is None,
        "artwork": scope["history_scope"] is None and listener.show_artwork,
        "excluded_artists": queries.excluded_artists(listener),
        **context,
    }
    return render(request, template, context, status=status)


def item(request, listener, scope, *, kind, item_id):
    try:
        context = stats.item_context(listener, kind, item_id)
    except queries.QueryError:
        raise Http404(f"No such {kind} in this history.") from None
    return _render(request, "adminui/history_item.html", listener, scope, context)


def plays(request, listener, scope):
    try:
        context = stats.plays_context(listener, request.GET.get("before", ""))
    except queries.QueryError as error:
        context = {**stats.plays_context(listener, ""), "error": str(error)}
        return _render(request, "adminui/history_plays.html", listener, scope, context, 400)
    return _render(request, "adminui/history_plays.html", listener, scope, context)


def podcasts(request, listener, scope):
    context = stats.podcasts_context(listener, request.GET)
    status = 400 if context["period"].error else 200
    return _render(request, "adminui/history_podcasts.html", listener, scope, context, status)


def search(request, listener, scope):
    text = request.GET.get("q", "").strip()
    context, status = {"q": text, "found": None, "error": None}, 200
    if text:
        try:
            context.update(stats.search_context(listener, text[:200]))
        except queries.QueryError as error:
            context["error"], status = str(error), 400
    return _render(request, "adminui/history_search.html", listener, scope, context, status)


PAGES = {"plays": plays, "podcasts": podcasts, "search": search}
