"""The deterministic synthetic demo district (pure: no I/O, no clock, no database).

``generate(scale, seed)`` returns the same rows for the same seed, every time: kindergartens,
staff, their assignments and the demo accounts. The districts and their kindergartens are
planned in ``demo.planning`` (the figures it aims at are in ``demo.figures``); this module makes
their staff. Only the demo passwords are random (they come from ``secrets``, never from the
seeded generator) and they take no part in comparisons.

Training history and certificates (``demo.history``) come per district too, from
``DemoData.iter_history()``: courses, sessions, enrolments, results, certificates and their
events, as of ``DEMO_TODAY``. ``DemoData.courses`` is the course catalogue (``demo.catalogue``).
``DemoData.iter_records()`` adds each district's credit ledger, ethics evaluations and sanctions
(``demo.records``).

The ``district`` scale is Chaoyang as the 2018–2020 action plan describes it in September 2017
(DOMAIN.md): 315 kindergartens over the 43 streets and 15 collaboration groups, about 78,000
children and 7,400 full-time teachers, exactly 3 正高级, 6 特级 and 402 backbone teachers,
126 kindergartens graded 一级一类, 30 city demonstration kindergartens, and fewer health
doctors than the health-care rule asks for. ``city`` adds Beijing's other 15 districts
(≈ 2,000 kindergartens, ≈ 60,000 staff); ``province`` adds 144 synthetic districts
(≈ 20,000 kindergartens, ≈ 600,000 staff). Chaoyang is planned first with the same random
stream at every scale, so its rows are identical across scales.

Rows refer to each other by position: ``KindergartenRow.index`` (0-based over the whole data
set), ``StaffRow.index``, ``StaffRow.kindergarten`` (a kindergarten index) and so on; the
loader turns positions into database ids. Staff come in one ``StaffChunk`` per district, made
lazily by ``DemoData.iter_chunks()``, so the province scale never holds every person at once.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from demo import catalogue, names
from demo.catalogue import CourseRow
from demo.figures import (
    EMPLOYMENT,
    HIRE_REASON,
    MATERIALISE_LIMIT,
    POST_ORDER,
    REFERENCE_ORDINAL,
    SCALES,
    SMALL_SITES,
    START_AGE,
    TITLE_RANK,
    TITLE_SHARES,
    TRANSFER_REASON,
    Picker,
    add_years,
    required_health_doctors,
)
from demo.history import HistoryMaker
from demo.planning import plan_districts
from demo.records import make_records
from demo.rows import (
    DAYS_PER_YEAR,
    DEMO_TODAY,
    AssignmentRow,
    DemoAccount,
    DistrictPlan,
    DistrictSpec,
    KindergartenRow,
    StaffChunk,
    StaffRow,
)
from kernel.codes import Role
from kernel.policy import policy_on
from registry.kindergartens.codes import Demonstration, Grade, Ownership
from registry.staff.codes import Education, Employment, Honour, Post, Sex, StaffStatus, Title
from registry.staff.rules import make_id_number

if TYPE_CHECKING:
    from demo.history_rows import ChunkHistory
    from demo.records import ChunkRecords


@dataclass(slots=True, eq=False)
class DemoData:
    scale: str
    seed: int
    kindergartens: list[KindergartenRow]
    accounts: list[DemoAccount]
    staff_total: int
    assignment_total: int
    districts: list[str]
    _plans: list[DistrictPlan] = field(repr=False)
    courses: list[CourseRow] = field(default_factory=list)
    _chunks: list[StaffChunk] | None = field(default=None, repr=False)

    def iter_chunks(self) -> Iterator[StaffChunk]:
        """The staff, one district at a time (made on demand unless already held)."""
        if self._chunks is not None:
            yield from self._chunks
            return
        yield from _generate_chunks(self._plans, self.kindergartens)

    def iter_history(self) -> Iterator[tuple[StaffChunk, ChunkHistory]]:
        """Each district's people with their training history and certificates, made on demand
        (never held: at the city and province scales they are millions of rows)."""

        protected = [a.staff for a in self.accounts if a.staff is not None]
        maker = HistoryMaker(self.courses, self.kindergartens, protected)
        for plan, chunk in zip(self._plans, self.iter_chunks(), strict=True):
            yield chunk, maker.chunk(plan, chunk)

    def iter_records(self) -> Iterator[tuple[StaffChunk, ChunkHistory, ChunkRecords]]:
        """``iter_history`` with each district's credit entries, ethics evaluations and sanctions
        (``demo.records``)."""

        protected = [a.staff for a in self.accounts if a.staff is not None]
        for plan, (chunk, history) in zip(self._plans, self.iter_history(), strict=True):
            yield chunk, history, make_records(chunk, history, self.courses, plan.seed, policy_on, protected)

    @property
    def staff(self) -> list[StaffRow]:
        return [s for chunk in self._held() for s in chunk.staff]

    @property
    def assignments(self) -> list[AssignmentRow]:
        return [a for chunk in self._held() for a in chunk.assignments]

    def _held(self) -> list[StaffChunk]:
        if self._chunks is None:
            self._chunks = list(_generate_chunks(self._plans, self.kindergartens))
        return self._chunks


# --------------------------------------------------------------------------- people


@dataclass(slots=True, frozen=True)
class _PostProfile:
    male: float
    age: tuple[float, float, float]  # triangular low, high, mode (years on the reference date)
    education: Picker
    left: float
    on_leave: float
    pending: float


_PROFILES: dict[str, _PostProfile] = {
    Post.principal: _PostProfile(
        0.08, (34.0, 60.9, 49.0), Picker.parse("bachelor:70 master:27 associate:3"), 0.0, 0.01, 0.0
    ),
    Post.vice_principal: _PostProfile(
        0.08, (30.0, 60.9, 44.0), Picker.parse("bachelor:72 master:20 associate:8"), 0.01, 0.02, 0.0
    ),
    Post.teacher: _PostProfile(
        0.03,
        (20.1, 60.9, 27.0),
        Picker.parse("bachelor:60 associate:32 master:6 secondary:2"),
        0.0,  # the district's leavers are chosen exactly, after the fact
        0.03,
        0.01,
    ),
    Post.childcare_worker: _PostProfile(
        0.02, (20.1, 60.9, 46.0), Picker.parse("secondary:45 associate:42 bachelor:13"), 0.02, 0.03, 0.01
    ),
    Post.health_doctor: _PostProfile(
        0.15, (23.0, 60.9, 40.0), Picker.parse("bachelor:50 associate:40 master:10"), 0.02, 0.03, 0.01
    ),
    Post.other: _PostProfile(
        0.5, (20.1, 60.9, 40.0), Picker.parse("secondary:35 associate:40 bachelor:25"), 0.02, 0.03, 0.01
    ),
}
_PRINCIPAL_TITLES = {
    Post.principal: Picker.parse("senior:50 level1:40 level2:10"),
    Post.vice_principal: Picker.parse("senior:25 level1:55 level2:20"),
}
_SMALL_SITE_PRINCIPAL_TITLES = Picker.parse("none:50 level3:25 level2:25")
_SURNAMES = Picker(names.SURNAMES)
_EMPLOYMENT_PICKERS = {o: Picker.parse(text) for o, text in EMPLOYMENT.items()}
_OTHER_AREAS = Picker(
    [(a, w * 1.3) for a, w in names.BEIJING_AREAS]
    + [(names.CHAOYANG_AREA, 6.0)]
    + [(a, w * 1.0) for a, w in names.PROVINCE_AREAS]
)
_MALE = Sex.male.value
_FEMALE = Sex.female.value
_YOUNG = frozenset({Education.bachelor, Education.master, Education.doctorate})


def _area_picker(spec: DistrictSpec) -> Picker:
    """About 45% born in the district itself, the rest elsewhere in Beijing or in other provinces."""
    others = [(a, w) for a, w in zip(_OTHER_AREAS.items, _weights(_OTHER_AREAS), strict=True) if a != spec.area]
    total = sum(w for _, w in others)
    return Picker([(spec.area, total * 45 / 55), *others])


def _weights(p: Picker) -> list[float]:
    return [b - a for a, b in zip([0.0, *p.cum[:-1]], p.cum, strict=True)]


def _person_name(rng: random.Random, male: bool) -> str:
    surname: str = _SURNAMES.pick(rng)
    chars = names.GIVEN_MALE if male else names.GIVEN_FEMALE
    if len(surname) == 1 and rng.random() < 0.25:
        return surname + rng.choice(chars)
    return surname + rng.choice(chars) + rng.choice(chars)


class _People:
    """Makes the people of one district."""

    def __init__(self, plan: DistrictPlan, kindergartens: list[KindergartenRow], used_ids: set[int]) -> None:
        self.plan = plan
        self.kgs = kindergartens
        self.used_ids = used_ids
        self.rng = random.Random(plan.seed)
        self.areas = _area_picker(plan.spec)

    def chunk(self) -> StaffChunk:
        plan = self.plan
        staff: list[StaffRow] = []
        index = plan.staff_first
        for k, heads in enumerate(plan.heads):
            kg = self.kgs[plan.kg_first + k]
            for post, count in zip(POST_ORDER, heads, strict=True):
                for _ in range(count):
                    staff.append(self.person(index, kg, post))
                    index += 1
        teachers = [s for s in staff if s.post == Post.teacher]
        self.mark_leavers(teachers)
        self.teacher_titles(teachers)
        self.honours(teachers)
        assignments = self.assignments(staff)
        return StaffChunk(district=plan.spec.name, staff=staff, assignments=assignments)

    def person(self, index: int, kg: KindergartenRow, post: Post) -> StaffRow:
        rng = self.rng
        profile = _PROFILES[post]
        male = rng.random() < profile.male
        employment: str = _EMPLOYMENT_PICKERS[Ownership(kg.ownership)].pick(rng)
        rehired = employment == Employment.rehired_retiree
        age = rng.uniform(55.2, 65.9) if rehired else rng.triangular(*profile.age)
        born_day = REFERENCE_ORDINAL - int(age * DAYS_PER_YEAR)
        born = date.fromordinal(born_day)
        used = self.used_ids
        while True:
            id_number = make_id_number(self.areas.pick(rng), born, rng.randrange(500) * 2 + male)
            key = int(id_number[:17])
            if key not in used:
                used.add(key)
                break
        education: str = profile.education.pick(rng)
        if post == Post.childcare_worker and age > 45 and rng.random() < 0.6:
            education = Education.secondary
        if age < 22.5 and education in _YOUNG:
            education = Education.associate
        elif age < 25.5 and education in (Education.master, Education.doctorate):
            education = Education.bachelor

        r = rng.random()
        status = StaffStatus.on_post
        if r < profile.left:
            status = StaffStatus.left
        elif r < profile.left + profile.on_leave:
            status = StaffStatus.on_leave
        elif r < profile.left + profile.on_leave + profile.pending:
            status = StaffStatus.pending_induction

        opened = kg.opened_on.toordinal()
        earliest = max(add_years(born_day, START_AGE[education] + rng.random() * 1.5), opened)
        if rehired:
            earliest = max(earliest, add_years(born_day, 55.05))
        latest = REFERENCE_ORDINAL - 1
        if earliest > latest:  # younger than the usual start for the education: hired at 18+
            earliest = max(add_years(born_day, 18.2), opened)
        left_on: date | None = None
        if status == StaffStatus.pending_induction:
            hired = rng.randint(max(earliest, REFERENCE_ORDINAL - 100), latest)
        elif status == StaffStatus.left and earliest <= REFERENCE_ORDINAL - 120:
            hired = rng.randint(earliest, REFERENCE_ORDINAL - 120)
            left_on = date.fromordinal(rng.randint(hired + 60, latest))
        else:
            if status == StaffStatus.left:
                status = StaffStatus.on_post
            hired = rng.randint(earliest, latest)

        if post == Post.principal or post == Post.vice_principal:
            picker = _SMALL_SITE_PRINCIPAL_TITLES if kg.ownership in SMALL_SITES else _PRINCIPAL_TITLES[post]
            title: str = picker.pick(rng)
        else:
            title = Title.none
        return StaffRow(
            index=index,
            id_number=id_number,
            name=_person_name(rng, male),
            sex=_MALE if male else _FEMALE,
            birth_date=born,
            kindergarten=kg.index,
            post=post.value,
            employment=employment,
            title=str(title),
            honours=[],
            education=str(education),
            hired_on=date.fromordinal(hired),
            status=str(status),
            left_on=left_on,
        )

    def mark_leavers(self, teachers: list[StaffRow]) -> None:
        """Exactly ``plan.left_teachers`` teachers have left (so the on-roll count is exact)."""
        rng = self.rng
        pool = [
            s for s in teachers if s.status == StaffStatus.on_post and s.hired_on.toordinal() <= REFERENCE_ORDINAL - 120
        ]
        for s in rng.sample(pool, self.plan.left_teachers):
            s.status = StaffStatus.left.value
            s.left_on = date.fromordinal(rng.randint(s.hired_on.toordinal() + 60, REFERENCE_ORDINAL - 1))

    def teacher_titles(self, teachers: list[StaffRow]) -> None:
        """Titles by seniority: 正高级 for exactly ``plan.professors``, then the shares below."""
        rng = self.rng

        def seniority(s: StaffRow) -> float:
            years = (REFERENCE_ORDINAL - s.birth_date.toordinal()) / DAYS_PER_YEAR
            bonus = 3.0 if s.employment == Employment.establishment else 0.0
            return years + bonus + rng.gauss(0.0, 4.0)

        ranked = sorted(teachers, key=seniority, reverse=True)
        professors = [s for s in ranked if s.status != StaffStatus.left][: self.plan.professors]
        for s in professors:
            s.title = Title.professor.value
        rest = [s for s in ranked if s.title != Title.professor]
        n = len(teachers)
        start = 0
        for title, share in TITLE_SHARES:
            end = start + round(share * n)
            for s in rest[start:end]:
                s.title = title.value
            start = end

    def honours(self, teachers: list[StaffRow]) -> None:
        """特级, then city and district backbone (exclusive), then a few subject leaders."""
        rng = self.rng
        plan = self.plan
        kgs = self.kgs

        def standing(s: StaffRow) -> float:
            """Backbone teachers gather in the graded and demonstration kindergartens."""
            kg = kgs[s.kindergarten]
            return 0.6 * (kg.demonstration == Demonstration.city) + 0.3 * (kg.grade == Grade.g1_1)

        pool = [s for s in teachers if s.status not in (StaffStatus.left, StaffStatus.pending_induction)]
        pool.sort(key=lambda s: TITLE_RANK[Title(s.title)] * 10 + rng.random() * 5, reverse=True)
        special = pool[: plan.special_grade]
        for s in special:
            s.honours.append(Honour.special_grade.value)
        rest = pool[plan.special_grade :]
        rest.sort(key=lambda s: TITLE_RANK[Title(s.title)] + standing(s) + rng.random() * 2.2, reverse=True)
        city = rest[: plan.city_backbone]
        district = rest[plan.city_backbone : plan.city_backbone + plan.district_backbone]
        for s in city:
            s.honours.append(Honour.city_backbone.value)
        for s in district:
            s.honours.append(Honour.district_backbone.value)
        tiers = [(0.0, s) for s in special] + [(0.3, s) for s in city] + [(1.0, s) for s in district]
        tiers.sort(key=lambda t: t[0] + rng.random() * 1.2)
        for _, s in tiers[: plan.subject_leaders]:
            s.honours.append(Honour.subject_leader.value)

    def assignments(self, staff: list[StaffRow]) -> list[AssignmentRow]:
        """One open assignment each (closed at left_on for leavers); ~2% moved here from elsewhere."""
        rng = self.rng
        plan = self.plan
        kgs = self.kgs[plan.kg_first : plan.kg_first + plan.kg_count]
        moved: dict[int, tuple[int, int]] = {}  # staff index -> (earlier kindergarten, transfer day)
        pool = [
            s
            for s in staff
            if s.status in (StaffStatus.on_post, StaffStatus.on_leave)
            and s.hired_on.toordinal() <= REFERENCE_ORDINAL - 730
        ]
        rng.shuffle(pool)
        for s in pool:
            if len(moved) == plan.transfers:
                break
            hired = s.hired_on.toordinal()
            for _ in range(8):
                before = rng.choice(kgs)
                if before.index != s.kindergarten and before.opened_on.toordinal() <= hired:
                    moved[s.index] = (before.index, rng.randint(hired + 365, REFERENCE_ORDINAL - 30))
                    break
        if len(moved) != plan.transfers:  # pragma: no cover - the pool is always large enough
            raise RuntimeError(f"{plan.spec.name}: could only place {len(moved)} of {plan.transfers} transfers")
        rows: list[AssignmentRow] = []
        for s in staff:
            earlier = moved.get(s.index)
            if earlier is None:
                rows.append(AssignmentRow(s.index, s.kindergarten, s.post, s.hired_on, s.left_on, HIRE_REASON))
                continue
            other, day = earlier
            rows.append(AssignmentRow(s.index, other, s.post, s.hired_on, date.fromordinal(day - 1), HIRE_REASON))
            rows.append(AssignmentRow(s.index, s.kindergarten, s.post, date.fromordinal(day), None, TRANSFER_REASON))
        return rows


def _generate_chunks(plans: list[DistrictPlan], kindergartens: list[KindergartenRow]) -> Iterator[StaffChunk]:
    used_ids: set[int] = set()
    for plan in plans:
        yield _People(plan, kindergartens, used_ids).chunk()


# --------------------------------------------------------------------------- entry point


def generate(scale: str = "district", seed: int = 2017) -> DemoData:
    """The demo data set of ``scale`` (district, city or province) for ``seed``."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    kindergartens, plans = plan_districts(scale, seed)
    staff_total = sum(p.staff_count for p in plans)
    data = DemoData(
        scale=scale,
        seed=seed,
        kindergartens=kindergartens,
        accounts=[],
        staff_total=staff_total,
        assignment_total=staff_total + sum(p.transfers for p in plans),
        districts=[p.spec.name for p in plans],
        _plans=plans,
        courses=catalogue.courses(policy_on(DEMO_TODAY)),
    )
    # The accounts need Chaoyang's people (the first chunk); keep them all when they are few.
    held = staff_total <= MATERIALISE_LIMIT
    first = data._held()[0] if held else next(_generate_chunks(plans[:1], kindergartens))
    data.accounts = _accounts(kindergartens[0], first)
    return data


