"""Indexes of the staffing app that Piccolo's columns cannot express, and one placement per candidate.

- ``pool_certificate (candidate, type, status)``: the dual-certificate rule's indexed EXISTS, applied
  to candidates (pool matching), like ``certificate (staff, type, status)`` for staff;
- ``pool_candidate (status, available_from, id)``: the available candidates, soonest first (pool
  matching reads each ranking tier in this order and stops when the page is full). On SQLite the
  index also carries ``posts``, ``streets`` and ``available_to``, so the tiers and the count filter
  on the index alone instead of fetching 50,000 rows one by one (3-8x faster); PostgreSQL indexes no
  ``json`` column and reads its heap fast enough;
- a unique index on ``pool_placement (candidate)``: a candidate is placed once, even when two
  requests race (the loser gets a 409).

The statements are the same on both engines today; they are listed per engine, as in every raw
migration here.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T10:45:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "pool certificate and candidate indexes; one placement per candidate"

COMMON = [
    "CREATE INDEX IF NOT EXISTS pool_certificate_holds ON pool_certificate (candidate, type, status)",
    "CREATE UNIQUE INDEX IF NOT EXISTS pool_placement_candidate_once ON pool_placement (candidate)",
]

SQLITE = [
    *COMMON,
    "CREATE INDEX IF NOT EXISTS pool_candidate_status_available "
    "ON pool_candidate (status, available_from, id, posts, streets, available_to)",
]
POSTGRES = [
    *COMMON,
    "CREATE INDEX IF NOT EXISTS pool_candidate_status_available ON pool_candidate (status, available_from, id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="staffing", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        statements = SQLITE if engine.engine_type == "sqlite" else POSTGRES
        for sql in statements:
            await engine.run_ddl(sql)

    manager.add_raw(run)
    return manager
