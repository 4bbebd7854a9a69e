"""The one insert path for plays: polling and imports both store plays through `PlayIngestor`.

A batch of `PlayRecord`s of one listener is stored in one transaction: catalogue rows are found or
created (`plays.catalogue`), then one query reads the listener's stored plays around the batch's
time span, and the records that repeat one of them (exactly, or as the same listen from another
source by the rule in `plays.dedupe`) or an earlier record of the batch are dropped: the rest are
new.

Big batches (imports) go on PostgreSQL straight into the plays table by binary COPY, the cheapest
way in: no staging table, no per-row conflict check. Should a concurrent writer have stored one of
those plays since the query (COPY then hits the unique constraint), the batch falls back, inside a
savepoint, to COPY into a temporary table and one INSERT ... ON CONFLICT DO NOTHING. Small batches
(a poll brings 50) and SQLite use one executemany with ON CONFLICT DO NOTHING. Either way the batch
is all or nothing, so a crash between batches leaves whole batches behind and a re-run inserts only
what is missing.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import compress, repeat
from operator import attrgetter, itemgetter

from django.db import IntegrityError, connection, transaction

from accounts import metric_counts
from plays.catalogue import CatalogueResolver
from plays.dedupe import cross_source_duplicates, search_window
from plays.models import PLAY_DETAIL_FIELDS, Play

# Columns written for each play, in order (listener_id and item_id first).
PLAY_COLUMNS = (
    "listener_id",
    "item_id",
    "played_at",
    "ms_played",
    "source",
    *PLAY_DETAIL_FIELDS,
    "inserted_by_import",
)
# Their PostgreSQL types, for binary COPY (kept in step with Play by the ingest tests).
PLAY_COPY_TYPES = (
    "int8",
    "int8",
    "timestamptz",
    "int4",
    *["varchar"] * 7,
    *["bool"] * 4,
    "int8",
)
# Each reads one of those columns off a record; rows are zipped from them column by column.
_RECORD_COLUMNS = tuple(attrgetter(name) for name in PLAY_COLUMNS[2:-1])
_played_at = attrgetter("played_at")
_source = attrgetter("source")
_row_source = itemgetter(PLAY_COLUMNS.index("source"))
_ms_played = attrgetter("ms_played")
_PLAY_TABLE = Play._meta.db_table
# A batch is compared with at most this many stored plays per record (see _rows_not_stored_yet).
STORED_PLAYS_READ_PER_RECORD = 3
# First key of the advisory lock on a listener's plays (PostgreSQL): (PLAYS_LOCK_SPACE, listener).
PLAYS_LOCK_SPACE = 7_470_001
# The catalogue's lock (PostgreSQL): (CATALOGUE_LOCK_SPACE, 0), shared by ingest batches.
CATALOGUE_LOCK_SPACE = 7_470_002


@dataclass
class IngestResult:
    received: int = 0
    inserted: int = 0
    earliest: datetime | None = None
    latest: datetime | None = None

    @property
    def duplicates(self):
        return self.received - self.inserted

    def add(self, other):
        self.received += other.received
        self.inserted += other.inserted
        if other.earliest and (self.earliest is None or other.earliest < self.earliest):
            self.earliest = other.earliest
        if other.latest and (self.latest is None or other.latest > self.latest):
            self.latest = other.latest


class PlayIngestor:
    """Stores batches of one listener's PlayRecords; keep one per run to reuse its caches.

    `import_job_id` marks the plays it inserts as that import's (see Play.inserted_by_import).
    """

    def __init__(self, listener, *, import_job_id=None):
        self.listener = listener
        self.import_job_id = import_job_id
        self.catalogue = CatalogueResolver(listener)

    def ingest(self, records) -> IngestResult:
        """Stores one batch in one transaction; returns what it received and inserted."""
        result = IngestResult()
        if not records:
            return result
        result.received = len(records)
        result.earliest = min(map(_played_at, records))
        result.latest = max(map(_played_at, records))
        try:
            with transaction.atomic():
                _take_turns_with_other_writers_of(self.listener)
                self.catalogue.start_batch()
                item_ids = self.catalogue.item_ids(records)
                self.catalogue.finish_batch()
                rows, checked = self._rows_not_stored_yet(records, item_ids, result)
                result.inserted = _insert_plays(rows, checked=checked)
                _count_stored(rows, result.inserted)
        except Exception:
            # It may remember rows that were rolled back.
            self.catalogue = CatalogueResolver(self.listener)
            raise
        return result

    def _rows_not_stored_yet(self, records, item_ids, result):
        """Play rows of the records that repeat no stored play and no earlier record, and whether
        they were checked against every stored play (else exact repeats are left to the INSERT)."""
        low, high = search_window(result.earliest, result.latest)
        in_window = Play.objects.filter(
            listener=self.listener, played_at__gte=low, played_at__lte=high
        ).order_by()
        # More stored plays than this around a batch means it spans years (a video history file
        # does): rather than read them all, read only other sources' plays, as the dedupe needs.
        limit = STORED_PLAYS_READ_PER_RECORD * len(records)
        columns = ("item_id", "played_at", "source", "ms_played")
        stored = list(in_window.values_list(*columns)[: limit + 1])
        checked = len(stored) <= limit
        sources = set(map(_source, records))
        if not checked:
            other_sources = (
                in_window.exclude(source__in=sources) if len(sources) == 1 else in_window
            )
            stored = list(other_sources.values_list(*columns))
        stored_keys = {(play[0], play[1]) for play in stored} if checked else set()
        if len(sources) == 1:
            source = sources.pop()
            stored = [play for play in stored if play[2] != source]  # never the same listen
        played_ats = list(map(_played_at, records))
        keys = list(zip(item_ids, played_ats, strict=True))
        drop = set()
        if stored:
            candidates = list(
                zip(
                    item_ids,
                    played_ats,
                    map(_source, records),
                    map(_ms_played, records),
                    strict=True,
                )
            )
            drop = cross_source_duplicates(candidates, stored)
        if stored_keys.intersection(keys) or len(set(keys)) < len(keys):
            seen = set(stored_keys)
            for position, key in enumerate(keys):
                if key in seen:
                    drop.add(position)
                seen.add(key)
        # Built column by column in C: this runs for every row of an import.
        rows = zip(
            repeat(self.listener.pk),
            item_ids,
            *(map(column, records) for column in _RECORD_COLUMNS),
            repeat(self.import_job_id),
        )
        if not drop:
            return list(rows), checked
        keep = [True] * len(records)
        for position in drop:
            keep[position] = False
        return list(compress(rows, keep)), checked


def _count_stored(rows, inserted):
    """Counts the batch's new plays by source for /metrics, in the batch's own transaction.

    A batch nearly always has one source (a poll, one file of an export); should one of several
    sources lose rows to a concurrent writer, the shortfall is taken from the largest source."""
    if not inserted:
        return
    by_source = Counter(map(_row_source, rows)).most_common()
    short = len(rows) - inserted
    for source, count in by_source:
        taken = min(short, count)
        short -= taken
        metric_counts.add(metric_counts.PLAYS_STORED, count - taken, source=source)


def _take_turns_with_other_writers_of(listener):
    """Waits until no other transaction is storing plays of `listener` (PostgreSQL), and holds
    the catalogue's shared lock.

    Deciding what is new reads the stored plays; a poll and an import batch of one listener
    deciding at the same time would each miss the other's uncommitted plays and could store one
    listen twice (a cross-source pair does not clash on the unique constraint). The shared
    catalogue lock keeps a listener's deletion from removing catalogue rows while a batch may
    point plays at them (`plays.forgetting` takes it exclusively). Both locks are held to the end
    of the transaction. SQLite lets only one writer in at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Both keys are int4; ids past 2**31 share a lock with another id, which only waits.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, (%s::bigint %% 2147483647)::int), "
                "pg_advisory_xact_lock_shared(%s, 0)",
                [PLAYS_LOCK_SPACE, listener.pk, CATALOGUE_LOCK_SPACE],
            )


