"""Cheaper inserts into plays_play, with the same integrity (see docs/benchmarks.md, "Imports").

Each play stored paid for two foreign-key checks, one query each at commit, and six index updates:
a third of PostgreSQL's work in a million-record import. On PostgreSQL the two foreign-key
constraints become statement-level triggers that check all of a statement's plays at once (one
query per referenced table for a COPY of 10,000 plays), taking the same FOR KEY SHARE locks as the
constraints did; triggers on accounts_listener and plays_item refuse to delete (or renumber) a row
a play still refers to. Violations raise foreign_key_violation (an IntegrityError in Django) like
the constraints did, but when the statement ends, not at commit. The index on listener_id alone
goes on both databases: the unique constraint and play_listener_item_idx start with listener_id,
so every query by listener keeps an index. SQLite keeps its foreign-key constraints (its inserts
are row by row anyway); the model state says db_constraint=False for both databases.
"""

import django.db.models.deletion
from django.db import migrations, models

_PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION plays_check_play_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted bigint[];
    found integer;
BEGIN
    SELECT array_agg(DISTINCT listener_id) INTO wanted FROM new_plays;
    IF wanted IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO found
    FROM (SELECT 1 FROM accounts_listener WHERE id = ANY (wanted) FOR KEY SHARE) AS locked;
    IF found < cardinality(wanted) THEN
        RAISE foreign_key_violation USING MESSAGE =
            'insert or update on table "plays_play" refers to a listener that does not exist';
    END IF;
    SELECT array_agg(DISTINCT item_id) INTO wanted FROM new_plays;
    SELECT count(*) INTO found
    FROM (SELECT 1 FROM plays_item WHERE id = ANY (wanted) FOR KEY SHARE) AS locked;
    IF found < cardinality(wanted) THEN
        RAISE foreign_key_violation USING MESSAGE =
            'insert or update on table "plays_play" refers to an item that does not exist';
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION plays_check_no_play_of_gone_listeners() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM gone AS o
        WHERE NOT EXISTS (SELECT 1 FROM accounts_listener AS l WHERE l.id = o.id)
        AND EXISTS (SELECT 1 FROM plays_play AS p WHERE p.listener_id = o.id)
    ) THEN
        RAISE foreign_key_violation USING MESSAGE =
            'a listener removed from "accounts_listener" still has plays in "plays_play"';
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION plays_check_no_play_of_gone_items() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM gone AS o
        WHERE NOT EXISTS (SELECT 1 FROM plays_item AS i WHERE i.id = o.id)
        AND EXISTS (SELECT 1 FROM plays_play AS p WHERE p.item_id = o.id)
    ) THEN
        RAISE foreign_key_violation USING MESSAGE =
            'an item removed from "plays_item" is still played in "plays_play"';
    END IF;
    RETURN NULL;
END
$$;
"""
_PG_TRIGGERS = [
    "CREATE TRIGGER plays_references_insert AFTER INSERT ON plays_play REFERENCING NEW TABLE "
    "AS new_plays FOR EACH STATEMENT EXECUTE FUNCTION plays_check_play_references()",
    "CREATE TRIGGER plays_references_update AFTER UPDATE ON plays_play REFERENCING NEW TABLE "
    "AS new_plays FOR EACH STATEMENT EXECUTE FUNCTION plays_check_play_references()",
    "CREATE TRIGGER plays_listener_delete AFTER DELETE ON accounts_listener REFERENCING OLD TABLE "
    "AS gone FOR EACH STATEMENT EXECUTE FUNCTION plays_check_no_play_of_gone_listeners()",
    "CREATE TRIGGER plays_listener_update AFTER UPDATE ON accounts_listener REFERENCING OLD TABLE "
    "AS gone FOR EACH STATEMENT EXECUTE FUNCTION plays_check_no_play_of_gone_listeners()",
    "CREATE TRIGGER plays_item_delete AFTER DELETE ON plays_item REFERENCING OLD TABLE "
    "AS gone FOR EACH STATEMENT EXECUTE FUNCTION plays_check_no_play_of_gone_items()",
    "CREATE TRIGGER plays_item_update AFTER UPDATE ON plays_item REFERENCING OLD TABLE "
    "AS gone FOR EACH STATEMENT EXECUTE FUNCTION plays_check_no_play_of_gone_items()",
]
_PG_DROP = [
    "DROP TRIGGER IF EXISTS plays_references_insert ON plays_play",
    "DROP TRIGGER IF EXISTS plays_references_update ON plays_play",
    "DROP TRIGGER IF EXISTS plays_listener_delete ON accounts_listener",
    "DROP TRIGGER IF EXISTS plays_listener_update ON accounts_listener",
    "DROP TRIGGER IF EXISTS plays_item_delete ON plays_item",
    "DROP TRIGGER IF EXISTS plays_item_update ON plays_item",
    "DROP FUNCTION IF EXISTS plays_check_play_references()",
    "DROP FUNCTION IF EXISTS plays_check_no_play_of_gone_listeners()",
    "DROP FUNCTION IF EXISTS plays_check_no_play_of_gone_items()",
]
_REFERENCES = [("listener_id", "accounts_listener"), ("item_id", "plays_item")]


def _names(schema_editor, **kind):
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, "plays_play")
    return {
        name: info
        for name, info in constraints.items()
        if all(info.get(key) == value for key, value in kind.items())
    }


def forward(apps, schema_editor):
    for name, info in _names(schema_editor, index=True, unique=False, primary_key=False).items():
        if info["columns"] == ["listener_id"]:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite keeps its foreign-key constraints
    for _column, table in _REFERENCES:
        for name in _names(schema_editor, foreign_key=(table, "id")):
            schema_editor.execute(f"ALTER TABLE plays_play DROP CONSTRAINT {name}")
    schema_editor.execute(_PG_FUNCTIONS)
    for sql in _PG_TRIGGERS:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    schema_editor.execute(
        "CREATE INDEX plays_play_listener_id_1c198f4b ON plays_play (listener_id)"
    )
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in _PG_DROP:
        schema_editor.execute(sql)
    for column, table in _REFERENCES:
        schema_editor.execute(
            f"ALTER TABLE plays_play ADD CONSTRAINT plays_play_{column}_fk_{table}_id "
            f"FOREIGN KEY ({column}) REFERENCES {table} (id) DEFERRABLE INITIALLY DEFERRED"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_metric_counters_and_open_alerts"),
        ("plays", "0011_hidden_hour_totals"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="play",
                    name="item",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="plays",
                        to="plays.item",
                    ),
                ),
                migrations.AlterField(
                    model_name="play",
                    name="listener",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="plays",
                        to="accounts.listener",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
