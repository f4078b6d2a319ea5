"""The demo district's training history and certificates: determinism, the rules, the defect rates
(no database; the loader is exercised end to end in test_loader.py and tests/test_cli.py)."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from certificates.rules import HeldCertificate, dual_certificate, registration_due, teacher_qualification_problem
from credits.codes import CourseCategory, CourseMode
from demo import catalogue
from demo.certificate_history import FIRST_NOTE
from demo.generator import DemoData, generate
from demo.history_rows import HISTORY_YEARS, REGISTRATION_START, ChunkHistory
from demo.history_tally import HistoryTally
from demo.rows import DEMO_TODAY, StaffChunk
from kernel.codes import CertificateStatus, CertificateType
from kernel.policy import policy_on
from registry.staff.codes import Post, Sex, StaffStatus
from training.codes import CourseLevel

POLICY = policy_on(DEMO_TODAY)
WARN = max(POLICY.reminders.windows_days)
CJK = re.compile(r"[\u4e00-\u9fff]")


class World:
    """The district, its history, and indexes over them."""

    def __init__(self, data: DemoData) -> None:
        self.data = data
        pairs = list(data.iter_history())
        assert len(pairs) == 1
        self.chunk: StaffChunk = pairs[0][0]
        self.h: ChunkHistory = pairs[0][1]
        self.staff = {s.index: s for s in self.chunk.staff}
        self.course_of_session = {s.index: data.courses[s.course] for s in self.h.sessions}
        self.session = {s.index: s for s in self.h.sessions}
        self.enrolment = {e.index: e for e in self.h.enrolments}
        self.results_of: defaultdict[int, list] = defaultdict(list)  # staff -> [(result, course)]
        for r in self.h.results:
            e = self.enrolment[r.enrolment]
            self.results_of[e.staff].append((r, self.course_of_session[e.session]))
        self.certs_of: defaultdict[int, list] = defaultdict(list)
        for c in self.h.certificates:
            self.certs_of[c.staff].append(c)

    def verdict(self, index: int):
        s = self.staff[index]
        held = [
            HeldCertificate(c.index, c.type, c.number, c.status, c.issued_on, c.expires_on)
            for c in self.certs_of[index]
        ]
        return dual_certificate(s.post, held, DEMO_TODAY, POLICY.certificates, WARN)

    def on_post(self, post: str) -> list:
        return [s for s in self.chunk.staff if s.post == post and s.status == StaffStatus.on_post]


@pytest.fixture(scope="module")
def w() -> World:
    return World(generate("district", 2017))


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_history(w: World) -> None:
    again = World(generate("district", 2017))
    for name in ("sessions", "enrolments", "results", "certificates", "events", "registrations"):
        assert getattr(again.h, name) == getattr(w.h, name), name
    assert again.data.courses == w.data.courses


def test_different_seed_different_history(w: World) -> None:
    other = World(generate("district", 2018))
    assert [c.number for c in other.h.certificates] != [c.number for c in w.h.certificates]
    assert len(other.h.results) == pytest.approx(len(w.h.results), rel=0.05)


def test_history_leaves_the_people_alone(w: World) -> None:
    """The history has a random stream of its own: staff rows are those generate() made."""
    assert w.chunk.staff == w.data.staff
    assert w.chunk.assignments == w.data.assignments


# --------------------------------------------------------------------------- catalogue


def test_course_catalogue(w: World) -> None:
    courses = w.data.courses
    assert 25 <= len(courses) <= 50
    assert len({c.code for c in courses}) == len(courses)
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]{1,32}", c.code) for c in courses)
    assert all(CJK.search(c.title) for c in courses)
    assert {c.category for c in courses} == {c.value for c in CourseCategory}
    assert {c.level for c in courses} == {lv.value for lv in CourseLevel}
    assert {c.mode for c in courses} == {m.value for m in CourseMode}
    # the file's rates: in person 10 h per credit, online and practice 20 h (STANDARDS.md)
    assert POLICY.recognition.hours_per_credit_by_mode == {"in_person": 10, "online": 20, "practice": 20}
    for c in courses:
        per = 10 if c.mode == CourseMode.in_person else 20
        assert c.credits == (c.hours / per).quantize(Decimal("0.01"))
        assert set(c.required_for) <= {p.value for p in Post}
    by_code = {c.code: c for c in courses}
    induction = [c for c in courses if c.category == CourseCategory.induction]
    assert [c.title for c in induction] == ["新任教师任职资格培训"]
    assert induction[0].hours == POLICY.credits.induction_hours_minimum == 120
    assert induction[0].level == CourseLevel.district and induction[0].required_for == ["teacher"]
    assert by_code["PRN-Q300"].category == CourseCategory.principal and "园长任职资格培训" in by_code["PRN-Q300"].title
    assert any("家园共育" in c.title for c in courses if c.category == CourseCategory.family)


def test_sessions_every_year(w: World) -> None:
    years: defaultdict[str, set[int]] = defaultdict(set)
    for s in w.h.sessions:
        years[w.course_of_session[s.index].category].add(s.starts_on.year)
        assert s.starts_on <= s.ends_on
        assert s.place and s.trainer and CJK.search(s.trainer)
    for category in ("safety", "ethics", "family", "general", "key", "health_care", "special_education"):
        assert set(HISTORY_YEARS) <= years[category], category
    # the induction course ran in every year someone was hired
    hire_years = {s.hired_on.year for s in w.chunk.staff if s.post == Post.teacher}
    assert hire_years <= years["induction"] | {y + 1 for y in years["induction"]}


# --------------------------------------------------------------------------- enrolments and results


def test_enrolments_and_results_consistent(w: World) -> None:
    seats: Counter[int] = Counter()
    pairs = set()
    for e in w.h.enrolments:
        assert e.staff in w.staff
        assert (e.session, e.staff) not in pairs, "one enrolment per person and session"
        pairs.add((e.session, e.staff))
        seats[e.session] += 1
    for s in w.h.sessions:
        assert s.capacity is None or seats[s.index] <= s.capacity
        assert seats[s.index] > 0
    assert len({r.enrolment for r in w.h.results}) == len(w.h.results), "at most one result per enrolment"
    for r in w.h.results:
        e = w.enrolment[r.enrolment]
        session = w.session[e.session]
        course = w.course_of_session[e.session]
        person = w.staff[e.staff]
        assert session.starts_on <= r.completed_on <= session.ends_on
        assert r.completed_on <= DEMO_TODAY, "no result after the demo's today"
        assert person.left_on is None or r.completed_on < person.left_on
        assert Decimal(0) < r.hours <= course.hours
        assert r.score is not None and 0 <= r.score <= 100
        assert (r.score >= 60) == r.passed
        assert r.passed == (r.hours == course.hours)
        assert e.enrolled_at.date() <= session.starts_on
    # sessions still running on the demo's today have enrolments but no results yet
    running = {s.index for s in w.h.sessions if s.starts_on <= DEMO_TODAY < s.ends_on}
    with_results = {w.enrolment[r.enrolment].session for r in w.h.results}
    in_person_running = {i for i in running if w.course_of_session[i].mode == CourseMode.in_person}
    assert in_person_running and not in_person_running & with_results


def passed_in(w: World, index: int, categories: tuple[str, ...]) -> list[date]:
    return sorted(r.completed_on for r, c in w.results_of[index] if r.passed and c.category in categories)


def test_no_post_certificate_without_passed_training(w: World) -> None:
    """不培训不上岗、培训不合格不上岗, for every generated person."""
    posts = 0
    for c in w.h.certificates:
        if c.type != CertificateType.post_certificate:
            continue
        posts += 1
        person = w.staff[c.staff]
        categories = POLICY.certificates.training_for_post_certificate(person.post)
        passed = passed_in(w, c.staff, categories)
        assert passed and passed[0] <= c.issued_on, (person.name, person.post, c.number)
    assert posts > 7_000


def test_induction_at_hire(w: World) -> None:
    """Every teacher and principal hired took the course at hire; nearly all passed."""
    counts: Counter[str] = Counter()
    for s in w.chunk.staff:
        if s.post not in (Post.teacher, Post.principal, Post.vice_principal):
            continue
        categories = POLICY.certificates.training_for_post_certificate(s.post)
        taken = [(r, c) for r, c in w.results_of[s.index] if c.category in categories]
        passed = passed_in(w, s.index, categories)
        if s.status == StaffStatus.pending_induction:
            assert not passed
            counts["pending"] += 1
            continue
        if passed:
            counts["passed"] += 1
            assert passed[0] <= s.hired_on + timedelta(days=20)  # before going on post (or just after)
            if any(not r.passed for r, _ in taken):
                counts["retake"] += 1
        else:
            counts["never"] += 1
    teachers = len(w.on_post(Post.teacher))
    assert counts["never"] == pytest.approx(0.01 * teachers + 0.03 * len(w.on_post(Post.vice_principal)), abs=3)
    assert 0.01 <= counts["retake"] / counts["passed"] <= 0.03
    assert counts["pending"] > 0
    # the people in training now are enrolled in a run going on today
    pending = {s.index for s in w.chunk.staff if s.status == StaffStatus.pending_induction}
    running = {s.index for s in w.h.sessions if s.starts_on <= DEMO_TODAY < s.ends_on}
    enrolled_now = {e.staff for e in w.h.enrolments if e.session in running}
    assert pending <= enrolled_now


def coverage(w: World, category: str, year: int, people: list) -> float:
    covered = sum(
        1
        for s in people
        if any(r.passed and c.category == category and r.completed_on.year == year for r, c in w.results_of[s.index])
    )
    return covered / len(people)


@pytest.mark.parametrize(
    ("category", "low", "high"), [("safety", 0.94, 0.98), ("ethics", 0.90, 0.95), ("family", 0.66, 0.75)]
)
def test_yearly_training_rates(w: World, category: str, low: float, high: float) -> None:
    for year in HISTORY_YEARS[:-1]:
        people = [s for s in w.chunk.staff if s.status == StaffStatus.on_post and s.hired_on < date(year, 1, 1)]
        assert low <= coverage(w, category, year, people) <= high, year
    this_year = [s for s in w.chunk.staff if s.status == StaffStatus.on_post]
    assert low - 0.03 <= coverage(w, category, DEMO_TODAY.year, this_year) <= high


def test_safety_coverage_below_full_in_some_kindergartens(w: World) -> None:
    on_post: Counter[int] = Counter()
    covered: Counter[int] = Counter()
    for s in w.chunk.staff:
        if s.status != StaffStatus.on_post:
            continue
        on_post[s.kindergarten] += 1
        if any(
            r.passed and c.category == "safety" and r.completed_on.year == DEMO_TODAY.year
            for r, c in w.results_of[s.index]
        ):
            covered[s.kindergarten] += 1
    below = [k for k in on_post if covered[k] < on_post[k]]
    assert 0 < len(below) < len(on_post)


def test_general_and_key_training_sprinkled(w: World) -> None:
    categories = Counter(w.course_of_session[w.enrolment[r.enrolment].session].category for r in w.h.results)
    teachers = len(w.on_post(Post.teacher))
    assert 0.15 * teachers * 6 <= categories["general"] <= 0.45 * teachers * 6
    assert 0 < categories["key"] < categories["general"]
    assert categories["special_education"] > 0 and categories["health_care"] > 0


# --------------------------------------------------------------------------- certificates


def test_certificate_numbers_unique_per_type(w: World) -> None:
    seen = Counter((c.type, c.number) for c in w.h.certificates)
    assert max(seen.values()) == 1
    assert all(c.number == c.number.strip().upper() for c in w.h.certificates)  # as the service stores them
    assert [c.index for c in w.h.certificates] == list(range(len(w.h.certificates)))


def test_teacher_qualification_numbers(w: World) -> None:
    numbers = [c for c in w.h.certificates if c.type == CertificateType.teacher_qualification]
    assert len(numbers) > 7_000
    provinces: Counter[str] = Counter()
    for c in numbers:
        assert teacher_qualification_problem(c.number, DEMO_TODAY) is None, c.number
        person = w.staff[c.staff]
        assert c.number[9] == POLICY.certificates.teacher_qualification_type_digit
        assert c.number[10] == ("1" if person.sex == Sex.male else "2")
        assert int(c.number[:4]) == c.issued_on.year
        assert c.issued_on > person.birth_date + timedelta(days=18 * 365)
        provinces[c.number[4:6]] += 1
    assert 0.75 <= provinces["11"] / len(numbers) <= 0.95  # most are Beijing's; some migrants' from home
    assert len(provinces) > 5


def test_certificate_dates_and_posts(w: World) -> None:
    for c in w.h.certificates:
        assert c.issued_on <= DEMO_TODAY
        assert c.expires_on is None or c.expires_on > c.issued_on
        assert c.issuer
        post = w.staff[c.staff].post
        if c.type in (CertificateType.principal_qualification,):
            assert post in (Post.principal, Post.vice_principal)
        if c.type in (
            CertificateType.doctor_licence,
            CertificateType.nurse_licence,
            CertificateType.health_care_training,
        ):
            assert post == Post.health_doctor
        if c.type == CertificateType.childcare_certificate:
            assert post == Post.childcare_worker
            assert c.expires_on is not None


def violations(w: World, post: str) -> Counter[str]:
    missing: Counter[str] = Counter()
    for s in w.on_post(post):
        for m in w.verdict(s.index).missing:
            missing[m] += 1
    return missing


def test_teacher_defect_rates(w: World) -> None:
    n = len(w.on_post(Post.teacher))
    missing = violations(w, Post.teacher)
    assert 0.025 <= missing["post_certificate"] / n <= 0.035
    assert 0.007 <= missing["teacher_qualification"] / n <= 0.013


def test_principals_and_care_staff(w: World) -> None:
    principals = violations(w, Post.principal)
    assert sum(principals.values()) <= 3
    vices = violations(w, Post.vice_principal)
    assert 0 < vices["principal_qualification"] <= 0.05 * len(w.on_post(Post.vice_principal))
    for post, label in ((Post.childcare_worker, "childcare_certificate"),
                        (Post.health_doctor, "doctor_licence|nurse_licence|health_care_training")):  # fmt: skip
        people = w.on_post(post)
        lapsed = [
            s
            for s in people
            if any(c.expires_on is not None and c.expires_on < DEMO_TODAY for c in w.certs_of[s.index])
            and label in w.verdict(s.index).missing
        ]
        assert 0.012 <= len(lapsed) / len(people) <= 0.03, post
        assert violations(w, post)[label] >= len(lapsed)
    # every principal and vice principal is a qualified teacher too
    leaders = w.on_post(Post.principal) + w.on_post(Post.vice_principal)
    assert all(any(c.type == "teacher_qualification" for c in w.certs_of[s.index]) for s in leaders)


def test_revoked_and_suspended_have_events(w: World) -> None:
    events: defaultdict[int, list] = defaultdict(list)
    for e in w.h.events:
        events[e.certificate].append(e)
        assert e.at.date() <= DEMO_TODAY and CJK.search(e.reason)
    changed = [c for c in w.h.certificates if c.status != CertificateStatus.valid]
    assert 5 <= len(changed) <= 10
    assert {c.status for c in changed} == {"revoked", "suspended"}
    by_index = {c.index: c for c in w.h.certificates}
    for index, rows in events.items():
        cert = by_index[index]
        assert rows[-1].status_after == cert.status
        assert [r.at for r in rows] == sorted(r.at for r in rows)
        assert rows[0].at.date() > cert.issued_on
        if cert.status != CertificateStatus.valid:
            assert cert.reason == rows[-1].reason
    assert {c.index for c in changed} <= set(events)
    assert any(rows[-1].action == "reinstate" for rows in events.values())


def test_family_education_instructors(w: World) -> None:
    by_kg: Counter[int] = Counter()
    for c in w.h.certificates:
        if c.type == CertificateType.family_education_instructor:
            person = w.staff[c.staff]
            assert person.status == StaffStatus.on_post
            assert passed_in(w, c.staff, ("family",))[0] <= c.issued_on
            by_kg[person.kindergarten] += 1
    kgs = len(w.data.kindergartens)
    without = sum(1 for k in w.data.kindergartens if by_kg[k.index] == 0)
    assert 0.05 <= without / kgs <= 0.11
    assert max(by_kg.values()) == 2 and min(by_kg.values()) == 1


def test_expiring_within_90_days(w: World) -> None:
    horizon = DEMO_TODAY + timedelta(days=WARN)
    dated = [c for c in w.h.certificates if c.expires_on is not None]
    soon = [
        c
        for c in dated
        if c.status == "valid"
        and c.expires_on is not None
        and DEMO_TODAY <= c.expires_on <= horizon
        and w.staff[c.staff].status != "left"
    ]
    assert 0.01 <= len(soon) / len(dated) <= 0.04
    assert {c.type for c in soon} >= {"childcare_certificate", "safety_training"}


def test_registrations(w: World) -> None:
    """定期注册 of every teacher qualification: a first registration after the probation of an appointment
    made after the issue, then one every five years (a few late, a few deferred first), from Beijing's
    first round up to the demo's today, while the holder works here and the qualification stands."""
    by_cert: defaultdict[int, list] = defaultdict(list)
    for g in w.h.registrations:
        by_cert[g.certificate].append(g)
    certs = {c.index: c for c in w.h.certificates}
    revoked = {e.certificate: e.at.date() for e in w.h.events if e.status_after == "revoked"}
    years = POLICY.certificates.registration_years
    protected = {a.staff for a in w.data.accounts if a.staff is not None}
    results = Counter(g.result for g in w.h.registrations)
    assert set(results) == {"passed", "deferred"}
    periodic = [g for g in w.h.registrations if g.result == "passed" and g.note != FIRST_NOTE]
    late = [g for g in periodic if g.note.startswith("逾期")]
    assert 0.03 <= results["deferred"] / len(periodic) <= 0.09
    assert 0.02 <= len(late) / len(periodic) <= 0.07
    for index, rows in by_cert.items():
        cert = certs[index]
        s = w.staff[cert.staff]
        assert cert.type == CertificateType.teacher_qualification
        days = [g.registered_on for g in rows]
        assert days == sorted(days) and days[0] > cert.issued_on and days[0] >= REGISTRATION_START
        assert days[-1] <= min(DEMO_TODAY, revoked.get(index, DEMO_TODAY), s.left_on or DEMO_TODAY)
        assert all(d.weekday() < 5 for d in days)  # the office works on weekdays
        passed = [g for g in rows if g.result == "passed"]
        for a, b in itertools.pairwise(passed):
            deferred = any(g.result == "deferred" and a.registered_on < g.registered_on < b.registered_on for g in rows)
            gap = (b.registered_on - a.registered_on).days
            assert 5 * 365 - 185 <= gap <= 5 * 366 + (400 if deferred else 240)  # every five years
        for g in rows:
            if g.note == FIRST_NOTE:  # 首次注册: no hours asked
                assert g is rows[0] and g.result == "passed" and g.hours == 0
                # (90 days at least, less the weekend days moved to the Friday before)
                assert timedelta(88) <= g.registered_on - s.hired_on <= timedelta(395) and s.hired_on > cert.issued_on
            else:
                assert (g.hours >= POLICY.certificates.registration_hours) == (g.result == "passed")
        if s.index in protected:
            assert all(g.result == "passed" and not g.note.startswith("逾期") for g in rows)
    # everyone on post registers: the period of every standing qualification ran out at most a
    # late registration (240 days) or a deferral (400) ago
    holders = registered = 0
    for s in w.chunk.staff:
        if s.status != StaffStatus.on_post:
            continue
        for c in w.certs_of[s.index]:
            if c.type != CertificateType.teacher_qualification or c.status != CertificateStatus.valid:
                continue
            holders += 1
            registered += bool(by_cert[c.index])
            passed = [g.registered_on for g in by_cert[c.index] if g.result == "passed"]
            due = registration_due(c.issued_on, passed[-1] if passed else None, years)
            pending = any(
                g.result == "deferred" and g.registered_on > (passed or [c.issued_on])[-1] for g in by_cert[c.index]
            )
            assert DEMO_TODAY - due <= timedelta(400 if pending else 240) or (
                not passed and s.hired_on > c.issued_on and DEMO_TODAY - s.hired_on <= timedelta(395)
            ), (s.index, c.index, due)
    assert registered >= 0.9 * holders


