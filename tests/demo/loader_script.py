"""Run by test_district.py in a subprocess against the scratch database that already holds the demo
district (loaded by ``registry demo load``; never the shared test database).

Checks the database against the load's summary (the ``demo.load`` audit event) with the
registry's own services, loads again with reset, and prints the findings as JSON.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from demo.loader import load_demo
from demo.rows import DEMO_TODAY
from kernel.auth import Principal
from kernel.codes import Role
from kernel.db import fetch_all, get_engine, is_sqlite

TABLES = (
    "training_course", "training_session", "training_enrolment", "training_result", "certificate",
    "certificate_event", "certificate_registration", "credit_entry", "ethics_evaluation", "ethics_sanction",
    "audit_event",
)  # fmt: skip
APPEND_ONLY = ("certificate_event", "credit_entry", "ethics_evaluation", "ethics_sanction")

# Post certificates whose holder has no passed course of the policy's categories completed by the
# day the certificate was issued (不培训不上岗): must be none.
UNTRAINED = """
WITH first_pass AS (
  SELECT e.staff AS staff, c.category AS category, MIN(r.completed_on) AS day
  FROM training_result r
  JOIN training_enrolment e ON e.id = r.enrolment
  JOIN training_session ts ON ts.id = e."session"
  JOIN training_course c ON c.id = ts.course
  WHERE r.passed = {} AND c.category IN ('induction', 'principal')
  GROUP BY e.staff, c.category
)
SELECT COUNT(*) AS n FROM certificate ce
JOIN staff s ON s.id = ce.staff
LEFT JOIN first_pass p ON p.staff = s.id
  AND p.category = CASE WHEN s.post = 'teacher' THEN 'induction' ELSE 'principal' END
WHERE ce.type = 'post_certificate' AND (p.day IS NULL OR p.day > ce.issued_on)
"""
EXPIRING = """
SELECT COUNT(*) AS n FROM certificate c JOIN staff s ON s.id = c.staff
WHERE c.status = 'valid' AND c.expires_on >= {} AND c.expires_on <= {} AND s.status != 'left'
"""


async def counts() -> dict[str, int]:
    out = {}
    for table in TABLES:
        rows = await fetch_all(f'SELECT COUNT(*) AS n FROM "{table}"')
        out[table] = int(rows[0]["n"])
    return out


async def main() -> dict[str, Any]:
    from datetime import timedelta

    from certificates.services import compliance
    from training.coverage import coverage

    event = await fetch_all("SELECT after FROM audit_event WHERE action = 'demo.load' ORDER BY id DESC LIMIT 1")
    after = event[0]["after"]
    summary: dict[str, Any] = json.loads(after) if isinstance(after, str) else after
    hr = Principal(account_id=0, username="check", role=Role.district_hr)
    found: dict[str, Any] = {"summary": summary, "counts": await counts()}
    total = await compliance(
        hr, by="district", on=DEMO_TODAY, kindergarten_id=None, street=None, group=None, post=None, limit=1, offset=0
    )
    found["violations"] = total.violations_total
    found["by_post"] = {}
    for post in summary["compliance_by_post"]:
        one = await compliance(
            hr, by="district", on=DEMO_TODAY, kindergarten_id=None, street=None, group=None, post=post, limit=1,
            offset=0,
        )  # fmt: skip
        found["by_post"][post] = [one.total.on_post, one.total.compliant]
    cov = await coverage(hr, year=DEMO_TODAY.year)
    found["coverage"] = {c: cell.rate for c, cell in cov.district.items()}
    found["without_family_instructor"] = len(cov.without_family_instructor)
    horizon = DEMO_TODAY + timedelta(days=summary["expiring_within_days"])
    found["expiring"] = int((await fetch_all(EXPIRING, DEMO_TODAY, horizon))[0]["n"])
    found["untrained_post_certificates"] = int((await fetch_all(UNTRAINED, True))[0]["n"])
    # every passed result has its ledger entry, pointing at that result
    found["training_entries_unmatched"] = int(
        (
            await fetch_all(
                "SELECT COUNT(*) AS n FROM training_result r LEFT JOIN credit_entry c "
                "ON c.source = 'training' AND c.reference = 'training_result:' || r.id "
                "LEFT JOIN training_enrolment e ON e.id = r.enrolment "
                "WHERE r.passed = {} AND (c.id IS NULL OR c.staff != e.staff OR c.entry_date != r.completed_on)",
                True,
            )
        )[0]["n"]
    )
    from ethics.services import ethics_standing

    standing = await ethics_standing(hr, "2025-2026")
    found["standing_flagged"] = standing.district.flagged

    again = await load_demo(summary["scale"], summary["seed"], reset=True)
    found["after_reset"] = await counts()
    found["reset_figures_same"] = again.violations == summary["violations"] and again.results == summary["results"]
    found["delete_refused"] = {}
    for table in APPEND_ONLY:  # the append-only triggers are back after the reset
        try:
            await get_engine().run_ddl(f"DELETE FROM {table}")
            found["delete_refused"][table] = False
        except Exception as exc:
            found["delete_refused"][table] = "append-only" in str(exc)
    found["event_delete_refused"] = found["delete_refused"]["certificate_event"]
    # new rows get fresh ids (PostgreSQL's sequences were moved on)
    from training.tables import Course

    row = await Course.insert(
        Course(code="NEW-1", title="新课程", category="general", level="district", mode="online", hours=10, credits=0.5)
    ).returning(Course.id)
    found["new_course_id"] = row[0]["id"]
    found["sqlite"] = is_sqlite()
    return found


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), ensure_ascii=False, default=str))
