"""Training history and certificates of the demo people (pure: no I/O, no clock, no database).

For one district's people (a ``StaffChunk``) this makes the training sessions they sat, their
enrolments and results, and the certificates their posts need, with realistic defects at
deterministic rates. The demo's "today" is ``DEMO_TODAY`` (2026-11-29): nothing is completed,
issued or registered after it; sessions still running on it have enrolments but no results.

What everyone gets
- At hire, before going on post (不培训不上岗): teachers the induction course (任职资格培训, 120 h),
  principals and vice principals the principal qualification course, childcare workers and
  health doctors their post training. A few fail once and pass a retake.
- Every calendar year 2021-2026, by kindergarten-level rates around the targets: a safety course
  (~96% pass), an ethics course (~93%), family co-education (~70%); general and key training,
  health-care and special-education courses for some.
- Certificates by post (kernel/policy/defaults.toml): a kindergarten teacher qualification
  (17-digit number) and a post certificate issued only after a passed induction / principal
  result; the principal qualification; a doctor or nurse licence or the 保健员 certificate; the
  保育员 certificate (renewed every five years); safety-training certificates (three years);
  family-education instructors (1-2 in most kindergartens) and special-education certificates.

The defects (exact counts per district, so the rates hold at every scale)
- ``INDUCTION_NEVER_PASSED`` of on-post teachers never passed induction (no post certificate);
- ``NO_POST_CERTIFICATE`` more passed it but hold no post certificate;
- ``NO_TEACHER_QUALIFICATION`` hold no teacher qualification;
- ``EXPIRED_CARE`` of on-post childcare workers and health doctors hold only an expired certificate;
- ``VICE_IN_TRAINING`` of recently appointed vice principals are still in the qualification course;
- a handful of revoked or suspended certificates, each with its ``CertificateEvent`` rows;
- ``NO_FAMILY_INSTRUCTOR`` of kindergartens have no family-education instructor.

Rows refer to each other by global position (``SessionRow.index``, ``EnrolmentRow.index``,
``CertificateRow.index``) across the chunks of a data set; the loader turns them into ids.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from certificates.rules import HeldCertificate, dual_certificate
from demo import catalogue, names
from demo.catalogue import CourseRow
from demo.rows import DAYS_PER_YEAR, DEMO_TODAY, DistrictPlan, KindergartenRow, StaffChunk, StaffRow
from kernel.codes import CertificateStatus, Honour, Post, Sex, StaffStatus, Title
from kernel.codes import CertificateType as CT
from kernel.policy import Policy

HISTORY_YEARS: tuple[int, ...] = tuple(range(2021, DEMO_TODAY.year + 1))
"""The calendar years of yearly training (the school years 2021-2026)."""

ACTOR = "demo"
BEIJING = timezone(timedelta(hours=8))
HISTORY_SALT = 0x7A1F_2018
"""Mixed into each district's seed: the history has a random stream of its own, so adding it
changed none of the kindergartens or people."""

# Defect and event rates (exact counts per district: round(rate * pool)).
INDUCTION_RETAKE = 0.02  # of teachers: failed the induction once, passed the retake
INDUCTION_NEVER_PASSED = 0.01  # of on-post teachers: half failed it, half never took it
NO_POST_CERTIFICATE = 0.02  # of on-post teachers: passed, but no post certificate recorded
NO_TEACHER_QUALIFICATION = 0.01  # of on-post teachers
EXPIRED_CARE = 0.02  # of on-post childcare workers, and of on-post health doctors
VICE_IN_TRAINING = 0.03  # of on-post vice principals (the recently appointed ones)
AT_HIRE_RETAKE = 0.02  # of principals, childcare workers and health doctors
NO_FAMILY_INSTRUCTOR = 0.08  # of kindergartens
TWO_FAMILY_INSTRUCTORS = 0.35  # of the kindergartens that have one
REGISTERED = 0.03  # of on-post teachers: a qualification with a registration history
REGISTRATION_DEFERRED = 0.12  # of registrations
SPECIAL_EDUCATION_CERTIFIED = 0.008  # of teachers a year: the special-education course and certificate

CARE_VALID_YEARS = 5  # 保育员上岗证, 保健员培训合格证, 护士执业证书: renewed every five years
RENEW_EARLY_DAYS = 120  # renewed up to this many days before expiry
SAFETY_VALID_YEARS = 3
REGISTRATION_START = date(2016, 4, 1)  # Beijing's first round of 定期注册
FIRST_QUALIFICATIONS = date(1996, 3, 1)  # the first teacher qualifications (教师资格条例, 1995)
QUALIFICATION_TYPE_DIGIT = "1"  # kindergarten (policy: teacher_qualification_type_digit)
SEX_DIGIT = {Sex.male.value: "1", Sex.female.value: "2"}

_TODAY = DEMO_TODAY.toordinal()
_NEVER = date.max.toordinal()
_YEAR_START = {y: date(y, 1, 1).toordinal() for y in HISTORY_YEARS}


# --------------------------------------------------------------------------- rows


@dataclass(slots=True)
class SessionRow:
    index: int
    course: int  # CourseRow.index
    starts_on: date
    ends_on: date
    place: str
    trainer: str
    capacity: int | None


@dataclass(slots=True)
class EnrolmentRow:
    index: int
    session: int
    staff: int
    enrolled_at: datetime


@dataclass(slots=True)
class ResultRow:
    enrolment: int
    hours: Decimal
    passed: bool
    score: Decimal | None
    completed_on: date
    recorded_at: datetime


@dataclass(slots=True)
class CertificateRow:
    index: int
    staff: int
    type: str
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None
    status: str = CertificateStatus.valid.value
    reason: str = ""


@dataclass(slots=True)
class CertificateEventRow:
    certificate: int
    action: str  # suspend, revoke, reinstate
    status_after: str
    reason: str
    at: datetime


@dataclass(slots=True)
class RegistrationRow:
    certificate: int
    registered_on: date
    result: str  # passed, deferred
    hours: int
    note: str
    at: datetime


@dataclass(slots=True)
class ChunkHistory:
    """The training history and certificates of one district's people."""

    district: str
    kg_first: int
    kg_count: int
    sessions: list[SessionRow]
    enrolments: list[EnrolmentRow]
    results: list[ResultRow]
    certificates: list[CertificateRow]
    events: list[CertificateEventRow]
    registrations: list[RegistrationRow]