def ingest_plays(listener, records, *, batch_size=10_000) -> IngestResult:
    """Stores any number of records of one listener in batches of `batch_size`."""
    ingestor, total, batch = PlayIngestor(listener), IngestResult(), []
    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            total.add(ingestor.ingest(batch))
            batch = []
    total.add(ingestor.ingest(batch))
    return total


# Below this many rows one pipelined INSERT beats COPY's extra statements (a poll brings 50).
COPY_THRESHOLD = 1000
_COLUMN_LIST = ", ".join(PLAY_COLUMNS)


def _insert_plays(rows, *, checked) -> int:
    """Inserts play rows, skipping any already stored; returns how many were inserted.

    `checked` rows were compared with the stored plays already, so on PostgreSQL a big batch of
    them is copied straight in; only a play stored concurrently since then sends it the slow way.
    """
    if not rows:
        return 0
    if connection.vendor != "postgresql" or len(rows) < COPY_THRESHOLD:
        return _insert_with_executemany(rows)
    if checked:
        try:
            with transaction.atomic():  # a savepoint, to fall back from
                return _copy_into_plays(rows)
        except IntegrityError:
            pass
    return _insert_through_staging(rows)


def _copy_rows(cursor, table, rows):
    # COPY goes around Django's cursor wrapper; this turns its errors into Django's all the same.
    statement = f"COPY {table} ({_COLUMN_LIST}) FROM STDIN (FORMAT BINARY)"
    with connection.wrap_database_errors, cursor.copy(statement) as copy:
        copy.set_types(PLAY_COPY_TYPES)
        for row in rows:
            copy.write_row(row)


def _copy_into_plays(rows):
    with connection.cursor() as cursor:
        _copy_rows(cursor, _PLAY_TABLE, rows)
    return len(rows)


def _insert_through_staging(rows):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS plays_ingest_staging AS "  # noqa: S608
            f"SELECT {_COLUMN_LIST} FROM {_PLAY_TABLE} WITH NO DATA"
        )
        cursor.execute("TRUNCATE plays_ingest_staging")
        _copy_rows(cursor, "plays_ingest_staging", rows)
        cursor.execute(
            f"INSERT INTO {_PLAY_TABLE} ({_COLUMN_LIST}) "  # noqa: S608 - fixed names, no input
            f"SELECT {_COLUMN_LIST} FROM plays_ingest_staging "
            "ON CONFLICT (listener_id, played_at, item_id) DO NOTHING"
        )
        return cursor.rowcount


def _insert_with_executemany(rows):
    placeholders = ", ".join(["%s"] * len(PLAY_COLUMNS))
    adapt = connection.ops.adapt_datetimefield_value
    played_at = PLAY_COLUMNS.index("played_at")
    adapted = [(*row[:played_at], adapt(row[played_at]), *row[played_at + 1 :]) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {_PLAY_TABLE} ({_COLUMN_LIST}) VALUES ({placeholders}) "  # noqa: S608
            "ON CONFLICT (listener_id, played_at, item_id) DO NOTHING",
            adapted,
        )
        return cursor.rowcount
