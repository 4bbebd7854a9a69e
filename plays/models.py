"""The catalogue (artists, albums, shows, playable items), the plays themselves, and what assistants
keep for a listener (the taste profile, preference events, the ledger of playlists they made).

Every source (the API poller, extended exports, account-data exports) describes the same things
with different amounts of detail. Each catalogue row has one `key`: the Spotify URI when a source
names it, otherwise a stable local key built from names (see `plays.keys`), so a row seen
without a URI can be found again and merged when the real one turns up.

Catalogue rows are shared by every listener, but the names on them are not all equally
trustworthy: each row records where its names came from (`names_from`: Spotify's API, or a
listener's upload, and then whose, `named_by`). An item whose names one listener's upload gave
differently from the shared row is that listener's own (`private_to`). `plays.catalogue` applies
the rules; docs/imports.md ("Whose names you see") explains them.
"""

from django.db import models
from django.utils import timezone

from accounts.models import Listener


class NamesFrom(models.TextChoices):
    """Where a catalogue row's names came from."""

    API = "api", "Spotify's API"
    UPLOAD = "upload", "A listener's upload"


class CatalogueRow(models.Model):
    """What every catalogue row has: its key, Spotify id, name, and where the names came from."""

    key = models.CharField(max_length=255, unique=True)
    spotify_id = models.CharField(max_length=64, blank=True, db_index=True)
    name = models.CharField(max_length=500)
    names_from = models.CharField(max_length=8, choices=NamesFrom.choices, default=NamesFrom.UPLOAD)
    # The listener whose upload gave the names (None when the API did, or for rows stored before
    # names were attributed). Emptied when that listener is deleted, which removes the rows only
    # their uploads needed (see `plays.forgetting`).
    named_by = models.ForeignKey(
        Listener, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Artist(CatalogueRow):
    class Meta(CatalogueRow.Meta):
        pass

    def __str__(self):
        return self.name


class Album(CatalogueRow):
    artist = models.ForeignKey(
        Artist, null=True, blank=True, on_delete=models.SET_NULL, related_name="albums"
    )
    album_type = models.CharField(max_length=32, blank=True)
    release_date = models.CharField(max_length=10, blank=True)
    # The cover's https URL on Spotify's image servers, when the API gave one (exports don't).
    image_url = models.CharField(max_length=500, blank=True)

    class Meta(CatalogueRow.Meta):
        pass


class Show(CatalogueRow):
    """A podcast show or an audiobook: what episodes and chapters belong to."""

    class Kind(models.TextChoices):
        PODCAST = "podcast", "Podcast"
        AUDIOBOOK = "audiobook", "Audiobook"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PODCAST)

    class Meta(CatalogueRow.Meta):
        pass


