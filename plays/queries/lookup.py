"""Finding things by name or Spotify id: the search and one item's history."""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import datetime, timedelta
from functools import lru_cache

from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import ExtractYear

from plays.keys import normalize_name
from plays.models import Album, Artist, Item, ItemMonth, ItemTotal, Show
from plays.queries.exclusions import excluded_artists, hidden_rollup_rows, says_excluded_artists
from plays.queries.sums import (
    MS_OR_DURATION,
    artist_credits,
    artist_names,
    check_limit,
    counted_plays,
    grouped,
    month_ceil,
    month_floor,
    spotify_id_of,
    subquery,
    to_minutes,
)
from plays.queries.windows import UTC_ZONE, QueryError, Window, iso, listener_tz
from plays.rollups import ensure_fresh


@says_excluded_artists
def search_history(listener, *, query, window=None, limit=10, tz=None) -> dict:
    """Tracks, artists, albums and shows whose name contains `query`, that the listener played."""
    check_limit(limit, 50)
    text = query.strip() if isinstance(query, str) else ""
    if len(text) < 2:
        raise QueryError("'query' must be at least two characters of a name to look for.")
    if "\x00" in text:  # no stored name has one, and PostgreSQL refuses it in a parameter
        raise QueryError("'query' must not contain NUL characters.")
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    result = {"query": text, "window": window.describe(tz), "time_zone": str(tz)}
    specs = (
        ("tracks", "item", Item, "name"),
        ("artists", "item__primary_artist", Artist, "primary_artist__name"),
        ("albums", "item__album", Album, "album__name"),
        ("shows", "item__show", Show, "show__name"),
    )
    for label, group, model, name in specs:
        items_sql, items_params = subquery(
            Item.objects.filter(**{f"{name}__icontains": text}).values("id")
        )
        rows, _ = grouped(
            listener, window, group, limit=limit, items_sql=items_sql, items_params=items_params
        )
        objs = model.objects.in_bulk([row[0] for row in rows])
        names = artist_names(objs) if label == "tracks" else {}
        result[label] = [
            {
                "id": key,
                "name": objs[key].name,
                **({"artists": names.get(key, [])} if label == "tracks" else {}),
                **({"kind": objs[key].kind} if label in ("tracks", "shows") else {}),
                "spotify_id": spotify_id_of(objs[key]),
                "plays": plays,
                "minutes": to_minutes(ms),
                "first_play": iso(first_at, tz),
                "last_play": iso(last_at, tz),
            }
            for key, plays, ms, first_at, last_at in rows
        ]
    return result


_SPOTIFY_URI = re.compile(
    r"^spotify:(track|artist|album|show|episode|chapter|audiobook):([A-Za-z0-9]{22})$"
)


_SPOTIFY_ID = re.compile(r"^[A-Za-z0-9]{22}$")


_URL = re.compile(
    r"^https?://open\.spotify\.com/(?:intl-[a-z-]+/)?"
    r"(track|artist|album|show|episode|chapter|audiobook)/([A-Za-z0-9]{22})"
)


ITEM_KINDS = ("track", "artist", "album", "show", "episode")


_GROUPS = {
    "track": ("item", Item.objects.filter(kind="track")),
    "episode": ("item", Item.objects.exclude(kind="track")),
    "artist": ("item__primary_artist", Artist.objects.all()),
    "album": ("item__album", Album.objects.all()),
    "show": ("item__show", Show.objects.all()),
}


@says_excluded_artists
def item_history(listener, *, item, kind=None, tz=None) -> dict:
    """One track, artist, album or show (by name, Spotify id, URI or link): plays over the years."""
    if kind is not None and kind not in ITEM_KINDS:
        raise QueryError("'kind' must be one of: track, artist, album, show, episode.")
    text = item.strip() if isinstance(item, str) else ""
    if not text:
        raise QueryError("'item' must name a track, artist, album or show, or give its Spotify id.")
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    candidates = _find_candidates(listener, text, kind)
    if not candidates:
        # The text asked for is not repeated: an error sentence never carries caller text.
        raise QueryError(
            "Nothing matching 'item' is in this listener's history"
            + (f" (kind: {kind})" if kind else "")
            + ": try search_history with part of the name."
            + _hidden_note(listener)
        )
    best = candidates[0]
    result = _describe(listener, best["kind"], best["obj"], tz)
    result["other_matches"] = [
        {"kind": c["kind"], "name": c["obj"].name, "plays": c["plays"]} for c in candidates[1:6]
    ]
    return result


