"""The triggers that keep rollups exact survive every migration of plays_play.

SQLite rebuilds a table (and silently drops its triggers) on most schema changes, so a later
migration that alters Play must create them again; this test fails if one forgets.
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

TRIGGERS = {"plays_rollup_insert", "plays_rollup_delete", "plays_rollup_update"}
# PostgreSQL checks the plays' listener and item with statement triggers (migration 0012).
REFERENCE_TRIGGERS = {"plays_references_insert", "plays_references_update"}


def triggers_on_plays():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'plays_play'::regclass "
                "AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'plays_play'"
            )
        return {name for (name,) in cursor.fetchall()}


def test_every_rollup_trigger_is_on_the_plays_table_after_all_migrations():
    references = REFERENCE_TRIGGERS if connection.vendor == "postgresql" else set()
    assert triggers_on_plays() == TRIGGERS | references
