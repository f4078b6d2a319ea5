"""The demo's credit ledger, ethics evaluations and sanctions (issue 4, item 7), one district at a
time from its people and training history. Pure and deterministic from the district's seed.

- Credit entries: for every passed training result the entry the registry itself writes
  (``credits.ledger.record_training_result``: source ``training``, the course's category and
  credits, the attended hours, reference ``training_result:<result id>`` — the id is known only
  when loading, so the row carries the result's position in ``ChunkHistory.results``); plus
  research, studio, mentoring, competition and publication entries over 2021-2026 for most
  teaching staff (hours converted by the policy's hours_per_credit; some above the yearly caps,
  so transcripts show capping; a share of people earn little, so some are behind or at risk).
  Their references are ``demo:<n>``, unique in the load.
- Ethics evaluations: one per person of the evaluated posts (the policy's ``ethics.evaluated_posts``)
  and school year 2021-2022 .. 2025-2026 they were employed in; mostly qualified or excellent. A few
  kindergartens miss a share of their 2025-2026 evaluations above the policy's threshold, so the
  standing report flags them.
- Sanctions: a handful per district, decided (bar_until by ``ethics.rules.bar_until``), one
  lifted by an appeal (a second row that supersedes it). The sanctioned person's evaluation for the
  sanction's school year respects the grade cap (``strictest_cap``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from credits.codes import CourseCategory, CreditSource
from credits.rules import derive_credits, school_year
from demo.catalogue import CourseRow
from demo.history_rows import ChunkHistory
from demo.rows import DEMO_TODAY, StaffChunk
from ethics import rules as ethics_rules
from ethics.codes import EthicsGrade, SanctionKind, SanctionOutcome
from kernel.policy import Policy
from registry.staff.codes import StaffStatus

RECORDS_SALT = 0x5D3E_2021
CREDIT_YEARS = tuple(range(2021, DEMO_TODAY.year + 1))
EVALUATION_YEARS = tuple(f"{y}-{y + 1}" for y in range(2021, 2026))
MISSING_YEAR = EVALUATION_YEARS[-1]
TRAINING_REASON = "passed training result"
REFERENCE_BLOCK = 100  # demo:<(staff index + 1) * 100 + k>, k < 100 per person

# the shares of people by how much they earn outside training (the rest: steady)
IDLE = 0.06  # nothing outside training
SLOW = 0.16  # a little
# evaluation grades
UNQUALIFIED = 0.003
BASICALLY_QUALIFIED = 0.02
EXCELLENT = 0.18
# kindergartens missing 2025-2026 evaluations (of those with at least 8 people evaluated)
MISSING_KINDERGARTENS = 0.03
MISSING_SHARE = (0.2, 0.4)
SANCTIONS_PER_DISTRICT = (5, 8)

# 幼儿园教师违反职业道德行为处理办法 (教师〔2018〕19号) 第四条: the eleven kinds, with demo facts
VIOLATION_FACTS: dict[int, tuple[str, ...]] = {
    1: ("在班级家长群中转发违背党的路线方针政策的不当言论，经核实。",),
    2: ("在公共场所与他人发生冲突并在网络传播，造成不良社会影响。",),
    3: ("在个人社交账号转发未经核实的园所安全事件不实信息，引起家长恐慌。",),
    4: (
        "工作时间未经批准找人替班，擅自离岗约两小时。",
        "利用职务之便在校外培训机构兼职兼薪，经查属实。",
        "午睡值班期间玩手机、消极怠工，未按规定巡视。",
    ),
    5: ("户外活动中幼儿发生意外时未及时处置，擅离现场。",),
    6: (
        "对不按时进餐的幼儿采取罚站等变相体罚方式，经家长反映查实。",
        "以言语讽刺、孤立等方式歧视个别幼儿，经调查属实。",
    ),
    7: ("在大班提前教授小学拼音和算术内容并布置书面作业。",),
    8: ("在年度绩效考核材料中虚报培训学时，弄虚作假。",),
    9: (
        "节日期间收受幼儿家长购物卡，价值约一千元。",
        "向家长推销幼儿读物并收取回扣，经查属实。",
    ),
    10: ("组织幼儿参加商业机构营利性表演活动；泄露幼儿家庭信息。",),
    11: ("值班期间饮酒，违背幼儿园教师职业道德。",),
}
VIOLATION_WEIGHTS = {1: 1, 2: 2, 3: 2, 4: 8, 5: 1, 6: 5, 7: 4, 8: 2, 9: 6, 10: 2, 11: 2}
SANCTION_WEIGHTS = {
    SanctionKind.warning.value: 50,
    SanctionKind.demerit.value: 32,
    SanctionKind.post_grade_lowered.value: 12,
    SanctionKind.removal.value: 6,
}

# other sources: (source, categories, hours range per entry)
OTHER_CATEGORIES: dict[str, tuple[str, ...]] = {
    CreditSource.research.value: (CourseCategory.general.value, CourseCategory.family.value, CourseCategory.key.value),
    CreditSource.studio.value: (CourseCategory.key.value, CourseCategory.general.value),
    CreditSource.mentoring.value: (CourseCategory.general.value,),
    CreditSource.competition.value: (CourseCategory.general.value, CourseCategory.key.value),
    CreditSource.publication.value: (CourseCategory.general.value, CourseCategory.family.value),
}
OTHER_REASONS = {
    CreditSource.research.value: "园本教研 (demo)",
    CreditSource.studio.value: "名师工作室研修 (demo)",
    CreditSource.mentoring.value: "师徒带教 (demo)",
    CreditSource.competition.value: "教学基本功展示 (demo)",
    CreditSource.publication.value: "论文发表 (demo)",
}


@dataclass(slots=True)
class CreditEntryRow:
    staff: int  # StaffRow.index
    entry_date: date
    school_year: str
    category: str
    source: str
    hours: Decimal
    credits: Decimal
    reference: str  # "" for training entries: the loader writes training_result:<result id>
    result: int | None  # training: position of the result in ChunkHistory.results
    reason: str


@dataclass(slots=True)
class EvaluationRow:
    staff: int
    school_year: str
    grade: str
    evaluated_on: date
    note: str


@dataclass(slots=True)
class SanctionRow:
    index: int  # position in ChunkRecords.sanctions
    staff: int
    violation: int
    facts: str
    sanction: str | None
    outcome: str
    decided_on: date
    bar_from: date
    bar_until: date | None
    supersedes: int | None  # position of the superseded row


@dataclass(slots=True)
class ChunkRecords:
    credits: list[CreditEntryRow]
    evaluations: list[EvaluationRow]
    sanctions: list[SanctionRow]


def make_records(
    chunk: StaffChunk,
    history: ChunkHistory,
    courses: Sequence[CourseRow],
    seed: int,
    policy_on: Callable[[date], Policy],
    protected: Collection[int] = (),
) -> ChunkRecords:
    rng = random.Random(seed ^ RECORDS_SALT)
    credits = _training_entries(history, courses)
    credits += _other_entries(chunk, random.Random(rng.random()), policy_on)
    sanctions = _sanctions(chunk, random.Random(rng.random()), policy_on, set(protected))
    evaluations = _evaluations(chunk, random.Random(rng.random()), sanctions, policy_on)
    return ChunkRecords(credits, evaluations, sanctions)


def _employed(hired_on: date, left_on: date | None, day: date) -> bool:
    return hired_on <= day and (left_on is None or day < left_on)


def _training_entries(history: ChunkHistory, courses: Sequence[CourseRow]) -> list[CreditEntryRow]:
    sessions = {s.index: s.course for s in history.sessions}
    enrolments = {e.index: e for e in history.enrolments}
    years: dict[date, str] = {}
    training = CreditSource.training.value
    out = []
    for position, r in enumerate(history.results):
        if not r.passed:
            continue
        e = enrolments[r.enrolment]
        course = courses[sessions[e.session]]
        day = r.completed_on
        year = years.get(day)
        if year is None:
            year = years[day] = school_year(day)
        out.append(
            CreditEntryRow(
                e.staff, day, year, course.category, training, r.hours, course.credits, "", position, TRAINING_REASON
            )
        )
    return out


def _other_entries(chunk: StaffChunk, rng: random.Random, policy_on: Callable[[date], Policy]) -> list[CreditEntryRow]:
    out: list[CreditEntryRow] = []
    posts = policy_on(DEMO_TODAY).ethics.evaluated_posts
    recognition = {year: policy_on(date(year, 1, 1)).recognition for year in CREDIT_YEARS}
    if any(policy_on(date(y, 12, 31)).recognition != recognition[y] for y in CREDIT_YEARS):
        raise NotImplementedError("a recognition policy changing within a calendar year")  # pragma: no cover
    for s in chunk.staff:
        if s.post not in posts or s.status == StaffStatus.pending_induction:
            continue
        roll = rng.random()
        if roll < IDLE:
            continue
        slow = roll < IDLE + SLOW
        k = 0
        for year in CREDIT_YEARS:
            plan: list[tuple[str, int]] = []  # (source, hours)
            if slow:
                if rng.random() < 0.5:
                    plan.append((CreditSource.research.value, 10 * rng.randint(2, 5)))
            else:
                # research: most years, now and then above the cap of 4 credits (80 hours)
                if rng.random() < 0.95:
                    plan.append((CreditSource.research.value, 10 * rng.randint(5, 9)))
                    if rng.random() < 0.3:
                        plan.append((CreditSource.research.value, 10 * rng.randint(2, 5)))
                if rng.random() < 0.5:
                    plan.append((CreditSource.studio.value, 10 * rng.randint(3, 8)))
                if rng.random() < 0.25:
                    plan.append((CreditSource.mentoring.value, 10 * rng.randint(4, 10)))
                if rng.random() < 0.08:
                    plan.append((CreditSource.competition.value, 10 * rng.randint(2, 4)))
                if rng.random() < 0.05:
                    plan.append((CreditSource.publication.value, 10 * rng.randint(2, 3)))
            for source, hours in plan:
                day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
                if day > DEMO_TODAY or not _employed(s.hired_on, s.left_on, day) or k >= REFERENCE_BLOCK:
                    continue
                amount = Decimal(hours)
                out.append(
                    CreditEntryRow(
                        staff=s.index,
                        entry_date=day,
                        school_year=school_year(day),
                        category=rng.choice(OTHER_CATEGORIES[source]),
                        source=source,
                        hours=amount,
                        credits=derive_credits(amount, source, recognition[year]),
                        reference=f"demo:{(s.index + 1) * REFERENCE_BLOCK + k}",
                        result=None,
                        reason=OTHER_REASONS[source],
                    )
                )
                k += 1
    return out


def _pick(rng: random.Random, weights: dict[str, int] | dict[int, int]) -> object:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]  # type: ignore[index]


def _sanctions(
    chunk: StaffChunk, rng: random.Random, policy_on: Callable[[date], Policy], protected: set[int]
) -> list[SanctionRow]:
    posts = policy_on(DEMO_TODAY).ethics.evaluated_posts
    people = [s for s in chunk.staff if s.post in posts and s.index not in protected]
    first, last = date(2021, 9, 1).toordinal(), (DEMO_TODAY - timedelta(days=60)).toordinal()
    out: list[SanctionRow] = []
    taken: set[int] = set()
    wanted = rng.randint(*SANCTIONS_PER_DISTRICT)
    tries = 0
    while len(out) < wanted and people and tries < 1000:
        tries += 1
        s = rng.choice(people)
        day = date.fromordinal(rng.randint(first, last))
        if s.index in taken or not _employed(s.hired_on, s.left_on, day):
            continue
        kind = str(_pick(rng, SANCTION_WEIGHTS))
        if kind == SanctionKind.removal and s.post == "teacher":
            kind = SanctionKind.demerit.value  # 撤职: for those who hold a leading post
        violation = int(str(_pick(rng, VIOLATION_WEIGHTS)))
        taken.add(s.index)
        out.append(
            SanctionRow(
                index=len(out),
                staff=s.index,
                violation=violation,
                facts=rng.choice(VIOLATION_FACTS[violation]),
                sanction=kind,
                outcome=SanctionOutcome.decided.value,
                decided_on=day,
                bar_from=day,
                bar_until=ethics_rules.bar_until(day, kind, policy_on(day).ethics),
                supersedes=None,
            )
        )
    # one appeal (申诉) lifts a warning or demerit some weeks later
    for row in out:
        if row.sanction in (SanctionKind.warning, SanctionKind.demerit):
            out.append(
                SanctionRow(
                    index=len(out),
                    staff=row.staff,
                    violation=row.violation,
                    facts=f"申诉复核：原认定事实证据不足，撤销处分。（原：{row.facts}）",
                    sanction=None,
                    outcome=SanctionOutcome.lifted.value,
                    decided_on=min(row.decided_on + timedelta(days=rng.randint(30, 55)), DEMO_TODAY),
                    bar_from=row.bar_from,
                    bar_until=None,
                    supersedes=row.index,
                )
            )
            break
    return out


def caps_by_person(sanctions: Sequence[SanctionRow], policy_on: Callable[[date], Policy]) -> dict[tuple[int, str], str]:
    """(staff, school year) → the best grade the person's standing sanctions of that year allow."""
    replaced = {r.supersedes for r in sanctions if r.supersedes is not None}
    kinds: dict[tuple[int, str], list[str]] = {}
    for r in sanctions:
        if r.index in replaced or r.sanction is None:
            continue
        kinds.setdefault((r.staff, ethics_rules.school_year_of(r.bar_from)), []).append(r.sanction)
    out = {}
    for key, ks in kinds.items():
        start = ethics_rules.school_year_bounds(key[1])[0]
        cap = ethics_rules.strictest_cap(ks, policy_on(start).ethics)
        if cap is not None:
            out[key] = cap[1]
    return out


