"""A listener's choice of artists to hide (white noise, children's music), made on /me.

The choice is stored here (`ExcludedArtist`); `plays.queries.exclusions` is what leaves the
hidden artists' plays out of every answer. A listener can hide only an artist of their own
history (credited on an item they played), so the page never shows them an artist's name, or
confirms an artist's id, from anybody else's history. A change queues the rollup refresh for
the worker (only the rows of the items hidden or shown are rebuilt, see `plays.rollups`).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q

from plays.models import Artist, ExcludedArtist, ItemTotal
from plays.queries.exclusions import MAX_EXCLUDED_ARTISTS
from plays.rollups import ensure_fresh

SEARCH_MIN = 2
SEARCH_MAX = 200
FOUND_AT_MOST = 20


class ExclusionRefused(ValueError):
    """The listener can't hide (or show again) that artist; the message says why."""


def _own_artists(listener):
    """The artists credited (first or featured) on an item the listener has a counted play of."""
    ensure_fresh(listener)
    played = ItemTotal.objects.filter(listener=listener).values("item_id")
    return Artist.objects.filter(Q(items__in=played) | Q(primary_items__in=played)).distinct()


def hidden_artists(listener) -> list[dict]:
    """The artists the listener hides, by name: [{"id", "name"}]."""
    rows = (
        ExcludedArtist.objects.filter(listener=listener)
        .select_related("artist")
        .order_by("artist__name", "artist_id")
    )
    return [{"id": row.artist_id, "name": row.artist.name} for row in rows]


def find_artists(listener, text) -> list[dict]:
    """Artists of the listener's own history whose name contains `text`, not yet hidden."""
    text = (text or "").strip()
    if not SEARCH_MIN <= len(text) <= SEARCH_MAX:
        raise ExclusionRefused(
            f"Type from {SEARCH_MIN} to {SEARCH_MAX} characters of an artist's name to find it."
        )
    found = (
        _own_artists(listener)
        .filter(name__icontains=text)
        .exclude(pk__in=ExcludedArtist.objects.filter(listener=listener).values("artist_id"))
        .order_by("name", "pk")[:FOUND_AT_MOST]
    )
    return [{"id": artist.pk, "name": artist.name} for artist in found]


def hide_artist(listener, artist_id) -> str:
    """Hides an artist of the listener's history; returns its name."""
    artist = (
        _own_artists(listener).filter(pk=artist_id).first() if isinstance(artist_id, int) else None
    )
    if artist is None:
        raise ExclusionRefused("That artist is not in your history, so there is nothing to hide.")
    with transaction.atomic():
        if ExcludedArtist.objects.filter(listener=listener, artist=artist).exists():
            return artist.name
        if ExcludedArtist.objects.filter(listener=listener).count() >= MAX_EXCLUDED_ARTISTS:
            raise ExclusionRefused(
                f"You hide {MAX_EXCLUDED_ARTISTS} artists already, the most there can be: show "
                "one again first."
            )
        try:
            with transaction.atomic():
                ExcludedArtist.objects.create(listener=listener, artist=artist)
        except IntegrityError:  # the same request twice at once: hidden either way
            pass
        _refresh_soon(listener)
    return artist.name


def _refresh_soon(listener):
    """The worker brings the rollups up to date at once, not the listener's next question."""
    from plays.tasks import request_rollup_refresh  # the tasks import the poller: only here

    transaction.on_commit(lambda: request_rollup_refresh(listener))


def show_artist(listener, artist_id) -> str | None:
    """Shows a hidden artist again; returns its name, or None when it wasn't hidden."""
    row = (
        ExcludedArtist.objects.filter(listener=listener, artist_id=artist_id)
        .select_related("artist")
        .first()
        if isinstance(artist_id, int)
        else None
    )
    if row is None:
        return None
    name = row.artist.name
    with transaction.atomic():
        row.delete()
        _refresh_soon(listener)
    return name