# --------------------------------------------------------------------------- helpers


def _plus_years(day: int, years: int) -> int:
    d = date.fromordinal(day)
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28).toordinal()


def _ord(year: int, md: tuple[int, int]) -> int:
    return date(year, *md).toordinal()


class _Cache:
    """Shared immutable values (dates, timestamps, decimals): one object each, not one per row."""

    def __init__(self) -> None:
        self.dates: dict[int, date] = {}
        self.stamps: dict[tuple[int, int], datetime] = {}
        self.decimals: dict[int, Decimal] = {}  # tenths -> Decimal

    def day(self, ordinal: int) -> date:
        d = self.dates.get(ordinal)
        if d is None:
            d = self.dates[ordinal] = date.fromordinal(ordinal)
        return d

    def at(self, ordinal: int, minutes: int) -> datetime:
        """Beijing wall time ``minutes`` after midnight of the day, as an aware timestamp."""
        key = (ordinal, minutes)
        t = self.stamps.get(key)
        if t is None:
            d = date.fromordinal(ordinal)
            t = self.stamps[key] = datetime(d.year, d.month, d.day, minutes // 60, minutes % 60, tzinfo=BEIJING)
        return t

    def tenths(self, tenths: int) -> Decimal:
        v = self.decimals.get(tenths)
        if v is None:
            v = self.decimals[tenths] = Decimal(tenths).scaleb(-1)
        return v


class _Serials:
    """Certificate numbers, unique per type over the whole data set (chunks come in order)."""

    def __init__(self) -> None:
        self.by_type: Counter[str] = Counter()
        self.by_prefix: Counter[str] = Counter()

    def next(self, cert_type: str) -> int:
        self.by_type[cert_type] += 1
        return self.by_type[cert_type]

    def qualification(self, year: int, province: str, body: str, sex: str) -> str:
        """教师资格证书编号: year 4, province 2, awarding body 3, type 1, sex 1, serial 6 (17 digits).

        The serial runs per prefix and is scrambled by a bijection of 0..999999, so numbers look
        issued in no particular order and never repeat.
        """
        prefix = f"{year:04d}{province}{body}{QUALIFICATION_TYPE_DIGIT}{SEX_DIGIT[sex]}"
        k = self.by_prefix[prefix]
        if k >= 1_000_000:  # pragma: no cover - a million teachers of one sex, year and body
            raise RuntimeError(f"teacher qualification serials of {prefix} exhausted")
        self.by_prefix[prefix] = k + 1
        return f"{prefix}{(k * 7919 + int(prefix) % 1_000_003) % 1_000_000:06d}"


class _Run:
    """One run of a course in a year (one or more parallel sessions once its people are known)."""

    __slots__ = ("course", "end", "k", "people", "spread", "start", "year")

    def __init__(self, course: CourseRow, year: int, k: int) -> None:
        (m1, d1), (m2, d2) = course.slots[k]
        self.course = course
        self.year = year
        self.k = k
        self.start = _ord(year, (m1, d1))
        self.end = _ord(year, (m2, d2))
        self.spread = course.mode != "in_person"  # online and practice: finished any day of the run
        # (staff index, kindergarten index, completed ordinal or 0 for no result yet, passed)
        self.people: list[tuple[int, int, int, bool]] = []

    def finish_window(self, left: int) -> tuple[int, int]:
        """First and last day a result of this run can carry for a person leaving on ``left``."""
        last = min(self.end, _TODAY, left - 1)
        if self.spread:
            return self.start + min(7, self.end - self.start), last
        return self.end, last


@dataclass(frozen=True, slots=True)
class _Programme:
    """A yearly training programme: one course of these a year, at these rates."""

    name: str
    courses: tuple[tuple[str, float], ...]
    passed: float
    failed: float
    pending: float  # this year only: enrolled in a run not finished on DEMO_TODAY
    spread: float = 0.0  # per-kindergarten variation of ``passed`` (+/-)
    track: str = ""  # remember passes: "safety" (certificates) or "special" (certificate)


SAFETY = _Programme(
    "safety", (("SAF-01", 3), ("SAF-02", 2), ("SAF-03", 3), ("SAF-04", 1.5), ("SAF-05", 0.5)),
    0.962, 0.006, 0.012, 0.035, "safety",
)  # fmt: skip
ETHICS = _Programme("ethics", (("ETH-01", 4), ("ETH-02", 3), ("ETH-03", 2)), 0.932, 0.005, 0.015, 0.045)
FAMILY = _Programme("family", (("FAM-01", 5), ("FAM-02", 2), ("FAM-04", 2)), 0.70, 0.01, 0.03, 0.12)
GENERAL = _Programme(
    "general",
    (("GEN-01", 3), ("GEN-02", 2), ("GEN-03", 2), ("GEN-04", 1.5), ("GEN-05", 2), ("GEN-06", 1.5), ("GEN-08", 2)),
    0.33, 0.01, 0.02,
)  # fmt: skip
CHILDCARE = _Programme("childcare", (("GEN-07", 1),), 0.45, 0.01, 0.0)
HEALTH = _Programme("health", (("HC-02", 1), ("HC-03", 1)), 0.70, 0.01, 0.02)
KEY_BACKBONE = _Programme("key", (("KEY-01", 2), ("KEY-02", 1), ("KEY-04", 1.5), ("KEY-05", 1)), 0.30, 0.01, 0.02)
KEY_YOUNG = _Programme("key", (("KEY-03", 3), ("KEY-05", 1)), 0.05, 0.005, 0.0)
LEADERS = _Programme("leaders", (("PRN-A060", 1),), 0.15, 0.0, 0.0)
INCLUSION = _Programme("inclusion", (("SPE-01", 1),), 0.05, 0.002, 0.005)
INCLUSION_CERT = _Programme("inclusion", (("SPE-02", 1),), SPECIAL_EDUCATION_CERTIFIED, 0.0005, 0.0, 0.0, "special")
PROGRAMMES = (SAFETY, ETHICS, FAMILY, GENERAL, CHILDCARE, HEALTH, KEY_BACKBONE, KEY_YOUNG, LEADERS, INCLUSION,
              INCLUSION_CERT)  # fmt: skip
_AT_HIRE_USE: dict[str, str] = {
    Post.teacher: catalogue.USE_INDUCTION,
    Post.principal: catalogue.USE_PRINCIPAL,
    Post.vice_principal: catalogue.USE_PRINCIPAL,
    Post.childcare_worker: catalogue.USE_CHILDCARE,
    Post.health_doctor: catalogue.USE_HEALTH,
}
_SENIOR = frozenset({Title.level1.value, Title.senior.value, Title.professor.value})
_BACKBONE = frozenset({Honour.city_backbone.value, Honour.district_backbone.value, Honour.special_grade.value})


def _programmes_of(s: StaffRow) -> tuple[_Programme, ...]:
    post = s.post
    if post == Post.teacher:
        senior = s.title in _SENIOR or bool(_BACKBONE.intersection(s.honours))
        key = KEY_BACKBONE if senior else KEY_YOUNG
        return (SAFETY, ETHICS, FAMILY, GENERAL, key, INCLUSION, INCLUSION_CERT)
    if post == Post.principal or post == Post.vice_principal:
        return (SAFETY, ETHICS, FAMILY, GENERAL, LEADERS)
    if post == Post.childcare_worker:
        return (SAFETY, ETHICS, FAMILY, CHILDCARE)
    if post == Post.health_doctor:
        return (SAFETY, ETHICS, FAMILY, HEALTH)
    return (SAFETY, ETHICS, FAMILY)


# Revocations and suspensions: (post, certificate type, [(action, status after, reason), ...]).
SCENARIOS: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (Post.teacher, CT.teacher_qualification, (
        ("revoke", "revoked", "体罚幼儿，经区教委调查属实，依据《幼儿园教师违反职业道德行为处理办法》撤销教师资格"),
    )),
    (Post.teacher, CT.post_certificate, (
        ("suspend", "suspended", "家长投诉涉嫌变相体罚幼儿，调查期间暂停上岗"),
    )),
    (Post.childcare_worker, CT.childcare_certificate, (
        ("suspend", "suspended", "健康证明过期未复查，暂停保育员上岗证"),
    )),
    (Post.teacher, CT.teacher_qualification, (
        ("revoke", "revoked", "收受家长礼金，情节严重，依法撤销教师资格"),
    )),
    (Post.teacher, CT.post_certificate, (
        ("suspend", "suspended", "培训签到记录核查中发现代签，暂停上岗证"),
        ("revoke", "revoked", "核查属实：代签培训记录，撤销上岗证并责令重新参加任职资格培训"),
    )),
    (Post.teacher, CT.post_certificate, (
        ("suspend", "suspended", "家长投诉调查期间暂停上岗"),
        ("reinstate", "valid", "经调查投诉不实，恢复上岗证"),
    )),
    (Post.principal, CT.post_certificate, (
        ("suspend", "suspended", "园所发生安全责任事故，园长上岗证暂停，待调查处理"),
    )),
    (Post.teacher, CT.post_certificate, (
        ("suspend", "suspended", "年度师德考核不合格，暂停上岗证，责令整改"),
    )),
)  # fmt: skip


