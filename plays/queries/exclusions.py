"""Artists a listener hides (white noise, children's music): the one place that leaves their plays
out of every answer about the listener's history.

A play is left out when its item credits a hidden artist: as its primary artist or as any other
credited artist ("feat."), so a track by someone else featuring a hidden artist is hidden too
(what the listener hides is that artist's music, wherever it turns up). Podcast episodes and
audiobook chapters credit no artist and are never hidden this way.

Exactness: the rollups hold sums per item (month, year, all time), so leaving out the hidden
items' rows is exact. The hourly rollup has no item, so the hidden items' plays in its hours
are subtracted from it, read from the plays themselves through the (listener, item, played_at)
index: the cost grows with the number of hidden plays, not with the history.

The shared base applies it: `sums.counted_plays`, `sums.stored_plays`, `sums.source_ranges`
(so `grouped` and everything built on them), `hours.time_sums` and `hours.net_hours_sql`,
and `hidden_rollup_rows` for a rollup read with the ORM; the day rollups (`plays.day_rollups`:
ItemDay's overall and per-artist rows, DayTotal; `plays.hour_days`: DayHourTotal) are built
without the hidden items. A query
written on those parts gets it without doing anything. The export (`export.exported_plays`) and
the operator's count of stored rows (`coverage.coverage`) do not: they are about what is stored,
not what was heard.
"""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.

from __future__ import annotations

import functools
from dataclasses import dataclass

from plays import hidden

# How many artists one listener may hide: enough for any real use, and it keeps the queries'
# lists of parameters small.
MAX_EXCLUDED_ARTISTS = 200


@dataclass(frozen=True)
class Exclusion:
    """The artists one listener hides, read once for a query."""

    artist_ids: tuple[int, ...] = ()

    def __bool__(self):
        return bool(self.artist_ids)

    @property
    def count(self) -> int:
        return len(self.artist_ids)

    def items_sql(self) -> tuple[str, list]:
        """A subquery of the ids of the items that credit a hidden artist."""
        return hidden.items_sql(self.artist_ids)

    def keep_sql(self, column) -> tuple[str, list]:
        """A condition on an item id column keeping the items not hidden ("" when none are)."""
        if not self:
            return "", []
        sql, params = self.items_sql()
        return f"{column} NOT IN ({sql})", params

    def hidden_sql(self, column) -> tuple[str, list]:
        """A condition on an item id column keeping only the hidden items."""
        sql, params = self.items_sql()
        return f"{column} IN ({sql})", params

    def hidden_items(self):
        """The hidden items as a subquery of ids for the ORM (the same SQL as `items_sql`)."""
        from django.db.models.expressions import RawSQL

        sql, params = self.items_sql()
        return RawSQL(sql, params)  # noqa: S611 (fixed SQL, the ids as parameters)

    def keep(self, queryset, field="item"):
        """`queryset` (of plays or rollup rows) without the hidden items' rows."""
        if not self:
            return queryset
        return queryset.exclude(**{f"{field}__in": self.hidden_items()})


def exclusion_of(listener) -> Exclusion:
    """The artists `listener` hides (none for a listener not yet saved)."""
    if listener is None or listener.pk is None:
        return Exclusion()
    return Exclusion(hidden.hidden_artist_ids(listener.pk))


def excluded_artists(listener) -> int:
    """How many artists the listener hides: every history answer says it as `excluded_artists`."""
    return exclusion_of(listener).count


def says_excluded_artists(function):
    """Decorates a history question (listener first, a dict answer): the answer says how many
    artists the listener hides, as `excluded_artists`."""

    @functools.wraps(function)
    def answer(listener, *args, **kwargs):
        result = function(listener, *args, **kwargs)
        result["excluded_artists"] = excluded_artists(listener)
        return result

    return answer


def hidden_rollup_rows(model, listener):
    """A rollup model's rows (ItemMonth, ItemYear, ItemTotal) of the listener, hidden items left
    out: for the queries that read a rollup with the ORM."""
    return exclusion_of(listener).keep(model.objects.filter(listener=listener))
