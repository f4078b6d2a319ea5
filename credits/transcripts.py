"""Transcripts: a person's ledger in one registration cycle, with caps, yearly lines and status."""

from __future__ import annotations

from datetime import date
from typing import Any

from credits import rules
from credits.ledger import ENTRY_COLUMNS, entry_out
from credits.policies import policy_versions
from credits.rules import ZERO, PolicyVersion, dec
from credits.schemas import (
    CategoryOut,
    Required,
    TranscriptOut,
    YearOut,
)
from credits.tables import CreditEntry as CE
from kernel.auth import Principal
from kernel.common.time import today
from kernel.errors import Invalid, NotFound
from kernel.i18n import F_, _
from kernel.policy import policy_on
from kernel.rows import as_date
from registry.staff.services import load_visible


async def entry_rows(staff_id: int, first: date | None = None, last: date | None = None) -> list[dict[str, Any]]:
    where: list[Any] = [CE.staff == staff_id]
    if first is not None:
        where.append(CE.entry_date >= first)
    if last is not None:
        where.append(CE.entry_date <= last)
    return list(await CE.select(*ENTRY_COLUMNS).where(*where).order_by(CE.entry_date).order_by(CE.id))


def entry_of(row: dict[str, Any]) -> rules.Entry:
    return rules.Entry(
        id=row["id"],
        day=as_date(row["entry_date"]),
        category=row["category"],
        source=row["source"],
        hours=dec(row["hours"]),
        credits=dec(row["credits"]),
        reverses=row["reverses"],
    )


def _cycle(cycle: str | None, versions: list[PolicyVersion], as_of: date) -> rules.Cycle:
    rec = rules.policy_for(as_of, versions).recognition
    if cycle is None:
        return rules.cycle_of(as_of, rec)
    try:
        return rules.parse_cycle(cycle, rec)
    except ValueError as exc:
        raise Invalid.field(F_("cycle"), str(exc)) from None


async def transcript_for(staff_id: int, name: str, cycle: str | None, as_of: date | None = None) -> TranscriptOut:
    day = as_of or today()
    versions = await policy_versions()
    cyc = _cycle(cycle, versions, day)
    rows = await entry_rows(staff_id, cyc.starts, cyc.ends)
    yearly = policy_on(min(day, cyc.ends)).credits.complete_needs_yearly_minimum
    t = rules.transcript([entry_of(r) for r in rows], versions, cyc, day, yearly_minimum=yearly)
    req_policy = rules.policy_for(min(day, cyc.ends), versions)
    reversed_by = {r["reverses"]: r["id"] for r in rows if r["reverses"] is not None}
    return TranscriptOut(
        staff_id=staff_id,
        name=name,
        cycle=cyc.label,
        as_of=day,
        required=Required(
            credits=float(t.required),
            categories={k: float(v) for k, v in t.required_categories.items()},
            yearly_minimum=float(req_policy.recognition.yearly_minimum),
            policy_id=req_policy.id,
        ),
        earned=float(t.earned),
        counted=float(t.counted),
        pace=float(t.pace),
        status=t.status,
        by_year=[YearOut(**vars(y)) for y in t.by_year],
        by_category=[CategoryOut(**vars(c)) for c in t.by_category],
        entries=[entry_out(r, reversed_by.get(r["id"]), t.counted_by_entry.get(r["id"], ZERO)) for r in rows],
    )


async def staff_transcript(who: Principal, staff_id: int, cycle: str | None) -> TranscriptOut:
    person = await load_visible(who, staff_id)
    return await transcript_for(staff_id, person["name"], cycle)


async def my_transcript(who: Principal, cycle: str | None) -> TranscriptOut:
    if who.staff_id is None:
        raise NotFound(_("this account has no staff record"))
    return await staff_transcript(who, who.staff_id, cycle)
