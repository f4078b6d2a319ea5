"""The reserve talent pool: candidates and their certificates. Every write runs in one
``write_transaction()`` with its audit events."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from certificates import rules as cert_rules
from kernel.auth import Principal
from kernel.codes import Role
from kernel.common.like import LIKE, contains, json_item, starts_with
from kernel.common.privacy import mask_id_number, masked_id_sql
from kernel.common.time import today, utcnow
from kernel.db import fetch_all, is_sqlite, write_transaction
from kernel.errors import Conflict, FieldError, Invalid, NotFound
from kernel.i18n import F_, _, field_label
from kernel.rows import as_date, json_list
from registry.audit.services import record
from registry.staff.codes import StaffStatus
from registry.staff.rules import parse_id_number
from staffing import rules
from staffing.codes import CandidateStatus
from staffing.schemas import (
    CandidateCreate,
    CandidateOut,
    CandidatePage,
    CandidateUpdate,
    PoolCertificateIn,
    PoolCertificateOut,
)
from staffing.sqltext import json_text, placeholders
from staffing.tables import PoolCandidate as PC
from staffing.tables import PoolCertificate as PCert

CANDIDATE_COLUMNS = (
    "c.id, c.id_number, c.name, c.sex, c.birth_date, c.source, c.posts, c.streets, c.education, "
    "c.available_from, c.available_to, c.status, c.staff, c.note, c.created_at, c.updated_at"
)


def _cert_out(r: dict[str, Any]) -> PoolCertificateOut:
    return PoolCertificateOut(
        type=r["type"],
        number=r["number"],
        issuer=r["issuer"],
        issued_on=as_date(r["issued_on"]),
        expires_on=as_date(r["expires_on"]),
    )


def id_for(who: Principal, id_number: str) -> str:
    """Candidates' ID numbers are shown in full to district HR only (as for staff)."""
    return id_number if who.role == Role.district_hr else mask_id_number(id_number)


