"""A Wrapped of any range: the listener's own (`/me/wrapped`, where they make and revoke share
links), the operator's (`/listeners/<id>/wrapped`), and the read-only page of a share link
(`/wrapped/<secret>`) with the picture its link previews with (`/wrapped/<secret>/card.png`).

A share link shows that one Wrapped and nothing else: its range is the one stored with it (query
parameters are ignored), its page has no navigation and no link to another page of the service,
and a revoked or unknown secret is a 404. Each link takes SHARE_VIEWS_PER_MINUTE views (page and
picture together; `adminui.page_limits`), then 429 until the minute ends. The numbers come from
`adminui.wrapped`, the same for all three pages.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from adminui import page_limits, shares, shown_once, stats, wrapped
from adminui.access import listener_required
from adminui.wrapped_card import render_card


def _share_url(secret):
    return f"{settings.PUBLIC_BASE_URL}{reverse('pages:wrapped-shared', args=[secret])}"


def page(request, listener, scope):
    """The listener's Wrapped (own or the operator's view; `history.own`/`history.operated`)."""
    return _page(request, listener, scope, request.GET)


def _page(request, listener, scope, params, *, status=None, share_refusal=None):
    context, found = wrapped.wrapped_context(listener, params)
    own = scope["history_scope"] is None
    context.update(
        {
            **scope,
            "own": own,
            "artwork": own and listener.show_artwork,
            "years": wrapped.years_played(listener, stats.zone_of(listener)),
        }
    )
    if own:
        share_id, secret = shown_once.take(request, shares.NEW_SHARE_SESSION_KEY, listener)
        new_share = shares.active_shares(listener).filter(pk=share_id).first() if share_id else None
        context.update(
            {
                "shares": shares.active_shares(listener),
                "new_share": new_share,
                "new_share_url": _share_url(secret) if new_share else None,
                "share_refusal": share_refusal,
            }
        )
    with timezone.override(stats.zone_of(listener)):  # the share links' dates too
        return render(request, "adminui/wrapped.html", context, status=status or found)


@never_cache
@require_POST
@listener_required
def create_share(request, listener):
    """Makes a share link of the Wrapped of the range posted (`start`, `end`), then shows it
    once on that Wrapped (post/redirect/get)."""
    tz = stats.zone_of(listener)
    asked = wrapped.read_range(listener, request.POST, tz)
    scope = {"history_scope": None, "base_template": "adminui/listener_base.html"}
    if asked.error:  # the page says why, for the range posted
        return _page(request, listener, scope, request.POST)
    try:
        share, secret = shares.create(listener, asked.start, asked.end, tz)
    except shares.ShareRefused as refusal:
        return _page(request, listener, scope, request.POST, status=429, share_refusal=str(refusal))
    shown_once.keep(request, shares.NEW_SHARE_SESSION_KEY, listener, share.pk, secret)
    return redirect(f"{reverse('pages:me-wrapped')}?{asked.query()}#share")


@require_POST
@listener_required
def revoke_share(request, listener, share_id):
    share = shares.revoke(listener, share_id)
    messages.success(
        request, f"Revoked the share link of {wrapped.Range(share.start, share.end, None).label}."
    )
    return redirect(reverse("pages:me") + "#shares")


def _share_of(secret):
    share = shares.find(secret)
    if share is None:
        raise Http404("No such share link (it may have been revoked).")
    return share


def _shared_context(share):
    params = {"start": share.start, "end": share.end}
    context, status = wrapped.wrapped_context(share.listener, params)
    if status != 200:  # a stored range that no longer reads (it did when it was made)
        raise Http404("This share link's range can't be shown.")
    return context


def _no_index(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_GET
def shared(request, secret):
    """The Wrapped a share link shows, to anybody who has the link."""
    share = _share_of(secret)
    if refusal := page_limits.refused_share_view(request, share.pk):
        return _no_index(refusal)
    context = _shared_context(share)
    page_url = _share_url(secret)
    context.update(
        {
            "shared": True,
            "own": False,
            "artwork": False,
            "name": wrapped.display_name(share.listener),
            "page_url": page_url,
            "card_url": f"{page_url}/card.png",
            "description": wrapped.description(context),
        }
    )
    return _no_index(render(request, "adminui/wrapped_shared.html", context))


@never_cache
@require_GET
def shared_card(request, secret):
    """The PNG a share link previews with (og:image)."""
    share = _share_of(secret)
    if refusal := page_limits.refused_share_view(request, share.pk):
        return _no_index(refusal)
    context = _shared_context(share)
    summary = context["summary"]
    png = render_card(
        name=wrapped.display_name(share.listener),
        label=context["range"].label,
        minutes=summary["minutes"],
        plays=summary["plays"],
        artists=summary["unique_artists"],
        top_artists=[row["name"] for row in context["top_artists"]],
    )
    return _no_index(HttpResponse(png, content_type="image/png"))
