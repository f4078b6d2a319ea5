"""The append-only credit ledger: hand entries, reversals and the entry of each passed training
result. Every write runs in one ``write_transaction()`` with its audit event; people are scoped
like the staff register (``load_visible``)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from credits import rules
from credits.codes import CreditSource
from credits.policies import policy_versions
from credits.rules import dec
from credits.schemas import (
    EntryCreate,
    EntryOut,
    ReversalCreate,
)
from credits.tables import CreditEntry as CE
from credits.tables import CreditIdempotency as CI
from credits.writes import NewEntry, add_entries
from kernel.auth import Principal
from kernel.codes import Role, term
from kernel.common.text import translate_stored
from kernel.common.time import today, utcnow
from kernel.db import write_transaction
from kernel.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from kernel.i18n import F_, N_, _
from kernel.policy import policy_on
from kernel.rows import as_date, is_unique_violation
from registry.staff.services import load_visible

ENTRY_COLUMNS = (
    CE.id,
    CE.staff,
    CE.entry_date,
    CE.school_year,
    CE.category,
    CE.source,
    CE.hours,
    CE.credits,
    CE.reference,
    CE.reason,
    CE.recorded_by,
    CE.reverses,
    CE.created_at,
)


# The notes the registry itself writes on a ledger entry (stored in English, as written; shown in the
# reader's language: ``note_words``). A correction's note ends with the reason a person gave.
PASSED_TRAINING = N_("passed training result")
RESULT_CORRECTED = N_("result corrected: {reason}")
CORRECTED_RESULT = N_("corrected training result: {reason}")
RECREDITED = N_("re-credited after correction of result {result}: {reason}")
CLAIMED = N_("credit claim {claim}: {title}")
NOTES = (PASSED_TRAINING, RESULT_CORRECTED, CORRECTED_RESULT, RECREDITED, CLAIMED)


def note_words(reason: str) -> str:
    """An entry's note as its reader reads it: the registry's own notes translated, a person's as written."""
    return translate_stored(reason, NOTES)


def entry_out(row: dict[str, Any], reversed_by: int | None = None, counted: Decimal | None = None) -> EntryOut:
    return EntryOut(
        id=row["id"],
        staff_id=row["staff"],
        date=row["entry_date"],
        school_year=row["school_year"],
        category=row["category"],
        source=row["source"],
        hours=float(dec(row["hours"])),
        credits=float(dec(row["credits"])),
        counted=None if counted is None else float(counted),
        reference=row["reference"],
        reason=note_words(row["reason"]),
        recorded_by=row["recorded_by"],
        reverses=row["reverses"],
        reversed_by=reversed_by,
        created_at=row["created_at"],
    )


async def _insert_entry(
    who: Principal,
    *,
    staff_id: int,
    day: date,
    category: str,
    source: str,
    hours: Decimal,
    credits: Decimal,
    reference: str,
    reason: str,
    reverses: int | None = None,
) -> EntryOut:
    """Insert one ledger row and its audit event (inside the caller's write transaction)."""
    if await CE.exists().where(CE.source == source, CE.reference == reference):
        raise Conflict(
            _(
                "a {source} entry with reference {reference} exists already: it is never counted twice",
                source=term(CreditSource, source),
                reference=reference,
            ),
            [FieldError("reference", _("duplicate"))],
            code="duplicate",
        )
    new = NewEntry(staff_id, day, category, source, hours, credits, reference, reason, reverses)
    try:
        (entry_id,) = await add_entries(who, [new])
    except Exception as exc:  # a concurrent writer got there first
        if is_unique_violation(exc):
            raise Conflict(_("the entry was recorded concurrently already"), code="duplicate") from exc
        raise
    row = await CE.select(*ENTRY_COLUMNS).where(CE.id == entry_id).first()
    assert row is not None
    return entry_out(row)


SYSTEM_REFERENCE_PREFIXES = rules.SYSTEM_REFERENCE_PREFIXES


IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")  # printable ASCII, no spaces


def _request_hash(data: EntryCreate) -> str:
    body = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


async def _replayed(who: Principal, key: str, data: EntryCreate) -> EntryOut | None:
    """The entry a request with this Idempotency-Key recorded before (the same request again), or None.
    The key reused for a different entry is a 409."""
    seen = await CI.select().where(CI.actor == who.username, CI.key == key).first()
    if seen is None:
        return None
    if seen["request_hash"] != _request_hash(data):
        raise Conflict(
            _(
                "Idempotency-Key {key} was used for a different entry (entry {entry}): use a new key for a new entry",
                key=repr(key),
                entry=seen["entry"],
            ),
            [FieldError("Idempotency-Key", _("used for a different entry"))],
            code="idempotency-key-reused",
        )
    row = await CE.select(*ENTRY_COLUMNS).where(CE.id == seen["entry"]).first()
    assert row is not None
    return entry_out(row)