class Item(CatalogueRow):
    """Something playable: a track, a podcast episode or an audiobook chapter.

    A private item (`private_to` set) is one listener's own: their names for a Spotify URI whose
    shared row names it differently, or an item their sources name without a URI (its key is then
    `private:<listener id>:<URI or local key>`). Only that listener's plays point to it.
    """

    class Kind(models.TextChoices):
        TRACK = "track", "Track"
        EPISODE = "episode", "Podcast episode"
        CHAPTER = "chapter", "Audiobook chapter"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TRACK)
    primary_artist = models.ForeignKey(
        Artist, null=True, blank=True, on_delete=models.SET_NULL, related_name="primary_items"
    )
    artists = models.ManyToManyField(Artist, through="ItemArtist", related_name="items")
    album = models.ForeignKey(
        Album, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    show = models.ForeignKey(
        Show, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # Normalised "artist|title" so account-data rows (no URI) can find the real track.
    match_key = models.CharField(max_length=255, blank=True, db_index=True)
    # Deleting the listener deletes their private items first (`plays.forgetting`, on pre_delete);
    # DO_NOTHING keeps Django's collector from refusing the deletion over the items' plays.
    private_to = models.ForeignKey(
        Listener, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )

    class Meta(CatalogueRow.Meta):
        pass


class ItemArtist(models.Model):
    """An item's credited artists, in the order the source lists them."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE)
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "artist"], name="itemartist_unique"),
        ]

    def __str__(self):
        return f"{self.item_id} #{self.position}: {self.artist_id}"


class ExcludedArtist(models.Model):
    """An artist one listener hides from every answer about their history (white noise,
    children's music): `plays.queries.exclusions` leaves out the plays of every item that credits
    the artist. The plays stay stored and exported; only the answers leave them out."""

    listener = models.ForeignKey(
        Listener, on_delete=models.CASCADE, related_name="excluded_artists"
    )
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["listener", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["listener", "artist"], name="excludedartist_unique")
        ]

    def __str__(self):
        return f"{self.listener_id} hides {self.artist_id}"


class CatalogueVersion(models.Model):
    """One row whose number goes up whenever catalogue rows are deleted or merged away.

    An ingest run remembers the ids of the rows it resolved (a million-row import would otherwise
    ask for them again in every batch); it reads this number at the start of each batch and
    forgets those ids when the number has changed, so it never points a play at a deleted row.
    """

    number = models.BigIntegerField(default=0)

    def __str__(self):
        return f"Catalogue version {self.number}"


# What a play's source said about it beside its time, item and length, in one order: the insert
# path's columns, the export's query and its `json` lines all list them from here.
PLAY_DETAIL_FIELDS = (
    "context_uri",
    "context_type",
    "platform",
    "country",
    "reason_start",
    "reason_end",
    "shuffle",
    "skipped",
    "offline",
    "incognito",
)


class Play(models.Model):
    """One play of one item by one listener, stored once whatever the sources.

    `played_at` is when the play ended (what both the API and the exports record). Every row the
    sources give is kept, short plays included: queries decide what counts as a play. Other
    services (Last.fm, ListenBrainz, Maloja) record when a play started: their plays are stored at
    that start plus the duration, with `ms_played` that duration, or at the start itself with
    `ms_played` unknown when no duration was given (see `plays.dedupe`).
    """

    class Source(models.TextChoices):
        API = "api", "Spotify API (polling)"
        EXTENDED = "extended", "Extended streaming history export"
        ACCOUNT_DATA = "account_data", "Account data export"
        # Other services' exports: their time is when the play started (see plays.dedupe).
        LASTFM = "lastfm", "Last.fm scrobbles"
        LISTENBRAINZ = "listenbrainz", "ListenBrainz listens"
        MALOJA = "maloja", "Maloja scrobbles"

    # Neither reference is a per-row foreign-key constraint: on PostgreSQL, triggers check each
    # statement's rows at once (migration 0012), which an import of a million plays needs; SQLite
    # keeps the plain constraints. No index on listener alone: every index below starts with it.
    listener = models.ForeignKey(
        Listener,
        on_delete=models.CASCADE,
        related_name="plays",
        db_index=False,
        db_constraint=False,
    )
    played_at = models.DateTimeField()
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="plays", db_constraint=False
    )
    ms_played = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    context_uri = models.CharField(max_length=255, blank=True)
    context_type = models.CharField(max_length=32, blank=True)
    platform = models.CharField(max_length=255, blank=True)
    country = models.CharField(max_length=8, blank=True)
    reason_start = models.CharField(max_length=32, blank=True)
    reason_end = models.CharField(max_length=32, blank=True)
    shuffle = models.BooleanField(null=True, blank=True)
    skipped = models.BooleanField(null=True, blank=True)
    offline = models.BooleanField(null=True, blank=True)
    incognito = models.BooleanField(null=True, blank=True)
    # The import job that inserted this play (None for polled plays), so a failed import can take
    # back exactly what it added. A plain number: plays sit below imports in the layers.
    inserted_by_import = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-played_at"]
        constraints = [
            # Also the index for "this listener's plays between two dates".
            models.UniqueConstraint(
                fields=["listener", "played_at", "item"], name="play_unique_listener_time_item"
            ),
        ]
        indexes = [
            # "When did I first/last hear X", and the cross-source dedupe window.
            models.Index(fields=["listener", "item", "played_at"], name="play_listener_item_idx"),
            models.Index(
                fields=["inserted_by_import"],
                condition=models.Q(inserted_by_import__isnull=False),
                name="play_import_idx",
            ),
        ]

    def __str__(self):
        return f"{self.listener_id} {self.played_at:%Y-%m-%d %H:%M:%S} {self.item_id}"


class SyncRun(models.Model):
    """One poll or initial sync of one listener: what it fetched, stored, and how it ended."""

    class Kind(models.TextChoices):
        POLL = "poll", "Poll"
        INITIAL_SYNC = "initial_sync", "Initial sync"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        RATE_LIMITED = "rate_limited", "Rate limited"

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    requests = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    inserted = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["listener", "started_at"], name="syncrun_listener_idx"),
            models.Index(fields=["status", "started_at"], name="syncrun_status_idx"),
        ]

    def __str__(self):
        return (
            f"{self.get_kind_display()} of {self.listener_id} at {self.started_at:%Y-%m-%d %H:%M}"
        )


# --- Rollups: summaries of each listener's plays that the queries read instead of the plays -------
# They are derived data only, kept exact by `plays.rollups`: database triggers on plays_play mark
# the (listener, month) of every inserted, deleted or changed play as stale (RollupDirty), and
# the queries bring those months up to date before they read. See docs/benchmarks.md for why.


class RollupState(models.Model):
    """What one listener's rollups were built with: None until the first build."""

    listener = models.OneToOneField(
        Listener, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    min_play_ms = models.PositiveIntegerField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    # Which hidden items (`plays.hidden.signature`) HiddenHourTotal was built for: "" for none.
    hidden_items = models.CharField(max_length=64, blank=True, default="")
    # The ids of those hidden items, so a change of them rebuilds just the rows of the items in
    # the difference; None (built before it was kept) rebuilds every such row once.
    hidden_item_ids = models.JSONField(null=True, blank=True)

    def __str__(self):
        return f"Rollups of {self.listener_id} (minimum {self.min_play_ms} ms)"


class RollupDirty(models.Model):
    """A UTC month of one listener whose plays changed since its rollups were built.

    Written only by the triggers. `version` goes up on every change, so a refresh removes only
    the marks it has seen. No foreign key: the triggers write here while a listener's plays are
    being deleted along with the listener.
    """

    listener_id = models.BigIntegerField()
    month = models.DateField()
    version = models.BigIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listener_id", "month"], name="rollupdirty_unique")
        ]

    def __str__(self):
        return f"{self.listener_id} {self.month:%Y-%m} stale (v{self.version})"


class ItemMonth(models.Model):
    """Counted plays of one item by one listener in one UTC month."""

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    # No database constraint: deleting an item (a catalogue merge) must not wait on rollup rows;
    # the merge moves the item's plays, which marks their months stale, and the rebuild drops them.
    item = models.ForeignKey(
        Item, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    plays = models.PositiveIntegerField()
    ms = models.BigIntegerField()
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listener", "month", "item"], name="itemmonth_unique")
        ]
        indexes = [
            models.Index(fields=["listener", "item", "month"], name="itemmonth_item_idx"),
        ]

    def __str__(self):
        return f"{self.listener_id} {self.month:%Y-%m} {self.item_id}: {self.plays}"


class ItemYear(models.Model):
    """Counted plays of one item by one listener in one UTC year (`year` is its January 1st)."""

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="+")
    year = models.DateField()
    # Like ItemMonth.item: no database constraint.
    item = models.ForeignKey(
        Item, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    plays = models.PositiveIntegerField()
    ms = models.BigIntegerField()
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listener", "year", "item"], name="itemyear_unique")
        ]
        indexes = [models.Index(fields=["listener", "item", "year"], name="itemyear_item_idx")]

    def __str__(self):
        return f"{self.listener_id} {self.year:%Y} {self.item_id}: {self.plays}"


class ItemTotal(models.Model):
    """Counted plays of one item by one listener, all time, with the first and last of them."""

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="+")
    # No database constraint: deleting an item (a catalogue merge) must not wait on rollup rows;
    # the merge moves the item's plays, which marks their months stale, and the rebuild drops them.
    item = models.ForeignKey(
        Item, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    plays = models.PositiveIntegerField()
    ms = models.BigIntegerField()
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listener", "item"], name="itemtotal_unique")
        ]
        # forgotten_favorites: the items played since a day, as one range.
        indexes = [models.Index(fields=["listener", "last_at"], name="itemtotal_last_idx")]

    def __str__(self):
        return f"{self.listener_id} {self.item_id}: {self.plays}"


class PeriodTotal(models.Model):
    """Counted plays of tracks by one listener per artist (primary), album or track in one UTC
    week (from Monday), month or year, the hidden artists' items left out
    (`plays.period_rollups`): ranks and number ones count the items above a number of plays in a
    period as one index range, instead of summing every item's rollup rows each time."""

    class Unit(models.TextChoices):
        WEEK = "w", "week"
        MONTH = "m", "month"
        YEAR = "y", "year"

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8)  # "artist", "album" or "track"
    unit = models.CharField(max_length=1, choices=Unit.choices)
    period = models.DateField()  # the UTC week's Monday, the month's or the year's first day
    # The artist's, album's or track's id: no database constraint, as for ItemMonth.
    key = models.BigIntegerField()
    plays = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["listener", "kind", "unit", "period", "key"], name="periodtotal_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["listener", "kind", "unit", "period", "plays"],
                name="periodtotal_plays_idx",
            )
        ]

    def __str__(self):
        return f"{self.listener_id} {self.kind} {self.unit}{self.period} {self.key}: {self.plays}"