# --------------------------------------------------------------------------- the maker


class HistoryMaker:
    """Makes the history of each chunk, in order (numbers and positions run on across chunks)."""

    def __init__(
        self,
        courses: Sequence[CourseRow],
        kindergartens: Sequence[KindergartenRow],
        protected: Iterable[int] = (),
    ) -> None:
        self.courses = list(courses)
        self.by_code = {c.code: c for c in self.courses}
        self.kgs = kindergartens
        self.protected = frozenset(protected)  # people kept free of defects (the demo accounts)
        self.serials = _Serials()
        self.cache = _Cache()
        self.next_session = 0
        self.next_enrolment = 0
        self.next_certificate = 0
        self.at_hire = {c.use: c for c in self.courses if c.use in catalogue.AT_HIRE_USES}
        self.instructor_course = next(c for c in self.courses if c.use == catalogue.USE_INSTRUCTOR)
        self.pickers = {p: _weighted_codes(p.courses) for p in PROGRAMMES}
        # scores in half points: passed ~ triangular(60, 100, mode 87), failed ~ uniform(30, 59.5)
        shape = random.Random(HISTORY_SALT)
        self.passed_scores = [self.cache.tenths(5 * round(shape.triangular(60.0, 100.0, 87.0) * 2)) for _ in range(512)]
        self.failed_scores = [self.cache.tenths(5 * round(shape.uniform(30.0, 59.5) * 2)) for _ in range(512)]

    def chunk(self, plan: DistrictPlan, chunk: StaffChunk) -> ChunkHistory:
        return _District(self, plan, chunk).make()


def _weighted_codes(pairs: tuple[tuple[str, float], ...]) -> tuple[list[str], list[float]]:
    codes = [c for c, _ in pairs]
    total = 0.0
    cum = []
    for _, w in pairs:
        total += w
        cum.append(total)
    return codes, cum


