"""At most one open assignment (ends_on null) per person: the current post is unambiguous."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T10:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one open assignment per person (partial unique index)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS staff_assignment_one_open ON staff_assignment (staff) "
            "WHERE ends_on IS NULL"
        )

    manager.add_raw(run)
    return manager
