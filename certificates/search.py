"""Finding certificates by their number (the pages' search box): a read, scoped as every certificate
read is (``registry.staff.services.load_visible``: district HR and inspectors every holder, a
kindergarten admin their kindergarten's staff, a teacher themself).

The term is literal text (``kernel.common.like``), matched anywhere in the number as stored (numbers
are stored upper-case, so the term is too); an exact number comes first. A certificate number is shown
to whoever may see the certificate (as ``GET /staff/{id}/certificates`` does), so matching it tells
nobody more than that read.
"""

from __future__ import annotations

from typing import Any

from certificates import rules
from certificates.schemas import CertificateHit, CertificateHits
from kernel.auth import Principal
from kernel.codes import Role
from kernel.common.like import LIKE, contains
from kernel.common.scope import kindergarten_scope, staff_scope
from kernel.common.time import today
from kernel.db import fetch_all
from kernel.rows import as_date

NUMBER_MAX = 64  # the column's length: a longer term finds nothing


def _scope(who: Principal) -> tuple[list[str], list[Any]]:
    """The holders the caller may see, as the staff register scopes them: a teacher their own record,
    a kindergarten admin their kindergarten's staff, the district-wide roles everyone."""
    person = staff_scope(who)
    if person is not None:
        return ["s.id = {}"], [person]
    kg = kindergarten_scope(who)
    if kg is not None and who.role != Role.teacher:
        return ["s.kindergarten = {}"], [kg]
    return [], []


async def find_by_number(who: Principal, term: str, *, limit: int) -> CertificateHits:
    """Certificates whose number contains ``term``, within the caller's scope: one page (``limit``)
    and the number found."""
    text = term.strip().upper()
    if not text or len(text) > NUMBER_MAX:
        return CertificateHits(items=[], total=0)
    clauses, args = _scope(who)
    where = " AND ".join([f"c.number {LIKE}", *clauses])
    args = [contains(text), *args]
    source = (
        f"FROM certificate c JOIN staff s ON s.id = c.staff JOIN kindergarten k ON k.id = s.kindergarten WHERE {where}"
    )
    total = (await fetch_all(f"SELECT COUNT(*) AS n {source}", *args))[0]["n"]
    rows = await fetch_all(
        "SELECT c.id, c.type, c.number, c.status, c.expires_on, s.id AS staff_id, s.name, s.kindergarten, "
        f"k.code, k.name AS kg_name {source} "
        f"ORDER BY CASE WHEN c.number = {{}} THEN 0 ELSE 1 END, c.number, c.id LIMIT {int(limit)}",
        *args,
        text,
    )
    day = today()
    items = [
        CertificateHit(
            certificate_id=r["id"],
            type=r["type"],
            number=r["number"],
            status=rules.effective_status(r["status"], as_date(r["expires_on"]), day),
            expires_on=as_date(r["expires_on"]),
            staff_id=r["staff_id"],
            name=r["name"],
            kindergarten_id=r["kindergarten"],
            kindergarten_code=r["code"],
            kindergarten_name=r["kg_name"],
        )
        for r in rows
    ]
    return CertificateHits(items=items, total=int(total))
