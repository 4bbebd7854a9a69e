"""How counted plays are summed: whole UTC years and months from the rollups, the ragged ends of a
window from the plays themselves, grouped by item, artist, album or show."""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from plays.models import Item, Play
from plays.queries.exclusions import exclusion_of
from plays.queries.windows import UTC_ZONE, QueryError, Window, min_play_ms


def _counted_q():
    return Q(ms_played__isnull=True) | Q(ms_played__gte=min_play_ms())


def stored_plays(listener, window=None):
    """The listener's stored plays in the window, short ones included, those of the artists the
    listener hides left out (`plays.queries.exclusions`)."""
    queryset = exclusion_of(listener).keep(Play.objects.filter(listener=listener))
    return (window or Window()).filter(queryset)


def counted_plays(listener, window=None):
    """The listener's stored plays that count, in the window (hidden artists' left out)."""
    return stored_plays(listener, window).filter(_counted_q())


MS_OR_DURATION = Coalesce("ms_played", "item__duration_ms", 0)


def to_minutes(ms) -> float:
    return round((ms or 0) / 60000, 1)


def check_by(by):
    if by not in ("plays", "time"):
        raise QueryError("'by' must be 'plays' (number of plays) or 'time' (minutes listened).")


def check_limit(limit, most=100):
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= most:
        raise QueryError(f"'limit' must be a whole number from 1 to {most}.")


def spotify_id_of(obj):
    return obj.spotify_id or None


def artist_credits(item_ids):
    """item id -> [(artist id, name)] of its credited artists, in order."""
    credits = defaultdict(list)
    rows = (
        Item.artists.through.objects.filter(item_id__in=list(item_ids))
        .order_by("item_id", "position")
        .values_list("item_id", "artist_id", "artist__name")
    )
    for item_id, artist_id, name in rows:
        credits[item_id].append((artist_id, name))
    return credits


def artist_names(item_ids):
    """item id -> credited artist names, in order."""
    return defaultdict(
        list,
        {
            item_id: [name for _id, name in credits]
            for item_id, credits in artist_credits(item_ids).items()
        },
    )


def month_floor(moment):
    moment = moment.astimezone(UTC_ZONE)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC_ZONE)


def month_ceil(moment):
    floor = month_floor(moment)
    if floor == moment:
        return floor
    return (floor + timedelta(days=32)).replace(day=1)


def hour_floor(moment):
    return moment.astimezone(UTC_ZONE).replace(minute=0, second=0, microsecond=0)


def hour_ceil(moment):
    floor = hour_floor(moment)
    return floor if floor == moment else floor + timedelta(hours=1)


def split_whole(window, floor, ceil):
    """(whole units as (start or None, end or None), or None; the ragged ends as Windows).

    The whole units are read from a rollup, the ends from the plays themselves.
    """
    inner_start = None if window.start is None else ceil(window.start)
    inner_end = None if window.end is None else floor(window.end)
    if inner_start is not None and inner_end is not None and inner_start >= inner_end:
        return None, [window]
    ends = []
    if window.start is not None and window.start < inner_start:
        ends.append(Window(window.start, inner_start))
    if window.end is not None and inner_end < window.end:
        ends.append(Window(inner_end, window.end))
    return (inner_start, inner_end), ends


def sql_param(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _as_datetime(value):
    """A datetime from a raw query (SQLite gives text, PostgreSQL aware datetimes)."""
    if value is None or (isinstance(value, datetime) and timezone.is_aware(value)):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC_ZONE)


COUNTED_SQL = "(p.ms_played IS NULL OR p.ms_played >= %s)"


FLOAT_SQL = "DOUBLE PRECISION"


FLOAT_MS = f"CAST(ms AS {FLOAT_SQL})"


PLAY_MS_SQL = "COALESCE(p.ms_played, pi.duration_ms, 0)"


def range_sql(column, start, end):
    sql, params = "", []
    if start is not None:
        sql, params = f" AND {column} >= %s", [sql_param(start)]
    if end is not None:
        sql, params = sql + f" AND {column} < %s", [*params, sql_param(end)]
    return sql, params


def _year_after(day):
    return date(day.year + 1, 1, 1)


def _whole_years(first_month, end_month):
    """([first Jan 1, end Jan 1) or None, [month ranges left over]) of a range of UTC months."""
    first_year = None
    if first_month is not None:
        first_year = first_month if first_month.month == 1 else _year_after(first_month)
    end_year = None if end_month is None else date(end_month.year, 1, 1)
    if first_year is not None and end_year is not None and first_year >= end_year:
        return None, [(first_month, end_month)]
    leftovers = []
    if first_month is not None and first_month < first_year:
        leftovers.append((first_month, first_year))
    if end_month is not None and end_year < end_month:
        leftovers.append((end_year, end_month))
    return (first_year, end_year), leftovers