async def _posted_twice(data: EntryCreate) -> None:
    """Without a key or a reference, an entry identical to one posted in the last hours of the policy's
    ``credits.duplicate_entry_hours`` (24; same person, date, category, source and hours, not reversed)
    is taken for a double submission: 409 naming it."""
    hours = policy_on().credits.duplicate_entry_hours
    since = utcnow() - timedelta(hours=hours)
    twin = (
        await CE.select(CE.id, CE.created_at)
        .where(
            CE.staff == data.staff_id,
            CE.entry_date == data.date,
            CE.category == data.category.value,
            CE.source == data.source.value,
            CE.hours == data.hours,
            CE.reverses.is_null(),
            CE.reference.like("entry:%"),
            CE.created_at >= since,
        )
        .order_by(CE.id, ascending=False)
        .first()
    )
    if twin is None or await CE.exists().where(CE.reverses == twin["id"]):
        return
    raise Conflict(
        _(
            "an identical entry (entry {entry}) was posted in the last {hours} hours: send an Idempotency-Key "
            "header to retry a request safely, or a reference to record a second, distinct entry",
            entry=twin["id"],
            hours=hours,
        ),
        [FieldError("reference", _("identical to entry {entry}", entry=twin["id"]))],
        code="posted-twice",
    )


async def create_entry(who: Principal, data: EntryCreate, idempotency_key: str | None = None) -> EntryOut:
    if idempotency_key is not None and not IDEMPOTENCY_KEY.match(idempotency_key):
        raise Invalid.field(F_("Idempotency-Key"), _("1 to 128 printable ASCII characters, no spaces"))
    problems = rules.entry_problems(
        data.hours, data.date, today(), data.reference, data.credits is not None, who.role == Role.district_hr
    )
    if problems:
        first = problems[0]
        if first.forbidden:
            raise Forbidden(first.message)
        raise Invalid.field(first.field, first.message)
    person = await load_visible(who, data.staff_id)
    left = rules.left_problem(as_date(person["left_on"]), data.date)
    if left:
        raise Conflict(left, [FieldError("date", left)], code="staff-left")
    version = rules.policy_for(data.date, await policy_versions())
    credits = data.credits
    if credits is None:
        credits = rules.derive_credits(data.hours, data.source.value, version.recognition)
    reference = data.reference or f"entry:{uuid.uuid4().hex}"
    async with write_transaction():
        if idempotency_key is not None:
            replayed = await _replayed(who, idempotency_key, data)
            if replayed is not None:
                return replayed
        elif data.reference is None:
            await _posted_twice(data)
        out = await _insert_entry(
            who,
            staff_id=data.staff_id,
            day=data.date,
            category=data.category.value,
            source=data.source.value,
            hours=data.hours,
            credits=credits,
            reference=reference,
            reason=data.reason,
        )
        if idempotency_key is not None:
            try:
                await CI.insert(
                    CI(actor=who.username, key=idempotency_key, entry=out.id, request_hash=_request_hash(data))
                )
            except Exception as exc:  # the same key in a concurrent request
                if is_unique_violation(exc):
                    raise Conflict(
                        _("a request with this Idempotency-Key is being recorded: retry it"),
                        code="idempotency-key-in-use",
                    ) from exc
                raise
        return out


async def reverse_entry(who: Principal, entry_id: int, data: ReversalCreate) -> EntryOut:
    async with write_transaction():
        missing = _("no credit entry {entry}", entry=entry_id)
        row = await CE.select(*ENTRY_COLUMNS).where(CE.id == entry_id).first()
        if row is None:
            raise NotFound(missing)
        await load_visible(who, row["staff"], missing)  # out of the caller's scope: the same 404
        if row["reverses"] is not None:
            raise Conflict(
                _("entry {entry} is itself a reversal; record a new entry instead", entry=entry_id), code="reversal"
            )
        if await CE.exists().where(CE.reverses == entry_id):
            raise Conflict(
                _("entry {entry} is reversed already", entry=entry_id),
                [FieldError("id", _("already reversed"))],
                code="already-reversed",
            )
        return await _insert_entry(
            who,
            staff_id=row["staff"],
            day=as_date(row["entry_date"]),
            category=row["category"],
            source=row["source"],
            hours=-dec(row["hours"]),
            credits=-dec(row["credits"]),
            reference=f"reversal:{entry_id}",
            reason=data.reason,
            reverses=entry_id,
        )


