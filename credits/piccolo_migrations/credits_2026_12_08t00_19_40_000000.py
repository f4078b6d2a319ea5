"""The same evidence file is claimed once per person; an approved claim has one ledger entry."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-08T00:19:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "credit_claim: unique (staff, evidence_sha256) and unique entry"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="credits", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS credit_claim_staff_evidence ON credit_claim (staff, evidence_sha256)"
        )
        await engine.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS credit_claim_entry ON credit_claim (entry)")

    manager.add_raw(run)
    return manager
