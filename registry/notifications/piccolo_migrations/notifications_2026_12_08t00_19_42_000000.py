"""At most one notification per account and occasion (``notify`` inserts with ON CONFLICT DO NOTHING
on this index), and the inbox's index: an account's notifications, unread first, newest first."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-08T00:19:42:000000"
VERSION = "1.38.0"
DESCRIPTION = "notification: unique (account, occasion); inbox index (account, read_at, id)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS notification_occasion ON notification (account, occasion)"
        )
        await engine.run_ddl("CREATE INDEX IF NOT EXISTS notification_inbox ON notification (account, read_at, id)")

    manager.add_raw(run)
    return manager
