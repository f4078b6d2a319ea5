"""Certificates, the dual-certificate rule applied to people, compliance, expiry and reminders."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from certificates import rules
from certificates.reminders import registration_reminders
from certificates.schemas import (
    CertificateCreate,
    CertificateEventOut,
    CertificateOut,
    CertificateUpdate,
    ComplianceOut,
    ComplianceRow,
    DualCertificateOut,
    ExpiringCertificate,
    RegistrationIn,
    RegistrationOut,
    Violation,
)
from certificates.tables import Certificate as C
from certificates.tables import CertificateEvent as E
from certificates.tables import CertificateRegistration as R
from certificates.tables import Reminder
from certificates.writes import NewCertificate, add_certificates
from credits.codes import CourseCategory
from kernel.auth import Principal
from kernel.codes import CertificateStatus, CertificateType, Role, label, term
from kernel.common.scope import kindergarten_scope, staff_scope
from kernel.common.text import missing_terms
from kernel.common.time import today, utcnow
from kernel.db import fetch_all, write_transaction
from kernel.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from kernel.i18n import F_, _
from kernel.policy import policy_on
from registry.audit.services import record
from registry.staff.codes import Post, StaffStatus
from registry.staff.services import load_visible
from training.results import passed_training


def _held(row: dict[str, Any]) -> rules.HeldCertificate:
    return rules.HeldCertificate(
        id=row["id"],
        type=row["type"],
        number=row["number"],
        status=row["status"],
        issued_on=row["issued_on"],
        expires_on=row["expires_on"],
    )


async def _certificates_of(staff_id: int) -> list[dict[str, Any]]:
    return await C.select().where(C.staff == staff_id).order_by(C.type).order_by(C.issued_on, ascending=False)


async def _outs(rows: list[dict[str, Any]], on: date) -> list[CertificateOut]:
    ids = [r["id"] for r in rows]
    events: dict[int, list[CertificateEventOut]] = defaultdict(list)
    regs: dict[int, list[RegistrationOut]] = defaultdict(list)
    if ids:
        for ev in await E.select().where(E.certificate.is_in(ids)).order_by(E.id):
            events[ev["certificate"]].append(
                CertificateEventOut(
                    action=ev["action"],
                    status_after=ev["status_after"],
                    reason=ev["reason"],
                    actor=ev["actor"],
                    at=ev["at"],
                )
            )
        for rg in await R.select().where(R.certificate.is_in(ids)).order_by(R.registered_on):
            regs[rg["certificate"]].append(
                RegistrationOut(
                    registered_on=rg["registered_on"], result=rg["result"], hours=rg["hours"], note=rg["note"]
                )
            )
    years = policy_on(on).certificates.registration_years
    out = []
    for r in rows:
        due = None
        if r["type"] == CertificateType.teacher_qualification:
            passed = [g.registered_on for g in regs[r["id"]] if g.result == "passed"]
            due = rules.registration_due(r["issued_on"], max(passed) if passed else None, years)
        out.append(
            CertificateOut(
                id=r["id"],
                staff_id=r["staff"],
                type=r["type"],
                number=r["number"],
                issuer=r["issuer"],
                issued_on=r["issued_on"],
                expires_on=r["expires_on"],
                status=rules.effective_status(r["status"], r["expires_on"], on),
                reason=r["reason"],
                events=events[r["id"]],
                registrations=regs[r["id"]],
                registration_due=due,
            )
        )
    return out


async def list_for_staff(who: Principal, staff_id: int) -> list[CertificateOut]:
    await load_visible(who, staff_id)
    return await _outs(await _certificates_of(staff_id), today())


async def _load_certificate(who: Principal, certificate_id: int) -> dict[str, Any]:
    missing = _("no certificate {certificate}", certificate=certificate_id)
    row = await C.select().where(C.id == certificate_id).first()
    if row is None:
        raise NotFound(missing)
    await load_visible(who, row["staff"], missing)  # the holder outside the caller's scope: the same 404
    return row


def duplicate_number(cert_type: str, number: str) -> str:
    """The refusal of a number recorded already for the type (the API's 409, an import's row error)."""
    return _("a {type} numbered {number} is recorded already", type=term(CertificateType, cert_type), number=number)


def check_number(cert_type: str, number: str, day: date) -> None:
    if cert_type == CertificateType.teacher_qualification:
        problem = rules.teacher_qualification_problem(number, day)
        if problem:
            raise Invalid.field(F_("number"), _("teacher qualification number {problem}", problem=problem))


async def check_post_certificate_training(staff_id: int, post: str) -> None:
    """不培训不上岗、培训不合格不上岗: a post certificate needs a passed induction/principal course."""

    policy = policy_on()
    categories = policy.certificates.training_for_post_certificate(post)
    passed = await passed_training(staff_id, categories)
    if not passed:
        names = _(" or ").join(term(CourseCategory, c) for c in categories)
        raise Conflict(
            _(
                "no post certificate without passed training: this person has no passed {names} course "
                "(不培训不上岗、培训不合格不上岗)",
                names=names,
            ),
            [FieldError("type", _("missing passed training: {names}", names=names))],
            code="training-required",
            missing_training=list(categories),
        )
    problem = rules.induction_hours_problem(
        [(p.category, p.hours) for p in passed], categories, policy.credits.induction_hours_minimum
    )
    if problem:
        raise Conflict(
            _(
                "no post certificate yet: {problem} "
                "(教育部令第7号: new teachers at least {minimum} hours of induction)",
                problem=problem,
                minimum=policy.credits.induction_hours_minimum,
            ),
            [FieldError("type", problem)],
            code="training-required",
            missing_training=["induction"],
        )


async def add_certificate(who: Principal, staff_id: int, data: CertificateCreate) -> CertificateOut:
    day = today()
    number = data.number.strip().upper()
    check_number(data.type, number, day)
    problem = rules.dates_problem(data.issued_on, data.expires_on, day)
    if problem:
        raise Invalid.field(*problem)
    if who.role != Role.district_hr and who.role != Role.kindergarten_admin:
        raise Forbidden(_("only district HR and kindergarten admins record certificates"))
    async with write_transaction():
        person = await load_visible(who, staff_id)
        if await C.exists().where(C.type == data.type.value, C.number == number):
            raise Conflict(
                duplicate_number(data.type.value, number),
                [FieldError("number", _("duplicate for this type"))],
                code="duplicate",
            )
        if data.type == CertificateType.post_certificate:
            await check_post_certificate_training(staff_id, person["post"])
        new = NewCertificate(staff_id, data.type.value, number, data.issuer, data.issued_on, data.expires_on)
        (cid,) = await add_certificates(who, [new])
    return (await _outs([await C.select().where(C.id == cid).first()], day))[0]  # type: ignore[list-item]


async def update_certificate(who: Principal, certificate_id: int, data: CertificateUpdate) -> CertificateOut:
    changes = data.model_dump(exclude_unset=True)
    day = today()
    async with write_transaction():
        row = await _load_certificate(who, certificate_id)
        values: dict[Any, Any] = {}
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        target = changes.get("status")
        if target is not None and target != row["status"]:
            if who.role != Role.district_hr:
                raise Forbidden(_("only district HR suspends, revokes or reinstates a certificate"))
            if target == CertificateStatus.expired:
                raise Invalid.field(F_("status"), _("expired is not set by hand: it follows from expires_on"))
            action = rules.status_change_action(row["status"], target)
            if action is None:
                raise Conflict(
                    _(
                        "a {status} certificate cannot become {target}",
                        status=term(CertificateStatus, row["status"]),
                        target=term(CertificateStatus, target.value),
                    ),
                    code="status-change",
                )
            reason = (changes.get("reason") or "").strip()
            if not reason:
                raise Invalid.field(F_("reason"), _("a status change needs its reason"))
            await E.insert(
                E(
                    certificate=certificate_id,
                    action=action,
                    status_after=target.value,
                    reason=reason,
                    actor=who.username,
                    at=utcnow(),
                )
            )
            values.update(status=target.value, reason=reason)
            before["status"], after["status"], after["reason"] = row["status"], target.value, reason
        for key in ("number", "issuer", "issued_on", "expires_on"):
            if key in changes and changes[key] != row[key]:
                value = changes[key]
                if key in ("number", "issued_on") and value is None:
                    raise Invalid.field(key, _("may not be null"))
                if key == "number":
                    value = value.strip().upper()
                values[key] = value
                before[key], after[key] = row[key], value
        if "number" in values:
            check_number(row["type"], values["number"], day)
            if await C.exists().where(C.type == row["type"], C.number == values["number"], C.id != certificate_id):
                raise Conflict(
                    duplicate_number(row["type"], values["number"]),
                    [FieldError("number", _("duplicate for this type"))],
                    code="duplicate",
                )
        problem = rules.dates_problem(
            values.get("issued_on", row["issued_on"]), values.get("expires_on", row["expires_on"]), day
        )
        if problem:
            raise Invalid.field(*problem)
        if values:
            values["updated_at"] = utcnow()
            await C.update(values).where(C.id == certificate_id)
            await record(who, "update", "certificate", certificate_id, _jsonable(before), _jsonable(after))
    return (await _outs([await C.select().where(C.id == certificate_id).first()], day))[0]  # type: ignore[list-item]


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in d.items()}


async def add_registration(who: Principal, certificate_id: int, data: RegistrationIn) -> CertificateOut:
    if data.registered_on > today():
        raise Invalid.field(F_("registered_on"), _("is in the future"))
    async with write_transaction():
        row = await _load_certificate(who, certificate_id)
        if row["type"] != CertificateType.teacher_qualification:
            raise Conflict(_("only a teacher qualification is registered (定期注册)"), code="not-registrable")
        if data.registered_on < row["issued_on"]:
            raise Invalid.field(F_("registered_on"), _("is before the certificate was issued"))
        await R.insert(
            R(
                certificate=certificate_id,
                registered_on=data.registered_on,
                result=data.result.value,
                hours=data.hours,
                note=data.note,
                actor=who.username,
                at=utcnow(),
            )
        )
        await record(who, "register", "certificate", certificate_id, None, data.model_dump(mode="json"))
    return (await _outs([row], today()))[0]


# --- the rule applied -------------------------------------------------------------------------


async def verdict_for(staff_id: int, post: str, on: date) -> rules.DualVerdict:
    policy = policy_on(on)
    certs = [_held(r) for r in await _certificates_of(staff_id)]
    return rules.dual_certificate(post, certs, on, policy.certificates, max(policy.reminders.windows_days))


async def dual_certificate(who: Principal, staff_id: int, on: date | None) -> DualCertificateOut:
    day = on or today()
    person = await load_visible(who, staff_id)
    v = await verdict_for(staff_id, person["post"], day)
    return DualCertificateOut.model_validate(
        {
            "staff_id": staff_id,
            "on": day,
            "compliant": v.compliant,
            "post": v.post,
            "status": person["status"],
            "required": v.required,
            "held": v.held,
            "missing": v.missing,
            "expiring": [e.__dict__ for e in v.expiring],
            "notes": v.notes,
            "source": rules.requirement_sources(person["post"], policy_on(day).certificates),
        }
    )


async def assert_may_go_on_post(staff_id: int | None, post: str) -> None:
    """Nobody is put on post without the certificates their post requires (409 naming them)."""
    day = today()
    if staff_id is None:
        missing = [rules.group_label(g) for g in policy_on(day).certificates.required_for(post)]
    else:
        missing = (await verdict_for(staff_id, post, day)).missing
    if missing:
        raise Conflict(
            _(
                "cannot put a {post} on post without: {missing} (双证上岗); "
                "record them first, or use status pending_induction",
                post=term(Post, post),
                missing=missing_terms(missing),
            ),
            [
                FieldError("status", _("missing certificate: {certificate}", certificate=missing_terms([m])))
                for m in missing
            ],
            code="dual-certificate",
            missing=missing,
        )


# --- set-wise compliance ------------------------------------------------------------------------

GROUP_KEYS = {
    "kindergarten": ("p.code", "MIN(p.kg_name)"),
    "street": ("p.street", "p.street"),
    "group": ("p.collab_group", "p.collab_group"),
    "district": ("'district'", "'district'"),
}


def _compliance_sql(policy_certs: Any, filters: list[str], by: str, limit: int, offset: int) -> str:
    """One statement: the grouped figures (part 0), then one page of violations (part 1).

    The on-post people are evaluated once (a materialised CTE); each requirement is an indexed
    EXISTS on certificate (staff, type, status), compiled from the policy by ``rules.compliance_sql``.
    """
    posts = ", ".join(f"'{p}'" for p in rules.posts_with_requirements(policy_certs))
    where = " AND ".join(["s.status = 'on_post'", f"s.post IN ({posts})", *filters])
    key, label_sql = GROUP_KEYS[by]
    group = "" if by == "district" else f" GROUP BY {key}"
    return f"""
