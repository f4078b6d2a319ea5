"""The deterministic synthetic demo district (pure: no I/O, no clock, no database).

``generate(scale, seed)`` returns the same rows for the same seed, every time: kindergartens,
staff, their assignments and the demo accounts. Only the demo passwords are random (they come
from ``secrets``, never from the seeded generator) and they take no part in comparisons.

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

import math
import random
import secrets
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from demo import catalogue, names
from demo.catalogue import CourseRow
from demo.history import HistoryMaker
from demo.records import make_records
from demo.rows import (
    DAYS_PER_YEAR,
    DEMO_TODAY,
    REFERENCE_DATE,
    AssignmentRow,
    DemoAccount,
    DistrictPlan,
    DistrictSpec,
    KindergartenRow,
    StaffChunk,
    StaffRow,
)
from kernel.codes import (
    TITLE_ORDER,
    Demonstration,
    Education,
    Employment,
    Grade,
    Honour,
    Ownership,
    Post,
    Role,
    ServiceType,
    Sex,
    StaffStatus,
    TeacherModel,
    Title,
)
from kernel.policy import policy_on
from registry.staff.rules import make_id_number

if TYPE_CHECKING:
    from demo.history import ChunkHistory
    from demo.records import ChunkRecords

SCALES = ("district", "city", "province")
"""Ages are reckoned on this day; every staff date (birth, hire, leaving) lies before it."""

HEALTH_CHILDREN_PER_DOCTOR = 150  # 托儿所幼儿园卫生保健管理办法 art. 12 (STANDARDS.md)

# District-scale figures of the action plan (baseline September 2017).
PLAN_KINDERGARTENS = 315
PLAN_CHILDREN = 78_000
PLAN_TEACHERS = 7_400
PLAN_PROFESSORS = 3
PLAN_SPECIAL_GRADE = 6
PLAN_CITY_BACKBONE = 90
PLAN_DISTRICT_BACKBONE = 312  # 90 + 312 = 402 backbone teachers
PLAN_SUBJECT_LEADERS = 30
PLAN_GRADE_1_1_SHARE = 0.40  # 126 of 315
PLAN_CITY_DEMONSTRATION = 30

PROVINCE_SYNTHETIC_DISTRICTS = 144
PROVINCE_KINDERGARTENS_PER_DISTRICT = 125
MATERIALISE_LIMIT = 200_000
"""Up to this many staff, ``generate`` keeps every chunk in memory (district and city scales)."""

_REF = REFERENCE_DATE.toordinal()

OWNERSHIP_SHARES: tuple[tuple[Ownership, float], ...] = (
    (Ownership.public, 0.45),
    (Ownership.inclusive_private, 0.30),
    (Ownership.private, 0.15),
    (Ownership.community_site, 0.08),
    (Ownership.unlicensed, 0.02),
)
_OWNERSHIP_RANK = {o: i for i, (o, _) in enumerate(OWNERSHIP_SHARES)}
_SMALL_SITES = frozenset({Ownership.community_site, Ownership.unlicensed})

# Relative size (children) by ownership, before scaling to the district's total.
_SIZE_RANGE: dict[Ownership, tuple[float, float]] = {
    Ownership.public: (170.0, 430.0),
    Ownership.inclusive_private: (140.0, 330.0),
    Ownership.private: (90.0, 280.0),
    Ownership.community_site: (30.0, 90.0),
    Ownership.unlicensed: (20.0, 70.0),
}
COMMUNITY_GRADED = 0.15  # share of community sites with a grade (3-2 or 3-3); the rest "none"
_OPENED_YEARS: dict[Ownership, tuple[int, int]] = {
    Ownership.public: (1950, 2016),
    Ownership.inclusive_private: (1995, 2017),
    Ownership.private: (1993, 2017),
    Ownership.community_site: (2008, 2017),
    Ownership.unlicensed: (2010, 2017),
}
_OTHER_GRADES: dict[Ownership, str] = {
    Ownership.public: "1-2:35 1-3:10 2-1:35 2-2:15 2-3:5",
    Ownership.inclusive_private: "1-2:15 2-1:30 2-2:25 2-3:10 3-1:10 3-2:5 none:5",
    Ownership.private: "1-2:5 2-1:20 2-2:25 2-3:15 3-1:15 3-2:10 none:10",
    Ownership.community_site: "none:1",  # but COMMUNITY_GRADED of them are graded 3-2 or 3-3
    Ownership.unlicensed: "none:1",
}
_EMPLOYMENT: dict[Ownership, str] = {
    Ownership.public: "establishment:55 contract:30 purchased_service:8 agency:4 rehired_retiree:3",
    Ownership.inclusive_private: "contract:70 agency:20 purchased_service:5 rehired_retiree:5",
    Ownership.private: "contract:65 agency:30 rehired_retiree:5",
    Ownership.community_site: "contract:50 agency:35 purchased_service:10 rehired_retiree:5",
    Ownership.unlicensed: "contract:40 agency:55 rehired_retiree:5",
}

# Teacher titles below the three 正高级 (shares of a district's teachers, from the top down).
_TITLE_SHARES: tuple[tuple[Title, float], ...] = (
    (Title.senior, 0.03),
    (Title.level1, 0.20),
    (Title.level2, 0.35),
    (Title.level3, 0.20),
)
_TITLE_RANK = {t: i for i, t in enumerate(TITLE_ORDER)}

# The order in which a kindergarten's people are generated (and of DistrictPlan.heads).
POST_ORDER: tuple[Post, ...] = (
    Post.principal,
    Post.vice_principal,
    Post.teacher,
    Post.childcare_worker,
    Post.health_doctor,
    Post.other,
)
_START_AGE: dict[str, float] = {
    Education.secondary: 18.3,
    Education.associate: 20.3,
    Education.bachelor: 22.3,
    Education.master: 25.3,
    Education.doctorate: 28.3,
}

DEMO_USERNAMES = ("hr", "inspector", "admin", "teacher")
HIRE_REASON = "入职"  # assignment.reason of a first assignment
TRANSFER_REASON = "调入"  # assignment.reason of the assignment a transfer opened


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


# --------------------------------------------------------------------------- helpers


class _Picker:
    """Weighted choice with precomputed cumulative weights (``random.choices`` rebuilds them)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Iterable[tuple[Any, float]]) -> None:
        items, weights = zip(*pairs, strict=True)
        self.items: tuple[Any, ...] = items
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    @classmethod
    def parse(cls, text: str) -> _Picker:
        return cls((word, float(w)) for word, w in (item.split(":") for item in text.split()))

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


