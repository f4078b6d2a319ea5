"""Eligibility for titles, backbone selection, awards, promotion and registration: one person, or
every on-post person of a selection at once, each rule with its reason (it reads the credits
ledger, the dual-certificate verdicts and the ethics veto)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from certificates import rules as cert_rules
from certificates.services import verdict_for
from credits import figures as fig_rules
from credits import rules
from credits.codes import CourseCategory
from credits.policies import policy_versions
from credits.rules import PolicyVersion, shown
from credits.transcripts import entry_of, entry_rows, window_figures
from eligibility import registration
from eligibility import rules as eligibility_rules
from eligibility.codes import Purpose
from eligibility.rosters import (
    ASSIGNMENT_ON,
    assignment_on,
    holds_teacher_qualification,
    off_roster,
    roster_of,
)
from eligibility.rules import Reason
from eligibility.schemas import BatchOut, BatchRow, EligibilityOut, ReasonOut, WindowOut
from ethics.reads import veto_on, vetoed_staff
from kernel.auth import Principal
from kernel.codes import label
from kernel.common.schemas import DEFAULT_LIMIT
from kernel.common.scope import kindergarten_scope
from kernel.common.text import missing_text
from kernel.common.time import today
from kernel.db import fetch_all
from kernel.errors import Invalid, NotFound
from kernel.i18n import F_, _, use_locale
from kernel.policy import policy_on
from registry.staff.codes import Post, Title
from registry.staff.services import load_visible

#
# Rules, in order: ethics_veto (师德一票否决, first, whatever else), dual_certificate (the post's
# verdict on `on`), then by purpose. Rounds read completed periods (STANDARDS, the calendar):
#   title, backbone: credits_cycle (the last five-year cycle that ended on or before `on`, complete)
#                    and credits_yearly_minimum (every ended calendar year of the current cycle);
#                    backbone also title_minimum;
#   award, promotion: credits_yearly_minimum (the last ended calendar year);
#   registration:     credits_cycle (the cycle containing `on`, complete by `on`), ethics_evaluations
#                     (qualified or better in every school year of the cycle that has ended by `on`)
#                     and training_hours.
# The answer says which cycle and years it read (``window``).


@dataclass(frozen=True)
class _Ask:
    """One eligibility question's constants, worked out once per request (not per person): the
    purpose, the day, the ledger windows it reads, and the policy figures the rules read."""

    purpose: Purpose
    on: date
    cycle: rules.Cycle | None  # the cycle whose credits must be complete (None: no cycle rule)
    cycle_window: tuple[date, date] | None  # its dates read: the whole cycle, or up to `on` (registration)
    cycle_numbers: rules.Numbers | None  # its requirement (the version in force at the window's end)
    years: tuple[int, ...]  # the calendar years each held to the yearly minimum
    year_minimums: dict[int, Decimal]
    cycle_years: tuple[int, ...]  # the completed cycle's years, each held to its minimum (policy switch)
    backbone_min_title: str
    ethics: Any  # the ethics policy in force on `on`
    evaluated_years: list[str]  # the cycle's school years that have ended by `on` (registration)
    registration_hours: int
    at_risk_share: Decimal

    @property
    def windows(self) -> dict[str | int, tuple[date, date]]:
        """The ledger windows the answer reads: "cycle", and each year."""
        out: dict[str | int, tuple[date, date]] = {}
        if self.cycle_window is not None:
            out["cycle"] = self.cycle_window
        for y in self.years:
            out[y] = (date(y, 1, 1), date(y, 12, 31))
        return out

    def window_out(self) -> WindowOut:
        cycle = self.cycle.label if self.cycle is not None else None
        parts = []
        if self.cycle is not None and self.cycle_window is not None:
            if self.cycle_window[1] < self.cycle.ends:
                parts.append(f"{cycle} 周期（截至 {self.cycle_window[1].isoformat()}）")
            else:
                parts.append(f"{cycle} 周期")
        if self.years:
            parts.append("、".join(str(y) for y in self.years) + " 年度")
        words = "读取 " + " 及 ".join(parts) + "的学分" if parts else "读取本人注册周期内的学时"
        return WindowOut(cycle=cycle, years=list(self.years), words=words)


def _ask(purpose: Purpose, on: date, versions: list[PolicyVersion]) -> _Ask:

    version = rules.policy_for(on, versions)
    current = rules.cycle_of(on, version.recognition)
    fixed = policy_on(on)
    cycle: rules.Cycle | None = None
    cycle_window: tuple[date, date] | None = None
    years: tuple[int, ...] = ()
    if purpose in (Purpose.title, Purpose.backbone):
        # the last cycle that ended on or before `on`, and the current cycle's ended years
        if on >= current.ends:
            cycle, years = current, ()
        else:
            cycle = rules.cycle_of(date(current.first - 1, 12, 31), version.recognition)
            years = tuple(y for y in current.years() if date(y, 12, 31) <= on)
        cycle_window = (cycle.starts, cycle.ends)
    elif purpose in (Purpose.award, Purpose.promotion):
        years = (on.year - 1,) if on < date(on.year, 12, 31) else (on.year,)
    # registration reads the person's own period (eligibility.registration), not a shared window
    # a completed cycle is complete only when each of its years met the minimum too (policy switch)
    whole = cycle is not None and cycle_window is not None and cycle_window[1] >= cycle.ends
    needs_years = fixed.credits.complete_needs_yearly_minimum
    cycle_years = tuple(cycle.years()) if cycle is not None and whole and needs_years else ()
    cycle_numbers = None
    if cycle_window is not None:
        cycle_numbers = rules.numbers(rules.policy_for(cycle_window[1], versions))
    school_years = rules.school_years_of_cycle(current.first, current.last)
    return _Ask(
        purpose=purpose,
        on=on,
        cycle=cycle,
        cycle_window=cycle_window,
        cycle_numbers=cycle_numbers,
        years=years,
        year_minimums={
            y: rules.numbers(rules.policy_for(date(y, 12, 31), versions)).yearly_minimum for y in (*years, *cycle_years)
        },
        cycle_years=cycle_years,
        backbone_min_title=fixed.eligibility.backbone_min_title,
        ethics=fixed.ethics,
        evaluated_years=[sy for sy in school_years if date(int(sy[-4:]), 8, 31) <= on],
        registration_hours=fixed.certificates.registration_hours,
        at_risk_share=rules.numbers(version).at_risk_share,
    )


def _reasons(
    ask: _Ask,
    person: dict[str, Any],
    veto: Any,
    dual: tuple[bool, list[str]],
    figs: dict[str | int, fig_rules.Figures],
    reg: registration.RegistrationInput | None = None,
) -> list[Reason]:
    """The rules of one purpose, in order, each with its detail in English and in Chinese words.
    ``figs`` holds the ledger figures of each of the ask's windows (missing: nothing recorded)."""

    P = Purpose
    purpose = ask.purpose
    nothing = fig_rules.Figures()
    out: list[Reason] = []
    if veto is not None:
        # the veto's words in both of the answer's languages: ``detail`` English, ``words`` Chinese
        with use_locale("en"):
            detail = veto.detail
        with use_locale("zh"):
            words = veto.detail
        until = f" (through {veto.until.isoformat()})" if veto.until else ""
        out.append(Reason("ethics_veto", False, f"{detail}{until}", words))
    else:
        out.append(
            Reason(
                "ethics_veto",
                True,
                "no failed ethics evaluation and no sanction barring this date",
                "没有不合格的师德考核，也没有在影响期内的处分",
            )
        )
    ok, missing = dual
    post = label(Post, person["post"])
    out.append(
        Reason(
            "dual_certificate",
            ok,
            f"holds the certificates of the post ({person['post']})"
            if ok
            else f"missing for the post {person['post']}: {', '.join(missing)}",
            f"持有{post}岗位所需的证书" if ok else f"{post}岗位缺少：{missing_text(missing)}",
        )
    )
    fig = figs.get("cycle", nothing)
    if ask.cycle is not None and ask.cycle_numbers is not None:
        nums, cycle = ask.cycle_numbers, ask.cycle
        counted, required = shown(fig.counted), shown(nums.required)
        short = sorted(c for c, needed in nums.required_categories.items() if fig.category(c) < needed)
        short_years = [y for y in ask.cycle_years if fig.year(y) < ask.year_minimums[y]]
        complete = fig.counted >= nums.required and not short and not short_years
        short_words = "、".join(
            f"{label(CourseCategory, c)}还差 {shown(nums.required_categories[c] - fig.category(c))} 学分" for c in short
        )
        gap = nums.required - fig.counted
        words = f"{cycle.label} 周期已认定 {counted} 学分，要求 {required} 学分"
        if gap > 0:
            words += f"，还差 {shown(gap)} 学分"
        if short:
            words += f"；必修类别未修满：{short_words}"
        if short_years:
            words += "；" + "、".join(str(y) for y in short_years) + " 年未达年度最低学分"
        out.append(
            Reason(
                "credits_cycle",
                complete,
                f"{counted} of {required} credits counted in {cycle.label}"
                + (
                    f" (up to {ask.cycle_window[1].isoformat()})"
                    if ask.cycle_window and ask.cycle_window[1] < cycle.ends
                    else ""
                )
                + (f"; required categories short: {', '.join(short)}" if short else "")
                + (f"; years under the yearly minimum: {', '.join(map(str, short_years))}" if short_years else ""),
                words,
            )
        )
    if purpose != P.registration:
        lines = [(y, figs.get(y, nothing).counted, ask.year_minimums[y]) for y in ask.years]
        short_years = [y for y, got, least in lines if got < least]
        if ask.years:
            detail = "; ".join(f"{y}: {shown(got)} of {shown(least)}" for y, got, least in lines)
            words = "；".join(
                f"{y} 年已认定 {shown(got)} 学分，年度最低 {shown(least)} 学分"
                + (f"，还差 {shown(least - got)} 学分" if got < least else "")
                for y, got, least in lines
            )
            out.append(Reason("credits_yearly_minimum", not short_years, f"credits per year: {detail}", words))
        else:
            out.append(
                Reason(
                    "credits_yearly_minimum",
                    True,
                    "no calendar year of the current cycle has ended yet",
                    "本周期尚无已结束的年度",
                )
            )
    if purpose == P.backbone:
        minimum = ask.backbone_min_title
        out.append(
            Reason(
                "title_minimum",
                eligibility_rules.title_at_least(person["title"], minimum),
                f"title {person['title']}; backbone selection needs {minimum} or above",
                f"职称{label(Title, person['title'] or 'none')}；骨干评选要求{label(Title, minimum)}及以上",
            )
        )
    if purpose == P.registration:
        out += registration.reasons_of(ask.on, reg)
    return out


