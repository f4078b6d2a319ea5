"""The outbox's due query (pending rows by next attempt) reads one index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-08T00:22:16:000000"
VERSION = "1.38.0"
DESCRIPTION = "mail_outbox: index (status, next_attempt_at)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mail", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS mail_outbox_due ON mail_outbox (status, next_attempt_at)"
        )

    manager.add_raw(run)
    return manager
