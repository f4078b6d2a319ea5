"""Load the synthetic demo district into the database (``demo.generator`` and
``demo.history`` make the rows).

One write transaction for the whole load: kindergartens, the course catalogue, then district by
district the staff, their assignments, training sessions, enrolments, results, certificates,
certificate events and registrations. Rows are the domains' own row types (``writes.py`` of each
domain: ``StaffRecord``, ``CertificateRecord``, …) and go in with ``kernel.db.insert_rows`` (COPY on
PostgreSQL, executemany on SQLite) in batches, with ids assigned here because bulk inserts
return none; PostgreSQL's serial sequences are moved past them afterwards. The load leaves one
audit event (actor ``demo``, action ``demo.load``, with the summary's figures) and writes the
demo credentials to ``<var_dir>/demo-credentials.txt`` (mode 0600).

After the history, district by district, the credit ledger (credit_entry), the ethics
evaluations and the sanctions (``demo.records``); then the first district's reserve talent
pool (candidates, their certificates, the placements already made) and the plan's planned places
(``demo.pool``).

``--reset`` deletes the registry's rows first, children first. certificate_event, credit_entry,
ethics_evaluation and ethics_sanction are append-only (database triggers refuse DELETE): their
triggers are dropped and recreated exactly as their migrations made them (SQLite), or disabled and
enabled again (PostgreSQL), inside the same transaction; every row goes, so rows that reverse or
supersede others go in the same statement as those. The audit trail (audit_event) is never deleted.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from demo.claims import demo_principals, seed_claims
from demo.figures import DEMO_USERNAMES, SCALES
from demo.generator import Tally, generate
from demo.history_tally import HistoryTally
from demo.pool import DemoPool, make_pool
from demo.reset import RESET_TABLES, analyze, delete_all, reset_sequences, rows_blocking_reset
from demo.rows import DEMO_TODAY
from demo.summary import DemoSummary, RecordsTally, make_summary, write_credentials
from demo.writers import (
    HistoryProgress,
    Ids,
    Progress,
    assignment_row,
    count_rows,
    course_row,
    insert_history,
    insert_pool,
    insert_records,
    insert_rows,
    kindergarten_row,
    max_id,
    staff_row,
)
from kernel.common.time import today
from kernel.db import fetch_all, write_transaction
from kernel.errors import Conflict, Invalid
from kernel.i18n import F_, _
from kernel.policy import policy_on
from registry.accounts.hashing import new_hash
from registry.accounts.writes import ACCOUNTS, AccountRecord
from registry.audit.services import event, record_many
from registry.kindergartens.writes import KINDERGARTENS
from registry.staff.writes import ASSIGNMENTS, STAFF
from training.writes import COURSES


async def load_demo(
    scale: str = "district",
    seed: int = 2017,
    progress: Progress | None = None,
    reset: bool = False,
) -> DemoSummary:
    """Generate the demo data of ``scale`` and write it, in one transaction.

    Refuses (``Conflict``) when kindergartens exist already, unless ``reset``: then kindergartens,
    staff, assignments and accounts are deleted first (the audit trail is kept).
    """
    if scale not in SCALES:
        raise Invalid.field(F_("scale"), _("must be one of {choices}", choices=", ".join(SCALES)))
    started = time.perf_counter()
    report = progress or _quiet
    report("generate", 0, 1)
    data = generate(scale, seed)
    report("generate", 1, 1)
    hashes = [await new_hash(a.password) for a in data.accounts]  # argon2 in a worker thread
    now = datetime.now(UTC)
    tally = Tally()
    tally.add_kindergartens(data.kindergartens)
    history_tally = HistoryTally(policy_on(DEMO_TODAY), data.courses)

    async with write_transaction():
        existing = await count_rows("kindergarten")
        if existing and not reset:
            raise Conflict(
                _(
                    "the database already holds {existing} kindergartens; load the demo into an empty database, "
                    "or reset it",
                    existing=existing,
                ),
                code="not-empty",
                existing=existing,
            )
        if reset:
            blocking = await rows_blocking_reset()
            if blocking:
                raise Conflict(
                    _(
                        "cannot reset: rows outside the demo's tables refer to its people or certificates: "
                        "{blocking}; reset deletes only {tables}",
                        blocking=", ".join(blocking),
                        tables=", ".join(RESET_TABLES),
                    ),
                    code="reset-blocked",
                    blocking=blocking,
                )
            for i, table in enumerate(RESET_TABLES):
                report("reset", i, len(RESET_TABLES))
                await delete_all(table)
            report("reset", len(RESET_TABLES), len(RESET_TABLES))
        else:
            taken = await fetch_all("SELECT username FROM account WHERE username IN ({}, {}, {}, {})", *DEMO_USERNAMES)
            if taken:
                names = ", ".join(sorted(r["username"] for r in taken))
                raise Conflict(_("demo account names already taken: {names}", names=names), code="duplicate")
            codes = [c.code for c in data.courses]
            clash = await fetch_all(
                f"SELECT code FROM training_course WHERE code IN ({', '.join('{}' for _code in codes)})", *codes
            )
            if clash:
                names = ", ".join(sorted(r["code"] for r in clash))
                raise Conflict(
                    _(
                        "demo course codes already taken: {names}; load into an empty database, or reset it",
                        names=names,
                    ),
                    code="duplicate",
                )
        kg_base = await max_id("kindergarten")
        staff_base = await max_id("staff")
        assignment_base = await max_id("staff_assignment")
        account_base = await max_id("account")
        ids = Ids(
            course=await max_id("training_course"),
            session=await max_id("training_session"),
            enrolment=await max_id("training_enrolment"),
            result=await max_id("training_result"),
            certificate=await max_id("certificate"),
            event=await max_id("certificate_event"),
            registration=await max_id("certificate_registration"),
            credit=await max_id("credit_entry"),
            evaluation=await max_id("ethics_evaluation"),
            sanction=await max_id("ethics_sanction"),
        )
        records_tally = RecordsTally()

        await insert_rows(
            "kindergartens",
            KINDERGARTENS,
            (kindergarten_row(k, kg_base, now) for k in data.kindergartens),
            len(data.kindergartens),
            report,
        )
        await insert_rows(
            "courses",
            COURSES,
            (course_row(c, ids.course, now) for c in data.courses),
            len(data.courses),
            report,
        )
        staff_done = 0
        assignments_done = 0
        next_assignment = assignment_base
        history_progress = HistoryProgress(report)
        pool: DemoPool | None = None
        for chunk, history, records in data.iter_records():
            if pool is None:  # the pool and the plan are the first district's (Chaoyang)
                pool = make_pool(data, chunk, seed)
            tally.add_chunk(chunk)
            history_tally.add(chunk, history)
            staff_rows = (staff_row(s, staff_base, kg_base, now) for s in chunk.staff)
            staff_done += len(chunk.staff)
            await insert_rows("staff", STAFF, staff_rows, data.staff_total, report, done=staff_done - len(chunk.staff))
            moves = (
                assignment_row(a, next_assignment + k + 1, staff_base, kg_base) for k, a in enumerate(chunk.assignments)
            )
            await insert_rows("assignments", ASSIGNMENTS, moves, data.assignment_total, report, done=assignments_done)
            next_assignment += len(chunk.assignments)
            assignments_done += len(chunk.assignments)
            result_first = ids.result
            await insert_history(history, ids, staff_base, now, history_progress)
            await insert_records(records, ids, result_first, staff_base, now, history_progress)
            records_tally.add(records)
        if pool is not None:
            await insert_pool(pool, staff_base, kg_base, now, report)

        account_rows = []
        for i, (account, hashed) in enumerate(zip(data.accounts, hashes, strict=True), start=1):
            account_rows.append(
                AccountRecord(
                    account_base + i,
                    account.username,
                    hashed,
                    account.role,
                    None if account.kindergarten is None else kg_base + account.kindergarten + 1,
                    None if account.staff is None else staff_base + account.staff + 1,
                    True,
                    None,
                    now,
                )
            )
        await insert_rows("accounts", ACCOUNTS, account_rows, len(account_rows), report)
        principals = demo_principals([(a[0], a[1], a[3], a[4], a[5]) for a in account_rows])
        if principals is not None:  # the teacher's credit claims, one in each queue (issue 16)
            report("claims", 0, 1)
            teacher_name = next((a.staff_name for a in data.accounts if a.role == "teacher"), None) or ""
            teacher, admin, _hr = principals
            # dated weeks before the demo's own day (a deterministic district), never after today
            await seed_claims(teacher, admin, teacher_name, min(DEMO_TODAY, today()))
            report("claims", 1, 1)

        summary = make_summary(data, tally, history_tally, records_tally, started)
        if pool is not None:
            summary.pool_candidates = len(pool.candidates)
            summary.pool_by_status = dict(sorted(pool.by_status().items()))
            summary.pool_certificates = len(pool.certificates)
            summary.pool_placements = len(pool.placements)
            summary.planned_places = len(pool.planned)
            summary.planned_places_total = sum(p.places for p in pool.planned)
        await record_many([event("demo", now, "demo.load", "district", scale, None, summary.public())])

    await reset_sequences()
    await analyze()
    write_credentials(Path(summary.credentials_path), summary.accounts)
    summary.elapsed_seconds = round(time.perf_counter() - started, 3)
    report("done", 1, 1)
    return summary


def _quiet(stage: str, done: int, total: int) -> None:
    return None


__all__ = ["load_demo"]
