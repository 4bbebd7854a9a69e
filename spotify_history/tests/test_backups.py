"""The README's backup commands, run for real: everything comes back, row for row.

- PostgreSQL: the README's `pg_dump -Fc` and `pg_restore --clean --if-exists`, with the local
  server's connection in place of `docker compose exec postgres`: the test database is dumped,
  restored into a new database named after it (`<test database>_restored`, dropped afterwards),
  restored over it a second time (as restoring over a live database does), and every table has
  the same number of rows, and the plays the same content, as the original.
- SQLite: the README's `sqlite3 FILE ".backup 'backup.sqlite3'"`, taken while another process
  keeps writing (the README says it is safe while the service runs): the copy passes SQLite's
  integrity check and has every row of every table the writer did not touch.
"""

import sqlite3
import subprocess
import sys
import time

import psycopg
import pytest
from django.db import connection

from accounts.models import Listener, LogEntry
from imports.models import ImportJob
from mcp import tokens
from plays.models import Play
from plays.tests.query_fixtures import build_history
from spotify_history.tests.test_serve import REPO

pytestmark = pytest.mark.django_db(transaction=True)

PLAYS_DIGEST = (
    "SELECT md5(string_agg(listener_id || ' ' || item_id || ' ' || played_at::text, ',' "
    "ORDER BY listener_id, played_at, item_id)) FROM plays_play"
)


@pytest.fixture
def history():
    """Rows in every kind of table: listeners, catalogue, plays, rollups, tokens, jobs, logs."""
    for user_id, seed in (("alice", 1), ("bob", 2)):
        listener = Listener.objects.create(spotify_user_id=user_id, display_name=user_id.title())
        build_history(listener, user_id[0], seed, 200)
        tokens.issue_token(listener, name="laptop")
        ImportJob.objects.create(listener=listener, file_name="x.zip", file_size=1)
        LogEntry.objects.create(level="INFO", logger="tests", event="e", message="m")


def row_counts(cursor, tables):
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our own table names
        counts[table] = cursor.fetchone()[0]
    return counts


def test_the_readmes_pg_dump_and_pg_restore_bring_back_every_row(history, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backup; CI runs the suite on PostgreSQL too")
    db = connection.settings_dict
    server = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    env = {"PGPASSWORD": db["PASSWORD"] or "", "PATH": "/usr/bin:/bin"}
    restored = f"{db['NAME']}_restored"
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        original = row_counts(cursor, tables)
        cursor.execute(PLAYS_DIGEST)
        digest = cursor.fetchone()[0]
    assert original["plays_play"] == Play.objects.count() > 300
    assert original["plays_item"] > 0

    dump = tmp_path / "backup.dump"
    with dump.open("wb") as out:
        dumped = subprocess.run(
            ["pg_dump", *server, "-Fc", db["NAME"]], stdout=out, stderr=subprocess.PIPE, env=env
        )
    assert dumped.returncode == 0, dumped.stderr

    admin = psycopg.connect(
        host=server[1],
        port=server[3],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{restored}"')
    admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        for attempt in ("into an empty database", "over the restored one"):
            with dump.open("rb") as backup:
                done = subprocess.run(
                    ["pg_restore", *server, "-d", restored, "--clean", "--if-exists"],
                    stdin=backup,
                    capture_output=True,
                    env=env,
                )
            assert (done.returncode, done.stderr) == (0, b""), attempt
            with (
                psycopg.connect(
                    host=server[1],
                    port=server[3],
                    user=db["USER"],
                    password=db["PASSWORD"] or None,
                    dbname=restored,
                ) as copy,
                copy.cursor() as cursor,
            ):
                assert row_counts(cursor, tables) == original, attempt
                cursor.execute(PLAYS_DIGEST)
                assert cursor.fetchone()[0] == digest, attempt
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
        admin.close()


WRITER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
db.execute("PRAGMA busy_timeout = 30000")
print("writing", flush=True)
while True:
    with db:
        db.execute(
            "INSERT INTO accounts_logentry (created, level, logger, event, message, context, "
            "exception) VALUES (datetime('now'), 'INFO', 'writer', 'w', 'm', '{}', '')"
        )
    time.sleep(0.02)
"""


def test_the_readmes_sqlite_backup_is_whole_while_the_service_writes(history, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup; CI runs the suite on SQLite too")
    database = connection.settings_dict["NAME"]
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        before = row_counts(cursor, tables)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, database], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
        time.sleep(0.2)
        backup = tmp_path / "backup.sqlite3"
        done = subprocess.run(
            ["sqlite3", database, f".backup '{backup}'"], capture_output=True, text=True
        )
        assert (done.returncode, done.stderr) == (0, "")
    finally:
        writer.kill()
        writer.wait(timeout=30)
    with connection.cursor() as cursor:
        after = row_counts(cursor, tables)

    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copied = row_counts(copy.cursor(), tables)
    copy.close()
    written = "accounts_logentry"
    assert before[written] < copied[written] <= after[written]  # a snapshot mid-writing
    assert {t: n for t, n in copied.items() if t != written} == {
        t: n for t, n in before.items() if t != written
    }
    assert copied["plays_play"] == Play.objects.count() > 300
