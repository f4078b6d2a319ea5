"""Training history and certificates of the demo people (pure: no I/O, no clock, no database).

For one district's people (a ``StaffChunk``) this makes the training sessions they sat, their
enrolments and results, and the certificates their posts need, with realistic defects at
deterministic rates. The demo's "today" is ``DEMO_TODAY`` (2026-11-29): nothing is completed,
issued or registered after it; sessions still running on it have enrolments but no results.

This module makes the training; the certificates, revocations and registrations are made by
``demo.certificate_history`` (mixed into the district), the row types, rates and shared helpers
are in ``demo.history_rows`` and the running figures in ``demo.history_tally``.

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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from demo import catalogue, names
from demo.catalogue import CourseRow
from demo.certificate_history import CertificateWork
from demo.history_rows import (
    AT_HIRE_RETAKE,
    EXPIRED_CARE,
    HISTORY_SALT,
    HISTORY_YEARS,
    INDUCTION_NEVER_PASSED,
    INDUCTION_RETAKE,
    NEVER_ORDINAL,
    NO_FAMILY_INSTRUCTOR,
    NO_POST_CERTIFICATE,
    NO_TEACHER_QUALIFICATION,
    SPECIAL_EDUCATION_CERTIFIED,
    TODAY_ORDINAL,
    TWO_FAMILY_INSTRUCTORS,
    VICE_IN_TRAINING,
    YEAR_START,
    CertificateRow,
    ChunkHistory,
    EnrolmentRow,
    ResultRow,
    Serials,
    SessionRow,
    ValueCache,
    ordinal_of,
)
from demo.rows import DAYS_PER_YEAR, DEMO_TODAY, DistrictPlan, KindergartenRow, StaffChunk, StaffRow
from registry.staff.codes import Honour, Post, StaffStatus, Title


class _Run:
    """One run of a course in a year (one or more parallel sessions once its people are known)."""

    __slots__ = ("course", "end", "k", "people", "spread", "start", "year")

    def __init__(self, course: CourseRow, year: int, k: int) -> None:
        (m1, d1), (m2, d2) = course.slots[k]
        self.course = course
        self.year = year
        self.k = k
        self.start = ordinal_of(year, (m1, d1))
        self.end = ordinal_of(year, (m2, d2))
        self.spread = course.mode != "in_person"  # online and practice: finished any day of the run
        # (staff index, kindergarten index, completed ordinal or 0 for no result yet, passed)
        self.people: list[tuple[int, int, int, bool]] = []

    def finish_window(self, left: int) -> tuple[int, int]:
        """First and last day a result of this run can carry for a person leaving on ``left``."""
        last = min(self.end, TODAY_ORDINAL, left - 1)
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
        self.serials = Serials()
        self.cache = ValueCache()
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


class _District(CertificateWork):
    m: HistoryMaker

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
        return next(r for r in self.year_runs(course, DEMO_TODAY.year) if r.start <= TODAY_ORDINAL < r.end)

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
        recent = TODAY_ORDINAL - 730
        vices = pool(Post.vice_principal)
        fresh = [s for s in vices if s.hired_on.toordinal() >= recent]
        self.vice_in_training = {
            s.index for s in rng.sample(fresh, min(len(fresh), round(VICE_IN_TRAINING * len(vices))))
        }
        for s in staff:
            if s.post == Post.health_doctor:
                r = rng.random()
                self.health_kind[s.index] = "doctor" if r < 0.40 else ("nurse" if r < 0.75 else "care")
        lapse_after = TODAY_ORDINAL - int(6.2 * DAYS_PER_YEAR)
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
        registrations = self.registrations(events)
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
        left = s.left_on.toordinal() if s.left_on else NEVER_ORDINAL
        first = max(HISTORY_YEARS[0], s.hired_on.year)
        last = min(HISTORY_YEARS[-1], s.left_on.year if s.left_on else HISTORY_YEARS[-1])
        away = s.status == StaffStatus.on_leave
        kg = s.kindergarten
        this_year = DEMO_TODAY.year
        by_code = self.m.by_code
        year_start = YEAR_START
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
                    open_runs = [
                        x for x in runs if x.end > TODAY_ORDINAL and x.start >= hired and left == NEVER_ORDINAL
                    ]
                    if open_runs:
                        rng.choice(open_runs).people.append((s.index, kg, 0, False))
                    continue
                passed = r < p_pass
                if hired < year_start[year] and left == NEVER_ORDINAL:  # the whole year: any run will do
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
                (x, lo, hi) for x in runs for lo, hi in (x.finish_window(NEVER_ORDINAL),) if lo <= hi
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
                done = self.attend(runs, s.index, kg, hired, NEVER_ORDINAL, True)
                if not done:  # hired too late for that year's runs: the next year's
                    done = self.attend(self.year_runs(course, min(year + 1, DEMO_TODAY.year)), s.index, kg,
                                       hired, NEVER_ORDINAL, True)  # fmt: skip
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


__all__ = ["PROGRAMMES", "HistoryMaker"]
