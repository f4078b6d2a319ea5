"""Credit claims (学分申报, issue 16): a teacher reports outside training with its evidence, her
kindergarten's admin checks it, district HR decides it; an approved claim's credits go to the ledger
as the entry ``claim:<id>`` in the approval's own transaction. Every step is audited
(``credit_claim``: submit, amend, check, approve, return, reject).

Who sees a claim: the teacher her own, an admin the claims of their kindergarten (the one the teacher
was in when she submitted or last amended it), district HR and inspectors all; anyone else gets the
404 of a claim that does not exist. The rules of the fields and of the steps are ``claim_rules``';
the evidence file's are ``evidence``'s.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from litestar.datastructures import UploadFile
from pydantic import ValidationError

from credits import claim_notices, claim_rules, evidence, ledger, rules
from credits.claim_schemas import ClaimFields, ClaimForm, ClaimOut, ClaimReview, EvidenceOut
from credits.codes import ClaimDecision, ClaimStatus, CourseCategory, CreditSource
from credits.policies import policy_versions
from credits.rules import PolicyVersion, dec
from credits.tables import CreditClaim as CC
from kernel.auth import Principal
from kernel.codes import Role, term
from kernel.common.schemas import Page
from kernel.common.time import today, utcnow
from kernel.db import write_transaction
from kernel.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from kernel.i18n import _, current_locale
from kernel.policy import policy_on
from kernel.rows import as_date
from kernel.settings import get_settings
from kernel.workers import run_in_thread
from registry.audit.services import record
from registry.staff.services import load_visible

COLUMNS = (
    CC.id,
    CC.staff,
    CC.staff.name.as_alias("staff_name"),
    CC.kindergarten,
    CC.title,
    CC.provider,
    CC.date_from,
    CC.date_to,
    CC.hours,
    CC.category,
    CC.source,
    CC.note,
    CC.evidence_sha256,
    CC.evidence_type,
    CC.evidence_name,
    CC.evidence_size,
    CC.status,
    CC.reason,
    CC.credits,
    CC.credits_reason,
    CC.submitted_by,
    CC.submitted_at,
    CC.checked_by,
    CC.checked_at,
    CC.decided_by,
    CC.decided_at,
    CC.entry,
)
log = logging.getLogger("registry.credits")
ACTIONS = {ClaimDecision.approve: "approve", ClaimDecision.reject: "reject", ClaimDecision.return_: "return"}


def _expected(row: dict[str, Any], versions: list[PolicyVersion]) -> Decimal:
    """The policy's credits for a claim's hours and source, on its last day."""
    version = rules.policy_for(as_date(row["date_to"]), versions)
    return rules.derive_credits(dec(row["hours"]), row["source"], version.recognition)


def _out(row: dict[str, Any], expected: Decimal) -> ClaimOut:
    return ClaimOut(
        id=row["id"],
        staff_id=row["staff"],
        staff_name=row["staff_name"],
        kindergarten_id=row["kindergarten"],
        title=row["title"],
        provider=row["provider"],
        date_from=as_date(row["date_from"]),
        date_to=as_date(row["date_to"]),
        hours=float(dec(row["hours"])),
        category=row["category"],
        source=row["source"],
        note=row["note"],
        status=row["status"],
        reason=row["reason"],
        expected_credits=float(expected),
        credits=None if row["credits"] is None else float(dec(row["credits"])),
        credits_reason=row["credits_reason"],
        evidence=EvidenceOut(
            media_type=row["evidence_type"],
            size=row["evidence_size"],
            name=row["evidence_name"],
            sha256=row["evidence_sha256"],
            url=f"/api/v1/credit-claims/{row['id']}/evidence",
        ),
        submitted_by=row["submitted_by"],
        submitted_at=row["submitted_at"],
        checked_by=row["checked_by"],
        checked_at=row["checked_at"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        entry_id=row["entry"],
    )


async def _outs(rows: list[dict[str, Any]], versions: list[PolicyVersion] | None = None) -> list[ClaimOut]:
    """The claims as answered; ``versions`` the recognition policy read once by the request."""
    if versions is None:
        versions = await policy_versions()
    return [_out(r, _expected(r, versions)) for r in rows]


def _scope(who: Principal) -> list[Any]:
    """The claims a caller may see, as conditions."""
    if who.is_district_wide:
        return []
    if who.role == Role.kindergarten_admin:
        return [CC.kindergarten == (who.kindergarten_id if who.kindergarten_id is not None else -1)]
    return [CC.staff == (who.staff_id if who.staff_id is not None else -1)]


async def _load(who: Principal, claim_id: int) -> dict[str, Any]:
    rows = await CC.select(*COLUMNS).where(CC.id == claim_id, *_scope(who))
    if not rows:
        raise NotFound(_("no credit claim {claim}", claim=claim_id))
    return rows[0]


# --- Submitting and amending ----------------------------------------------------------------------


ENUM_FIELDS: dict[str, type[StrEnum]] = {"category": CourseCategory, "source": CreditSource}


def _choices(enum: type[StrEnum]) -> str:
    """An enum's choices as its reader reads them (the Chinese labels, or the codes in English)."""
    return ("、" if current_locale() == "zh" else ", ").join(term(enum, code.value) for code in enum)