def _hidden_note(listener):
    hidden = excluded_artists(listener)
    if not hidden:
        return ""
    return (
        f" The plays of the {hidden} artist{'s' if hidden > 1 else ''} the listener hides are "
        "left out."
    )


def _own_rows(listener, group, pk):
    """[(key, plays, ms, first, last)] of one catalogue row over all time (empty if never
    played by this listener)."""
    items_sql, items_params = subquery(Item.objects.filter(**{group[6:] or "pk": pk}).values("id"))
    rows, _ = grouped(listener, Window(), group, items_sql=items_sql, items_params=items_params)
    return rows


def _describe(listener, kind, obj, tz, rows=None):
    group = _GROUPS[kind][0]
    rows = rows if rows is not None else _own_rows(listener, group, obj.pk)
    _key, plays, ms, first, last = rows[0]
    result = {
        "kind": kind,
        "name": obj.name,
        "artists": [],
        "spotify_id": spotify_id_of(obj),
        "plays": plays,
        "minutes": to_minutes(ms),
        "first_play": iso(first, tz),
        "last_play": iso(last, tz),
        "per_year": _per_year(listener, group, obj.pk, first, last, tz),
        "time_zone": str(tz),
    }
    if kind in ("track", "episode"):
        result["artists"] = artist_names([obj.pk]).get(obj.pk, [])
    elif kind == "album" and obj.artist_id:
        result["artists"] = [obj.artist.name]
    return result


DETAIL_KINDS = ("track", "artist", "album", "show", "episode")


@says_excluded_artists
def item_detail(listener, *, kind, item_id, tz=None, limit=10) -> dict:
    """One catalogue row by kind and database id, as a page shows it: `item_history`'s answer,
    plus plays per month in the time zone, what it contains (an artist's, album's or show's most
    played tracks or episodes), its credits and album, and the album's artwork URL when Spotify
    gave one. Raises QueryError when this listener never played it: a listener sees only what
    they played, never the rest of the shared catalogue."""
    if kind not in DETAIL_KINDS:
        raise QueryError("'kind' must be one of: track, artist, album, show, episode.")
    check_limit(limit)
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    group, objects = _GROUPS[kind]
    obj = objects.filter(pk=item_id).first() if isinstance(item_id, int) else None
    rows = _own_rows(listener, group, obj.pk) if obj is not None else []
    if not rows:
        raise QueryError(f"No {kind} with id {item_id!r} is in this listener's history.")
    result = _describe(listener, kind, obj, tz, rows)
    result["id"] = obj.pk
    result["per_month"] = _per_month(listener, group, obj.pk, tz)
    result["credits"] = []
    result["album"] = None
    result["show"] = None
    result["image_url"] = ""
    if kind in ("track", "episode"):
        item = Item.objects.select_related("album", "show").get(pk=obj.pk)
        result["credits"] = [
            {"id": artist_id, "name": name}
            for artist_id, name in artist_credits([obj.pk]).get(obj.pk, [])
        ]
        if item.album:
            result["album"] = {"id": item.album.pk, "name": item.album.name}
            result["image_url"] = item.album.image_url
        if item.show:
            result["show"] = {"id": item.show.pk, "name": item.show.name}
    elif kind == "album":
        result["image_url"] = obj.image_url
        if obj.artist_id:
            result["credits"] = [{"id": obj.artist_id, "name": obj.artist.name}]
    result["contents"] = _contents(listener, kind, obj, limit, tz) if kind in _CONTAINS else []
    return result


# What an artist, album or show page lists: its items, most played first.
_CONTAINS = {"artist": "primary_artist", "album": "album", "show": "show"}