def _result_of(reference: str) -> str | None:
    """The training result an entry's reference names (``training_result:<id>``, or
    ``training_result:<id>:c<n>`` for the entry of its n-th correction)."""
    parts = reference.split(":")
    return parts[1] if len(parts) >= 2 and parts[0] == "training_result" else None


async def _training_entries(staff_id: int) -> tuple[list[dict[str, Any]], set[int]]:
    """A person's entries of passed training results, and the ids of the entries reversed."""
    rows = await CE.select(CE.id, CE.hours, CE.reference).where(
        CE.staff == staff_id, CE.source == CreditSource.training.value, CE.reference.like("training_result:%")
    )
    reversed_ids = {
        r["reverses"] for r in await CE.select(CE.reverses).where(CE.staff == staff_id, CE.reverses.is_not_null())
    }
    return rows, reversed_ids


async def credited_training_hours(staff_id: int, result_ids: set[int]) -> Decimal:
    """The hours these training results of a person have earned on the ledger (their entries that no
    reversal cancels)."""
    wanted = {str(i) for i in result_ids}
    rows, reversed_ids = await _training_entries(staff_id)
    return sum(
        (dec(r["hours"]) for r in rows if _result_of(r["reference"]) in wanted and r["id"] not in reversed_ids),
        Decimal(0),
    )


async def reverse_training_result(who: Principal, staff_id: int, result_id: int, reason: str) -> int:
    """Reverse the ledger entries of a training result that stand (a correction of the result), inside
    the caller's transaction. Returns how many entries the result has had (reversed or not)."""
    rows, reversed_ids = await _training_entries(staff_id)
    mine = [r for r in rows if _result_of(r["reference"]) == str(result_id)]
    for r in mine:
        if r["id"] not in reversed_ids:
            entry = await CE.select(*ENTRY_COLUMNS).where(CE.id == r["id"]).first()
            assert entry is not None
            await _insert_entry(
                who,
                staff_id=staff_id,
                day=as_date(entry["entry_date"]),
                category=entry["category"],
                source=entry["source"],
                hours=-dec(entry["hours"]),
                credits=-dec(entry["credits"]),
                reference=f"reversal:{r['id']}",
                reason=reason,
                reverses=r["id"],
            )
    return len(mine)


async def record_training_result(
    who: Principal,
    *,
    result_id: int,
    staff_id: int,
    day: date,
    category: str,
    hours: Decimal,
    credits: Decimal,
    correction: int | None = None,
    reason: str = PASSED_TRAINING,
) -> EntryOut | None:
    """The ledger entry of a passed training result (called inside the result's transaction): the hours
    it earns credits for and those credits. Recording the same result twice adds nothing:
    (training, training_result:<id>) is unique; the entry of a correction is
    ``training_result:<id>:c<n>``."""
    reference = f"training_result:{result_id}" + (f":c{correction}" if correction else "")
    existing = await CE.select(CE.staff).where(CE.source == CreditSource.training.value, CE.reference == reference)
    if existing:
        if existing[0]["staff"] != staff_id:  # pragma: no cover - references are reserved since the fix
            raise Conflict(_("ledger reference {reference} belongs to another person", reference=reference))
        return None
    if hours <= 0:  # the course's hours are all credited already: nothing more to earn
        return None
    return await _insert_entry(
        who,
        staff_id=staff_id,
        day=day,
        category=category,
        source=CreditSource.training.value,
        hours=hours,
        credits=credits,
        reference=reference,
        reason=reason,
    )


async def record_claim(
    who: Principal,
    *,
    claim_id: int,
    staff_id: int,
    day: date,
    category: str,
    source: str,
    hours: Decimal,
    credits: Decimal,
    note: str,
) -> EntryOut:
    """The ledger entry of an approved credit claim (inside the approval's transaction): reference
    ``claim:<id>``, unique with its source, so a claim is never credited twice."""
    return await _insert_entry(
        who,
        staff_id=staff_id,
        day=day,
        category=category,
        source=source,
        hours=hours,
        credits=credits,
        reference=f"claim:{claim_id}",
        reason=note,
    )
