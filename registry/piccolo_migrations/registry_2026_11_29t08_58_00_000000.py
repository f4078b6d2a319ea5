"""The audit trail is append-only: refuse UPDATE and DELETE in the database itself."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T08:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit trail append-only triggers; staff list index"

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    "CREATE INDEX IF NOT EXISTS staff_kg_status_name ON staff (kindergarten, status, name)",
    "CREATE INDEX IF NOT EXISTS audit_event_entity_pair ON audit_event (entity, entity_id)",
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    "CREATE INDEX IF NOT EXISTS staff_kg_status_name ON staff (kindergarten, status, name)",
    "CREATE INDEX IF NOT EXISTS audit_event_entity_pair ON audit_event (entity, entity_id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        statements = SQLITE if engine.engine_type == "sqlite" else POSTGRES
        for sql in statements:
            await engine.run_ddl(sql)

    manager.add_raw(run)
    return manager
