"""The one insert path for plays: polling and imports both store plays through `PlayIngestor`.

A batch of `PlayRecord`s of one listener is stored in one transaction: catalogue rows are found or
created (`plays.catalogue`), plays that repeat a stored play of another source are dropped
(`plays.dedupe`), and the rest are inserted with the database's own conflict handling dropping
exact repeats. PostgreSQL gets them through COPY into a temporary table and one set-based
INSERT; SQLite through one executemany. Either way the batch is all or nothing, so a crash between
batches leaves whole batches behind and a re-run inserts only what is missing.
"""

from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from django.db import connection, transaction

from plays.catalogue import CatalogueResolver
from plays.dedupe import cross_source_duplicates, search_window
from plays.models import Play

# Columns written for each play, in order (listener_id and item_id first).
PLAY_COLUMNS = (
    "listener_id",
    "item_id",
    "played_at",
    "ms_played",
    "source",
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
    "inserted_by_import",
)
_record_values = attrgetter(*PLAY_COLUMNS[2:-1])  # a record's values for those columns
_PLAY_TABLE = Play._meta.db_table


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
        self.catalogue = CatalogueResolver()

    def ingest(self, records) -> IngestResult:
        """Stores one batch in one transaction; returns what it received and inserted."""
        result = IngestResult()
        if not records:
            return result
        result.received = len(records)
        result.earliest = min(record.played_at for record in records)
        result.latest = max(record.played_at for record in records)
        try:
            with transaction.atomic():
                item_ids = self.catalogue.item_ids(records)
                rows = self._rows_not_stored_by_another_source(records, item_ids, result)
                result.inserted = _insert_plays(rows)
        except Exception:
            self.catalogue = CatalogueResolver()  # it may remember rows that were rolled back
            raise
        return result

    def _rows_not_stored_by_another_source(self, records, item_ids, result):
        low, high = search_window(result.earliest, result.latest)
        stored = Play.objects.filter(
            listener=self.listener, played_at__gte=low, played_at__lte=high
        )
        sources = {record.source for record in records}
        if len(sources) == 1:
            # A source's own repeats are exact-key conflicts, which the INSERT skips by itself.
            stored = stored.exclude(source=sources.pop())
        stored = list(stored.values_list("item_id", "played_at", "source"))
        repeated = set()
        if stored:
            candidates = [
                (item_id, record.played_at, record.source)
                for item_id, record in zip(item_ids, records, strict=True)
            ]
            repeated = cross_source_duplicates(candidates, stored)
        listener_id, job_id = self.listener.pk, self.import_job_id
        return [
            (listener_id, item_id, *_record_values(record), job_id)
            for position, (item_id, record) in enumerate(zip(item_ids, records, strict=True))
            if position not in repeated
        ]


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


# Below this many rows one pipelined INSERT beats COPY's four statements (a poll brings 50).
COPY_THRESHOLD = 1000


def _insert_plays(rows) -> int:
    """Inserts play rows, skipping those already stored; returns how many were inserted."""
    if not rows:
        return 0
    if connection.vendor == "postgresql" and len(rows) >= COPY_THRESHOLD:
        return _insert_with_copy(rows)
    return _insert_with_executemany(rows)


def _insert_with_copy(rows):
    columns = ", ".join(PLAY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS plays_ingest_staging AS "  # noqa: S608
            f"SELECT {columns} FROM {_PLAY_TABLE} WITH NO DATA"
        )
        cursor.execute("TRUNCATE plays_ingest_staging")
        with cursor.copy(f"COPY plays_ingest_staging ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {_PLAY_TABLE} ({columns}) "  # noqa: S608 - fixed names, no input
            f"SELECT {columns} FROM plays_ingest_staging "
            "ON CONFLICT (listener_id, played_at, item_id) DO NOTHING"
        )
        return cursor.rowcount


def _insert_with_executemany(rows):
    columns = ", ".join(PLAY_COLUMNS)
    placeholders = ", ".join(["%s"] * len(PLAY_COLUMNS))
    adapt = connection.ops.adapt_datetimefield_value
    played_at = PLAY_COLUMNS.index("played_at")
    adapted = [(*row[:played_at], adapt(row[played_at]), *row[played_at + 1 :]) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {_PLAY_TABLE} ({columns}) VALUES ({placeholders}) "  # noqa: S608
            "ON CONFLICT (listener_id, played_at, item_id) DO NOTHING",
            adapted,
        )
        return cursor.rowcount