class PeriodCount(models.Model):
    """How many artists, albums or tracks have a PeriodTotal row in one UTC period: the number
    ranked in it, read as one row instead of counted over the period's rows."""

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8)
    unit = models.CharField(max_length=1, choices=PeriodTotal.Unit.choices)
    period = models.DateField()
    keys = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["listener", "kind", "unit", "period"], name="periodcount_unique"
            )
        ]

    def __str__(self):
        return f"{self.listener_id} {self.kind} {self.unit}{self.period}: {self.keys}"


class HourTotal(models.Model):
    """One listener's plays from one source in one UTC hour: counted ones, and all stored."""

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="+")
    # Whole hours since 1970-01-01 00:00 UTC: plain integers make time-zone arithmetic cheap.
    epoch_hour = models.BigIntegerField()
    source = models.CharField(max_length=16, choices=Play.Source.choices)
    plays = models.PositiveIntegerField()  # counted plays
    ms = models.BigIntegerField()  # of counted plays
    track_plays = models.PositiveIntegerField()  # counted plays of tracks
    stored = models.PositiveIntegerField()  # every stored play, short ones included
    short_or_skipped = models.PositiveIntegerField()  # stored plays skipped or under the minimum

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["listener", "epoch_hour", "source"], name="hourtotal_unique"
            )
        ]

    def __str__(self):
        return f"{self.listener_id} hour {self.epoch_hour} {self.source}: {self.plays}"