WITH p AS MATERIALIZED (
  SELECT s.id, s.name, s.post, s.kindergarten, k.code, k.name AS kg_name, k.street, k.collab_group,
         {rules.compliance_sql(policy_certs)} AS ok
  FROM staff s JOIN kindergarten k ON k.id = s.kindergarten
  WHERE {where}
)
SELECT 0 AS part, CAST({key} AS TEXT) AS key, CAST({label_sql} AS TEXT) AS label,
       COUNT(*) AS on_post, SUM(p.ok) AS compliant,
       NULL AS id, NULL AS name, NULL AS post, NULL AS kindergarten, NULL AS code
FROM p{group}
UNION ALL
SELECT * FROM (
  SELECT 1, CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
         p.id, p.name, p.post, p.kindergarten, p.code
  FROM p WHERE p.ok = 0 ORDER BY p.code, p.name, p.id LIMIT {int(limit)} OFFSET {int(offset)}
) v"""


async def compliance(
    who: Principal,
    *,
    by: str,
    on: date | None,
    kindergarten_id: int | None,
    street: str | None,
    group: int | None,
    post: str | None,
    limit: int,
    offset: int,
) -> ComplianceOut:
    day = on or today()
    policy = policy_on(day)
    filters: list[str] = []
    args: list[Any] = []
    scope = kindergarten_scope(who)
    for sql, value in (
        ("s.kindergarten = {}", scope),
        ("s.kindergarten = {}", kindergarten_id),
        ("k.street = {}", street),
        ("k.collab_group = {}", group),
        ("s.post = {}", post),
    ):
        if value is not None:
            filters.append(sql)
            args.append(value)
    sql = _compliance_sql(policy.certificates, filters, by, limit, offset)
    # Every EXISTS binds the day twice; those placeholders all come before the filters' values.
    day_args = [day] * sql[: sql.index("FROM staff s")].count("{}")
    result = await fetch_all(sql, *day_args, *args)
    rows = [
        ComplianceRow(
            key=str(g["key"]),
            label=_("district") if by == "district" else str(g["label"]),
            on_post=g["on_post"],
            compliant=int(g["compliant"] or 0),
            rate=rules.rate(int(g["compliant"] or 0), g["on_post"]),
        )
        # group numbers sort as numbers, names and codes as text
        for g in sorted(
            (g for g in result if g["part"] == 0 and g["on_post"]),
            key=lambda g: (len(g["key"]), g["key"]) if by == "group" else g["key"],
        )
    ]
    on_post = sum(r.on_post for r in rows)
    compliant = sum(r.compliant for r in rows)
    total = ComplianceRow(
        key="total", label=_("total"), on_post=on_post, compliant=compliant, rate=rules.rate(compliant, on_post)
    )
    bad = [r for r in result if r["part"] == 1]
    held: dict[int, list[rules.HeldCertificate]] = defaultdict(list)
    if bad:
        for c in await C.select().where(C.staff.is_in([v["id"] for v in bad])):
            held[c["staff"]].append(_held(c))
    warn = max(policy.reminders.windows_days)
    violations = [
        Violation(
            staff_id=v["id"],
            name=v["name"],
            kindergarten_id=v["kindergarten"],
            kindergarten_code=v["code"],
            post=v["post"],
            missing=rules.dual_certificate(v["post"], held[v["id"]], day, policy.certificates, warn).missing,
        )
        for v in bad
    ]
    return ComplianceOut(
        on=day,
        by=by,
        rows=rows,
        total=total,
        violations=violations,
        violations_total=on_post - compliant,
        limit=limit,
        offset=offset,
        policy=policy.id,
    )


# --- expiry and reminders -------------------------------------------------------------------------


def _expiring_where(who: Principal | None, start: date, end: date) -> list[Any]:
    where: list[Any] = [
        C.status == "valid",
        C.expires_on >= start,
        C.expires_on <= end,
        C.staff.status != StaffStatus.left.value,
    ]
    if who is not None:
        scope = kindergarten_scope(who)
        if scope is not None and who.role != Role.teacher:
            where.append(C.staff.kindergarten == scope)
        person = staff_scope(who)
        if person is not None:
            where.append(C.staff == person)
    return where


EXPIRING_COLUMNS = (
    C.id,
    C.type,
    C.number,
    C.expires_on,
    C.staff,
    C.staff.name.as_alias("name"),
    C.staff.kindergarten.as_alias("kindergarten_id"),
    C.staff.kindergarten.code.as_alias("kindergarten_code"),  # type: ignore[union-attr]
)


async def expiring(who: Principal, within_days: int, limit: int, offset: int) -> tuple[list[ExpiringCertificate], int]:
    start = today()
    where = _expiring_where(who, start, start + timedelta(days=within_days))
    rows = (
        await C.select(*EXPIRING_COLUMNS)
        .where(*where)
        .order_by(C.expires_on)
        .order_by(C.id)
        .limit(limit)
        .offset(offset)
    )
    total = await C.count().where(*where)
    return [
        ExpiringCertificate(
            certificate_id=r["id"],
            type=r["type"],
            number=r["number"],
            expires_on=r["expires_on"],
            days_left=(r["expires_on"] - start).days,
            staff_id=r["staff"],
            name=r["name"],
            kindergarten_id=r["kindergarten_id"],
            kindergarten_code=r["kindergarten_code"],
        )
        for r in rows
    ], total


async def expiring_between(start: date, end: date) -> list[dict[str, Any]]:
    """Every valid certificate of someone who has not left, expiring from ``start`` to ``end`` (the
    expiry list's and the reminders' selection), with its holder and their kindergarten."""
    return list(await C.select(*EXPIRING_COLUMNS).where(*_expiring_where(None, start, end)))


async def remind(within_days: int, on: date | None = None) -> dict[int, int]:
    """Write one outbox reminder per certificate and window; a second run writes nothing new. The
    teacher qualifications due for registration (定期注册) in a window are reminded too
    (``certificates.reminders``).

    A certificate is reminded in the tightest policy window that holds it (90, 30, 7 days ...),
    so it is reminded again as it crosses into each narrower window, and never twice in one.
    Returns {window: reminders written}.
    """
    day = on or today()
    windows = [w for w in policy_on(day).reminders.windows_days if w <= within_days] or [within_days]
    where = _expiring_where(None, day, day + timedelta(days=max(windows)))
    written: dict[int, int] = dict.fromkeys(sorted(windows, reverse=True), 0)
    async with write_transaction():
        due, registrations = await registration_reminders(day, windows, policy_on(day).certificates.registration_years)
        for window, n in registrations.items():
            written[window] += n
        if due:
            await Reminder.insert(*due)
        candidates = await C.select(*EXPIRING_COLUMNS).where(*where)
        if not candidates:
            return written
        existing = {
            (r["certificate"], r["window_days"], r["expires_on"])
            for r in await Reminder.select(Reminder.certificate, Reminder.window_days, Reminder.expires_on).where(
                Reminder.certificate.is_in([c["id"] for c in candidates])
            )
        }
        new = []
        for c in candidates:
            days_left = (c["expires_on"] - day).days
            tight = rules.reminder_window(days_left, windows)
            if tight is None or (c["id"], tight, c["expires_on"]) in existing:
                continue
            message = (
                f"{c['name']}的{label(CertificateType, c['type'])}（编号 {c['number']}）将于 "
                f"{c['expires_on'].isoformat()} 到期，还有 {days_left} 天。"
            )
            new.append(
                Reminder(
                    certificate=c["id"],
                    staff=c["staff"],
                    window_days=tight,
                    expires_on=c["expires_on"],
                    message=message,
                    created_at=utcnow(),
                )
            )
            written[tight] += 1
        if new:
            await Reminder.insert(*new)
    return written
