"""report_document is append-only: what a verification code certifies is never changed or removed
(triggers refuse UPDATE and DELETE on both engines, like the audit trail)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T10:47:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "report_document append-only triggers"

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS report_document_no_update BEFORE UPDATE ON report_document
       BEGIN SELECT RAISE(ABORT, 'report_document is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS report_document_no_delete BEFORE DELETE ON report_document
       BEGIN SELECT RAISE(ABORT, 'report_document is append-only'); END""",
]

POSTGRES = [
    # the same function as the registry's audit-trail migration (replaced with the same body)
    """CREATE OR REPLACE FUNCTION refuse_change_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS report_document_no_change ON report_document",
    """CREATE TRIGGER report_document_no_change BEFORE UPDATE OR DELETE ON report_document
       FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only()""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for sql in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(sql)

    manager.add_raw(run)
    return manager