def _contents(listener, kind, obj, limit, tz):
    items_sql, items_params = subquery(Item.objects.filter(**{_CONTAINS[kind]: obj}).values("id"))
    rows, _ = grouped(
        listener, Window(), "item", limit=limit, items_sql=items_sql, items_params=items_params
    )
    items = Item.objects.in_bulk([row[0] for row in rows])
    names = artist_names(items)
    return [
        {
            "rank": rank,
            "id": key,
            "kind": "track" if items[key].kind == "track" else "episode",
            "name": items[key].name,
            "artists": names.get(key, []),
            "spotify_id": spotify_id_of(items[key]),
            "plays": plays,
            "minutes": to_minutes(ms),
            "first_play": iso(first, tz),
            "last_play": iso(last, tz),
        }
        for rank, (key, plays, ms, first, last) in enumerate(rows, 1)
    ]


def _per_month(listener, group, pk, tz):
    """Counted plays and minutes per calendar month in `tz`, without gaps from the first month
    with a play to the last: whole UTC months from the monthly rollup, then the plays between a
    UTC month's start and the local one's (at most the zone's offset apart) moved across."""
    found = defaultdict(lambda: [0, 0])
    rows = (
        hidden_rollup_rows(ItemMonth, listener)
        .filter(**{group: pk})
        .values("month")
        .annotate(p=Sum("plays"), m=Sum("ms"))
        .values_list("month", "p", "m")
        .order_by()
    )
    for month, plays, ms in rows:
        found[month.replace(day=1)][0] += plays
        found[month.replace(day=1)][1] += ms or 0
    if not found:
        return []
    slivers = Q()
    month = min(found)
    while month <= _next_month(max(found)):
        utc_start = datetime(month.year, month.month, 1, tzinfo=UTC_ZONE)
        local_start = datetime(month.year, month.month, 1, tzinfo=tz)
        if local_start != utc_start:
            low, high = sorted((utc_start, local_start))
            slivers |= Q(played_at__gte=low, played_at__lt=high)
        month = _next_month(month)
    if slivers:
        moved = (
            counted_plays(listener)
            .filter(**{group: pk})
            .filter(slivers)
            .annotate(ms=MS_OR_DURATION)
            .values_list("played_at", "ms")
        )
        for played_at, ms in moved:
            utc_month = played_at.astimezone(UTC_ZONE).date().replace(day=1)
            local_month = played_at.astimezone(tz).date().replace(day=1)
            if utc_month != local_month:
                found[utc_month][0] -= 1
                found[utc_month][1] -= ms or 0
                found[local_month][0] += 1
                found[local_month][1] += ms or 0
    found = {day: sums for day, sums in found.items() if sums[0]}
    months, day = [], min(found)
    while day <= max(found):
        plays, ms = found.get(day, (0, 0))
        months.append({"month": day.isoformat()[:7], "plays": plays, "minutes": to_minutes(ms)})
        day = _next_month(day)
    return months


def _next_month(day):
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _per_year(listener, group, pk, first, last, tz):
    """Plays and minutes per year in `tz`: whole UTC months from the rollup, and the plays of
    the months in which a year begins in `tz` (those months straddle two years)."""
    straddling = set()
    for year in range(first.astimezone(tz).year, last.astimezone(tz).year + 2):
        new_year = datetime(year, 1, 1, tzinfo=tz).astimezone(UTC_ZONE)
        month = month_floor(new_year)
        if month != new_year:
            straddling.add(month.date())
    years = defaultdict(lambda: [0, 0])
    rows = (
        hidden_rollup_rows(ItemMonth, listener)
        .filter(**{group: pk})
        .exclude(month__in=straddling)
        .annotate(year=ExtractYear("month"))
        .values("year")
        .annotate(p=Sum("plays"), m=Sum("ms"))
        .values_list("year", "p", "m")
        .order_by()
    )
    for year, plays, ms in rows:
        years[year][0] += plays
        years[year][1] += ms or 0
    for month in straddling:
        start = datetime(month.year, month.month, 1, tzinfo=UTC_ZONE)
        end = month_ceil(start + timedelta(days=1))
        rows = (
            counted_plays(listener, Window(start, end))
            .filter(**{group: pk})
            .annotate(year=ExtractYear("played_at", tzinfo=tz))
            .values("year")
            .annotate(p=Count("id"), m=Sum(MS_OR_DURATION))
            .values_list("year", "p", "m")
            .order_by()
        )
        for year, plays, ms in rows:
            years[year][0] += plays
            years[year][1] += ms or 0
    return [
        {"year": year, "plays": plays, "minutes": to_minutes(ms)}
        for year, (plays, ms) in sorted(years.items())
        if plays
    ]