class HiddenHourTotal(models.Model):
    """What HourTotal holds of the plays of the items one listener hides (`ExcludedArtist`), per
    UTC hour and source: the hourly sums take these back out without reading the plays. Built by
    `plays.rollups` with the other rollups, and again whenever the hidden items change."""

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="+")
    epoch_hour = models.BigIntegerField()
    source = models.CharField(max_length=16, choices=Play.Source.choices)
    plays = models.PositiveIntegerField()
    ms = models.BigIntegerField()
    track_plays = models.PositiveIntegerField()
    stored = models.PositiveIntegerField()
    short_or_skipped = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["listener", "epoch_hour", "source"], name="hiddenhourtotal_unique"
            )
        ]

    def __str__(self):
        return f"{self.listener_id} hour {self.epoch_hour} {self.source}: {self.plays} hidden"


class ItemDay(models.Model):
    """Which UTC hours of one UTC day held a listener's plays: overall (`scope` "all", key 0), of
    one primary artist ("artist", key the artist's id) or of one item ("item", key the item's id).

    Streaks read a few thousand of these instead of an artist's hundred thousand plays: a local
    day in a zone whose offset is a whole number of hours is made of whole UTC hours, so shifting
    the bits by the offset gives the local days. `hours` has bit h set when UTC hour h of `day`
    holds a counted play; `stored_hours` (scope "all" only) when it holds any stored play, short
    ones included (for coverage gaps). Scopes "all" and "artist" leave out the items the listener
    hides; "item" rows don't (a hidden item is never asked for). Built by `plays.day_rollups`
    with the other rollups, and the "all" and "artist" rows again when the hidden items change.
    """

    class Scope(models.TextChoices):
        ALL = "all", "All plays"
        ARTIST = "artist", "One primary artist"
        ITEM = "item", "One item"

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=6, choices=Scope.choices)
    key = models.BigIntegerField()  # the artist's or item's id; 0 for scope "all"
    day = models.IntegerField()  # whole days since 1970-01-01 UTC
    hours = models.IntegerField()  # bit h: a counted play in UTC hour h of the day
    stored_hours = models.IntegerField(default=0)  # bit h: any stored play (scope "all")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["listener", "scope", "key", "day"], name="itemday_unique"
            )
        ]

    def __str__(self):
        return f"{self.listener_id} {self.scope} {self.key} day {self.day}: {self.hours:024b}"


