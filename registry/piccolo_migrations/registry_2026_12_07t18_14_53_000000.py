"""One login_throttle row per username and address: the conditional upsert that counts a failed login
(INSERT ... ON CONFLICT (username, address) DO UPDATE ... WHERE) needs this unique index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-07T18:14:53:000000"
VERSION = "1.38.0"
DESCRIPTION = "login_throttle: unique (username, address)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS login_throttle_key ON login_throttle (username, address)"
        )

    manager.add_raw(run)
    return manager