def find_played(listener, text, kind):
    """The catalogue row of `kind` (track, artist, album, show, episode) that `text` names (a
    name, Spotify id, URI or link) among what the listener played: an exact name first, then the
    most played; None if nothing matches."""
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        return None
    candidates = _find_candidates(listener, text, kind)
    return candidates[0]["obj"] if candidates else None


def _find_candidates(listener, text, kind):
    """Matching catalogue rows the listener played: exact names first, then most played."""
    found_kind, spotify_id = None, None
    for pattern in (_SPOTIFY_URI, _URL):
        match = pattern.match(text)
        if match:
            found_kind, spotify_id = match.groups()
    if spotify_id is None and _SPOTIFY_ID.match(text):
        spotify_id = text
    found_kind = {"chapter": "episode", "audiobook": "show"}.get(found_kind, found_kind)
    wanted = kind or found_kind
    candidates = []
    for k in ITEM_KINDS:
        if wanted and k != wanted:
            continue
        group, objects = _GROUPS[k]
        if spotify_id:
            lookups = [objects.filter(spotify_id=spotify_id)]
        else:
            lookups = [objects.filter(name__iexact=text), objects.filter(name__icontains=text)]
        for exact, matches in zip((True, False), lookups, strict=False):
            rows = list(
                hidden_rollup_rows(ItemTotal, listener)
                .filter(**{f"{group}__in": matches.values("id")})
                .values(group)
                .annotate(p=Sum("plays"))
                .order_by("-p", group)
                .values_list(group, "p")[:10]
            )
            if rows:
                objs = objects.model.objects.in_bulk([key for key, _ in rows])
                candidates.extend(
                    {"kind": k, "obj": objs[key], "plays": plays, "exact": exact}
                    for key, plays in rows
                )
                break
    candidates.sort(key=lambda c: (not c["exact"], -c["plays"]))
    return candidates


MAX_ENTRIES = 100
ENTRY_TEXT_MAX = 500

# What `heard_before` ignores at a name's end, tried until nothing changes: featured artists,
# remaster notes and live versions, in brackets or after " - ".
_SUFFIXES = [
    re.compile(r"\s*[(\[]\s*(feat\.?|ft\.?|featuring|with)\s[^)\]]*[)\]]"),
    re.compile(r"\s+(feat\.?|ft\.?|featuring)\s.*$"),
    re.compile(r"\s*[(\[][^)\]]*\bremaster(ed)?\b[^)\]]*[)\]]"),
    re.compile(r"\s+-\s+[^-]*\bremaster(ed)?\b.*$"),
    re.compile(r"\s*[(\[]\s*live\b[^)\]]*[)\]]"),
    re.compile(r"\s+-\s+live\b.*$"),
]

# The rules, strictest first: a match is reported under the strictest rule that finds one.
MATCH_RULES = ("exact", "accents", "suffixes")


# Letters that are not a base letter plus an accent, spelled as their plain forms.
_PLAIN_LETTERS = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "ß": "ss", "ł": "l", "đ": "d"})


def _without_accents(text):
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.translate(_PLAIN_LETTERS)


def _without_suffixes(text):
    while True:
        shorter = text
        for pattern in _SUFFIXES:
            shorter = pattern.sub("", shorter).strip()
        if shorter == text or not shorter:
            return text
        text = shorter