class SessionBreak(models.Model):
    """A pause of more than five minutes (the smallest session gap) in one listener's listening,
    before the play starting at `start_ms`: the gap-independent rollup `listening_sessions`
    reads (see `plays.session_breaks`). Built from the visible plays (hidden artists' left out)
    by `plays.rollups` with the other rollups.

    `before_end_ms` is the latest end of the plays before it (None before the first play), so the
    pause is `start_ms - before_end_ms`; `plays_before` counts those plays. One row per listener
    with `start_ms` = `plays.session_breaks.END_MARK` closes the list (the last end, every play).
    """

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="+")
    start_ms = models.BigIntegerField()
    before_end_ms = models.BigIntegerField(null=True, blank=True)
    # start_ms - before_end_ms, stored so a long gap's few pauses are found by index.
    idle_ms = models.BigIntegerField(null=True, blank=True)
    plays_before = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listener", "start_ms"], name="sessionbreak_unique")
        ]
        indexes = [models.Index(fields=["listener", "idle_ms"], name="sessionbreak_idle_idx")]

    def __str__(self):
        return f"{self.listener_id} break before {self.start_ms}"


class SessionArtistDay(models.Model):
    """How many stored plays (any length, hidden artists' left out) of each primary artist one
    listener has per UTC day, and per UTC month (`whole_month`, `day` its first): what a
    session's top artist is counted from when the session spans whole days. Kept by
    `plays.session_breaks` with the pauses."""

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="+")
    whole_month = models.BooleanField()
    day = models.DateField()
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="+")
    plays = models.PositiveIntegerField()

    class Meta:
        # `plays` in the index too: a session's rows are read from the index alone.
        indexes = [
            models.Index(
                fields=["listener", "whole_month", "day", "artist", "plays"],
                name="sessionartistday_idx",
            )
        ]

    def __str__(self):
        return f"{self.listener_id} {self.day} artist {self.artist_id}: {self.plays}"