class _District:
    def __init__(self, maker: HistoryMaker, plan: DistrictPlan, chunk: StaffChunk) -> None:
        self.m = maker
        self.plan = plan
        self.spec = plan.spec
        self.staff = chunk.staff
        self.rng = random.Random(plan.seed ^ HISTORY_SALT)
        self.cache = maker.cache
        self.serials = maker.serials
        self.runs: dict[tuple[int, int, int], _Run] = {}
        self.by_year: dict[tuple[int, int], list[_Run]] = {}
        self.open_options: dict[tuple[int, int], list[tuple[_Run, int, int]]] = {}
        self.province = plan.spec.area[:2]
        self.district_code = plan.spec.code_prefix.rstrip("-")
        self.district_issuer = f"{plan.spec.place}教育委员会"
        # per person: ordinals of passes that lead to certificates
        self.passed_at_hire: dict[int, int] = {}
        self.safety_passes: defaultdict[int, list[int]] = defaultdict(list)
        self.special_passes: dict[int, int] = {}
        self.instructor_passes: dict[int, int] = {}
        self.certificates: list[CertificateRow] = []
        self.cert_of: dict[tuple[int, str], CertificateRow] = {}
        # who carries which defect (chosen in make)
        self.never_passed: set[int] = set()
        self.no_post_certificate: set[int] = set()
        self.no_qualification: set[int] = set()
        self.retake: set[int] = set()
        self.vice_in_training: set[int] = set()
        self.expired_care: set[int] = set()
        self.health_kind: dict[int, str] = {}
        self.kg_rates: list[dict[str, float]] = []

    # ------------------------------------------------------------------ runs

    def run(self, course: CourseRow, year: int, k: int) -> _Run:
        key = (course.index, year, k)
        r = self.runs.get(key)
        if r is None:
            r = self.runs[key] = _Run(course, year, k)
        return r

    def year_runs(self, course: CourseRow, year: int) -> list[_Run]:
        runs = self.by_year.get((course.index, year))
        if runs is None:
            runs = self.by_year[(course.index, year)] = [self.run(course, year, k) for k in range(len(course.slots))]
        return runs

    def runs_around(self, course: CourseRow, day: int) -> list[_Run]:
        """The course's runs of the two years before ``day``'s year and that year, by end day."""
        year = date.fromordinal(day).year
        runs = [r for y in (year - 2, year - 1, year) for r in self.year_runs(course, y)]
        runs.sort(key=lambda r: r.end)
        return runs

    def running(self, course: CourseRow) -> _Run:
        """The run of the course going on on DEMO_TODAY (enrolled, no results yet)."""
        return next(r for r in self.year_runs(course, DEMO_TODAY.year) if r.start <= _TODAY < r.end)

    # ------------------------------------------------------------------ make

    def make(self) -> ChunkHistory:
        rng = self.rng
        staff = self.staff
        protected = self.m.protected
        kg_first = self.plan.kg_first

        def pool(post: str, status: str = StaffStatus.on_post.value) -> list[StaffRow]:
            return [s for s in staff if s.post == post and s.status == status and s.index not in protected]

        # --- who carries which defect (exact counts, disjoint) --------------------------------
        teachers = pool(Post.teacher)
        n = len(teachers)
        picked = rng.sample(
            teachers, round((INDUCTION_NEVER_PASSED + NO_POST_CERTIFICATE + NO_TEACHER_QUALIFICATION) * n)
        )
        a = round(INDUCTION_NEVER_PASSED * n)
        b = a + round(NO_POST_CERTIFICATE * n)
        self.never_passed = {s.index for s in picked[:a]}
        self.no_post_certificate = {s.index for s in picked[a:b]}
        self.no_qualification = {s.index for s in picked[b:]}
        every_teacher = [s for s in staff if s.post == Post.teacher and s.index not in self.never_passed]
        self.retake = {s.index for s in rng.sample(every_teacher, round(INDUCTION_RETAKE * len(every_teacher)))}
        others = [s for s in staff if s.post in (Post.principal, Post.vice_principal, Post.childcare_worker,
                                                 Post.health_doctor)]  # fmt: skip
        self.retake.update(s.index for s in rng.sample(others, round(AT_HIRE_RETAKE * len(others))))
        recent = _TODAY - 730
        vices = pool(Post.vice_principal)
        fresh = [s for s in vices if s.hired_on.toordinal() >= recent]
        self.vice_in_training = {
            s.index for s in rng.sample(fresh, min(len(fresh), round(VICE_IN_TRAINING * len(vices))))
        }
        for s in staff:
            if s.post == Post.health_doctor:
                r = rng.random()
                self.health_kind[s.index] = "doctor" if r < 0.40 else ("nurse" if r < 0.75 else "care")
        lapse_after = _TODAY - int(6.2 * DAYS_PER_YEAR)
        for post in (Post.childcare_worker, Post.health_doctor):
            everyone = pool(post)
            eligible = [
                s
                for s in everyone
                if s.hired_on.toordinal() <= lapse_after and self.health_kind.get(s.index) != "doctor"
            ]
            count = min(len(eligible), round(EXPIRED_CARE * len(everyone)))
            self.expired_care.update(s.index for s in rng.sample(eligible, count))

        # --- per kindergarten rates of the yearly programmes ----------------------------------
        for _ in range(self.plan.kg_count):
            self.kg_rates.append(
                {p.name: min(1.0, p.passed + rng.uniform(-p.spread, p.spread * 0.8)) for p in PROGRAMMES if p.spread}
            )

        # --- training --------------------------------------------------------------------------
        for s in staff:
            self.at_hire(s)
            self.yearly(s, self.kg_rates[s.kindergarten - kg_first])
        self.family_instructors()
        sessions, enrolments, results = self.sessions()

        # --- certificates ----------------------------------------------------------------------
        for s in staff:
            self.person_certificates(s)
        events = self.scenarios()
        registrations = self.registrations()
        return ChunkHistory(
            district=self.spec.name,
            kg_first=kg_first,
            kg_count=self.plan.kg_count,
            sessions=sessions,
            enrolments=enrolments,
            results=results,
            certificates=self.certificates,
            events=events,
            registrations=registrations,
        )

    # ------------------------------------------------------------------ training at hire

    def at_hire(self, s: StaffRow) -> None:
        use = _AT_HIRE_USE.get(s.post)
        if use is None:
            return
        course = self.m.at_hire[use]
        kg = s.kindergarten
        rng = self.rng
        if s.status == StaffStatus.pending_induction or s.index in self.vice_in_training:
            self.running(course).people.append((s.index, kg, 0, False))  # in the course now
            return
        hired = s.hired_on.toordinal()
        runs = self.runs_around(course, hired)
        i = bisect_right([r.end for r in runs], hired + 20) - 1  # the last run ending by then
        run = runs[i]
        if s.index in self.never_passed:
            if rng.random() < 0.5:  # 培训不合格: failed it, and the retake too for some
                run.people.append((s.index, kg, run.end, False))
                if rng.random() < 0.5 and i > 0:
                    runs[i - 1].people.append((s.index, kg, runs[i - 1].end, False))
            return  # else 不培训: never took it
        if s.index in self.retake and i > 0:
            before = runs[i - 1]
            before.people.append((s.index, kg, before.end, False))
        run.people.append((s.index, kg, run.end, True))
        self.passed_at_hire[s.index] = run.end

    # ------------------------------------------------------------------ yearly training

    def yearly(self, s: StaffRow, kg_rates: dict[str, float]) -> None:
        rng = self.rng
        hired = s.hired_on.toordinal()
        left = s.left_on.toordinal() if s.left_on else _NEVER
        first = max(HISTORY_YEARS[0], s.hired_on.year)
        last = min(HISTORY_YEARS[-1], s.left_on.year if s.left_on else HISTORY_YEARS[-1])
        away = s.status == StaffStatus.on_leave
        kg = s.kindergarten
        this_year = DEMO_TODAY.year
        by_code = self.m.by_code
        year_start = _YEAR_START
        for prog in _programmes_of(s):
            if prog is LEADERS and s.index not in self.passed_at_hire:
                continue  # the advanced course is for qualified principals only
            codes, cum = self.m.pickers[prog]
            base = kg_rates.get(prog.name, prog.passed)
            for year in range(first, last + 1):
                p_pass, p_fail, p_pend = base, prog.failed, prog.pending if year == this_year else 0.0
                if away and year == this_year:
                    p_pass *= 0.4
                r = rng.random()
                if r >= p_pass + p_fail + p_pend:
                    continue
                code = codes[bisect_right(cum, rng.random() * cum[-1])] if len(codes) > 1 else codes[0]
                course = by_code[code]
                runs = self.year_runs(course, year)
                if r >= p_pass + p_fail:  # pending: in a run not finished today
                    open_runs = [x for x in runs if x.end > _TODAY and x.start >= hired and left == _NEVER]
                    if open_runs:
                        rng.choice(open_runs).people.append((s.index, kg, 0, False))
                    continue
                passed = r < p_pass
                if hired < year_start[year] and left == _NEVER:  # the whole year: any run will do
                    done = self.attend_any(course, year, runs, s.index, kg, passed)
                else:
                    done = self.attend(runs, s.index, kg, hired, left, passed)
                if done and not passed and rng.random() < 0.6:  # a retake later that year
                    again = rng.random() < 0.9
                    retaken = self.attend([x for x in runs if x.start > done], s.index, kg, hired, left, again)
                    if retaken:
                        done, passed = retaken, again
                if done and passed and prog.track:
                    if prog.track == "safety":
                        self.safety_passes[s.index].append(done)
                    else:
                        self.special_passes.setdefault(s.index, done)

    def attend_any(self, course: CourseRow, year: int, runs: list[_Run], staff: int, kg: int, passed: bool) -> int:
        """``attend`` for someone employed all year and not leaving (their options are everyone's)."""
        key = (course.index, year)
        options = self.open_options.get(key)
        if options is None:
            options = self.open_options[key] = [
                (x, lo, hi) for x in runs for lo, hi in (x.finish_window(_NEVER),) if lo <= hi
            ]
        if not options:
            return 0
        x, lo, hi = options[0] if len(options) == 1 else options[self.rng.randrange(len(options))]
        done = self.rng.randint(lo, hi) if x.spread else lo
        x.people.append((staff, kg, done, passed))
        return done

    def attend(self, runs: Sequence[_Run], staff: int, kg: int, hired: int, left: int, passed: bool) -> int:
        """Put the person in one of the runs they can finish; the day they finished (0: none)."""
        rng = self.rng
        options = []
        for x in runs:
            if x.start < hired:
                continue
            lo, hi = x.finish_window(left)
            if lo <= hi:
                options.append((x, lo, hi))
        if not options:
            return 0
        x, lo, hi = options[0] if len(options) == 1 else rng.choice(options)
        done = rng.randint(lo, hi) if x.spread else lo
        x.people.append((staff, kg, done, passed))
        return done

    def family_instructors(self) -> None:
        """1-2 trained family-education instructors in most kindergartens, none in a few."""
        rng = self.rng
        course = self.m.instructor_course
        by_kg: defaultdict[int, list[StaffRow]] = defaultdict(list)
        for s in self.staff:
            if (
                s.status == StaffStatus.on_post
                and s.post in (Post.teacher, Post.vice_principal, Post.principal)
                and s.index not in self.never_passed
                and s.index not in self.m.protected
            ):
                by_kg[s.kindergarten].append(s)
        kgs = list(range(self.plan.kg_first, self.plan.kg_first + self.plan.kg_count))
        without = set(rng.sample(kgs, round(NO_FAMILY_INSTRUCTOR * len(kgs))))
        for kg in kgs:
            if kg in without or not by_kg[kg]:
                continue
            count = 2 if rng.random() < TWO_FAMILY_INSTRUCTORS and len(by_kg[kg]) > 1 else 1
            for s in rng.sample(by_kg[kg], count):
                hired = s.hired_on.toordinal()
                year = rng.choice([y for y in HISTORY_YEARS if y >= s.hired_on.year])
                runs = self.year_runs(course, year)
                done = self.attend(runs, s.index, kg, hired, _NEVER, True)
                if not done:  # hired too late for that year's runs: the next year's
                    done = self.attend(self.year_runs(course, min(year + 1, DEMO_TODAY.year)), s.index, kg,
                                       hired, _NEVER, True)  # fmt: skip
                if done:
                    self.instructor_passes[s.index] = done

    # ------------------------------------------------------------------ sessions, enrolments, results

    def sessions(self) -> tuple[list[SessionRow], list[EnrolmentRow], list[ResultRow]]:
        rng = self.rng
        cache = self.cache
        m = self.m
        random = rng.random
        day, at = cache.day, cache.at
        passed_scores, failed_scores = m.passed_scores, m.failed_scores
        sessions: list[SessionRow] = []
        enrolments: list[EnrolmentRow] = []
        results: list[ResultRow] = []
        for key in sorted(self.runs):
            run = self.runs[key]
            people = run.people
            if not people:
                continue
            course = run.course
            cap = course.capacity
            count = math.ceil(len(people) / cap) if cap else 1
            if count > 1:
                people = sorted(people, key=lambda p: p[1])  # a kindergarten's people sit together
            size = math.ceil(len(people) / count)
            hours_tenths = int(course.hours * 10)
            full_hours = cache.tenths(hours_tenths)
            for j in range(count):
                group = people[j * size : (j + 1) * size]
                if not group:
                    continue
                host = self.m.kgs[group[0][1]]
                session = SessionRow(
                    index=m.next_session,
                    course=course.index,
                    starts_on=cache.day(run.start),
                    ends_on=cache.day(run.end),
                    place=self.place(course, host),
                    trainer=self.trainer(course),
                    capacity=cap,
                )
                m.next_session += 1
                sessions.append(session)
                enrolled_at = cache.at(run.start - 14 - rng.randrange(14), 9 * 60 + 30)
                e = m.next_enrolment
                for staff, _kg, done, passed in group:
                    enrolments.append(EnrolmentRow(e, session.index, staff, enrolled_at))
                    if done:
                        if passed:
                            hours = full_hours
                            score = passed_scores[int(random() * 512)]
                        else:
                            hours = cache.tenths(max(5, 5 * round(hours_tenths * rng.uniform(0.4, 0.9) / 5)))
                            score = failed_scores[int(random() * 512)]
                        results.append(ResultRow(e, hours, passed, score, day(done), at(done, 17 * 60 + 30)))
                    e += 1
                m.next_enrolment = e
        return sessions, enrolments, results

    def place(self, course: CourseRow, host: KindergartenRow) -> str:
        if course.mode == "online":
            return catalogue.ONLINE_PLACE
        options = catalogue.PLACES[course.level]
        text = options[self.rng.randrange(len(options))]
        return text.format(place=self.spec.place, group=host.collab_group, host=host.name)

    def trainer(self, course: CourseRow) -> str:
        rng = self.rng
        roles = names.TRAINER_ROLES[course.level]
        surname = names.SURNAMES[rng.randrange(40)][0]
        given = rng.choice(names.GIVEN_FEMALE) + (rng.choice(names.GIVEN_FEMALE) if rng.random() < 0.7 else "")
        return f"{surname}{given}（{roles[rng.randrange(len(roles))]}）"

    # ------------------------------------------------------------------ certificates

    def add(self, s: StaffRow, cert_type: str, number: str, issuer: str, issued: int, expires: int | None) -> None:
        cache = self.cache
        row = CertificateRow(
            index=self.m.next_certificate,
            staff=s.index,
            type=cert_type,
            number=number,
            issuer=issuer,
            issued_on=cache.day(min(issued, _TODAY)),
            expires_on=None if expires is None else cache.day(expires),
        )
        self.m.next_certificate += 1
        self.certificates.append(row)
        self.cert_of[(s.index, cert_type)] = row

    def person_certificates(self, s: StaffRow) -> None:
        post = s.post
        if post in (Post.teacher, Post.principal, Post.vice_principal):
            if s.index not in self.no_qualification:
                self.teacher_qualification(s)
            passed = self.passed_at_hire.get(s.index)
            if passed is not None and post != Post.teacher:
                self.add_numbered(s, CT.principal_qualification, passed + self.rng.randint(10, 45), None,
                                  names.education_authority(self.province))  # fmt: skip
            if passed is not None and s.index not in self.no_post_certificate:
                self.add_numbered(s, CT.post_certificate, passed + self.rng.randint(3, 30), None, self.district_issuer)
        elif post == Post.childcare_worker:
            passed = self.passed_at_hire.get(s.index)
            if passed is not None:
                self.renewed(s, CT.childcare_certificate, passed + self.rng.randint(7, 30), self.district_issuer)
        elif post == Post.health_doctor:
            self.health_certificates(s)
        self.safety_certificate(s)
        done = self.instructor_passes.get(s.index)
        if done is not None:
            issuer = (
                "北京市家庭教育研究会" if self.province == "11" else f"{names.PROVINCES[self.province]}家庭教育学会"
            )
            self.add_numbered(s, CT.family_education_instructor, done + self.rng.randint(15, 60), None, issuer)
        done = self.special_passes.get(s.index)
        if done is not None:
            self.add_numbered(s, CT.special_education, done + self.rng.randint(10, 40), None, self.district_issuer)

    def add_numbered(self, s: StaffRow, cert_type: str, issued: int, expires: int | None, issuer: str) -> None:
        issued = min(issued, _TODAY - 1)
        year = date.fromordinal(issued).year
        k = self.serials.next(cert_type)
        d = self.district_code
        number = {
            CT.post_certificate: f"SGZ-{d}-{year}-{k:06d}",
            CT.principal_qualification: f"YZRZ-{year}-{k:06d}",
            CT.childcare_certificate: f"BYY-{d}-{year}-{k:06d}",
            CT.health_care_training: f"BJY-{year}-{k:06d}",
            CT.doctor_licence: f"1{self.province}{year}{k:08d}",  # 15 digits, like 医师执业证书编码
            CT.nurse_licence: f"{year}{self.province}{k:06d}",  # 12 digits, like 护士执业证书编号
            CT.safety_training: f"AQ-{d}-{year}-{k:06d}",
            CT.family_education_instructor: f"JTJY-{year}-{k:06d}",
            CT.special_education: f"TJJY-{d}-{year}-{k:06d}",
        }[CT(cert_type)]
        self.add(s, cert_type, number, issuer, issued, expires)

    def teacher_qualification(self, s: StaffRow) -> None:
        rng = self.rng
        hired = s.hired_on.toordinal()
        born = s.birth_date.toordinal()
        leader = s.post != Post.teacher
        issued = hired - (rng.randint(60, 2500) if leader else rng.randint(20, 400))
        issued = max(issued, born + int(19.5 * DAYS_PER_YEAR))
        first = FIRST_QUALIFICATIONS.toordinal()
        if issued < first:  # the first certificates went to the teachers already teaching
            issued = rng.randint(first, max(first, date(2000, 12, 31).toordinal()))
        issued = min(issued, _TODAY - 1)
        home = s.id_number[:2]
        if home != self.province and rng.random() < 0.6:  # qualified at home before moving here
            province, body, issuer = home, s.id_number[3:6], names.education_authority(home)
        else:
            province, body, issuer = self.province, self.spec.area[3:6], self.district_issuer
        number = self.serials.qualification(date.fromordinal(issued).year, province, body, s.sex)
        self.add(s, CT.teacher_qualification, number, issuer, issued, None)

    def renewed(self, s: StaffRow, cert_type: str, first: int, issuer: str) -> None:
        """A certificate renewed every CARE_VALID_YEARS since ``first``, up to RENEW_EARLY_DAYS
        before it expires (so some are inside the reminder window, most renewed before); lapsed
        for the defect."""
        issued = min(first, _TODAY - 1)
        early = self.rng.randint(0, RENEW_EARLY_DAYS)
        while _plus_years(issued, CARE_VALID_YEARS) - early <= _TODAY:
            issued = _plus_years(issued, CARE_VALID_YEARS) - early
        if s.index in self.expired_care:  # not renewed: the previous certificate lapsed
            issued = _TODAY - int((CARE_VALID_YEARS + self.rng.uniform(0.03, 1.0)) * DAYS_PER_YEAR)
        self.add_numbered(s, cert_type, issued, _plus_years(min(issued, _TODAY - 1), CARE_VALID_YEARS), issuer)

    def health_certificates(self, s: StaffRow) -> None:
        rng = self.rng
        kind = self.health_kind[s.index]
        hired = s.hired_on.toordinal()
        born = s.birth_date.toordinal()
        authority = names.health_authority(self.province)
        licence = max(hired - rng.randint(100, 2500), born + int(23.5 * DAYS_PER_YEAR))
        if kind == "doctor":
            self.add_numbered(s, CT.doctor_licence, licence, None, authority)
        elif kind == "nurse":
            self.renewed(s, CT.nurse_licence, licence, authority)
        passed = self.passed_at_hire.get(s.index)
        lapsed_nurse = kind == "nurse" and s.index in self.expired_care
        if passed is not None and (kind == "care" or (not lapsed_nurse and rng.random() < 0.5)):
            self.renewed(s, CT.health_care_training, passed + rng.randint(10, 40), authority)

    def safety_certificate(self, s: StaffRow) -> None:
        passes = self.safety_passes.get(s.index)
        if not passes:
            return
        rng = self.rng
        share = 0.25 if s.post in (Post.teacher, Post.childcare_worker) else 0.85
        if rng.random() >= share:
            return
        issued = 0
        for p in sorted(passes):  # renewed at the first pass within half a year of expiry
            if not issued or _plus_years(issued, SAFETY_VALID_YEARS) <= p + 180:
                issued = p + rng.randint(5, 20)
        issued = min(issued, _TODAY - 1)
        self.add_numbered(s, CT.safety_training, issued, _plus_years(issued, SAFETY_VALID_YEARS), self.district_issuer)

    # ------------------------------------------------------------------ revocations, registrations

    def scenarios(self) -> list[CertificateEventRow]:
        """A handful of revoked or suspended certificates (about 8 in a district of 11,000 staff)."""
        rng = self.rng
        cache = self.cache
        count = max(2, round(len(SCENARIOS) * len(self.staff) / 11_000))
        taken = self.never_passed | self.no_post_certificate | self.no_qualification | self.m.protected
        events: list[CertificateEventRow] = []
        for i in range(count):
            post, cert_type, steps = SCENARIOS[i % len(SCENARIOS)]
            candidates = [
                c
                for s in self.staff
                if s.post == post
                and s.status == StaffStatus.on_post
                and s.index not in taken
                and (c := self.cert_of.get((s.index, cert_type))) is not None
                and c.status == CertificateStatus.valid
                and (c.expires_on is None or c.expires_on > DEMO_TODAY)
            ]
            if not candidates:
                continue
            cert = rng.choice(candidates)
            taken.add(cert.staff)
            day = max(cert.issued_on.toordinal() + 30, _TODAY - rng.randint(40, 600))
            for action, status, reason in steps:
                day = min(day, _TODAY - 1)
                events.append(CertificateEventRow(cert.index, action, status, reason, cache.at(day, 10 * 60 + 15)))
                cert.status, cert.reason = status, reason
                day += rng.randint(20, 60)
            if cert.status == CertificateStatus.valid:
                cert.reason = ""
        return events

    def registrations(self) -> list[RegistrationRow]:
        """定期注册 histories of a few teacher qualifications: passed every five years, some deferred."""
        rng = self.rng
        cache = self.cache
        start = REGISTRATION_START.toordinal()
        pool = [
            c
            for s in self.staff
            if s.post == Post.teacher
            and s.status == StaffStatus.on_post
            and (c := self.cert_of.get((s.index, CT.teacher_qualification))) is not None
            and c.status == CertificateStatus.valid
            and c.issued_on.toordinal() < start - 365
        ]
        on_post = sum(1 for s in self.staff if s.post == Post.teacher and s.status == StaffStatus.on_post)
        rows: list[RegistrationRow] = []
        for cert in sorted(rng.sample(pool, min(len(pool), round(REGISTERED * on_post))), key=lambda c: c.index):
            day = start + rng.randint(0, 200)
            while day < _TODAY:
                if rng.random() < REGISTRATION_DEFERRED:
                    hours = rng.randint(240, 350)
                    note = f"五年培训学时{hours}，不足360学时，暂缓注册"
                    rows.append(
                        RegistrationRow(cert.index, cache.day(day), "deferred", hours, note, cache.at(day, 14 * 60))
                    )
                    day += rng.randint(180, 400)
                    if day >= _TODAY:
                        break
                hours = rng.randint(360, 460)
                rows.append(RegistrationRow(cert.index, cache.day(day), "passed", hours, "定期注册合格",
                                            cache.at(day, 14 * 60)))  # fmt: skip
                day = _plus_years(day, 5) - rng.randint(0, 120)
        return rows


