"""Ethics (师德): annual evaluations, sanctions and appeals, a person's record, kindergarten standing.

For other areas (eligibility, reports): ``ethics.reads`` (the veto, the grades that count).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from certificates.tables import Certificate as C
from certificates.tables import CertificateEvent as CE
from ethics import rules
from ethics.codes import EthicsGrade, SanctionOutcome
from ethics.reads import as_date, date_or_none, evaluation_of, policy_of_year, policy_on, sanction_of
from ethics.schemas import (
    EvaluationCreate,
    EvaluationOut,
    SanctionCreate,
    SanctionOut,
    StaffEthicsOut,
    StandingOut,
    StandingRow,
    StandingTotals,
    VetoOut,
)
from ethics.tables import EthicsEvaluation as EV
from ethics.tables import EthicsSanction as SA
from kernel.auth import Principal
from kernel.codes import CertificateStatus, CertificateType, Role, term
from kernel.common.scope import kindergarten_scope
from kernel.common.time import today, utcnow
from kernel.db import fetch_all, write_transaction
from kernel.errors import BadRequest, Conflict, FieldError, Forbidden, Invalid
from kernel.i18n import F_, N_, _, field_label
from registry.audit.services import record
from registry.notifications.codes import NoticeKind
from registry.notifications.services import Notice, notify
from registry.staff.services import load_visible, lock_person

# --- reading a person's records -------------------------------------------------------------------


async def _evaluation_rows(staff_id: int) -> list[dict[str, Any]]:
    return await EV.select().where(EV.staff == staff_id).order_by(EV.id)


async def _sanction_rows(staff_id: int) -> list[dict[str, Any]]:
    return await SA.select().where(SA.staff == staff_id).order_by(SA.id)


def _evaluation_outs(rows: list[dict[str, Any]], sanctions: list[rules.SanctionRecord]) -> list[EvaluationOut]:
    """Each record with the grade that counts for it (held to its year's current sanctions)."""
    successor = {r["supersedes"]: r["id"] for r in rows if r["supersedes"] is not None}
    out = []
    for r in rows:
        e = evaluation_of(r)
        c = rules.counted_grade(e, sanctions, policy_of_year(e.school_year))
        out.append(
            EvaluationOut(
                id=r["id"],
                staff_id=r["staff"],
                school_year=r["school_year"],
                grade=r["grade"],
                evaluated_on=e.evaluated_on,
                evaluator=r["evaluator"],
                note=r["note"],
                supersedes=r["supersedes"],
                superseded_by=successor.get(r["id"]),
                current=r["id"] not in successor,
                created_at=r["created_at"],
                capped_grade=EthicsGrade(c.grade),
                above_cap=c.above_cap,
                capped_by=c.cap_sanction.id if c.above_cap and c.cap_sanction else None,
                cap_words=c.words(),
            )
        )
    return out


def _capped_evaluation(
    s: rules.SanctionRecord, evaluations: list[rules.EvaluationRecord], sanctions: list[rules.SanctionRecord]
) -> tuple[int, str] | None:
    """(evaluation id, words) of the current evaluation of a standing sanction's year recorded above
    its cap, or None."""
    if s.sanction is None:
        return None
    year = rules.school_year_of(s.bar_from)
    policy = policy_of_year(year)
    e = rules.current_evaluations(evaluations).get((s.staff_id, year))
    if e is None or rules.grade_allowed(e.grade, policy.grade_cap[s.sanction], policy):
        return None
    c = rules.counted_grade(e, sanctions, policy)
    words = _(
        "the {year} evaluation #{id} is recorded {recorded}, above the cap of this {sanction} ({cap}): "
        "every rule reads {grade}",
        year=year,
        id=e.id,
        recorded=term(EthicsGrade, e.grade),
        sanction=rules.measure_term(s.sanction),
        cap=term(EthicsGrade, policy.grade_cap[s.sanction]),
        grade=term(EthicsGrade, c.grade),
    )
    return e.id, words


def _sanction_outs(
    rows: list[dict[str, Any]],
    on: date,
    evaluations: list[rules.EvaluationRecord],
    sanctions: list[rules.SanctionRecord],
) -> list[SanctionOut]:
    """Each record with its year's cap and, for a standing one, the evaluation it caps (``sanctions``:
    all the person's records, for which stand)."""
    successor = {r["supersedes"]: r["id"] for r in rows if r["supersedes"] is not None}
    standing = {x.id for x in rules.current_sanctions(sanctions)}
    out = []
    for r in rows:
        x = sanction_of(r)
        year = rules.school_year_of(x.bar_from)
        capped = _capped_evaluation(x, evaluations, sanctions) if x.id in standing else None
        out.append(
            SanctionOut(
                id=r["id"],
                staff_id=r["staff"],
                violation=r["violation"],
                facts=r["facts"],
                sanction=r["sanction"],
                outcome=r["outcome"],
                decided_on=x.decided_on,
                bar_from=x.bar_from,
                bar_until=x.bar_until,
                revoke_qualification=bool(r["revoke_qualification"]),
                revoked_certificate_id=r["revoked_certificate"],
                supersedes=r["supersedes"],
                superseded_by=successor.get(r["id"]),
                current=r["id"] not in successor,
                in_force_today=r["id"] not in successor and rules.in_force(x, on),
                decided_by=r["decided_by"],
                created_at=r["created_at"],
                school_year=year,
                grade_cap=EthicsGrade(policy_of_year(year).grade_cap[x.sanction]) if x.sanction else None,
                capped_evaluation_id=capped[0] if capped else None,
                notice=capped[1] if capped else None,
            )
        )
    return out


async def staff_ethics(who: Principal, staff_id: int) -> StaffEthicsOut:
    await load_visible(who, staff_id)
    day = today()
    ev_rows, sa_rows = await _evaluation_rows(staff_id), await _sanction_rows(staff_id)
    evs, sas = [evaluation_of(r) for r in ev_rows], [sanction_of(r) for r in sa_rows]
    evaluations = _evaluation_outs(ev_rows, sas)
    v = rules.veto(day, evs, sas, policy_on(day).ethics, policy_of_year)
    return StaffEthicsOut(
        staff_id=staff_id,
        current=sorted((e for e in evaluations if e.current), key=lambda e: e.school_year, reverse=True),
        evaluations=evaluations[::-1],
        sanctions=_sanction_outs(sa_rows, day, evs, sas)[::-1],
        veto_today=VetoOut(reason_code=v.reason_code, detail=v.detail, until=v.until) if v else None,
    )


# --- writing ----------------------------------------------------------------------------------------


async def add_evaluation(who: Principal, staff_id: int, data: EvaluationCreate) -> EvaluationOut:
    bounds = rules.parse_school_year(data.school_year)
    if bounds is None:
        raise Invalid.field(F_("school_year"), _('must be "YYYY-YYYY" with consecutive years, e.g. "2025-2026"'))
    start, _end = bounds
    if data.evaluated_on < start:
        raise Invalid.field(
            F_("evaluated_on"),
            _("is before the {year} school year starts ({day})", year=data.school_year, day=start.isoformat()),
        )
    if data.evaluated_on > today():
        raise Invalid.field(F_("evaluated_on"), _("is in the future"))
    year = data.school_year
    async with write_transaction():
        await load_visible(who, staff_id)
        await lock_person(staff_id)
        ev_rows = await _evaluation_rows(staff_id)
        current = rules.current_evaluations(evaluation_of(r) for r in ev_rows if r["school_year"] == year)
        existing = current.get((staff_id, year))
        if existing is not None and data.supersedes is None:
            raise Conflict(
                _(
                    "an evaluation for {year} is recorded already (#{id}, {grade}); "
                    "to correct it or record an appeal outcome, send supersedes={id}",
                    year=year,
                    id=existing.id,
                    grade=term(EthicsGrade, existing.grade),
                ),
                [FieldError("supersedes", _("required: the current evaluation of this school year"))],
                code="duplicate",
                current_id=existing.id,
            )
        if data.supersedes is not None and (existing is None or existing.id != data.supersedes):
            if existing is not None:
                detail = _(
                    "evaluation #{id} is not the current {year} evaluation of this person "
                    "(the current one is #{current})",
                    id=data.supersedes,
                    year=year,
                    current=existing.id,
                )
            else:
                detail = _(
                    "evaluation #{id} is not the current {year} evaluation of this person (there is none)",
                    id=data.supersedes,
                    year=year,
                )
            raise Conflict(
                detail,
                [FieldError("supersedes", _("not the current evaluation of this school year"))],
                code="not-current",
            )
        if existing is not None and existing.grade == "unqualified" and who.role != Role.district_hr:
            raise Forbidden(
                _("only district HR revises an unqualified evaluation: it carries the one-vote veto"), code="veto"
            )
        policy = policy_of_year(year)
        sanctions = [sanction_of(r) for r in await _sanction_rows(staff_id)]
        cap = rules.year_cap(sanctions, year, policy)
        if cap is not None and not rules.grade_allowed(data.grade.value, cap[1], policy):
            s, best = cap
            kind = s.sanction or ""
            raise Conflict(
                _(
                    "a {sanction} decided {day} caps the {year} grade at {cap}: {grade} is not allowed",
                    sanction=rules.measure_term(kind),
                    day=s.bar_from.isoformat(),
                    year=year,
                    cap=term(EthicsGrade, best),
                    grade=term(EthicsGrade, data.grade.value),
                ),
                [FieldError("grade", _("at most {cap} for {year}", cap=term(EthicsGrade, best), year=year))],
                code="grade-cap",
                cap=best,
                sanction_id=s.id,
            )
        rows = await EV.insert(
            EV(
                staff=staff_id,
                school_year=year,
                grade=data.grade.value,
                evaluated_on=data.evaluated_on,
                evaluator=who.username,
                supersedes=data.supersedes,
                note=data.note,
                created_at=utcnow(),
            )
        ).returning(EV.id)
        new_id = rows[0]["id"]
        before = None
        if existing is not None:
            before = {"id": existing.id, "grade": existing.grade, "evaluated_on": existing.evaluated_on.isoformat()}
        await record(
            who,
            "evaluate",
            "ethics_evaluation",
            new_id,
            before,
            {"staff_id": staff_id, **data.model_dump(mode="json")},
        )
        if data.grade == EthicsGrade.unqualified:
            await veto_recorded(staff_id, f"veto:evaluation:{new_id}", EVALUATION_VETO, {"year": year})
        row = await EV.select().where(EV.id == new_id).first()
    assert row is not None
    return _evaluation_outs([row], sanctions)[0]


def _sanction_shape(data: SanctionCreate) -> SanctionOutcome:
    """The outcome the body describes; 422 for combinations that make no sense."""
    if data.supersedes is None:
        if data.outcome not in (None, SanctionOutcome.decided):
            raise Invalid.field(
                F_("outcome"),
                _(
                    "{outcome} needs supersedes: the sanction the appeal answers",
                    outcome=term(SanctionOutcome, data.outcome),
                ),
            )
        if data.sanction is None:
            raise Invalid.field(F_("sanction"), _("is required"))
        if data.violation is None:
            raise Invalid.field(F_("violation"), _("is required"))
        return SanctionOutcome.decided
    outcome = data.outcome or (SanctionOutcome.lifted if data.sanction is None else SanctionOutcome.changed)
    if outcome == SanctionOutcome.decided:
        raise Invalid.field(F_("outcome"), _("an appeal outcome (with supersedes) is changed or lifted"))
    if outcome == SanctionOutcome.lifted and data.sanction is not None:
        raise Invalid.field(F_("sanction"), _("must be null when the appeal lifts the sanction"))
    if outcome == SanctionOutcome.changed and data.sanction is None:
        raise Invalid.field(F_("sanction"), _("is required when the appeal changes the sanction"))
    if outcome == SanctionOutcome.lifted and data.revoke_qualification:
        raise Invalid.field(F_("revoke_qualification"), _("a lifting appeal revokes nothing"))
    return outcome


async def _revoke_qualifications(who: Principal, staff_id: int, reason: str) -> list[int]:
    """Revoke every teacher qualification of the person not revoked yet, with its event and audit."""
    certs = await C.select(C.id, C.status).where(
        C.staff == staff_id,
        C.type == CertificateType.teacher_qualification.value,
        C.status != CertificateStatus.revoked.value,
    )
    now = utcnow()
    for c in certs:
        await CE.insert(
            CE(
                certificate=c["id"],
                action="revoke",
                status_after=CertificateStatus.revoked.value,
                reason=reason,
                actor=who.username,
                at=now,
            )
        )
        await C.update({C.status: CertificateStatus.revoked.value, C.reason: reason, C.updated_at: now}).where(
            C.id == c["id"]
        )
        await record(
            who,
            "update",
            "certificate",
            c["id"],
            {"status": c["status"]},
            {"status": CertificateStatus.revoked.value, "reason": reason},
        )
    return [c["id"] for c in certs]


async def add_sanction(who: Principal, staff_id: int, data: SanctionCreate) -> SanctionOut:
    outcome = _sanction_shape(data)
    if data.decided_on > today():
        raise Invalid.field(F_("decided_on"), _("is in the future"))
    async with write_transaction():
        await load_visible(who, staff_id)
        await lock_person(staff_id)
        violation = data.violation
        bar_from = data.decided_on
        original: dict[str, Any] | None = None
        if data.supersedes is not None:
            original = await SA.select().where(SA.id == data.supersedes, SA.staff == staff_id).first()
            if original is None:
                raise Conflict(
                    _("no sanction #{id} of this person to appeal", id=data.supersedes),
                    [FieldError("supersedes", _("not a sanction of this person"))],
                    code="unknown-sanction",
                )
            if await SA.exists().where(SA.supersedes == data.supersedes):
                raise Conflict(
                    _("sanction #{id} was already changed or lifted by a later decision", id=data.supersedes),
                    [FieldError("supersedes", _("not the current decision"))],
                    code="not-current",
                )
            if original["outcome"] == SanctionOutcome.lifted:
                raise Conflict(_("sanction #{id} is lifted already", id=data.supersedes), code="not-current")
            if data.decided_on < as_date(original["decided_on"]):
                raise Invalid.field(F_("decided_on"), _("is before the decision the appeal answers"))
            violation = violation if violation is not None else original["violation"]
            bar_from = as_date(original["bar_from"])
        policy = policy_on(bar_from).ethics
        if violation is None or not 1 <= violation <= policy.violation_kinds:
            raise Invalid.field(
                F_("violation"), _("must be a kind of violation from 1 to {last}", last=policy.violation_kinds)
            )
        sanction = data.sanction.value if data.sanction else None
        until = rules.bar_until(bar_from, sanction, policy) if sanction else None
        revoked: list[int] = []
        if data.revoke_qualification:
            name = rules.measure_words(sanction) if sanction else ""
            reason = (
                f"师德违规（第{violation}项）{name} {data.decided_on.isoformat()}，撤销教师资格 "
                f"(qualification revoked with a {sanction} for violation {violation})"
            )
            revoked = await _revoke_qualifications(who, staff_id, reason)
            if not revoked:
                raise Conflict(
                    _("this person holds no teacher qualification that could be revoked"),
                    [FieldError("revoke_qualification", _("no teacher qualification on record"))],
                    code="nothing-to-revoke",
                )
        rows = await SA.insert(
            SA(
                staff=staff_id,
                violation=violation,
                facts=data.facts,
                sanction=sanction,
                outcome=outcome.value,
                decided_on=data.decided_on,
                bar_from=bar_from,
                bar_until=until,
                revoke_qualification=data.revoke_qualification,
                revoked_certificate=revoked[0] if revoked else None,
                supersedes=data.supersedes,
                decided_by=who.username,
                created_at=utcnow(),
            )
        ).returning(SA.id)
        new_id = rows[0]["id"]
        # a current evaluation of its year recorded above the new cap is flagged: it counts at the cap
        evaluations = [evaluation_of(r) for r in await _evaluation_rows(staff_id)]
        sa_rows = await _sanction_rows(staff_id)
        sanctions = [sanction_of(r) for r in sa_rows]
        row = next(r for r in sa_rows if r["id"] == new_id)
        out = _sanction_outs([row], today(), evaluations, sanctions)[0]
        before = None
        if original is not None:
            before = {
                "id": original["id"],
                "sanction": original["sanction"],
                "bar_until": date_or_none(original["bar_until"]),
            }
        await record(
            who,
            "sanction" if outcome == SanctionOutcome.decided else f"appeal_{outcome.value}",
            "ethics_sanction",
            new_id,
            before,
            {
                "staff_id": staff_id,
                **data.model_dump(mode="json"),
                "violation": violation,
                "outcome": outcome.value,
                "bar_from": bar_from.isoformat(),
                "bar_until": until.isoformat() if until else None,
                "revoked_certificates": revoked,
                "capped_evaluation": out.capped_evaluation_id,
            },
        )
        # decided, or changed on appeal: it bars (the veto) while in force; one over already is not told
        if sanction is not None and (until is None or until >= today()):
            what = {"sanction@SanctionKind": sanction, "decided_on": data.decided_on.isoformat()}
            if until is None:
                await veto_recorded(staff_id, f"veto:sanction:{new_id}", SANCTION_VETO_PERMANENT, what)
            else:
                await veto_recorded(
                    staff_id, f"veto:sanction:{new_id}", SANCTION_VETO, {**what, "until": until.isoformat()}
                )
    return out


EVALUATION_VETO = N_(
    "your ethics evaluation for {year} is unqualified: the one-vote veto (师德一票否决) bars you from title "
    "evaluation, backbone selection, awards and promotion until a later evaluation replaces it"
)
SANCTION_VETO = N_(
    "a {sanction} was recorded on {decided_on}: the one-vote veto (师德一票否决) bars you from title evaluation, "
    "backbone selection, awards and promotion through {until}"
)
SANCTION_VETO_PERMANENT = N_(
    "a {sanction} was recorded on {decided_on}: the one-vote veto (师德一票否决) bars you from title evaluation, "
    "backbone selection, awards and promotion without an end date"
)


async def veto_recorded(staff_id: int, occasion: str, message: str, params: dict[str, Any]) -> None:
    """The veto told to the person (their account, if they have one), in the write's transaction."""
    notice = Notice(NoticeKind.veto, occasion, message, params, "/me")
    await notify(notice, staff=[staff_id])


# --- kindergarten standing (责令整改) ------------------------------------------------------------------


async def ethics_standing(who: Principal, school_year: str | None) -> StandingOut:
    """Per kindergarten: on-post staff of the evaluated posts (policy) who were hired by the end of
    the school year, how many have a current evaluation for it, and the sanctions decided in it.

    Default: the latest school year that has ended (the annual evaluation is made at its end; the
    year in progress has none yet)."""
    year = school_year or rules.latest_ended_school_year(today())
    bounds = rules.parse_school_year(year)
    if bounds is None:
        raise BadRequest(
            _(
                "{field}: {message}",
                field=field_label(F_("school_year")),
                message=_("must be YYYY-YYYY with consecutive years"),
            ),
            [FieldError("school_year", _('e.g. "2025-2026"'))],
        )
    start, end = bounds
    policy = policy_on(start)
    posts = policy.ethics.evaluated_posts
    scope = kindergarten_scope(who)
    kg_filter = "" if scope is None else " WHERE k.id = {}"
    kg_args: list[Any] = [] if scope is None else [scope]
    post_list = ", ".join("{}" for _post in posts)
    people = await fetch_all(
        "SELECT k.id, k.code, k.name, COUNT(s.id) AS on_post, COUNT(e.staff) AS evaluated "
        "FROM kindergarten k "
        f"LEFT JOIN staff s ON s.kindergarten = k.id AND s.status = {{}} AND s.post IN ({post_list}) "
        "AND (s.hired_on IS NULL OR s.hired_on <= {}) "
        "LEFT JOIN (SELECT DISTINCT c.staff FROM ethics_evaluation c WHERE c.school_year = {} "
        "AND NOT EXISTS (SELECT 1 FROM ethics_evaluation n WHERE n.supersedes = c.id)) e ON e.staff = s.id"
        + kg_filter
        + " GROUP BY k.id, k.code, k.name ORDER BY k.code",
        "on_post",
        *posts,
        end,
        year,
        *kg_args,
    )
    sanction_counts = await fetch_all(
        "SELECT s.kindergarten AS kg, COUNT(*) AS n FROM ethics_sanction x JOIN staff s ON s.id = x.staff "
        "WHERE x.sanction IS NOT NULL AND x.outcome <> {} AND x.bar_from >= {} AND x.bar_from <= {} "
        "AND NOT EXISTS (SELECT 1 FROM ethics_sanction n WHERE n.supersedes = x.id)"
        + ("" if scope is None else " AND s.kindergarten = {}")
        + " GROUP BY s.kindergarten",
        SanctionOutcome.lifted.value,
        start,
        end,
        *kg_args,
    )
    by_kg = {r["kg"]: int(r["n"]) for r in sanction_counts}
    rows: list[StandingRow] = []
    for p in people:
        on_post, evaluated = int(p["on_post"]), int(p["evaluated"])
        n = by_kg.get(p["id"], 0)
        verdict = rules.standing(year, on_post, evaluated, n, policy.ethics)
        rows.append(
            StandingRow(
                kindergarten_id=p["id"],
                kindergarten_code=p["code"],
                kindergarten_name=p["name"],
                on_post=on_post,
                evaluated=evaluated,
                missing=on_post - evaluated,
                missing_share=verdict.missing_share,
                sanctions=n,
                flagged=verdict.flagged,
                reasons=list(verdict.reasons),
            )
        )
    on_post = sum(r.on_post for r in rows)
    evaluated = sum(r.evaluated for r in rows)
    return StandingOut(
        school_year=year,
        threshold=policy.ethics.missing_evaluations_threshold,
        posts=list(posts),
        rows=rows,
        district=StandingTotals(
            kindergartens=len(rows),
            flagged=sum(r.flagged for r in rows),
            on_post=on_post,
            evaluated=evaluated,
            missing=on_post - evaluated,
            missing_share=(on_post - evaluated) / on_post if on_post else None,
            sanctions=sum(r.sanctions for r in rows),
        ),
        policy=policy.id,
    )