def _evaluations(
    chunk: StaffChunk, rng: random.Random, sanctions: Sequence[SanctionRow], policy_on: Callable[[date], Policy]
) -> list[EvaluationRow]:
    posts = policy_on(DEMO_TODAY).ethics.evaluated_posts
    caps = caps_by_person(sanctions, policy_on)
    people = [s for s in chunk.staff if s.post in posts]
    by_kg: dict[int, int] = {}
    for s in people:
        if s.status == StaffStatus.on_post:
            by_kg[s.kindergarten] = by_kg.get(s.kindergarten, 0) + 1
    sanctioned = {r.staff for r in sanctions}
    kgs = sorted(k for k, n in by_kg.items() if n >= 8)
    count = max(1, round(len(kgs) * MISSING_KINDERGARTENS)) if kgs else 0
    missing_kgs = {k: rng.uniform(*MISSING_SHARE) for k in rng.sample(kgs, count)}
    out: list[EvaluationRow] = []
    for year in EVALUATION_YEARS:
        first, last = ethics_rules.school_year_bounds(year)
        policy = policy_on(first).ethics
        order = list(policy.grade_order)
        usual = date(last.year, 7, 1)
        for s in people:
            day = max(usual + timedelta(days=s.kindergarten % 14), s.hired_on)
            if s.hired_on > last or (s.left_on is not None and s.left_on <= day):
                continue  # not employed at the evaluation (a leaver is evaluated no more)
            if (
                year == MISSING_YEAR
                and s.kindergarten in missing_kgs
                and s.index not in sanctioned
                and rng.random() < missing_kgs[s.kindergarten]
            ):
                continue
            roll = rng.random()
            if roll < UNQUALIFIED:
                grade = EthicsGrade.unqualified.value
            elif roll < UNQUALIFIED + BASICALLY_QUALIFIED:
                grade = EthicsGrade.basically_qualified.value
            elif roll < UNQUALIFIED + BASICALLY_QUALIFIED + EXCELLENT:
                grade = EthicsGrade.excellent.value
            else:
                grade = EthicsGrade.qualified.value
            note = ""
            cap = caps.get((s.index, year))
            if cap is not None and not ethics_rules.grade_allowed(grade, cap, policy):
                grade, note = cap, "受师德处分，本学年考核等次受限 (capped by a sanction)"
            assert grade in order
            out.append(EvaluationRow(s.index, year, grade, day, note))
    return out


__all__ = [
    "CREDIT_YEARS",
    "EVALUATION_YEARS",
    "ChunkRecords",
    "CreditEntryRow",
    "EvaluationRow",
    "SanctionRow",
    "caps_by_person",
    "make_records",
]
