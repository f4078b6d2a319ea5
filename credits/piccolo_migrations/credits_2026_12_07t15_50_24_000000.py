"""An Idempotency-Key is unique per account (the same key from two accounts is two keys)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-07T15:50:24:000000"
VERSION = "1.38.0"
DESCRIPTION = "credit_idempotency: unique (actor, key)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="credits", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS credit_idempotency_actor_key ON credit_idempotency (actor, key)"
        )

    manager.add_raw(run)
    return manager
