"""The ledger is append-only (triggers refuse UPDATE and DELETE on both engines); (source, reference)
is unique, so the same training result (or any referenced activity) never counts twice; an entry is
reversed at most once (unique ``reverses``; NULLs do not collide on either engine)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T09:33:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "credit_entry append-only triggers; unique (source, reference) and reverses; staff/date index"

COMMON = [
    "CREATE UNIQUE INDEX IF NOT EXISTS credit_entry_source_reference ON credit_entry (source, reference)",
    "CREATE UNIQUE INDEX IF NOT EXISTS credit_entry_reverses_once ON credit_entry (reverses)",
    "CREATE INDEX IF NOT EXISTS credit_entry_staff_date ON credit_entry (staff, entry_date)",
]

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS credit_entry_no_update BEFORE UPDATE ON credit_entry
       BEGIN SELECT RAISE(ABORT, 'credit_entry is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS credit_entry_no_delete BEFORE DELETE ON credit_entry
       BEGIN SELECT RAISE(ABORT, 'credit_entry is append-only'); END""",
]

POSTGRES = [
    # the same function as the registry's audit-trail migration (replaced with the same body)
    """CREATE OR REPLACE FUNCTION refuse_change_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS credit_entry_no_change ON credit_entry",
    """CREATE TRIGGER credit_entry_no_change BEFORE UPDATE OR DELETE ON credit_entry
       FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only()""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="credits", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        statements = (SQLITE if engine.engine_type == "sqlite" else POSTGRES) + COMMON
        for sql in statements:
            await engine.run_ddl(sql)

    manager.add_raw(run)
    return manager