def required_health_doctors(children: int) -> int:
    """The health-care rule's default: max(1, ceil(children / 150)) (STANDARDS.md)."""
    return max(1, math.ceil(children / HEALTH_CHILDREN_PER_DOCTOR))


def age_on(born: date, day: date = REFERENCE_DATE) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder), each >= minimum."""
    rest = total - minimum * len(weights)
    if rest < 0:
        raise ValueError("total is below the minimum")
    scale = rest / sum(weights)
    quotas = [w * scale for w in weights]
    counts = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: counts[i] - quotas[i])
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [minimum + c for c in counts]


def _date_in_years(rng: random.Random, first: int, last: int) -> date:
    lo = date(first, 1, 1).toordinal()
    hi = date(last, 12, 31).toordinal()
    return date.fromordinal(rng.randint(lo, hi))


def _add_years(day: int, years: float) -> int:
    return day + int(years * DAYS_PER_YEAR)


# --------------------------------------------------------------------------- districts


def _chaoyang() -> DistrictSpec:
    streets: list[str] = []
    groups: list[int] = []
    weights: list[float] = []
    for number, group in enumerate(names.CHAOYANG_GROUPS, start=1):
        for street, weight in group:
            streets.append(street)
            groups.append(number)
            weights.append(float(weight))
    return DistrictSpec(
        name="朝阳区",
        place="北京市朝阳区",
        code_prefix="CY",
        area=names.CHAOYANG_AREA,
        kindergartens=PLAN_KINDERGARTENS,
        streets=tuple(streets),
        groups=tuple(groups),
        street_weights=tuple(weights),
        street_minimum=2,
        stems=tuple(names.street_stem(s) for s in streets),
        calibrated=True,
    )


def _synthetic(name: str, place: str, prefix: str, area: str, kindergartens: int, n: int) -> DistrictSpec:
    count = max(3, round(kindergartens / 7.3))
    streets = tuple(f"{name}第{j}街道" for j in range(1, count + 1))
    ngroups = min(15, count)
    groups = tuple(j * ngroups // count + 1 for j in range(count))
    estates = names.ESTATES
    stems = tuple(estates[(n * 11 + j * 7) % len(estates)] for j in range(count))
    return DistrictSpec(
        name=name,
        place=place,
        code_prefix=prefix,
        area=area,
        kindergartens=kindergartens,
        streets=streets,
        groups=groups,
        street_weights=tuple(1.0 for _ in streets),
        street_minimum=1,
        stems=stems,
        calibrated=False,
    )


def _district_specs(scale: str) -> list[DistrictSpec]:
    specs = [_chaoyang()]
    if scale == "district":
        return specs
    for n, (name, prefix, area, kgs) in enumerate(names.BEIJING_DISTRICTS[1:], start=1):
        specs.append(_synthetic(name, f"北京市{name}", prefix, area, kgs, n))
    if scale == "city":
        return specs
    areas = names.PROVINCE_AREAS
    for n in range(1, PROVINCE_SYNTHETIC_DISTRICTS + 1):
        name = f"演示{n:03d}区"
        area = areas[n % len(areas)][0]
        specs.append(_synthetic(name, name, f"P{n:03d}-", area, PROVINCE_KINDERGARTENS_PER_DISTRICT, n + 16))
    return specs


# --------------------------------------------------------------------------- kindergartens


@dataclass(slots=True)
class _KgDraft:
    street: int
    ownership: Ownership
    weight: float
    children: int = 0
    service_type: ServiceType = ServiceType.full_day
    teacher_model: TeacherModel = TeacherModel.two_plus_one
    classes: int = 0
    grade: str = Grade.none
    demonstration: Demonstration = Demonstration.none
    opened_on: date = REFERENCE_DATE
    over_capacity: bool = False


def _plan_kindergartens(
    spec: DistrictSpec, rng: random.Random, first_index: int
) -> tuple[list[KindergartenRow], list[_KgDraft], int, int]:
    """A district's kindergartens; returns rows, drafts, children target and teacher target."""
    n = spec.kindergartens
    weights = [w * rng.uniform(0.8, 1.2) for w in spec.street_weights]
    per_street = _apportion(n, weights, spec.street_minimum)
    street_of = [s for s, k in enumerate(per_street) for _ in range(k)]
    ownership_counts = _apportion(n, [share for _, share in OWNERSHIP_SHARES])
    ownerships = [o for (o, _), k in zip(OWNERSHIP_SHARES, ownership_counts, strict=True) for _ in range(k)]
    rng.shuffle(ownerships)
    drafts: list[_KgDraft] = []
    for street, ownership in zip(street_of, ownerships, strict=True):
        lo, hi = _SIZE_RANGE[ownership]
        weight = rng.uniform(lo, hi)
        if ownership == Ownership.public and rng.random() < 0.06:
            weight *= 1.5  # a large multi-campus kindergarten
        drafts.append(_KgDraft(street=street, ownership=ownership, weight=weight))
    # Codes run street by street; in each street public kindergartens first, larger first.
    drafts.sort(key=lambda d: (d.street, _OWNERSHIP_RANK[d.ownership], -d.weight))

    if spec.calibrated:
        children_target = round(PLAN_CHILDREN * rng.uniform(1.0, 1.01))
        teacher_target = round(PLAN_TEACHERS * rng.uniform(0.99, 1.01))
    else:
        children_target = round(n * rng.uniform(195.0, 225.0))
        teacher_target = round(children_target / rng.uniform(10.2, 11.2))
    for d, c in zip(drafts, _apportion(children_target, [d.weight for d in drafts]), strict=True):
        d.children = max(c, 8)

    _service_and_classes(drafts, rng)
    _grades(drafts, rng, spec)
    for d in drafts:
        first, last = _OPENED_YEARS[d.ownership]
        if d.demonstration == Demonstration.city:
            last = min(last, 2000)
        d.opened_on = _date_in_years(rng, first, last)
    for d in rng.sample(drafts, round(0.03 * n)):
        d.over_capacity = True

    rows: list[KindergartenRow] = []
    used_names: set[str] = set()
    namer = _Namer(spec, rng, used_names)
    for k, d in enumerate(drafts):
        bands = _age_bands(d, rng)
        if d.over_capacity:
            places = max(1, math.floor(d.children * rng.uniform(0.85, 0.96)))
        else:
            places = math.ceil(d.children * rng.uniform(1.0, 1.15) / 5) * 5
        rows.append(
            KindergartenRow(
                index=first_index + k,
                code=f"{spec.code_prefix}{k + 1:04d}",
                name=namer.name(d.street, d.ownership),
                street=spec.streets[d.street],
                collab_group=spec.groups[d.street],
                ownership=str(d.ownership),
                grade=str(d.grade),
                demonstration=str(d.demonstration),
                service_type=str(d.service_type),
                teacher_model=str(d.teacher_model),
                classes_small=bands[0],
                classes_middle=bands[1],
                classes_large=bands[2],
                classes_mixed=bands[3],
                classes_nursery=bands[4],
                children=d.children,
                places=places,
                opened_on=d.opened_on,
                district=spec.name,
            )
        )
    return rows, drafts, children_target, teacher_target