class DayTotal(models.Model):
    """One listener's stored plays (short ones included) from one source in one UTC day, the
    items the listener hides left out: coverage counts months from a few thousand of these
    instead of the hourly rollup's tens of thousands of rows (the UTC days that a local month
    boundary cuts are read hour by hour). Built by `plays.day_rollups` with ItemDay."""

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="+")
    day = models.IntegerField()  # whole days since 1970-01-01 UTC
    source = models.CharField(max_length=16, choices=Play.Source.choices)
    stored = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listener", "day", "source"], name="daytotal_unique")
        ]

    def __str__(self):
        return f"{self.listener_id} day {self.day} {self.source}: {self.stored}"


class DayHourTotal(models.Model):
    """One listener's plays in one UTC day, the items the listener hides left out: the day's
    sums, and its 24 UTC hours' counted plays (`p0`..`p23`) and milliseconds (`m0`..`m23`) in
    columns. The heatmap, the summary and the timelines of a zone whose offset is a whole number
    of hours read a few thousand of these instead of the hourly rollup's tens of thousands of rows
    (`plays.queries.hours`). Built from HourTotal less HiddenHourTotal by `plays.hour_days`."""

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="+")
    day = models.IntegerField()  # whole days since 1970-01-01 UTC
    plays = models.PositiveIntegerField()  # counted plays
    ms = models.BigIntegerField()  # of counted plays
    track_plays = models.PositiveIntegerField()  # counted plays of tracks
    stored = models.PositiveIntegerField()  # every stored play, short ones included
    short_or_skipped = models.PositiveIntegerField()  # stored plays skipped or under the minimum
    for _hour in range(24):
        vars()[f"p{_hour}"] = models.PositiveIntegerField(default=0)
        vars()[f"m{_hour}"] = models.BigIntegerField(default=0)
    del _hour

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listener", "day"], name="dayhourtotal_unique")
        ]

    def __str__(self):
        return f"{self.listener_id} day {self.day}: {self.plays}"


# --- What assistants keep for a listener: the taste profile and the playlists they made ----------
# Here rather than in `mcp` because they are the listener's data like their plays: /me shows and
# edits them, the data export and "delete all my data" cover them, and every layer above `plays`
# (imports, mcp, adminui) can reach them. Each row cascades from its Listener.


class TasteProfile(models.Model):
    """A listener's taste profile: one JSON document that assistants and the listener edit.

    What is in it is the listener's (or their assistant's) own words: it is returned as data and
    never becomes part of the server's instructions. `plays.taste` caps its size.
    """

    listener = models.OneToOneField(
        Listener, on_delete=models.CASCADE, related_name="taste_profile"
    )
    document = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=100, blank=True, help_text="The client or page.")

    def __str__(self):
        return f"Taste profile of {self.listener_id}"


class PreferenceEvent(models.Model):
    """One remembered preference: a like, a dislike or a rule, with an optional Spotify item."""

    class Kind(models.TextChoices):
        LIKE = "like", "Like"
        DISLIKE = "dislike", "Dislike"
        RULE = "rule", "Rule"

    listener = models.ForeignKey(
        Listener, on_delete=models.CASCADE, related_name="preference_events"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=500)
    spotify_id = models.CharField(max_length=64, blank=True)
    client = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["listener", "created_at"], name="prefevent_listener_idx")]

    def __str__(self):
        return f"{self.listener_id} {self.kind}: {self.text[:40]}"


class CreatedPlaylist(models.Model):
    """The ledger of playlists this service created on Spotify for a listener.

    `add_to_playlist` adds only to playlists listed here for the same listener, so an assistant
    can never write to a playlist of the listener's own, or to anybody else's.
    """

    listener = models.ForeignKey(
        Listener, on_delete=models.CASCADE, related_name="created_playlists"
    )
    spotify_id = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=300, blank=True)
    public = models.BooleanField(default=False)
    url = models.URLField(max_length=300, blank=True)
    items_added = models.PositiveIntegerField(default=0)
    client = models.CharField(max_length=100, blank=True, help_text="Which client created it.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["listener", "spotify_id"], name="createdplaylist_unique"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.listener_id})"