@lru_cache(maxsize=1 << 16)
def name_forms(name):
    """The forms of a name each rule compares: case and spacing folded (`normalize_name`), then
    accents dropped too, then the suffixes too. Kept per process (a pure function of the name):
    a listener's thousands of names are worked out once, not on every question."""
    exact = normalize_name(name)
    accents = _without_accents(exact)
    return (exact, accents, _without_suffixes(accents))


def _level(asked, stored):
    """The index of the strictest rule under which two names' forms are equal, else None."""
    for level, (a, b) in enumerate(zip(asked, stored, strict=True)):
        if a == b:
            return level
    return None


def _check_entries(entries):
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_ENTRIES:
        raise QueryError(f"'entries' must be a list of 1 to {MAX_ENTRIES} entries.")
    checked = []
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise QueryError(f"Entry {number} of 'entries' must be an object.")
        fields = {key: entry.get(key) for key in ("spotify_id", "artist", "track")}
        if set(entry) - set(fields):
            raise QueryError(
                f"Entry {number} of 'entries' takes only 'spotify_id', or 'artist' with an "
                "optional 'track'."
            )
        for key, value in fields.items():
            if value is not None and (
                not isinstance(value, str) or not value.strip() or len(value) > ENTRY_TEXT_MAX
            ):
                raise QueryError(
                    f"Entry {number}'s '{key}' must be text of 1 to {ENTRY_TEXT_MAX} characters."
                )
        if (fields["spotify_id"] is None) == (fields["artist"] is None):
            raise QueryError(
                f"Entry {number} of 'entries' needs either 'spotify_id' or 'artist' (with an "
                "optional 'track'), not both."
            )
        if fields["spotify_id"] is not None and fields["track"] is not None:
            raise QueryError(f"Entry {number} of 'entries' has a 'track' without an 'artist'.")
        checked.append(fields)
    return checked


def _spotify_ref(text):
    """(kind or None, id) of a Spotify id, URI or link; None if it is none of those."""
    text = text.strip()
    for pattern in (_SPOTIFY_URI, _URL):
        match = pattern.match(text)
        if match:
            kind, spotify_id = match.groups()
            return {"chapter": "episode", "audiobook": "show"}.get(kind, kind), spotify_id
    return (None, text) if _SPOTIFY_ID.match(text) else None


# Where a Spotify id is looked for, in order: (kind, path from a rollup row to the row named).
_BY_ID = (
    ("track", "item", {"item__kind": "track"}),
    ("episode", "item", {"item__kind__in": ["episode", "chapter"]}),
    ("artist", "item__primary_artist", {"item__kind": "track"}),
    ("album", "item__album", {}),
    ("show", "item__show", {}),
)


def _by_spotify_id(listener, ref):
    wanted, spotify_id = ref
    for kind, path, extra in _BY_ID:
        if wanted and wanted != kind:
            continue
        rows = list(
            hidden_rollup_rows(ItemTotal, listener)
            .filter(**{f"{path}__spotify_id": spotify_id}, **extra)
            .values(path, f"{path}__name")
            .annotate(p=Sum("plays"), f=Min("first_at"), la=Max("last_at"))
            .values_list(path, f"{path}__name", "p", "f", "la")
            .order_by(path)
        )
        if rows:
            return kind, rows
    return None, []


def _played_artists(listener):
    """Every primary artist the listener played tracks of, as [{form: [(artist id, name, plays,
    first, last)]}] by each rule's form of their name (strictest rule first)."""
    rows = (
        hidden_rollup_rows(ItemTotal, listener)
        .filter(item__kind="track", item__primary_artist__isnull=False)
        .values("item__primary_artist", "item__primary_artist__name")
        .annotate(p=Sum("plays"), f=Min("first_at"), la=Max("last_at"))
        .values_list("item__primary_artist", "item__primary_artist__name", "p", "f", "la")
        .order_by("item__primary_artist")
    )
    by_form = [defaultdict(list) for _ in MATCH_RULES]
    for row in rows:
        for level, form in enumerate(name_forms(row[1])):
            by_form[level][form].append(row)
    return by_form


