"""One enrolment per person and session: a composite unique index Piccolo's columns cannot express.

Also an index for the coverage aggregate (passed results by completion day). The statements are
the same on both engines today; they are listed per engine, as in every raw migration here.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T09:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "training enrolment unique (session, staff); result (passed, completed_on) index"

SQLITE = [
    'CREATE UNIQUE INDEX IF NOT EXISTS training_enrolment_session_staff ON training_enrolment ("session", staff)',
    "CREATE INDEX IF NOT EXISTS training_result_passed_completed ON training_result (passed, completed_on)",
]

POSTGRES = [
    'CREATE UNIQUE INDEX IF NOT EXISTS training_enrolment_session_staff ON training_enrolment ("session", staff)',
    "CREATE INDEX IF NOT EXISTS training_result_passed_completed ON training_result (passed, completed_on)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        statements = SQLITE if engine.engine_type == "sqlite" else POSTGRES
        for sql in statements:
            await engine.run_ddl(sql)

    manager.add_raw(run)
    return manager