def _check_purpose(purpose: str) -> Purpose:
    try:
        return Purpose(purpose)
    except ValueError:
        raise Invalid.field(
            F_("purpose"), _("one of {purposes}", purposes=", ".join(p.value for p in Purpose))
        ) from None


async def eligibility(who: Principal, staff_id: int, purpose: str, on: date | None) -> EligibilityOut:
    return (await eligibilities(who, staff_id, [_check_purpose(purpose)], on))[0]


async def eligibilities(
    who: Principal, staff_id: int, purposes: list[Purpose] | None = None, on: date | None = None
) -> list[EligibilityOut]:
    """One person's answers for several purposes (all five by default) on one day, from one read of
    each source: the person, the veto, the certificates, the cycle's entries up to the day (each
    purpose takes its window of them) and, for registration, the evaluations."""

    chosen = list(Purpose) if purposes is None else purposes
    if not chosen:
        return []
    day = on or today()
    person = dict(await load_visible(who, staff_id))
    assignment = await assignment_on(staff_id, day)
    if assignment is not None:  # the post held on the day asked about, not today's
        person["post"], person["kindergarten"] = assignment["post"], assignment["kindergarten"]
    holds_qualification = await holds_teacher_qualification(staff_id, day)
    versions = await policy_versions()
    asks = [_ask(p, day, versions) for p in chosen]
    windows = [w for a in asks for w in a.windows.values()]
    first = min((w[0] for w in windows), default=day)
    last = max((w[1] for w in windows), default=day)
    veto = await veto_on(staff_id, day)
    verdict = await verdict_for(staff_id, person["post"], day)
    entries = [entry_of(r) for r in await entry_rows(staff_id, first, last)]
    reg: registration.RegistrationInput | None = None
    if Purpose.registration in chosen:
        reg = (await registration.inputs(day, ("s.id = {}", [staff_id]))).get(staff_id)
    out = []
    for ask in asks:
        figs: dict[str | int, fig_rules.Figures] = {}
        for key, (start, end) in ask.windows.items():
            inside = [e for e in entries if start <= e.day <= end]
            # the completed cycle and each of its years, from one read
            figs[key] = fig_rules.figures(inside, versions, by_year=key == "cycle" and bool(ask.cycle_years))
        mine = reg if ask.purpose == Purpose.registration else None
        reasons = _reasons(ask, person, veto, (verdict.compliant, verdict.missing), figs, mine)
        off = off_roster(ask.purpose, day, person, assignment is not None, holds_qualification)
        if off is not None:
            reasons.insert(0, off)
        out.append(
            EligibilityOut(
                staff_id=staff_id,
                eligible=eligibility_rules.eligible(reasons),
                purpose=ask.purpose,
                on=day,
                window=ask.window_out(),
                registration=registration.registration_out(mine),
                reasons=[ReasonOut(rule=r.rule, passed=r.passed, detail=r.detail, words=r.words) for r in reasons],
            )
        )
    return out