def _artist_levels(artists, artist):
    """{artist id: (rule level, (id, name, plays, first, last))} of the artists `artist` names:
    each artist under the strictest rule whose forms are equal (looked up by form)."""
    levels = {}
    for level, (form, by_form) in enumerate(zip(name_forms(artist), artists, strict=True)):
        for row in by_form.get(form, ()):
            levels.setdefault(row[0], (level, row))
    return levels


def _tracks_of(listener, artist_ids):
    """{artist id: [(item id, name, its forms, plays, first, last)]} of the tracks the listener
    played by those primary artists, in one query."""
    tracks = defaultdict(list)
    rows = (
        hidden_rollup_rows(ItemTotal, listener)
        .filter(item__kind="track", item__primary_artist__in=list(artist_ids))
        .values_list("item", "item__name", "item__primary_artist", "plays", "first_at", "last_at")
        .order_by("item")
    )
    for pk, name, artist_pk, p, f, la in rows:
        tracks[artist_pk].append((pk, name, name_forms(name), p, f, la))
    return tracks


def _by_names(levels, tracks, track):
    """(rule level, kind, [(key, name, plays, first, last)]) of the best matches of an artist
    (`levels`), and of a track of theirs when one is named."""
    if track is None:
        if not levels:
            return None, "artist", []
        best = min(level for level, _ in levels.values())
        return best, "artist", [row for level, row in levels.values() if level == best]
    asked = name_forms(track)
    found = []
    for artist_pk, (artist_level, _) in levels.items():
        for pk, name, forms, p, f, la in tracks.get(artist_pk, []):
            level = _level(asked, forms)
            if level is not None:
                found.append((max(level, artist_level), (pk, name, p, f, la)))
    if not found:
        return None, "track", []
    best = min(level for level, _ in found)
    return best, "track", [row for level, row in found if level == best]


@says_excluded_artists
def heard_before(listener, entries, *, tz=None) -> dict:
    """For each entry, in the order asked (a Spotify id, URI or link; or an artist with an
    optional track name): whether the listener ever played it (a counted play), the first and
    last play and the counted plays, and which rule matched (`spotify_id`, or for names `exact`:
    case and spacing ignored; `accents`: accents ignored too; `suffixes`: "feat. ...",
    "(Remastered ...)" and "- Live ..." ignored too). Matching rows of the catalogue are added
    up; only what this listener played is looked at."""
    checked = _check_entries(entries)
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    named = [entry for entry in checked if entry["artist"] is not None]
    artists = _played_artists(listener) if named else None
    levels = {id(entry): _artist_levels(artists, entry["artist"]) for entry in named}
    wanted = {pk for entry in named if entry["track"] for pk in levels[id(entry)]}
    tracks = _tracks_of(listener, wanted) if wanted else {}
    found = []
    for entry in checked:
        rule, kind, rows = None, None, []
        if entry["spotify_id"] is not None:
            ref = _spotify_ref(entry["spotify_id"])
            if ref is not None:
                kind, rows = _by_spotify_id(listener, ref)
                rule = "spotify_id" if rows else None
        else:
            level, kind, rows = _by_names(levels[id(entry)], tracks, entry["track"])
            rule = MATCH_RULES[level] if level is not None else None
        found.append((rule, kind, sorted(rows, key=lambda row: (-row[2], row[0]))))
    # The credited artists of every track or episode answered, in one query.
    credited = artist_names(
        {rows[0][0] for _, kind, rows in found if rows and kind in ("track", "episode")}
    )
    answers = [
        {
            "index": number,
            "heard": bool(rows),
            "match": rule,
            "kind": kind,
            "name": rows[0][1] if rows else None,
            "artists": (
                credited.get(rows[0][0], []) if rows and kind in ("track", "episode") else []
            ),
            "plays": sum(row[2] for row in rows),
            "first_play": iso(min(row[3] for row in rows), tz) if rows else None,
            "last_play": iso(max(row[4] for row in rows), tz) if rows else None,
            "matched_rows": len(rows),
        }
        for number, (rule, kind, rows) in enumerate(found)
    ]
    return {
        "entries": answers,
        "heard": sum(1 for answer in answers if answer["heard"]),
        "asked": len(answers),
        "time_zone": str(tz),
    }