def _earliest(day: date, versions: list[PolicyVersion]) -> date:
    """The first day a claim may name: the start of the credit cycle ``claim_cycles_back`` (policy: 1)
    cycles before the one of ``day``."""
    rec = rules.policy_for(day, versions).recognition
    cycle = rules.cycle_of(day, rec)
    return date(cycle.first - policy_on(day).credits.claim_cycles_back * rec.cycle_years, 1, 1)


def _fields(form: ClaimForm, earliest: date) -> ClaimFields:
    """The form's text fields checked by the schema and the claim's rules: a 422 naming each bad field."""
    values = {k: getattr(form, k) for k in ClaimFields.model_fields if getattr(form, k) not in ("", None)}
    try:
        fields = ClaimFields.model_validate(values)
    except ValidationError as exc:
        errors = [  # a code not known: say which ones are, by their labels
            FieldError(e.field, _("should be one of {values}", values=_choices(ENUM_FIELDS[e.field])))
            if e.field in ENUM_FIELDS and e.field in values
            else e
            for e in Invalid.of(exc).errors
        ]
        raise Invalid.fields(errors, claim_rules.labels()) from None
    day = today()
    problems = claim_rules.field_problems(
        fields.date_from, fields.date_to, fields.hours, day, earliest, policy_on(day).credits.claim_max_hours_per_day
    )
    if problems:
        raise Invalid.fields([FieldError(p.field, p.message) for p in problems], claim_rules.labels())
    return fields


async def _evidence(file: UploadFile) -> evidence.Evidence:
    settings = get_settings()
    limit = settings.evidence_max_bytes
    content = await file.read(limit + 1)
    await file.close()
    return await run_in_thread(evidence.judge_and_keep, settings.evidence_path, content, limit)


CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _file_name(file: UploadFile, kept: evidence.Evidence) -> str:
    """The evidence's name as sent, without its folders or control characters, with the extension of
    what it is (by content, not by its name)."""
    name = CONTROL.sub("", (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()[:200]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return (stem or "evidence") + evidence.EXTENSIONS[kept.media_type]


async def _first_claim_of(staff_id: int, sha256: str, but: int | None = None) -> None:
    """The same file claimed again by the same person: a 409 naming the first claim."""
    where = [CC.staff == staff_id, CC.evidence_sha256 == sha256]
    if but is not None:
        where.append(CC.id != but)
    first = await CC.select(CC.id, CC.title).where(*where).first()
    if first is not None:
        raise Conflict(
            _(
                "this file is the evidence of your claim {claim} ({title}) already: a file is claimed once",
                claim=first["id"],
                title=first["title"],
            ),
            [FieldError("file", _("claimed already in claim {claim}", claim=first["id"]))],
            code="duplicate-evidence",
            claim_id=first["id"],
        )


def _own_staff(who: Principal) -> int:
    if who.staff_id is None:
        raise Forbidden(_("only an account linked to a staff record reports its own training"), code="no-staff-record")
    return who.staff_id


def _values(fields: ClaimFields) -> dict[Any, Any]:
    return {
        CC.title: fields.title,
        CC.provider: fields.provider,
        CC.date_from: fields.date_from,
        CC.date_to: fields.date_to,
        CC.hours: fields.hours,
        CC.category: fields.category.value,
        CC.source: fields.source.value,
        CC.note: fields.note,
    }


def _evidence_values(kept: evidence.Evidence, name: str) -> dict[Any, Any]:
    return {
        CC.evidence_sha256: kept.sha256,
        CC.evidence_type: kept.media_type,
        CC.evidence_name: name,
        CC.evidence_size: kept.size,
    }


def _upload(form: ClaimForm) -> UploadFile | None:
    """The form's one file, or None when the file input was left empty; two files: a 422."""
    file: Any = form.file
    if isinstance(file, list):
        raise Invalid.field("file", _("one file per claim"))
    return file if isinstance(file, UploadFile) and file.filename else None


async def submit(who: Principal, form: ClaimForm) -> ClaimOut:
    staff_id = _own_staff(who)
    versions = await policy_versions()
    fields = _fields(form, _earliest(today(), versions))
    file = _upload(form)
    if file is None:
        raise Invalid.field("file", _("the evidence file is required (PDF, JPEG or PNG)"))
    kept = await _evidence(file)
    async with write_transaction():
        person = await load_visible(who, staff_id)
        await _first_claim_of(staff_id, kept.sha256)
        values = {
            **_values(fields),
            **_evidence_values(kept, _file_name(file, kept)),
            CC.staff: staff_id,
            CC.kindergarten: person["kindergarten"],
            CC.status: ClaimStatus.submitted.value,
            CC.submitted_by: who.username,
            CC.submitted_at: utcnow(),
        }
        row = CC(**{column._meta.name: value for column, value in values.items()})
        # the same file from a second request at the same moment (a double tap): nothing is inserted,
        # and the 409 names the claim that was
        inserted = (
            await CC.insert(row)
            .on_conflict(target=(CC.staff, CC.evidence_sha256), action="DO NOTHING")
            .returning(CC.id)
        )
        if not inserted:
            await _first_claim_of(staff_id, kept.sha256)
        claim = (await _outs(await CC.select(*COLUMNS).where(CC.id == inserted[0]["id"]), versions))[0]
        await record(who, "submit", "credit_claim", claim.id, None, claim.model_dump(mode="json"))
    return claim


def _amendable(row: dict[str, Any], staff_id: int, claim_id: int) -> None:
    if row["staff"] != staff_id:
        raise NotFound(_("no credit claim {claim}", claim=claim_id))
    if row["status"] != ClaimStatus.returned.value:
        raise Conflict(
            _("only a claim returned to you is amended; this one is {status}", status=term(ClaimStatus, row["status"])),
            code="not-returned",
        )


async def amend(who: Principal, claim_id: int, form: ClaimForm) -> ClaimOut:
    """A returned claim, amended by its teacher (a new file optional): submitted again, its last
    decision and reason cleared (the audit trail keeps them)."""
    staff_id = _own_staff(who)
    versions = await policy_versions()
    fields = _fields(form, _earliest(today(), versions))
    file = _upload(form)
    _amendable(await _load(who, claim_id), staff_id, claim_id)  # before a file is kept for it
    kept = await _evidence(file) if file is not None else None
    async with write_transaction():
        row = await _load(who, claim_id)
        _amendable(row, staff_id, claim_id)
        before = (await _outs([row], versions))[0]
        person = await load_visible(who, staff_id)
        values = {
            **_values(fields),
            CC.kindergarten: person["kindergarten"],
            CC.status: ClaimStatus.submitted.value,
            CC.submitted_at: utcnow(),
            CC.checked_by: None,
            CC.checked_at: None,
            CC.decided_by: None,
            CC.decided_at: None,
            CC.reason: "",
            CC.credits: None,
            CC.credits_reason: "",
        }
        if kept is not None and file is not None:
            await _first_claim_of(staff_id, kept.sha256, but=claim_id)
            values |= _evidence_values(kept, _file_name(file, kept))
        changed = (
            await CC.update(values)
            .where((CC.id == claim_id) & (CC.status == ClaimStatus.returned.value))
            .returning(CC.id)
        )
        if not changed:
            raise Conflict(_("the claim changed meanwhile: reload it"), code="changed")
        claim = (await _outs(await CC.select(*COLUMNS).where(CC.id == claim_id), versions))[0]
        await record(
            who, "amend", "credit_claim", claim_id, before.model_dump(mode="json"), claim.model_dump(mode="json")
        )
    return claim


# --- Reading ---------------------------------------------------------------------------------------


async def get_claim(who: Principal, claim_id: int) -> ClaimOut:
    return (await _outs([await _load(who, claim_id)]))[0]


async def list_claims(
    who: Principal,
    *,
    status: ClaimStatus | None = None,
    kindergarten_id: int | None = None,
    mine: bool = False,
    limit: int,
    offset: int,
) -> Page[ClaimOut]:
    """A caller's claims (``mine``: newest first), or the claims in their scope as a queue (oldest first)."""
    where = [CC.staff == _own_staff(who)] if mine else _scope(who)
    if status is not None:
        where.append(CC.status == status.value)
    if kindergarten_id is not None:
        where.append(CC.kindergarten == kindergarten_id)
    total = await CC.count().where(*where)
    query = CC.select(*COLUMNS).where(*where)
    query = query.order_by(CC.id, ascending=not mine) if mine else query.order_by(CC.submitted_at).order_by(CC.id)
    rows = await query.limit(limit).offset(offset)
    return Page(items=await _outs(rows), total=total, limit=limit, offset=offset)


async def waiting_count(who: Principal) -> int:
    """How many claims in the caller's scope wait for their decision (``claim_rules.waiting_for``):
    one count, for the pages' navigation."""
    status = claim_rules.waiting_for(who.role)
    if status is None:
        return 0
    return int(await CC.count().where(CC.status == status.value, *_scope(who)))


async def evidence_file(who: Principal, claim_id: int) -> tuple[str, str, bytes]:
    """(file name, media type, content) of a claim's evidence, for whoever may see the claim."""
    row = await _load(who, claim_id)
    try:
        content = await run_in_thread(evidence.read, get_settings().evidence_path, row["evidence_sha256"])
    except FileNotFoundError:
        log.error("the evidence of credit claim %s (%s) is missing", claim_id, row["evidence_sha256"])
        raise NotFound(
            _("the evidence file of claim {claim} is missing: tell the registry's administrator", claim=claim_id),
            code="evidence-missing",
        ) from None
    return row["evidence_name"] or f"claim-{claim_id}", row["evidence_type"], content


# --- Reviewing -------------------------------------------------------------------------------------


async def review(who: Principal, claim_id: int, data: ClaimReview) -> ClaimOut:
    """Her kindergarten's admin checks (approve: ``checked``), district HR decides (approve:
    ``approved`` and the ledger entry); either may return or reject it with a reason."""
    async with write_transaction():
        row = await _load(who, claim_id)
        most = policy_on(today()).credits.claim_max_credits_per_hour
        problems = claim_rules.decision_problems(
            data.decision, data.reason, data.credits, who.role, dec(row["hours"]), most
        )
        if problems:
            raise Invalid.fields([FieldError(p.field, p.message) for p in problems])
        step = claim_rules.step(ClaimStatus(row["status"]), data.decision, who.role)
        if step.to is None:
            raise Conflict(step.refusal, code=step.code)
        versions = await policy_versions()
        before = (await _outs([row], versions))[0]
        now: datetime = utcnow()
        values: dict[Any, Any] = {CC.status: step.to.value}
        if step.to == ClaimStatus.checked:
            values |= {CC.checked_by: who.username, CC.checked_at: now}
        else:
            values |= {CC.decided_by: who.username, CC.decided_at: now}
        if step.to in (ClaimStatus.returned, ClaimStatus.rejected):
            values[CC.reason] = data.reason
        if step.to == ClaimStatus.approved:
            values |= await _credit(who, row, data, _expected(row, versions))
        claimed = await CC.update(values).where((CC.id == claim_id) & (CC.status == row["status"])).returning(CC.id)
        if not claimed:
            raise Conflict(_("the claim was decided meanwhile: reload it"), code="decided-already")
        claim = (await _outs(await CC.select(*COLUMNS).where(CC.id == claim_id), versions))[0]
        await record(
            who,
            "check" if step.to == ClaimStatus.checked else ACTIONS[data.decision],
            "credit_claim",
            claim_id,
            before.model_dump(mode="json"),
            claim.model_dump(mode="json"),
        )
        await claim_notices.reviewed(claim)
    return claim


async def _credit(who: Principal, row: dict[str, Any], data: ClaimReview, expected: Decimal) -> dict[Any, Any]:
    """The approved claim's ledger entry: the policy's credits for its hours and source on its last
    day, or HR's with their reason. A person who left before that day earns none (409)."""
    person = await load_visible(who, row["staff"])
    day = as_date(row["date_to"])
    left = rules.left_problem(as_date(person["left_on"]), day)
    if left:
        raise Conflict(left, [FieldError("date_to", left)], code="staff-left")
    credits = data.credits if data.credits is not None else expected
    note = ledger.CLAIMED.format(claim=row["id"], title=row["title"])  # HR's reason: the claim's and the audit's
    entry = await ledger.record_claim(
        who,
        claim_id=row["id"],
        staff_id=row["staff"],
        day=day,
        category=row["category"],
        source=row["source"],
        hours=dec(row["hours"]),
        credits=credits,
        note=note,
    )
    return {CC.credits: credits, CC.credits_reason: data.reason if data.credits is not None else "", CC.entry: entry.id}