def _service_and_classes(drafts: list[_KgDraft], rng: random.Random) -> None:
    """Mostly full-day; a quarter of the small sites and 2% of the others half-day, 2% boarding."""
    small = [d for d in drafts if d.ownership in _SMALL_SITES]
    regular = [d for d in drafts if d.ownership not in _SMALL_SITES]
    for d in rng.sample(small, round(0.25 * len(small))):
        d.service_type = ServiceType.half_day
    half_day = rng.sample(regular, round(0.02 * len(regular)))
    for d in half_day:
        d.service_type = ServiceType.half_day
    may_board = [
        d for d in regular if d.service_type == ServiceType.full_day and d.ownership != Ownership.inclusive_private
    ]
    for d in rng.sample(may_board, min(len(may_board), round(0.02 * len(regular)))):
        d.service_type = ServiceType.boarding
    for d in drafts:
        if d.ownership in _SMALL_SITES:
            size = rng.uniform(18.0, 28.0)
        elif d.service_type == ServiceType.half_day:
            size = rng.uniform(22.0, 30.0)
        else:
            size = rng.uniform(25.0, 31.0)
        d.classes = max(1, round(d.children / size))
    full_day = [d for d in drafts if d.service_type == ServiceType.full_day]
    for d in rng.sample(full_day, round(0.10 * len(full_day))):
        d.teacher_model = TeacherModel.three_teacher


