"""Ethics tables are append-only (triggers refuse UPDATE and DELETE, as for the audit trail and
certificate events); each record is superseded at most once; indexes for the current-record queries."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T09:30:29:000000"
VERSION = "1.38.0"
DESCRIPTION = "ethics append-only triggers; one successor per record; indexes"

COMMON = [
    "CREATE INDEX IF NOT EXISTS ethics_evaluation_staff_year ON ethics_evaluation (staff, school_year)",
    "CREATE INDEX IF NOT EXISTS ethics_evaluation_year_grade ON ethics_evaluation (school_year, grade)",
    "CREATE INDEX IF NOT EXISTS ethics_sanction_staff_from ON ethics_sanction (staff, bar_from)",
    # an appeal or correction replaces one record, and a record is replaced at most once
    "CREATE UNIQUE INDEX IF NOT EXISTS ethics_evaluation_one_successor ON ethics_evaluation (supersedes)",
    "CREATE UNIQUE INDEX IF NOT EXISTS ethics_sanction_one_successor ON ethics_sanction (supersedes)",
]

APPEND_ONLY = ["ethics_evaluation", "ethics_sanction"]

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
    # the same function as the audit-trigger migration (2026-11-29T08:58:00) defines
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
