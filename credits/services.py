"""Credits: the append-only ledger, the dated recognition policies, transcripts and eligibility.

Every write runs in one ``write_transaction()`` with its audit event. People are scoped like the
staff register (``load_visible``: a kindergarten admin sees their own kindergarten's staff, a
teacher their own record; anything else is 404).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from credits import rules
from credits.rules import ZERO, PolicyVersion, dec, shown
from credits.schemas import (
    BatchOut,
    BatchRow,
    CategoryOut,
    EligibilityOut,
    EntryCreate,
    EntryOut,
    PolicyCreate,
    PolicyOut,
    ReasonOut,
    Required,
    ReversalCreate,
    TranscriptOut,
    YearOut,
)
from credits.tables import CreditEntry as CE
from credits.tables import CreditPolicy as CP
from registry.accounts.rules import Principal
from registry.audit.services import record
from registry.codes import CreditSource, CreditStatus, Purpose, Role
from registry.common.schemas import DEFAULT_LIMIT
from registry.common.time import today, utcnow
from registry.db import write_transaction
from registry.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from registry.policy import versions as default_versions
from registry.staff.services import load_visible

# --- Policies ----------------------------------------------------------------------------------


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _as_date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


_VERSIONS: dict[tuple[Any, ...], PolicyVersion] = {}


def _version(row: dict[str, Any]) -> PolicyVersion:
    """The row as a PolicyVersion, built once per distinct row content (rows change only by a new
    version closing the current one, which changes ``effective_to`` and so the key): the same
    object comes back for the same row, so per-version figures (``rules.numbers``) are cached."""
    key = tuple(str(row[k]) for k in ("id", "effective_from", "effective_to", "policy_values", "citations"))
    cached = _VERSIONS.get(key)
    if cached is None:
        cached = _build_version(row)
        if len(_VERSIONS) > 256:
            _VERSIONS.clear()
        _VERSIONS[key] = cached
    return cached


def _build_version(row: dict[str, Any]) -> PolicyVersion:
    values, citations = _json(row["policy_values"]), _json(row["citations"])
    effective_from = _as_date(row["effective_from"])
    if "hours_per_credit_by_mode" not in values:
        # a version stored before course rates joined the recognition policy: it was seeded from
        # (or written beside) the defaults file, whose course rates were in force then
        from registry.policy import policy_on

        seeded = policy_on(max(effective_from, default_versions()[0].effective_from)).recognition
        values = {**values, "hours_per_credit_by_mode": seeded.hours_per_credit_by_mode}
        citations = {**citations, "hours_per_credit_by_mode": citations.get("hours_per_credit", "")}
    return PolicyVersion(
        id=row["id"],
        effective_from=effective_from,
        effective_to=_as_date(row["effective_to"]),
        recognition=rules.recognition_from(values, citations),
    )


def _policy_out(row: dict[str, Any]) -> PolicyOut:
    return PolicyOut(
        id=row["id"],
        effective_from=row["effective_from"],
        effective_to=row["effective_to"],
        description=row["description"],
        values=_json(row["policy_values"]),
        citations=_json(row["citations"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
    )


async def _seed() -> None:
    """First use: copy the recognition sections of registry/policy/defaults.toml, one row per version."""
    async with write_transaction():
        if await CP.exists():
            return
        built = list(default_versions())
        for i, p in enumerate(built):
            nxt = built[i + 1].effective_from - timedelta(days=1) if i + 1 < len(built) else None
            await CP.insert(
                CP(
                    effective_from=p.effective_from,
                    effective_to=nxt,
                    policy_values=json.dumps(rules.recognition_values(p.recognition)),
                    citations=json.dumps(rules.citations_of(p.recognition), ensure_ascii=False),
                    description=f"seeded from registry/policy/defaults.toml version {p.id}",
                    created_by="system",
                    created_at=utcnow(),
                )
            )


async def _policy_rows() -> list[dict[str, Any]]:
    rows = await CP.select().order_by(CP.effective_from)
    if not rows:
        # a concurrent first read may seed it first (unique effective_from): then read theirs;
        # anything else is a real failure and propagates
        try:
            await _seed()
        except Exception as exc:
            if not _is_unique_violation(exc):
                raise
        rows = await CP.select().order_by(CP.effective_from)
    return list(rows)


async def policy_versions() -> list[PolicyVersion]:
    return [_version(r) for r in await _policy_rows()]


async def list_policies(who: Principal) -> list[PolicyOut]:
    return [_policy_out(r) for r in await _policy_rows()]


async def create_policy(who: Principal, data: PolicyCreate) -> PolicyOut:
    await _policy_rows()  # seeded before the first change
    values = data.values.model_dump(mode="json")
    async with write_transaction():
        existing = [_version(r) for r in await CP.select().order_by(CP.effective_from)]
        problem, to_close = rules.policy_conflict(data.effective_from, data.effective_to, existing)
        if problem:
            raise Conflict(
                f"two policies would cover the same dates: {problem}",
                [FieldError("effective_from", problem)],
            )
        if to_close is not None:
            closed_on = data.effective_from - timedelta(days=1)
            await CP.update({CP.effective_to: closed_on}).where(CP.id == to_close.id)
            await record(
                who,
                "close",
                "credit_policy",
                to_close.id,
                {"effective_to": None},
                {"effective_to": closed_on.isoformat()},
            )
        rows = await CP.insert(
            CP(
                effective_from=data.effective_from,
                effective_to=data.effective_to,
                policy_values=json.dumps(values),
                citations=json.dumps(data.citations, ensure_ascii=False),
                description=data.description,
                created_by=who.username,
                created_at=utcnow(),
            )
        ).returning(CP.id)
        row = await CP.select().where(CP.id == rows[0]["id"]).first()
        assert row is not None
        out = _policy_out(row)
        await record(who, "create", "credit_policy", out.id, None, out.model_dump(mode="json", exclude={"created_at"}))
    return out


# --- Ledger ------------------------------------------------------------------------------------

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


def _entry_out(row: dict[str, Any], reversed_by: int | None = None, counted: Decimal | None = None) -> EntryOut:
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
        reason=row["reason"],
        recorded_by=row["recorded_by"],
        reverses=row["reverses"],
        reversed_by=reversed_by,
        created_at=row["created_at"],
    )


def _is_unique_violation(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "unique" in text


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
            f"a {source} entry with reference {reference} exists already: it is never counted twice",
            [FieldError("reference", "duplicate")],
        )
    try:
        rows = await CE.insert(
            CE(
                staff=staff_id,
                entry_date=day,
                school_year=rules.school_year(day),
                category=category,
                source=source,
                hours=hours,
                credits=credits,
                reference=reference,
                reason=reason,
                recorded_by=who.username,
                reverses=reverses,
                created_at=utcnow(),
            )
        ).returning(CE.id)
    except Exception as exc:  # a concurrent writer got there first
        if _is_unique_violation(exc):
            raise Conflict("the entry was recorded concurrently already") from exc
        raise
    row = await CE.select(*ENTRY_COLUMNS).where(CE.id == rows[0]["id"]).first()
    assert row is not None
    out = _entry_out(row)
    await record(
        who,
        "reverse" if reverses else "create",
        "credit_entry",
        out.id,
        None,
        out.model_dump(mode="json", exclude={"created_at", "counted", "reversed_by"}),
    )
    return out


SYSTEM_REFERENCE_PREFIXES = rules.SYSTEM_REFERENCE_PREFIXES


async def create_entry(who: Principal, data: EntryCreate) -> EntryOut:
    problems = rules.entry_problems(
        data.hours, data.date, today(), data.reference, data.credits is not None, who.role == Role.district_hr
    )
    if problems:
        first = problems[0]
        if first.forbidden:
            raise Forbidden(first.message)
        raise Invalid.field(first.field, first.message)
    person = await load_visible(who, data.staff_id)
    left = rules.left_problem(_as_date(person["left_on"]), data.date)
    if left:
        raise Conflict(left, [FieldError("date", left)])
    version = rules.policy_for(data.date, await policy_versions())
    credits = data.credits
    if credits is None:
        credits = rules.derive_credits(data.hours, data.source.value, version.recognition)
    reference = data.reference or f"entry:{uuid.uuid4().hex}"
    async with write_transaction():
        return await _insert_entry(
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


async def reverse_entry(who: Principal, entry_id: int, data: ReversalCreate) -> EntryOut:
    async with write_transaction():
        row = await CE.select(*ENTRY_COLUMNS).where(CE.id == entry_id).first()
        if row is None:
            raise Conflict(f"no credit entry {entry_id} to reverse", [FieldError("id", "missing")])
        await load_visible(who, row["staff"])  # out of the caller's scope: 404
        if row["reverses"] is not None:
            raise Conflict(f"entry {entry_id} is itself a reversal; record a new entry instead")
        if await CE.exists().where(CE.reverses == entry_id):
            raise Conflict(f"entry {entry_id} is reversed already", [FieldError("id", "already reversed")])
        return await _insert_entry(
            who,
            staff_id=row["staff"],
            day=_as_date(row["entry_date"]),
            category=row["category"],
            source=row["source"],
            hours=-dec(row["hours"]),
            credits=-dec(row["credits"]),
            reference=f"reversal:{entry_id}",
            reason=data.reason,
            reverses=entry_id,
        )


async def record_training_result(
    who: Principal, *, result_id: int, staff_id: int, day: date, category: str, hours: Decimal, credits: Decimal
) -> EntryOut | None:
    """The ledger entry of a passed training result (called inside the result's transaction).
    Recording the same result twice adds nothing: (training, training_result:<id>) is unique."""
    reference = f"training_result:{result_id}"
    existing = await CE.select(CE.staff).where(CE.source == CreditSource.training.value, CE.reference == reference)
    if existing:
        if existing[0]["staff"] != staff_id:  # pragma: no cover - references are reserved since the fix
            raise Conflict(f"ledger reference {reference} belongs to another person")
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
        reason="passed training result",
    )


# --- Transcript --------------------------------------------------------------------------------


async def _entry_rows(staff_id: int, first: date | None = None, last: date | None = None) -> list[dict[str, Any]]:
    where: list[Any] = [CE.staff == staff_id]
    if first is not None:
        where.append(CE.entry_date >= first)
    if last is not None:
        where.append(CE.entry_date <= last)
    return list(await CE.select(*ENTRY_COLUMNS).where(*where).order_by(CE.entry_date).order_by(CE.id))


def _entry(row: dict[str, Any]) -> rules.Entry:
    return rules.Entry(
        id=row["id"],
        day=_as_date(row["entry_date"]),
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
        raise Invalid.field("cycle", str(exc)) from None


async def transcript_for(staff_id: int, name: str, cycle: str | None, as_of: date | None = None) -> TranscriptOut:
    day = as_of or today()
    versions = await policy_versions()
    cyc = _cycle(cycle, versions, day)
    rows = await _entry_rows(staff_id, cyc.starts, cyc.ends)
    t = rules.transcript([_entry(r) for r in rows], versions, cyc, day)
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
        entries=[_entry_out(r, reversed_by.get(r["id"]), t.counted_by_entry.get(r["id"], ZERO)) for r in rows],
    )


async def staff_transcript(who: Principal, staff_id: int, cycle: str | None) -> TranscriptOut:
    person = await load_visible(who, staff_id)
    return await transcript_for(staff_id, person["name"], cycle)


async def my_transcript(who: Principal, cycle: str | None) -> TranscriptOut:
    if who.staff_id is None:
        raise NotFound("this account has no staff record")
    return await staff_transcript(who, who.staff_id, cycle)


# --- Eligibility -------------------------------------------------------------------------------
#
# Rules, in order: ethics_veto (师德一票否决, first, whatever else), dual_certificate (the post's
# verdict on `on`), then by purpose:
#   title, registration: credits_cycle (the cycle containing `on` complete by `on`);
#   award, promotion:    credits_yearly_minimum (the calendar year of `on`, counted up to `on`);
#   backbone:            credits_on_track (status on_track or complete) and title_minimum;
#   registration:        ethics_evaluations (qualified or better in every school year of the cycle
#                        that has ended by `on`).


@dataclass(frozen=True)
class _Ask:
    """One eligibility question's constants, worked out once per request (not per person): the
    purpose, the day, its cycle and ledger window, and the policy figures the rules read."""

    purpose: Purpose
    on: date
    cycle: rules.Cycle
    window: tuple[date, date]
    numbers: rules.Numbers  # the recognition version in force on `on`
    backbone_min_title: str
    ethics: Any  # the ethics policy in force on `on`
    evaluated_years: list[str]  # the cycle's school years that have ended by `on`
    registration_hours: int


def _ask(purpose: Purpose, on: date, versions: list[PolicyVersion]) -> _Ask:
    from registry.policy import policy_on

    version = rules.policy_for(on, versions)
    cycle = rules.cycle_of(on, version.recognition)
    fixed = policy_on(on)
    years = rules.school_years_of_cycle(cycle.first, cycle.last)
    return _Ask(
        purpose=purpose,
        on=on,
        cycle=cycle,
        window=rules.window_of(purpose in (Purpose.award, Purpose.promotion), on, cycle),
        numbers=rules.numbers(version),
        backbone_min_title=fixed.eligibility.backbone_min_title,
        ethics=fixed.ethics,
        evaluated_years=[sy for sy in years if date(int(sy[-4:]), 8, 31) <= on],
        registration_hours=fixed.certificates.registration_hours,
    )


def _reasons(
    ask: _Ask,
    person: dict[str, Any],
    veto: Any,
    dual: tuple[bool, list[str]],
    fig: rules.Figures,
    grades: dict[str, str],
) -> list[rules.Reason]:
    """The rules of one purpose, in order, each with its detail in English and in Chinese words."""
    from registry.codes import CourseCategory, EthicsGrade, Post, Title, label
    from registry.common.text import chinese_part, missing_text
    from registry.ethics.rules import grade_rank

    P = Purpose
    purpose, on, cycle, nums = ask.purpose, ask.on, ask.cycle, ask.numbers
    counted = shown(fig.counted)
    out: list[rules.Reason] = []
    if veto is not None:
        until = f" (until {veto.until.isoformat()})" if veto.until else ""
        out.append(rules.Reason("ethics_veto", False, f"{veto.detail}{until}", chinese_part(veto.detail)))
    else:
        out.append(
            rules.Reason(
                "ethics_veto",
                True,
                "no failed ethics evaluation and no sanction barring this date",
                "没有不合格的师德考核，也没有在影响期内的处分",
            )
        )
    ok, missing = dual
    post = label(Post, person["post"])
    out.append(
        rules.Reason(
            "dual_certificate",
            ok,
            f"holds the certificates of the post ({person['post']})"
            if ok
            else f"missing for the post {person['post']}: {', '.join(missing)}",
            f"持有{post}岗位所需的证书" if ok else f"{post}岗位缺少：{missing_text(missing)}",
        )
    )
    if purpose in (P.award, P.promotion):  # the window is the year: its line of the transcript
        minimum = shown(nums.yearly_minimum)
        out.append(
            rules.Reason(
                "credits_yearly_minimum",
                fig.counted >= nums.yearly_minimum,
                f"{counted} credits counted in {on.year} (minimum {minimum})",
                f"{on.year} 年已认定 {counted} 学分，年度最低 {minimum} 学分",
            )
        )
        return out
    short = sorted(c for c, needed in nums.required_categories.items() if fig.category(c) < needed)
    status, pace = rules.status_of(fig.counted, not short, nums.required, cycle, on, nums.at_risk_share)
    if purpose in (P.title, P.registration):
        required = shown(nums.required)
        short_words = "、".join(label(CourseCategory, c) for c in short)
        out.append(
            rules.Reason(
                "credits_cycle",
                status == CreditStatus.complete,
                f"{counted} of {required} credits counted in {cycle.label}"
                + (f"; required categories short: {', '.join(short)}" if short else ""),
                f"{cycle.label} 周期已认定 {counted} 学分，要求 {required} 学分"
                + (f"；必修类别未修满：{short_words}" if short else ""),
            )
        )
    if purpose == P.backbone:
        out.append(
            rules.Reason(
                "credits_on_track",
                status in (CreditStatus.on_track, CreditStatus.complete),
                f"cycle {cycle.label}: status {status.value}, {counted} counted against a pace of {shown(pace)}",
                f"{cycle.label} 周期学分{label(CreditStatus, status.value)}：已认定 {counted} 学分，"
                f"按进度此时应达 {shown(pace)} 学分",
            )
        )
        minimum = ask.backbone_min_title
        out.append(
            rules.Reason(
                "title_minimum",
                rules.title_at_least(person["title"], minimum),
                f"title {person['title']}; backbone selection needs {minimum} or above",
                f"职称{label(Title, person['title'] or 'none')}；骨干评选要求{label(Title, minimum)}及以上",
            )
        )
    if purpose == P.registration:
        eth = ask.ethics
        minimum_grade = eth.registration_min_grade
        bad = [
            sy
            for sy in ask.evaluated_years
            if sy not in grades or grade_rank(grades[sy], eth) < grade_rank(minimum_grade, eth)
        ]
        grade_words = label(EthicsGrade, minimum_grade)
        out.append(
            rules.Reason(
                "ethics_evaluations",
                not bad,
                f"{minimum_grade} or better in every school year of the cycle so far"
                if not bad
                else f"not {minimum_grade} or better in "
                + "; ".join(f"{sy}: {grades.get(sy, 'no evaluation')}" for sy in bad),
                f"本周期已结束的各学年师德考核均为{grade_words}及以上"
                if not bad
                else f"未达{grade_words}及以上："
                + "；".join(f"{sy} 学年{label(EthicsGrade, grades[sy]) if sy in grades else '无考核'}" for sy in bad),
            )
        )
        needed_hours = ask.registration_hours
        out.append(
            rules.Reason(
                "training_hours",
                fig.hours >= needed_hours,
                f"{shown(fig.hours)} of {needed_hours} hours of study recorded in {cycle.label}",
                f"{cycle.label} 周期已记录 {shown(fig.hours)} 学时，定期注册要求 {needed_hours} 学时",
            )
        )
    return out


async def _grades(
    staff_ids: list[int] | None, school_years: list[str], selection: tuple[str, list[Any]] | None = None
) -> dict[int, dict[str, str]]:
    """The current ethics grade per person and school year (read-only on the ethics table), of
    ``staff_ids``, or (None) of the batch's selection: ``selection`` is its extra filter on ``s``
    (the staff table) and that filter's arguments; everyone on post when it is None too."""
    from registry.db import fetch_all

    if not school_years:
        return {}
    sql = (
        "SELECT e.staff, e.school_year, e.grade FROM ethics_evaluation e "
        f"WHERE e.school_year IN ({', '.join('{}' for _ in school_years)}) "
        "AND NOT EXISTS (SELECT 1 FROM ethics_evaluation n WHERE n.supersedes = e.id)"
    )
    args: list[Any] = list(school_years)
    if staff_ids is not None:
        sql += f" AND e.staff IN ({', '.join('{}' for _ in staff_ids)})"
        args += staff_ids
    else:
        extra, extra_args = selection or ("", [])
        sql += " AND e.staff IN (SELECT s.id FROM staff s WHERE s.status = 'on_post'" + extra + ")"
        args += extra_args
    out: dict[int, dict[str, str]] = {}
    for r in await fetch_all(sql + " ORDER BY e.id", *args):
        out.setdefault(r["staff"], {})[r["school_year"]] = r["grade"]
    return out


def _check_purpose(purpose: str) -> Purpose:
    try:
        return Purpose(purpose)
    except ValueError:
        raise Invalid.field("purpose", f"one of {', '.join(p.value for p in Purpose)}") from None


async def eligibility(who: Principal, staff_id: int, purpose: str, on: date | None) -> EligibilityOut:
    return (await eligibilities(who, staff_id, [_check_purpose(purpose)], on))[0]


async def eligibilities(
    who: Principal, staff_id: int, purposes: list[Purpose] | None = None, on: date | None = None
) -> list[EligibilityOut]:
    """One person's answers for several purposes (all five by default) on one day, from one read of
    each source: the person, the veto, the certificates, the cycle's entries up to the day (each
    purpose takes its window of them) and, for registration, the evaluations."""
    from registry.certificates.services import verdict_for
    from registry.ethics.services import veto_on

    chosen = list(Purpose) if purposes is None else purposes
    if not chosen:
        return []
    day = on or today()
    person = await load_visible(who, staff_id)
    versions = await policy_versions()
    asks = [_ask(p, day, versions) for p in chosen]
    first = min(a.window[0] for a in asks)
    veto = await veto_on(staff_id, day)
    verdict = await verdict_for(staff_id, person["post"], day)
    entries = [_entry(r) for r in await _entry_rows(staff_id, first, day)]
    grades: dict[str, str] = {}
    if Purpose.registration in chosen:
        grades = (await _grades([staff_id], asks[chosen.index(Purpose.registration)].evaluated_years)).get(staff_id, {})
    out = []
    for ask in asks:
        start, end = ask.window
        fig = rules.figures([e for e in entries if start <= e.day <= end], versions)
        reasons = _reasons(ask, person, veto, (verdict.compliant, verdict.missing), fig, grades)
        out.append(
            EligibilityOut(
                staff_id=staff_id,
                eligible=rules.eligible(reasons),
                purpose=ask.purpose,
                on=day,
                reasons=[ReasonOut(rule=r.rule, passed=r.passed, detail=r.detail, words=r.words) for r in reasons],
            )
        )
    return out


def _flag(cert_type: str) -> str:
    """The held-flags form of the dual-certificate rule (the flags come from ``held_flags_sql``)."""
    from registry.certificates import rules as cert_rules

    return f"COALESCE(h.{cert_rules.held_flag_column(cert_type)}, 0) = 1"


def _selection(kindergarten_id: int | None, staff_ids: list[int] | None) -> tuple[str, list[Any]]:
    """The extra filter on ``s`` (the staff table, on post) of a set-wise read, and its arguments."""
    sql, args = "", []
    if kindergarten_id is not None:
        sql += " AND s.kindergarten = {}"
        args.append(kindergarten_id)
    if staff_ids is not None:
        sql += f" AND s.id IN ({', '.join('{}' for _ in staff_ids)})" if staff_ids else " AND 1 = 0"
        args += staff_ids
    return sql, args


async def ledger_figures(
    window: tuple[date, date],
    versions: list[PolicyVersion],
    categories: list[str],
    kindergarten_id: int | None = None,
    staff_ids: list[int] | None = None,
) -> dict[int, rules.Figures]:
    """``rules.Figures`` of every on-post person of the selection (the kindergarten's, these
    people, or everyone), over the window; people with no entry in it, or only reversal pairs, may be
    left out (their figures are all zero).

    When one set of caps holds for the whole window (the usual case), the database works the
    figures out (``rules.figures_sql``) and hands back one row per person. When a policy change
    inside the window changes a cap, the entries are read and ``rules.figures`` runs per person."""
    from registry.db import fetch_all

    start, end = window
    where, where_args = _selection(kindergarten_id, staff_ids)
    caps = rules.uniform_caps(versions, start, end)
    if caps is None:
        # The date and credits are read as expressions, not as the columns: SQLite's driver then
        # hands back the plain text and number instead of running its per-column converters.
        rows = await fetch_all(
            "SELECT ce.id, ce.staff, CAST(ce.entry_date AS TEXT) AS entry_date, ce.category, ce.source, "
            "ce.credits + 0 AS credits, ce.hours + 0 AS hours, ce.reverses "
            "FROM credit_entry ce JOIN staff s ON s.id = ce.staff "
            "WHERE s.status = 'on_post' AND ce.entry_date >= {} AND ce.entry_date <= {}" + where,
            start,
            end,
            *where_args,
        )
        entries: dict[int, list[rules.Entry]] = {}
        for r in rows:
            entries.setdefault(r["staff"], []).append(_entry(r))
        return {sid: rules.figures(es, versions) for sid, es in entries.items()}
    select, select_args = rules.figures_sql(caps, categories, start.year, end.year)
    # "not a reversal" as COALESCE(reverses, 0) = 0 (ids start at 1), not "reverses IS NULL": SQLite's
    # planner would otherwise walk the reversal index over every entry instead of the person's dates
    window_sql = (
        "WITH fw AS (SELECT ce.id, ce.staff, ce.entry_date, ce.category, ce.source, ce.credits, ce.hours "
        "FROM credit_entry ce JOIN staff s ON s.id = ce.staff "
        "WHERE s.status = 'on_post' AND ce.entry_date >= {} AND ce.entry_date <= {} AND COALESCE(ce.reverses, 0) = 0"
        + where
        + " AND NOT EXISTS (SELECT 1 FROM credit_entry r WHERE r.reverses = ce.id "
        "AND r.entry_date >= {} AND r.entry_date <= {})) "
    )
    rows = await fetch_all(window_sql + select, start, end, *where_args, start, end, *select_args)
    cent = rules.CENT  # the sums are rounded to cents in SQL (SQLite adds in binary floating point)
    return {
        r["staff"]: rules.Figures(
            counted=dec(r["counted"]).quantize(cent),
            by_category={c: dec(r[f"cat_{i}"]).quantize(cent) for i, c in enumerate(categories)},
            hours=dec(r["hours"]).quantize(cent),
        )
        for r in rows
    }


async def eligibility_batch(
    who: Principal,
    purpose: str,
    kindergarten_id: int | None,
    on: date | None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> BatchOut:
    """Every on-post person of the kindergarten (or the caller's scope) for one purpose: a fixed
    number of queries whatever the number of people (people + certificates, ledger figures,
    vetoes (2), for registration the evaluations), then the same rules as the single answer.

    ``total`` and ``eligible`` count the whole selection, ``items`` is one page of it. Every rule
    can fail anyone, so the data the rules read is loaded for the whole selection, set-wise (the
    ledger as one row of figures per person); only the rows and their reasons are built for the
    page."""
    from registry.certificates import rules as cert_rules
    from registry.common.scope import kindergarten_scope
    from registry.db import fetch_all
    from registry.ethics.services import vetoed_staff
    from registry.policy import policy_on

    p = _check_purpose(purpose)
    day = on or today()
    scope = kindergarten_scope(who)
    if scope is not None and kindergarten_id is not None and kindergarten_id != scope:
        raise NotFound(f"no kindergarten {kindergarten_id}")
    kg = kindergarten_id if kindergarten_id is not None else scope
    certs = policy_on(day).certificates
    where, where_args = _selection(kg, None)
    people_sql = f"""WITH h AS (
  SELECT c.staff AS staff_id, {cert_rules.held_flags_sql(certs)}
  FROM certificate c
  WHERE c.status = 'valid' AND c.issued_on <= {{}} AND (c.expires_on IS NULL OR c.expires_on >= {{}})
  GROUP BY c.staff
)
SELECT s.id, s.name, s.kindergarten, k.code AS kindergarten_code, k.name AS kindergarten_name, s.post, s.title,
       {cert_rules.compliance_sql(certs, holds=_flag)} AS ok, h.*
FROM staff s JOIN kindergarten k ON k.id = s.kindergarten LEFT JOIN h ON h.staff_id = s.id
WHERE s.status = 'on_post'{where}
ORDER BY s.kindergarten, s.name, s.id"""
    versions = await policy_versions()
    ask = _ask(p, day, versions)
    categories = sorted(ask.numbers.required_categories)

    async def no_grades() -> dict[int, dict[str, str]]:
        return {}

    # independent reads, run side by side (each on its own connection; SQLite reads in parallel
    # under WAL); registration also reads the evaluations, which can fail anyone: set-wise
    people, figures, grades = await asyncio.gather(
        fetch_all(people_sql, day, day, *where_args),
        ledger_figures(ask.window, versions, categories, kg),
        _grades(None, ask.evaluated_years, selection=(where, where_args)) if p == Purpose.registration else no_grades(),
    )
    ids = [r["id"] for r in people]
    vetoes = await vetoed_staff(day, ids) if ids else {}
    page_ids = {r["id"] for r in people[offset : offset + limit]}
    nothing = rules.Figures()
    items: list[BatchRow] = []
    eligible = 0
    for r in people:
        ok = bool(r["ok"])
        missing = [] if ok else cert_rules.missing_from_flags(r["post"], r, certs)
        reasons = _reasons(
            ask, r, vetoes.get(r["id"]), (ok, missing), figures.get(r["id"], nothing), grades.get(r["id"], {})
        )
        passed = rules.eligible(reasons)
        if passed:
            eligible += 1
        if r["id"] in page_ids:
            items.append(
                BatchRow(
                    staff_id=r["id"],
                    name=r["name"],
                    kindergarten_id=r["kindergarten"],
                    kindergarten_code=r["kindergarten_code"],
                    kindergarten_name=r["kindergarten_name"],
                    post=r["post"],
                    title=r["title"],
                    eligible=passed,
                    failing=[
                        ReasonOut(rule=x.rule, passed=x.passed, detail=x.detail, words=x.words)
                        for x in reasons
                        if not x.passed
                    ],
                )
            )
    return BatchOut(
        purpose=p,
        on=day,
        kindergarten_id=kg,
        total=len(people),
        eligible=eligible,
        limit=limit,
        offset=offset,
        items=items,
    )
