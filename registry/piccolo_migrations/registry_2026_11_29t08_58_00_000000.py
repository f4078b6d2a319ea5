"""Append-only tables (triggers refuse UPDATE and DELETE: the audit trail, certificate events);
composite indexes and unique constraints."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T08:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit append-only triggers; composite indexes and unique constraints"

COMMON = [
    "CREATE INDEX IF NOT EXISTS staff_kg_status_name ON staff (kindergarten, status, name)",
    "CREATE INDEX IF NOT EXISTS audit_event_entity_pair ON audit_event (entity, entity_id)",
    # one certificate number per type, district-wide
    "CREATE UNIQUE INDEX IF NOT EXISTS certificate_type_number ON certificate (type, number)",
    "CREATE INDEX IF NOT EXISTS certificate_staff_type ON certificate (staff, type, status)",
    # one reminder per certificate, expiry date and window: running the reminder job twice adds nothing
    "CREATE UNIQUE INDEX IF NOT EXISTS reminder_once ON reminder_outbox (certificate, window_days, expires_on)",
]

APPEND_ONLY = ["audit_event", "certificate_event"]

SQLITE = [
    stmt
    for table in APPEND_ONLY
    for stmt in (
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
    )
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION refuse_change_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
] + [
    stmt
    for table in APPEND_ONLY
    for stmt in (
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
        f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only()""",
    )
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        statements = (SQLITE if engine.engine_type == "sqlite" else POSTGRES) + COMMON
        for sql in statements:
            await engine.run_ddl(sql)

    manager.add_raw(run)
    return manager