def source_ranges(listener, window):
    """[(table, condition, params)]: where the counted plays of the window are summed up.

    All time: the all-time rollup. Otherwise whole UTC years, then whole UTC months, from their
    rollups, and "plays_play" itself for the ragged ends. Conditions are SQL on that table's
    columns ("" for no condition), and leave out the items of the artists the listener hides.
    """
    ranges = _time_ranges(window)
    keep = exclusion_of(listener)
    if not keep:
        return ranges
    kept = []
    for table, where, params in ranges:
        condition, condition_params = keep.keep_sql(
            "p.item_id" if table == "plays_play" else "item_id"
        )
        where = f"({where}) AND {condition}" if where else condition
        kept.append((table, where, [*params, *condition_params]))
    return kept


def _time_ranges(window):
    if window.is_all_time:
        return [("plays_itemtotal", "", [])]
    months, ends = split_whole(window, month_floor, month_ceil)
    ranges = []
    if months is not None:
        years, leftovers = _whole_years(
            months[0].date() if months[0] else None, months[1].date() if months[1] else None
        )
        if years is not None:
            ranges.append(("plays_itemyear", *range_sql("year", *years)))
        ranges += [("plays_itemmonth", *range_sql("month", *pair)) for pair in leftovers]
    ranges += [("plays_play", *range_sql("p.played_at", end.start, end.end)) for end in ends]
    return [(table, where.removeprefix(" AND "), params) for table, where, params in ranges]


# Sums of doubles run about twice as fast as PostgreSQL's numeric sums of bigints, and are exact
# for whole numbers below 2**53 (285,000 years of milliseconds).
_ROLLUP_COLUMNS = f"item_id, plays, {FLOAT_MS} AS ms, first_at, last_at"


_RAW_COLUMNS = (
    f"p.item_id AS item_id, 1 AS plays, CAST({PLAY_MS_SQL} AS {FLOAT_SQL}) AS ms, "
    "p.played_at AS first_at, p.played_at AS last_at"
)


RAW_FROM = "plays_play p JOIN plays_item pi ON pi.id = p.item_id"


def _item_source(listener, window, items_sql="", items_params=()):
    """SQL for rows (item_id, plays, ms, first_at, last_at) of the counted plays in the window
    (see `source_ranges`). `items_sql` (a subquery of item ids) keeps only those items."""
    parts, params = [], []
    for table, where, where_params in source_ranges(listener, window):
        conditions = [f"({where})"] if where else []
        if table == "plays_play":
            conditions = ["p.listener_id = %s", COUNTED_SQL, *conditions]
            head, column_params = f"SELECT {_RAW_COLUMNS} FROM {RAW_FROM}", [min_play_ms()]
            item = "p.item_id"
        else:
            conditions = ["listener_id = %s", *conditions]
            head, column_params, item = f"SELECT {_ROLLUP_COLUMNS} FROM {table}", [], "item_id"
        if items_sql:
            conditions.append(f"{item} IN ({items_sql})")
        parts.append(f"{head} WHERE {' AND '.join(conditions)}")
        params += [listener.pk, *column_params, *where_params, *items_params]
    return " UNION ALL ".join(parts), params


GROUP_COLUMNS = {
    "item": "i.id",
    "item__primary_artist": "i.primary_artist_id",
    "item__album": "i.album_id",
    "item__show": "i.show_id",
}


_ORDERS = {
    "plays": "2 DESC, 3 DESC, 1",
    "time": "3 DESC, 2 DESC, 1",
    "plays_then_first": "2 DESC, 4, 1",
}


# The same orders by name, for `grouped_each`.
_NAMED_ORDERS = {
    "plays": "s_plays DESC, s_ms DESC, s_key",
    "time": "s_ms DESC, s_plays DESC, s_key",
    "plays_then_first": "s_plays DESC, s_first, s_key",
}


