"""The demo loader's ``--reset`` and sequences: the registry's rows deleted children first (the
append-only tables' triggers dropped and recreated, or disabled and enabled, in the same
transaction; the audit trail stays), PostgreSQL's serial sequences moved past the ids written,
and the statistics refreshed."""

from __future__ import annotations

import importlib

from piccolo.conf.apps import Finder

from demo.writers import count_rows
from kernel.db import get_engine, is_sqlite

# Deleted on reset, children first. audit_event stays: it is append-only (database triggers).
RESET_TABLES = (
    "mail_outbox", "notification", "pool_placement", "pool_certificate", "pool_candidate", "planned_places",
    "credit_claim", "credit_idempotency", "credit_entry", "ethics_sanction", "ethics_evaluation",
    "reminder_outbox", "certificate_registration", "certificate_event", "certificate",
    "training_result", "training_enrolment", "training_session", "training_course",
    "staff_assignment", "account", "staff", "kindergarten",
)  # fmt: skip
APPEND_ONLY_MIGRATION = "registry.piccolo_migrations.registry_2026_11_29t08_58_00_000000"
ETHICS_APPEND_ONLY_MIGRATION = "registry.piccolo_migrations.registry_2026_11_29t09_30_29_000000"
CREDITS_APPEND_ONLY_MIGRATION = "credits.piccolo_migrations.credits_2026_11_29t09_33_00_000000"
APPEND_ONLY_MIGRATIONS = {
    "certificate_event": APPEND_ONLY_MIGRATION,
    "credit_entry": CREDITS_APPEND_ONLY_MIGRATION,
    "ethics_evaluation": ETHICS_APPEND_ONLY_MIGRATION,
    "ethics_sanction": ETHICS_APPEND_ONLY_MIGRATION,
}
"""The migrations that made the append-only triggers: reset recreates them from their SQL."""
APPEND_ONLY_TABLES = frozenset(APPEND_ONLY_MIGRATIONS)
# Rows that reverse or supersede another row of their table (ON DELETE RESTRICT, checked row by row on
# SQLite): deleted in rounds, the rows no other row refers to first.
SELF_REFERENCES = {"credit_entry": "reverses", "ethics_evaluation": "supersedes", "ethics_sanction": "supersedes"}
ID_TABLES = (
    "kindergarten", "staff", "staff_assignment", "account", "training_course", "training_session",
    "training_enrolment", "training_result", "certificate", "certificate_event", "certificate_registration",
    "credit_entry", "ethics_evaluation", "ethics_sanction",
    "pool_candidate", "pool_certificate", "pool_placement", "planned_places",
)  # fmt: skip


async def rows_blocking_reset() -> list[str]:
    """Tables reset does not clear whose rows refer (foreign key) to a table it does clear."""

    cleared = set(RESET_TABLES)
    blocking = []
    for table in Finder().get_table_classes():
        name = table._meta.tablename
        if name in cleared:
            continue
        refers = {fk._foreign_key_meta.resolved_references._meta.tablename for fk in table._meta.foreign_key_columns}
        if refers & cleared:
            rows = await count_rows(name)
            if rows:
                blocking.append(f"{name} ({rows} rows)")
    return sorted(blocking)


async def analyze() -> None:
    """Fresh planner statistics for the tables just filled (PostgreSQL). Without them the planner
    guesses empty tables and the set-wise reports (compliance, coverage) can take minutes."""
    if is_sqlite():
        return
    engine = get_engine()
    for table in ID_TABLES:
        await engine.run_ddl(f'ANALYZE "{table}"')


async def delete_all(table: str) -> None:
    """DELETE every row; an append-only table's triggers are lifted for it, inside the transaction."""
    engine = get_engine()
    if table not in APPEND_ONLY_TABLES:
        await engine.run_ddl(f'DELETE FROM "{table}"')
        return
    if is_sqlite():
        recreate = _append_only_triggers(table)
        for sql in recreate:
            await engine.run_ddl(f"DROP TRIGGER IF EXISTS {_trigger_name(sql)}")
        await _delete_rows(table)
        for sql in recreate:
            await engine.run_ddl(sql)
    else:
        await engine.run_ddl(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        await _delete_rows(table)
        await engine.run_ddl(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')


async def _delete_rows(table: str) -> None:
    engine = get_engine()
    column = SELF_REFERENCES.get(table)
    if column is None:
        await engine.run_ddl(f'DELETE FROM "{table}"')
        return
    while await count_rows(table):
        await engine.run_ddl(
            f'DELETE FROM "{table}" WHERE id NOT IN (SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL)'
        )


def _append_only_triggers(table: str) -> list[str]:
    """The migration's SQLite CREATE TRIGGER statements of ``table`` (no_update and no_delete)."""
    name = APPEND_ONLY_MIGRATIONS[table]
    migration = importlib.import_module(name)
    statements = [sql for sql in migration.SQLITE if _trigger_name(sql).startswith(f"{table}_no_")]
    if len(statements) != 2:  # pragma: no cover - the migration changed shape
        raise RuntimeError(f"expected the two append-only triggers of {table} in {name}")
    return statements


def _trigger_name(sql: str) -> str:
    """``CREATE TRIGGER IF NOT EXISTS name BEFORE ...`` -> ``name``."""
    words = sql.split()
    return words[words.index("EXISTS") + 1] if "EXISTS" in words else words[words.index("TRIGGER") + 1]


async def reset_sequences() -> None:
    """Move PostgreSQL's serial sequences past the ids written here (SQLite needs nothing)."""
    if is_sqlite():
        return
    engine = get_engine()
    for table in ID_TABLES:
        await engine.run_ddl(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
        )