# --------------------------------------------------------------------------- figures


def test_tally_figures(w: World) -> None:
    tally = HistoryTally(POLICY, w.data.courses)
    tally.add(w.chunk, w.h)
    f = tally.figures()
    assert f["courses"] == len(w.data.courses)
    assert f["enrolments"] == len(w.h.enrolments) and f["results"] == len(w.h.results)
    assert f["certificates"] == len(w.h.certificates) == sum(f["certificates_by_type"].values())
    teachers = f["compliance_by_post"]["teacher"]
    assert teachers["on_post"] == len(w.on_post(Post.teacher))
    assert teachers["missing"] == dict(sorted(violations(w, Post.teacher).items()))
    assert f["violations"] == sum(p["violations"] for p in f["compliance_by_post"].values())
    assert set(f["compliance_by_post"]) == {
        "teacher",
        "principal",
        "vice_principal",
        "childcare_worker",
        "health_doctor",
    }
    assert 0.94 <= f["compliance_rate"] <= 0.98
    assert 0.05 * 315 <= f["kindergartens_without_family_instructor"] <= 0.11 * 315
    assert f["expiring"] > 0
    assert 0.93 <= f["coverage"]["safety"] <= 0.98
    assert 0 < f["kindergartens_below_coverage_target"]["safety"] < 315


def test_demo_teacher_is_compliant(w: World) -> None:
    teacher = next(a for a in w.data.accounts if a.username == "teacher")
    assert teacher.staff is not None
    assert w.verdict(teacher.staff).compliant


def test_city_scale_history_of_chaoyang_is_the_same(w: World) -> None:
    city = generate("city", 2017)
    chunk, history = next(city.iter_history())
    assert chunk.staff == w.chunk.staff
    assert history.certificates == w.h.certificates
    assert history.results == w.h.results


def test_catalogue_uses() -> None:
    uses = Counter(s.use for s in catalogue.SPECS)
    assert all(uses[u] == 1 for u in catalogue.AT_HIRE_USES)
    assert uses[catalogue.USE_INSTRUCTOR] == 1 and uses[catalogue.USE_YEARLY] > 20
