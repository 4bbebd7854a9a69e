"""Which items a listener's hidden artists cover: the SQL that the rollups (`HiddenHourTotal`) and
the queries (`plays.queries.exclusions`) both use, so the two never disagree.

An item is hidden when a hidden artist is credited on it, as its primary artist or a featured one.

Within `remembered()` (one MCP tool call, which only reads) the hidden artists of a listener are
read once: the freshness check, each query and the answer's `excluded_artists` all ask, and would
otherwise each cost a round trip.
"""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection

from plays.models import ExcludedArtist

_remembered: ContextVar[dict | None] = ContextVar("hidden_artists_remembered", default=None)


@contextmanager
def remembered():
    """Within the block, each listener's hidden artists are read from the database once. For
    work that changes no hidden artist (an MCP tool call)."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def hidden_artist_ids(listener_id) -> tuple[int, ...]:
    memo = _remembered.get()
    if memo is not None and listener_id in memo:
        return memo[listener_id]
    ids = tuple(
        ExcludedArtist.objects.filter(listener_id=listener_id)
        .order_by("artist_id")
        .values_list("artist_id", flat=True)
    )
    if memo is not None:
        memo[listener_id] = ids
    return ids


def items_sql(artist_ids) -> tuple[str, list]:
    """A subquery of the ids of the items crediting any of `artist_ids` (not empty)."""
    marks = ", ".join(["%s"] * len(artist_ids))
    return (
        f"SELECT xa.item_id FROM plays_itemartist xa WHERE xa.artist_id IN ({marks}) "
        f"UNION SELECT xi.id FROM plays_item xi WHERE xi.primary_artist_id IN ({marks})",
        [*artist_ids, *artist_ids],
    )


def hidden_items(listener_id) -> tuple[str, list[int]]:
    """(signature, the ids of the hidden items in order). The signature is a digest of them
    ("" when nothing is hidden): when it changes (an artist hidden or shown again, an item's
    credits changed), the rollups that leave the hidden items out are brought up to date, just
    for the items that changed (`plays.rollups.rebuild`)."""
    artist_ids = hidden_artist_ids(listener_id)
    if not artist_ids:
        return "", []
    sql, params = items_sql(artist_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT item_id FROM ({sql}) h ORDER BY 1", params)
        items = [row[0] for row in cursor.fetchall()]
    text = f"{artist_ids}|{items}"
    return hashlib.sha256(text.encode()).hexdigest(), items


def signature(listener_id) -> str:
    """The digest of the listener's hidden items (see `hidden_items`)."""
    return hidden_items(listener_id)[0]


def ids_sql(ids) -> tuple[str, list]:
    """A subquery of the given ids, as one parameter however many (for `IN (...)`)."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])", [list(ids)]
    return "SELECT value FROM json_each(%s)", [json.dumps(list(ids))]