def _candidate_out(who: Principal, r: dict[str, Any], certs: list[dict[str, Any]]) -> CandidateOut:
    return CandidateOut(
        id=r["id"],
        id_number=id_for(who, r["id_number"]),
        name=r["name"],
        sex=r["sex"],
        birth_year=as_date(r["birth_date"]).year,
        source=r["source"],
        posts=json_list(r["posts"]),
        streets=json_list(r["streets"]),
        education=r["education"],
        available_from=as_date(r["available_from"]),
        available_to=as_date(r["available_to"]),
        status=r["status"],
        staff_id=r["staff"],
        certificates=[_cert_out(c) for c in certs],
        note=r["note"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


async def certificates_of(candidate_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not candidate_ids:
        return out
    rows = await fetch_all(
        "SELECT c.candidate, c.type, c.number, c.issuer, c.issued_on, c.expires_on, c.status FROM pool_certificate c "
        f"WHERE c.candidate IN ({placeholders(candidate_ids)}) ORDER BY c.candidate, c.type, c.id",
        *candidate_ids,
    )
    for r in rows:
        out[r["candidate"]].append(r)
    return out


async def list_candidates(
    who: Principal,
    *,
    status: str | None,
    post: str | None,
    source: str | None,
    street: str | None,
    search: str | None,
    limit: int,
    offset: int,
) -> CandidatePage:
    clauses: list[str] = []
    args: list[Any] = []
    if status:
        clauses.append("c.status = {}")
        args.append(status)
    if source:
        clauses.append("c.source = {}")
        args.append(source)
    if post:
        clauses.append(f"CAST(c.posts AS TEXT) {LIKE}")
        args.append(json_item(post))
    if street:
        clauses.append(f"CAST(c.streets AS TEXT) {LIKE}")
        args.append(json_item(street))
    if search:
        term = search.strip().upper() if search.strip()[:1].isdigit() else search.strip()
        # as for staff: literal text; only district HR searches the ID number itself (by its start),
        # anyone else part of the number as they see it
        if who.role == Role.district_hr:
            clauses.append(f"(c.name {LIKE} OR c.id_number {LIKE})")
            args += [contains(term), starts_with(term)]
        else:
            clauses.append(f"(c.name {LIKE} OR {masked_id_sql('c.id_number')} {LIKE})")
            args += [contains(term), contains(term)]
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    total = (await fetch_all(f"SELECT COUNT(*) AS n FROM pool_candidate c{where}", *args))[0]["n"]
    rows = await fetch_all(
        f"SELECT {CANDIDATE_COLUMNS} FROM pool_candidate c{where} ORDER BY c.id "
        f"LIMIT {int(limit)} OFFSET {int(offset)}",
        *args,
    )
    certs = await certificates_of([r["id"] for r in rows])
    return CandidatePage(
        items=[_candidate_out(who, r, certs[r["id"]]) for r in rows], total=int(total), limit=limit, offset=offset
    )


async def candidate_row(candidate_id: int, lock: bool = False) -> dict[str, Any]:
    sql = f"SELECT {CANDIDATE_COLUMNS} FROM pool_candidate c WHERE c.id = {{}}"
    if lock and not is_sqlite():
        sql += " FOR UPDATE"  # placements of one candidate are serialised (SQLite's writers are already)
    rows = await fetch_all(sql, candidate_id)
    if not rows:
        raise NotFound(_("no candidate {candidate_id}", candidate_id=candidate_id))
    return rows[0]


async def get_candidate(who: Principal, candidate_id: int) -> CandidateOut:
    row = await candidate_row(candidate_id)
    return _candidate_out(who, row, (await certificates_of([candidate_id]))[candidate_id])


def _check_certificates(certs: list[PoolCertificateIn], day: date) -> None:
    """The staff register's checks: teacher-qualification numbers and dates (422 naming the item)."""
    errors = []
    for i, c in enumerate(certs):
        number = c.number.strip().upper()
        if c.type == "teacher_qualification":
            problem = cert_rules.teacher_qualification_problem(number, day)
            if problem:
                errors.append(
                    FieldError(
                        f"certificates[{i}].number", _("teacher qualification number {problem}", problem=problem)
                    )
                )
        dates = cert_rules.dates_problem(c.issued_on, c.expires_on, day)
        if dates:
            errors.append(FieldError(f"certificates[{i}].{dates[0]}", dates[1]))
    seen = [(c.type, c.number.strip().upper()) for c in certs]
    if len(set(seen)) != len(seen):
        errors.append(FieldError(F_("certificates"), _("the same certificate is listed twice")))
    if errors:
        raise Invalid(
            _("; ").join(_("{field}: {message}", field=field_label(e.field), message=e.message) for e in errors), errors
        )


async def _write_certificates(candidate_id: int, certs: list[PoolCertificateIn]) -> None:
    await PCert.delete().where(PCert.candidate == candidate_id)
    if certs:
        await PCert.insert(
            *[
                PCert(
                    candidate=candidate_id,
                    type=c.type.value,
                    number=c.number.strip().upper(),
                    issuer=c.issuer,
                    issued_on=c.issued_on,
                    expires_on=c.expires_on,
                    status="valid",
                )
                for c in certs
            ]
        )


def _candidate_snapshot(out: CandidateOut) -> dict[str, Any]:
    return out.model_dump(mode="json", exclude={"created_at", "updated_at"})


async def _check_not_employed(id_number: str) -> None:
    rows = await fetch_all(
        "SELECT s.id, s.status, k.code FROM staff s JOIN kindergarten k ON k.id = s.kindergarten "
        "WHERE s.id_number = {}",
        id_number,
    )
    if rows and rows[0]["status"] != StaffStatus.left:
        raise Conflict(
            _(
                "this person works at {kindergarten} already (staff {staff_id}): a move is a transfer",
                kindergarten=rows[0]["code"],
                staff_id=rows[0]["id"],
            ),
            [FieldError(F_("id_number"), _("employed"))],
            code="employed",
        )


async def create_candidate(who: Principal, data: CandidateCreate) -> CandidateOut:
    day = today()
    parsed = parse_id_number(data.id_number)
    _check_certificates(data.certificates, day)
    async with write_transaction():
        if await PC.exists().where(PC.id_number == parsed.value):
            raise Conflict(
                _("this person is in the pool already"), [FieldError(F_("id_number"), _("duplicate"))], code="duplicate"
            )
        await _check_not_employed(parsed.value)
        now = utcnow()
        rows = await PC.insert(
            PC(
                id_number=parsed.value,
                name=data.name,
                sex=parsed.sex.value,
                birth_date=parsed.birth_date,
                source=data.source.value,
                posts=json_text([p.value for p in data.posts]),
                streets=json_text(data.streets),
                education=data.education.value if data.education else None,
                available_from=data.available_from,
                available_to=data.available_to,
                status=CandidateStatus.available.value,
                note=data.note,
                created_at=now,
                updated_at=now,
            )
        ).returning(PC.id)
        cid = rows[0]["id"]
        await _write_certificates(cid, data.certificates)
        out = await get_candidate(who, cid)
        await record(who, "create", "pool_candidate", cid, None, _candidate_snapshot(out))
    return out


async def update_candidate(who: Principal, candidate_id: int, data: CandidateUpdate) -> CandidateOut:
    changes = data.model_dump(exclude_unset=True)
    for key in (
        F_("name"),
        F_("source"),
        F_("posts"),
        F_("streets"),
        F_("available_from"),
        F_("status"),
        F_("certificates"),
    ):
        if key in changes and changes[key] is None:
            raise Invalid.field(key, _("may not be null"))
    if data.certificates is not None:
        _check_certificates(data.certificates, today())
    async with write_transaction():
        row = await candidate_row(candidate_id, lock=True)
        before = await get_candidate(who, candidate_id)
        if row["status"] == CandidateStatus.placed:
            raise Conflict(
                _(
                    "candidate {candidate_id} is placed: the staff record is where they are kept now",
                    candidate_id=candidate_id,
                ),
                code="placed",
            )
        target = changes.get("status")
        change = (CandidateStatus(row["status"]), CandidateStatus(target or row["status"]))
        if target is not None and target != row["status"] and change not in rules.STATUS_CHANGES:
            raise Conflict(
                _(
                    "a {status} candidate cannot become {target}",
                    status=rules.in_words(CandidateStatus, row["status"]),
                    target=rules.in_words(CandidateStatus, target),
                ),
                code="status-change",
            )
        start = changes.get("available_from", as_date(row["available_from"]))
        end = changes.get("available_to", as_date(row["available_to"]))
        problem = rules.availability_problem(start, end)
        if problem:
            raise Invalid.field(F_("available_to"), problem)
        values: dict[Any, Any] = {}
        for key in ("name", "source", "education", "available_from", "available_to", "status", "note"):
            if key in changes:
                values[key] = getattr(changes[key], "value", changes[key])
        if "posts" in changes:
            values["posts"] = json_text(list(dict.fromkeys(str(getattr(p, "value", p)) for p in changes["posts"])))
        if "streets" in changes:
            values["streets"] = json_text(list(dict.fromkeys(s.strip() for s in changes["streets"] if s.strip())))
        if values:
            values["updated_at"] = utcnow()
            await PC.update(values).where(PC.id == candidate_id)
        if data.certificates is not None:
            await _write_certificates(candidate_id, data.certificates)
        after = await get_candidate(who, candidate_id)
        b, a = _candidate_snapshot(before), _candidate_snapshot(after)
        delta = {k: v for k, v in a.items() if b.get(k) != v}
        if delta:
            await record(who, "update", "pool_candidate", candidate_id, {k: b[k] for k in delta}, delta)
    return after


# --- matching -------------------------------------------------------------------------------------------