# --------------------------------------------------------------------------- figures


@dataclass
class HistoryTally:
    """Running figures of the training history and certificates, fed chunk by chunk.

    Compliance is judged with the registry's own pure rule (``dual_certificate``) and policy on
    ``on``, over the on-post people of every post with requirements, as the compliance report does.
    """

    policy: Policy
    courses: Sequence[CourseRow]
    on: date = DEMO_TODAY
    sessions: int = 0
    enrolments: int = 0
    results: int = 0
    results_passed: int = 0
    certificates: int = 0
    certificates_by_type: Counter[str] = field(default_factory=Counter)
    certificates_by_status: Counter[str] = field(default_factory=Counter)
    certificate_events: int = 0
    registrations: int = 0
    on_post: Counter[str] = field(default_factory=Counter)
    compliant: Counter[str] = field(default_factory=Counter)
    missing: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    kindergartens: int = 0
    without_family_instructor: int = 0
    expiring: int = 0
    with_expiry: int = 0
    coverage_on_post: int = 0
    coverage_covered: Counter[str] = field(default_factory=Counter)
    below_target: Counter[str] = field(default_factory=Counter)  # kindergartens under the coverage target

    def add(self, chunk: StaffChunk, history: ChunkHistory) -> None:
        policy = self.policy
        on = self.on
        warn = max(policy.reminders.windows_days)
        horizon = on + timedelta(days=warn)
        self.sessions += len(history.sessions)
        self.enrolments += len(history.enrolments)
        self.results += len(history.results)
        self.results_passed += sum(1 for r in history.results if r.passed)
        self.certificates += len(history.certificates)
        self.certificate_events += len(history.events)
        self.registrations += len(history.registrations)

        staff = {s.index: s for s in chunk.staff}
        held: defaultdict[int, list[HeldCertificate]] = defaultdict(list)
        instructors: Counter[int] = Counter()
        for c in history.certificates:
            self.certificates_by_type[c.type] += 1
            self.certificates_by_status[c.status] += 1
            held[c.staff].append(HeldCertificate(c.index, c.type, c.number, c.status, c.issued_on, c.expires_on))
            person = staff[c.staff]
            valid = c.status == CertificateStatus.valid and c.issued_on <= on
            if c.expires_on is not None:
                self.with_expiry += 1
                if valid and person.status != StaffStatus.left and on <= c.expires_on <= horizon:
                    self.expiring += 1
            if (
                c.type == "family_education_instructor"
                and valid
                and (c.expires_on is None or c.expires_on >= on)
                and person.status == StaffStatus.on_post
            ):
                instructors[person.kindergarten] += 1
        on_post_by_kg: Counter[int] = Counter()
        for s in chunk.staff:
            if s.status != StaffStatus.on_post:
                continue
            on_post_by_kg[s.kindergarten] += 1
            if not policy.certificates.required_for(s.post):
                continue
            verdict = dual_certificate(s.post, held.get(s.index, ()), on, policy.certificates, warn)
            self.on_post[s.post] += 1
            if verdict.compliant:
                self.compliant[s.post] += 1
            for label in verdict.missing:
                self.missing[s.post][label] += 1
        need = policy.coverage.family_instructors_per_kindergarten
        kgs = range(history.kg_first, history.kg_first + history.kg_count)
        self.kindergartens += len(kgs)
        self.without_family_instructor += sum(1 for k in kgs if instructors[k] < need)

        # coverage of this year's required training (as the coverage report counts it)
        categories = set(policy.coverage.categories)
        first = date(on.year, 1, 1)
        session_course = {x.index: self.courses[x.course] for x in history.sessions}
        enrolment = {e.index: e for e in history.enrolments}
        covered: set[tuple[int, str]] = set()
        for r in history.results:
            if not r.passed or not first <= r.completed_on <= on:
                continue
            e = enrolment[r.enrolment]
            category = session_course[e.session].category
            if category in categories and staff[e.staff].status == StaffStatus.on_post:
                covered.add((e.staff, category))
        by_kg: Counter[tuple[int, str]] = Counter()
        for who, category in covered:
            self.coverage_covered[category] += 1
            by_kg[(staff[who].kindergarten, category)] += 1
        self.coverage_on_post += sum(on_post_by_kg.values())
        for k, n in on_post_by_kg.items():
            for category in categories:
                if by_kg[(k, category)] < n * policy.coverage.target_rate:
                    self.below_target[category] += 1

    def figures(self) -> dict[str, Any]:
        compliance = {
            post: {
                "on_post": n,
                "compliant": self.compliant[post],
                "violations": n - self.compliant[post],
                "rate": round(self.compliant[post] / n, 4) if n else None,
                "missing": dict(sorted(self.missing[post].items())),
            }
            for post, n in sorted(self.on_post.items())
        }
        on_post = sum(self.on_post.values())
        compliant = sum(self.compliant.values())
        return {
            "courses": len(self.courses),
            "sessions": self.sessions,
            "enrolments": self.enrolments,
            "results": self.results,
            "results_passed": self.results_passed,
            "certificates": self.certificates,
            "certificates_by_type": dict(sorted(self.certificates_by_type.items())),
            "certificates_by_status": dict(sorted(self.certificates_by_status.items())),
            "certificate_events": self.certificate_events,
            "registrations": self.registrations,
            "today": self.on.isoformat(),
            "compliance_by_post": compliance,
            "compliance_rate": round(compliant / on_post, 4) if on_post else None,
            "violations": on_post - compliant,
            "kindergartens_without_family_instructor": self.without_family_instructor,
            "expiring_within_days": max(self.policy.reminders.windows_days),
            "expiring": self.expiring,
            "certificates_with_expiry": self.with_expiry,
            "coverage_year": self.on.year,
            "coverage": {
                c: round(self.coverage_covered[c] / self.coverage_on_post, 4) if self.coverage_on_post else None
                for c in self.policy.coverage.categories
            },
            "kindergartens_below_coverage_target": {c: self.below_target[c] for c in self.policy.coverage.categories},
        }


__all__ = [
    "DEMO_TODAY",
    "HISTORY_YEARS",
    "PROGRAMMES",
    "SCENARIOS",
    "CertificateEventRow",
    "CertificateRow",
    "ChunkHistory",
    "EnrolmentRow",
    "HistoryMaker",
    "HistoryTally",
    "RegistrationRow",
    "ResultRow",
    "SessionRow",
]