def _flag(cert_type: str) -> str:
    """The held-flags form of the dual-certificate rule (the flags come from ``held_flags_sql``)."""

    return f"COALESCE(h.{cert_rules.held_flag_column(cert_type)}, 0) = 1"


def _selection(kindergarten_id: int | None, staff_ids: list[int] | None) -> tuple[str, list[Any]]:
    """The extra filter on ``s`` (the staff table, on post) of a set-wise read, and its arguments."""
    sql, args = "", []
    if kindergarten_id is not None:
        sql += " AND s.kindergarten = {}"
        args.append(kindergarten_id)
    if staff_ids is not None:
        sql += f" AND s.id IN ({', '.join('{}' for _id in staff_ids)})" if staff_ids else " AND 1 = 0"
        args += staff_ids
    return sql, args


async def ledger_figures(
    window: tuple[date, date],
    versions: list[PolicyVersion],
    categories: list[str],
    kindergarten_id: int | None = None,
    staff_ids: list[int] | None = None,
    roster: tuple[str, list[Any]] | None = None,
    by_year: bool = False,
) -> dict[Any, fig_rules.Figures]:
    """``fig_rules.Figures`` of every on-post person of the selection (the kindergarten's, these
    people, or everyone), over the window; people with no entry in it, or only reversal pairs, may be
    left out (their figures are all zero).

    When one set of caps holds for the whole window (the usual case), the database works the
    figures out (``fig_rules.figures_sql``) and hands back one row per person. When a policy change
    inside the window changes a cap, the entries are read and ``fig_rules.figures`` runs per person.
    ``by_year``: each person's ``Figures.years`` holds the credits counted in each calendar year of the
    window too (a completed cycle and its years, in one read)."""

    if roster is not None:  # a round's roster on its day (``roster_of``) instead of today's on-post staff
        where, where_args = " AND " + roster[0], list(roster[1])
    else:
        where, where_args = _selection(kindergarten_id, staff_ids)
        where = " AND s.status = 'on_post'" + where
    return await window_figures(window, versions, categories, where, where_args, by_year)


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

    p = _check_purpose(purpose)
    day = on or today()
    scope = kindergarten_scope(who)
    if scope is not None and kindergarten_id is not None and kindergarten_id != scope:
        raise NotFound(_("no kindergarten {kindergarten_id}", kindergarten_id=kindergarten_id))
    kg = kindergarten_id if kindergarten_id is not None else scope
    certs = policy_on(day).certificates
    roster = roster_of(day, p, kg)
    people_sql = f"""WITH h AS (
  SELECT c.staff AS staff_id, {cert_rules.held_flags_sql(certs)}
  FROM certificate c
  WHERE c.status = 'valid' AND c.issued_on <= {{}} AND (c.expires_on IS NULL OR c.expires_on >= {{}})
  GROUP BY c.staff
)
SELECT s.id, s.name, a.kindergarten, k.code AS kindergarten_code, k.name AS kindergarten_name, a.post, s.title,
       {cert_rules.compliance_sql(certs, post_column="a.post", holds=_flag)} AS ok, h.*
FROM staff s JOIN staff_assignment a ON a.staff = s.id AND {ASSIGNMENT_ON}
JOIN kindergarten k ON k.id = a.kindergarten LEFT JOIN h ON h.staff_id = s.id
WHERE {roster[0]}
ORDER BY a.kindergarten, s.name, s.id"""
    people_args = [day, day, day, day, *roster[1]]
    versions = await policy_versions()
    ask = _ask(p, day, versions)
    categories = sorted(ask.cycle_numbers.required_categories) if ask.cycle_numbers else []

    async def no_registrations() -> dict[int, registration.RegistrationInput]:
        return {}

    # independent reads, run side by side (each on its own connection; SQLite reads in parallel
    # under WAL); registration also reads the evaluations, which can fail anyone: set-wise
    keys = list(ask.windows)
    by_year = {k: k == "cycle" and bool(ask.cycle_years) for k in keys}
    people, registrations, *per_window = await asyncio.gather(
        fetch_all(people_sql, *people_args),
        registration.inputs(day, roster) if p == Purpose.registration else no_registrations(),
        *(
            ledger_figures(
                ask.windows[k], versions, categories if k == "cycle" else [], roster=roster, by_year=by_year[k]
            )
            for k in keys
        ),
    )
    figures: dict[str | int, dict[int, fig_rules.Figures]] = dict(zip(keys, per_window, strict=True))
    ids = [r["id"] for r in people]
    vetoes = await vetoed_staff(day, ids) if ids else {}
    page_ids = {r["id"] for r in people[offset : offset + limit]}
    items: list[BatchRow] = []
    eligible = 0
    for r in people:
        ok = bool(r["ok"])
        missing = [] if ok else cert_rules.missing_from_flags(r["post"], r, certs)
        figs = {k: f[r["id"]] for k, f in figures.items() if r["id"] in f}
        reg = registrations.get(r["id"])
        reasons = _reasons(ask, r, vetoes.get(r["id"]), (ok, missing), figs, reg)
        passed = eligibility_rules.eligible(reasons)
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
                    registration=registration.registration_out(reg),
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
        window=ask.window_out(),
        kindergarten_id=kg,
        total=len(people),
        eligible=eligible,
        limit=limit,
        offset=offset,
        items=items,
    )