def grouped(
    listener,
    window,
    group,
    *,
    kinds=None,
    where="",
    params=(),
    order="plays",
    limit=None,
    items_sql="",
    items_params=(),
    with_totals=False,
):
    """([(key, plays, ms, first, last)], number of groups) over the counted plays of the window,
    and with `with_totals` the plays and ms of all groups (not just the first `limit`).

    `group` is a path from an item ("item", "item__primary_artist", "item__album",
    "item__show", with the item as `i` in `where`); `kinds` keeps items of those kinds.
    """
    source, source_params = _item_source(listener, window, items_sql, items_params)
    column = GROUP_COLUMNS[group]
    conditions, condition_params = [f"{column} IS NOT NULL"], []
    if kinds:
        conditions.append(f"i.kind IN ({', '.join(['%s'] * len(kinds))})")
        condition_params += list(kinds)
    if where:
        conditions.append(where)
        condition_params += list(params)
    if not window.is_all_time:  # one row per item before the join
        source = (
            "SELECT item_id, SUM(plays) AS plays, SUM(ms) AS ms, MIN(first_at) AS first_at, "
            f"MAX(last_at) AS last_at FROM ({source}) w GROUP BY item_id"
        )
    sql = (
        f"SELECT {column}, SUM(x.plays), SUM(x.ms), MIN(x.first_at), MAX(x.last_at), "
        "COUNT(*) OVER (), SUM(SUM(x.plays)) OVER (), SUM(SUM(x.ms)) OVER () "
        f"FROM ({source}) x JOIN plays_item i ON i.id = x.item_id "
        f"WHERE {' AND '.join(conditions)} GROUP BY {column} ORDER BY {_ORDERS[order]}"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*source_params, *condition_params])
        rows = cursor.fetchall()
    groups, plays, ms = (rows[0][5], int(rows[0][6]), int(rows[0][7] or 0)) if rows else (0, 0, 0)
    rows = [
        (key, int(plays), int(ms or 0), _as_datetime(first), _as_datetime(last))
        for key, plays, ms, first, last, *_ in rows
    ]
    return (rows, groups, plays, ms) if with_totals else (rows, groups)


def grouped_each(listener, window, groups, *, kinds=None, order="plays", limit=None, wheres=None):
    """[([(key, plays, ms, first, last)], number of groups) for each of `groups`]: what
    `grouped` answers for each group path, from one statement that sums the window's items once
    (the rollups are read once, not once per grouping). `wheres`, one (condition on the item
    `i`, params) or None per group, is `grouped`'s `where` for that group."""
    source, source_params = _item_source(listener, window)
    if not window.is_all_time:  # one row per item before the join
        source = (
            "SELECT item_id, SUM(plays) AS plays, SUM(ms) AS ms, MIN(first_at) AS first_at, "
            f"MAX(last_at) AS last_at FROM ({source}) w GROUP BY item_id"
        )
    item_conditions, condition_params = [], []
    if kinds:
        item_conditions.append(f"i.kind IN ({', '.join(['%s'] * len(kinds))})")
        condition_params += list(kinds)
    columns = sorted({GROUP_COLUMNS[group] for group in groups})
    # Each group's own condition, as a column of the joined rows that its grouping keeps to.
    wheres = wheres or [None] * len(groups)
    kept, kept_params = [], []
    for number, where in enumerate(wheres):
        if where is not None:
            kept.append(f", CASE WHEN {where[0]} THEN 1 ELSE 0 END AS w{number}")
            kept_params += list(where[1])
    joined = (
        "SELECT x.plays AS plays, x.ms AS ms, x.first_at AS first_at, x.last_at AS last_at, "
        + ", ".join(f"{column} AS {column.replace('.', '_')}" for column in columns)
        + "".join(kept)
        + f" FROM ({source}) x JOIN plays_item i ON i.id = x.item_id"
        + (f" WHERE {' AND '.join(item_conditions)}" if item_conditions else "")
    )
    parts = []
    for number, group in enumerate(groups):
        column = GROUP_COLUMNS[group].replace(".", "_")
        parts.append(
            f"SELECT * FROM (SELECT {number} AS g, {column} AS s_key, SUM(plays) AS s_plays, "
            "SUM(ms) AS s_ms, MIN(first_at) AS s_first, MAX(last_at) AS s_last, "
            f"COUNT(*) OVER () AS s_groups FROM j WHERE {column} IS NOT NULL "
            # "<> 0", not "= 1": PostgreSQL guesses that most rows pass (it cannot know), and
            # groups them by hashing rather than sorting all of them.
            + ("" if wheres[number] is None else f"AND w{number} <> 0 ")
            + f"GROUP BY {column} "
            f"ORDER BY {_NAMED_ORDERS[order]}"
            + ("" if limit is None else f" LIMIT {int(limit)}")
            + f") g{number}"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH j AS ({joined}) {' UNION ALL '.join(parts)}",
            [*kept_params, *source_params, *condition_params],
        )
        rows = cursor.fetchall()
    answers = [([], 0) for _ in groups]
    for number, key, plays, ms, first, last, count in rows:
        found, _ = answers[number]
        found.append((key, int(plays), int(ms or 0), _as_datetime(first), _as_datetime(last)))
        answers[number] = (found, count)
    return answers


def subquery(queryset):
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def first_and_last(listener, window):
    """The first and last counted play in the window (exact times)."""
    counted = counted_plays(listener, window)
    first = counted.order_by("played_at").values_list("played_at", flat=True).first()
    last = counted.order_by("-played_at").values_list("played_at", flat=True).first()
    return first, last