def _grades(drafts: list[_KgDraft], rng: random.Random, spec: DistrictSpec) -> None:
    n = len(drafts)
    bonus = {Ownership.public: 2.0, Ownership.inclusive_private: 0.8, Ownership.private: 0.5}
    candidates = [d for d in drafts if d.ownership in bonus]
    candidates.sort(key=lambda d: bonus[d.ownership] + d.children / 400 + rng.random() * 1.2, reverse=True)
    top = candidates[: round(PLAN_GRADE_1_1_SHARE * n)]
    for d in top:
        d.grade = Grade.g1_1
    pickers = {o: _Picker.parse(text) for o, text in _OTHER_GRADES.items()}
    for d in drafts:
        if d.grade != Grade.g1_1:
            d.grade = pickers[d.ownership].pick(rng)
    sites = [d for d in drafts if d.ownership == Ownership.community_site]
    for d in rng.sample(sites, round(COMMUNITY_GRADED * len(sites))):
        d.grade = Grade.g3_3 if rng.random() < 0.65 else Grade.g3_2
    city = round(PLAN_CITY_DEMONSTRATION * n / PLAN_KINDERGARTENS)
    ranked = sorted(top, key=lambda d: _OWNERSHIP_RANK[d.ownership] - d.children / 300 + rng.random() * 1.5)
    for d in ranked[:city]:
        d.demonstration = Demonstration.city
    district_pool = [d for d in drafts if d.grade in ("1-1", "1-2") and d.demonstration == Demonstration.none]
    for d in rng.sample(district_pool, min(len(district_pool), round(0.14 * n))):
        d.demonstration = Demonstration.district