def _accounts(kg: KindergartenRow, chunk: StaffChunk) -> list[DemoAccount]:
    teachers = [
        s
        for s in chunk.staff
        if s.kindergarten == kg.index and s.post == Post.teacher and s.status == StaffStatus.on_post
    ]
    backbone = [s for s in teachers if Honour.city_backbone in s.honours]
    candidates = backbone or teachers
    person = candidates[0] if candidates else None

    def password() -> str:
        return secrets.token_urlsafe(9)

    return [
        DemoAccount("hr", Role.district_hr.value, None, None, None, None, password()),
        DemoAccount("inspector", Role.inspector.value, None, None, None, None, password()),
        DemoAccount("admin", Role.kindergarten_admin.value, kg.index, kg.code, None, None, password()),
        DemoAccount(
            "teacher",
            Role.teacher.value,
            kg.index,
            kg.code,
            person.index if person else None,
            person.name if person else None,
            password(),
        ),
    ]


# --------------------------------------------------------------------------- figures


@dataclass
class Tally:
    """Running figures of a data set, fed kindergartens and staff chunks as they go by."""

    kindergartens: int = 0
    streets: set[str] = field(default_factory=set)
    collab_groups: set[tuple[str, int]] = field(default_factory=set)
    children: int = 0
    places: int = 0
    classes: int = 0
    over_capacity: int = 0
    grades: Counter[str] = field(default_factory=Counter)
    ownership: Counter[str] = field(default_factory=Counter)
    demonstration: Counter[str] = field(default_factory=Counter)
    service_type: Counter[str] = field(default_factory=Counter)
    health_doctors_required: int = 0
    staff: int = 0
    staff_by_post: Counter[str] = field(default_factory=Counter)
    staff_by_status: Counter[str] = field(default_factory=Counter)
    teachers: int = 0  # post teacher, status not left
    health_doctors_present: int = 0  # post health_doctor, status not left
    teacher_titles: Counter[str] = field(default_factory=Counter)
    honours: Counter[str] = field(default_factory=Counter)
    backbone: int = 0
    assignments: int = 0
    transfers: int = 0

    def add_kindergartens(self, rows: Iterable[KindergartenRow]) -> None:
        for k in rows:
            self.kindergartens += 1
            self.streets.add(k.street)
            self.collab_groups.add((k.district, k.collab_group))
            self.children += k.children
            self.places += k.places
            self.classes += k.classes
            self.over_capacity += k.children > k.places
            self.grades[k.grade] += 1
            self.ownership[k.ownership] += 1
            self.demonstration[k.demonstration] += 1
            self.service_type[k.service_type] += 1
            self.health_doctors_required += required_health_doctors(k.children)

    def add_chunk(self, chunk: StaffChunk) -> None:
        for s in chunk.staff:
            self.staff += 1
            self.staff_by_post[s.post] += 1
            self.staff_by_status[s.status] += 1
            on_roll = s.status != StaffStatus.left
            if s.post == Post.teacher:
                self.teacher_titles[s.title] += 1
                self.teachers += on_roll
            elif s.post == Post.health_doctor:
                self.health_doctors_present += on_roll
            for h in s.honours:
                self.honours[h] += 1
            self.backbone += Honour.city_backbone in s.honours or Honour.district_backbone in s.honours
        self.assignments += len(chunk.assignments)
        self.transfers += sum(1 for a in chunk.assignments if a.reason == TRANSFER_REASON)

    def figures(self) -> dict[str, Any]:
        return {
            "kindergartens": self.kindergartens,
            "streets": len(self.streets),
            "collab_groups": len(self.collab_groups),
            "children": self.children,
            "places": self.places,
            "classes": self.classes,
            "over_capacity": self.over_capacity,
            "ownership": dict(self.ownership),
            "grades": dict(self.grades),
            "grade_1_1": self.grades.get(Grade.g1_1, 0),
            "demonstration": dict(self.demonstration),
            "service_type": dict(self.service_type),
            "staff": self.staff,
            "staff_by_post": dict(self.staff_by_post),
            "staff_by_status": dict(self.staff_by_status),
            "teachers": self.teachers,
            "health_doctors_required": self.health_doctors_required,
            "health_doctors_present": self.health_doctors_present,
            "teacher_titles": dict(self.teacher_titles),
            "honours": dict(self.honours),
            "backbone": self.backbone,
            "assignments": self.assignments,
            "transfers": self.transfers,
        }


__all__ = ["DemoData", "Tally", "generate"]