def _age_bands(d: _KgDraft, rng: random.Random) -> tuple[int, int, int, int, int]:
    """small, middle, large, mixed, nursery classes adding up to ``d.classes``."""
    left = d.classes
    nursery = 1 if left >= 4 and rng.random() < 0.15 else 0
    left -= nursery
    if d.ownership in _SMALL_SITES:
        if left <= 2 or rng.random() < 0.7:
            return 0, 0, 0, left, nursery
        mixed = 1
    else:
        mixed = 1 if left >= 3 and rng.random() < 0.10 else 0
    left -= mixed
    bands = [left // 3] * 3
    for i in rng.sample(range(3), left % 3):
        bands[i] += 1
    if bands[0] > 1 and rng.random() < 0.3:  # one band a class larger than another
        j = rng.randrange(1, 3)
        bands[0] -= 1
        bands[j] += 1
    return bands[0], bands[1], bands[2], mixed, nursery


class _Namer:
    """Plausible, unique kindergarten names."""

    def __init__(self, spec: DistrictSpec, rng: random.Random, used: set[str]) -> None:
        self.spec = spec
        self.rng = rng
        self.used = used
        self.ordinal: Counter[str] = Counter()
        self.parents: list[str] = []

    def name(self, street: int, ownership: Ownership) -> str:
        for _ in range(30):
            candidate = self._candidate(street, ownership)
            if candidate not in self.used:
                break
        else:
            base = candidate
            k = 2
            while candidate in self.used:
                candidate = f"{base.removesuffix('幼儿园')}第{k}幼儿园"
                k += 1
        self.used.add(candidate)
        if ownership == Ownership.public and "分园" not in candidate:
            self.parents.append(candidate)
        return candidate

    def _candidate(self, street: int, ownership: Ownership) -> str:
        rng = self.rng
        place = self.spec.place
        stem = self.spec.stems[street]
        estate = rng.choice(names.ESTATES)
        brand = rng.choice(names.BRANDS)
        r = rng.random()
        if ownership == Ownership.public:
            if self.parents and r < 0.08:
                return f"{rng.choice(self.parents)}{estate}分园"
            if r < 0.55 and self.ordinal[stem] < len(names.ORDINALS):
                self.ordinal[stem] += 1
                return f"{place}{stem}第{names.ORDINALS[self.ordinal[stem] - 1]}幼儿园"
            if r < 0.65:
                return f"{place}{stem}中心幼儿园"
            if r < 0.75:
                return f"{place}{stem}实验幼儿园"
            return f"{place}{estate}幼儿园"
        if ownership == Ownership.inclusive_private:
            options = (f"{place}{estate}幼儿园", f"{place}{brand}幼儿园", f"{place}{brand}{estate}幼儿园")
            return options[int(r * len(options))]
        if ownership == Ownership.private:
            options = (f"{place}{brand}双语幼儿园", f"{place}{brand}{estate}幼儿园", f"{place}{estate}双语幼儿园")
            return options[int(r * len(options))]
        if ownership == Ownership.community_site:
            return f"{place}{stem}{estate}社区办园点"
        return f"{estate}{brand}幼儿园"


# --------------------------------------------------------------------------- head counts


def _plan_heads(
    drafts: list[_KgDraft], rng: random.Random, teacher_rows: int
) -> list[tuple[int, int, int, int, int, int]]:
    """Per kindergarten: principal, vice principals, teachers, childcare workers, doctors, other."""
    raw: list[float] = []
    for d in drafts:
        if d.teacher_model == TeacherModel.three_teacher:
            ratio = rng.uniform(2.8, 3.4)
        elif d.service_type == ServiceType.boarding:
            ratio = rng.uniform(2.8, 3.3)
        elif d.service_type == ServiceType.half_day:
            ratio = rng.uniform(1.8, 2.4)
        elif d.ownership in _SMALL_SITES:
            ratio = rng.triangular(1.2, 2.4, 1.8)
        else:
            ratio = rng.triangular(1.7, 3.3, 2.8)
        raw.append(d.classes * ratio)
    factor = teacher_rows / sum(raw)
    teachers = [max(1, round(x * factor)) for x in raw]
    diff = teacher_rows - sum(teachers)
    while diff:
        k = rng.randrange(len(teachers))
        if diff > 0:
            teachers[k] += 1
            diff -= 1
        elif teachers[k] > 1 and teachers[k] > drafts[k].classes:
            teachers[k] -= 1
            diff += 1

    doctors = _plan_doctors(drafts, rng)
    heads: list[tuple[int, int, int, int, int, int]] = []
    for d, t, doc in zip(drafts, teachers, doctors, strict=True):
        c = d.classes
        small = d.ownership in _SMALL_SITES
        if small:
            vice = 0
        elif c < 6:
            vice = 1 if rng.random() < 0.3 else 0
        elif c < 10:
            vice = 1
        else:
            vice = 1 if rng.random() < 0.5 else 2
        if d.teacher_model == TeacherModel.three_teacher:
            care = round(c * rng.uniform(0.0, 0.15))
        elif d.service_type == ServiceType.boarding:
            care = round(c * rng.uniform(1.3, 1.9))
        elif d.service_type == ServiceType.half_day:
            care = round(c * rng.uniform(0.3, 0.7))
        else:
            care = round(c * rng.uniform(0.7, 1.0))
        if small:
            other = 0
        elif d.ownership == Ownership.private:
            other = rng.randint(0, 1)
        else:
            other = rng.randint(0, 2)
        heads.append((1, vice, t, care, doc, other))
    return heads


def _plan_doctors(drafts: list[_KgDraft], rng: random.Random) -> list[int]:
    """Fewer health doctors than the rule asks for: about 60% of the district's requirement."""
    slots: list[tuple[float, int]] = []
    required = 0
    for k, d in enumerate(drafts):
        need = required_health_doctors(d.children)
        required += need
        penalty = 1.0 if d.ownership in _SMALL_SITES else (-0.3 if d.ownership == Ownership.public else 0.0)
        for j in range(need):
            slots.append((j + rng.random() * 1.2 + penalty, k))
    present = round(required * rng.uniform(0.585, 0.615))
    slots.sort()
    doctors = [0] * len(drafts)
    for _, k in slots[:present]:
        doctors[k] += 1
    return doctors


def _plan_districts(scale: str, seed: int) -> tuple[list[KindergartenRow], list[DistrictPlan]]:
    rng = random.Random(seed)
    kindergartens: list[KindergartenRow] = []
    plans: list[DistrictPlan] = []
    staff_first = 0
    for spec in _district_specs(scale):
        rows, drafts, _children, teacher_target = _plan_kindergartens(spec, rng, len(kindergartens))
        left = round(teacher_target * 0.02 / 0.98)
        heads = _plan_heads(drafts, rng, teacher_target + left)
        staff_count = sum(sum(h) for h in heads)
        if spec.calibrated:
            honours = (
                PLAN_PROFESSORS,
                PLAN_SPECIAL_GRADE,
                PLAN_CITY_BACKBONE,
                PLAN_DISTRICT_BACKBONE,
                PLAN_SUBJECT_LEADERS + rng.randint(-3, 3),
            )
        else:
            f = teacher_target / PLAN_TEACHERS
            honours = (
                round(PLAN_PROFESSORS * f),
                round(PLAN_SPECIAL_GRADE * f),
                round(PLAN_CITY_BACKBONE * f),
                round(PLAN_DISTRICT_BACKBONE * f),
                round(PLAN_SUBJECT_LEADERS * f),
            )
        plans.append(
            DistrictPlan(
                spec=spec,
                kg_first=len(kindergartens),
                kg_count=len(rows),
                heads=heads,
                staff_first=staff_first,
                staff_count=staff_count,
                left_teachers=left,
                transfers=round(0.02 * staff_count),
                professors=honours[0],
                special_grade=honours[1],
                city_backbone=honours[2],
                district_backbone=honours[3],
                subject_leaders=honours[4],
                seed=rng.getrandbits(64),
            )
        )
        kindergartens.extend(rows)
        staff_first += staff_count
    return kindergartens, plans


# --------------------------------------------------------------------------- people


@dataclass(slots=True, frozen=True)
class _PostProfile:
    male: float
    age: tuple[float, float, float]  # triangular low, high, mode (years on the reference date)
    education: _Picker
    left: float
    on_leave: float
    pending: float


_PROFILES: dict[str, _PostProfile] = {
    Post.principal: _PostProfile(
        0.08, (34.0, 60.9, 49.0), _Picker.parse("bachelor:70 master:27 associate:3"), 0.0, 0.01, 0.0
    ),
    Post.vice_principal: _PostProfile(
        0.08, (30.0, 60.9, 44.0), _Picker.parse("bachelor:72 master:20 associate:8"), 0.01, 0.02, 0.0
    ),
    Post.teacher: _PostProfile(
        0.03,
        (20.1, 60.9, 27.0),
        _Picker.parse("bachelor:60 associate:32 master:6 secondary:2"),
        0.0,  # the district's leavers are chosen exactly, after the fact
        0.03,
        0.01,
    ),
    Post.childcare_worker: _PostProfile(
        0.02, (20.1, 60.9, 46.0), _Picker.parse("secondary:45 associate:42 bachelor:13"), 0.02, 0.03, 0.01
    ),
    Post.health_doctor: _PostProfile(
        0.15, (23.0, 60.9, 40.0), _Picker.parse("bachelor:50 associate:40 master:10"), 0.02, 0.03, 0.01
    ),
    Post.other: _PostProfile(
        0.5, (20.1, 60.9, 40.0), _Picker.parse("secondary:35 associate:40 bachelor:25"), 0.02, 0.03, 0.01
    ),
}
_PRINCIPAL_TITLES = {
    Post.principal: _Picker.parse("senior:50 level1:40 level2:10"),
    Post.vice_principal: _Picker.parse("senior:25 level1:55 level2:20"),
}
_SMALL_SITE_PRINCIPAL_TITLES = _Picker.parse("none:50 level3:25 level2:25")
_SURNAMES = _Picker(names.SURNAMES)
_EMPLOYMENT_PICKERS = {o: _Picker.parse(text) for o, text in _EMPLOYMENT.items()}
_OTHER_AREAS = _Picker(
    [(a, w * 1.3) for a, w in names.BEIJING_AREAS]
    + [(names.CHAOYANG_AREA, 6.0)]
    + [(a, w * 1.0) for a, w in names.PROVINCE_AREAS]
)
_MALE = Sex.male.value
_FEMALE = Sex.female.value
_YOUNG = frozenset({Education.bachelor, Education.master, Education.doctorate})


def _area_picker(spec: DistrictSpec) -> _Picker:
    """About 45% born in the district itself, the rest elsewhere in Beijing or in other provinces."""
    others = [(a, w) for a, w in zip(_OTHER_AREAS.items, _weights(_OTHER_AREAS), strict=True) if a != spec.area]
    total = sum(w for _, w in others)
    return _Picker([(spec.area, total * 45 / 55), *others])


def _weights(p: _Picker) -> list[float]:
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
        born_day = _REF - int(age * DAYS_PER_YEAR)
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
        earliest = max(_add_years(born_day, _START_AGE[education] + rng.random() * 1.5), opened)
        if rehired:
            earliest = max(earliest, _add_years(born_day, 55.05))
        latest = _REF - 1
        if earliest > latest:  # younger than the usual start for the education: hired at 18+
            earliest = max(_add_years(born_day, 18.2), opened)
        left_on: date | None = None
        if status == StaffStatus.pending_induction:
            hired = rng.randint(max(earliest, _REF - 100), latest)
        elif status == StaffStatus.left and earliest <= _REF - 120:
            hired = rng.randint(earliest, _REF - 120)
            left_on = date.fromordinal(rng.randint(hired + 60, latest))
        else:
            if status == StaffStatus.left:
                status = StaffStatus.on_post
            hired = rng.randint(earliest, latest)

        if post == Post.principal or post == Post.vice_principal:
            picker = _SMALL_SITE_PRINCIPAL_TITLES if kg.ownership in _SMALL_SITES else _PRINCIPAL_TITLES[post]
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
        pool = [s for s in teachers if s.status == StaffStatus.on_post and s.hired_on.toordinal() <= _REF - 120]
        for s in rng.sample(pool, self.plan.left_teachers):
            s.status = StaffStatus.left.value
            s.left_on = date.fromordinal(rng.randint(s.hired_on.toordinal() + 60, _REF - 1))

    def teacher_titles(self, teachers: list[StaffRow]) -> None:
        """Titles by seniority: 正高级 for exactly ``plan.professors``, then the shares below."""
        rng = self.rng

        def seniority(s: StaffRow) -> float:
            years = (_REF - s.birth_date.toordinal()) / DAYS_PER_YEAR
            bonus = 3.0 if s.employment == Employment.establishment else 0.0
            return years + bonus + rng.gauss(0.0, 4.0)

        ranked = sorted(teachers, key=seniority, reverse=True)
        professors = [s for s in ranked if s.status != StaffStatus.left][: self.plan.professors]
        for s in professors:
            s.title = Title.professor.value
        rest = [s for s in ranked if s.title != Title.professor]
        n = len(teachers)
        start = 0
        for title, share in _TITLE_SHARES:
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
        pool.sort(key=lambda s: _TITLE_RANK[Title(s.title)] * 10 + rng.random() * 5, reverse=True)
        special = pool[: plan.special_grade]
        for s in special:
            s.honours.append(Honour.special_grade.value)
        rest = pool[plan.special_grade :]
        rest.sort(key=lambda s: _TITLE_RANK[Title(s.title)] + standing(s) + rng.random() * 2.2, reverse=True)
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
            if s.status in (StaffStatus.on_post, StaffStatus.on_leave) and s.hired_on.toordinal() <= _REF - 730
        ]
        rng.shuffle(pool)
        for s in pool:
            if len(moved) == plan.transfers:
                break
            hired = s.hired_on.toordinal()
            for _ in range(8):
                before = rng.choice(kgs)
                if before.index != s.kindergarten and before.opened_on.toordinal() <= hired:
                    moved[s.index] = (before.index, rng.randint(hired + 365, _REF - 30))
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
    kindergartens, plans = _plan_districts(scale, seed)
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


__all__ = [
    "DEMO_TODAY",
    "REFERENCE_DATE",
    "SCALES",
    "AssignmentRow",
    "DemoAccount",
    "DemoData",
    "KindergartenRow",
    "StaffChunk",
    "StaffRow",
    "Tally",
    "age_on",
    "generate",
    "required_health_doctors",
]
