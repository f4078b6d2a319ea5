"""The demo's district planning: the districts' specs (Chaoyang and the synthetic ones), the
kindergartens (ownership, size, classes, grades, names) and how many principals, vice principals
and health doctors each gets. ``plan_districts`` gives the kindergarten rows and one
``DistrictPlan`` per district; ``demo.generator`` makes their staff."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date

from demo import names
from demo.figures import (
    COMMUNITY_GRADED,
    OPENED_YEARS,
    OTHER_GRADES,
    OWNERSHIP_RANK,
    OWNERSHIP_SHARES,
    PLAN_CHILDREN,
    PLAN_CITY_BACKBONE,
    PLAN_CITY_DEMONSTRATION,
    PLAN_DISTRICT_BACKBONE,
    PLAN_GRADE_1_1_SHARE,
    PLAN_KINDERGARTENS,
    PLAN_PROFESSORS,
    PLAN_SPECIAL_GRADE,
    PLAN_SUBJECT_LEADERS,
    PLAN_TEACHERS,
    PROVINCE_KINDERGARTENS_PER_DISTRICT,
    PROVINCE_SYNTHETIC_DISTRICTS,
    SIZE_RANGE,
    SMALL_SITES,
    Picker,
    apportion,
    date_in_years,
    required_health_doctors,
)
from demo.rows import (
    REFERENCE_DATE,
    DistrictPlan,
    DistrictSpec,
    KindergartenRow,
)
from registry.kindergartens.codes import Demonstration, Grade, Ownership, ServiceType, TeacherModel

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
    per_street = apportion(n, weights, spec.street_minimum)
    street_of = [s for s, k in enumerate(per_street) for _ in range(k)]
    ownership_counts = apportion(n, [share for _, share in OWNERSHIP_SHARES])
    ownerships = [o for (o, _), k in zip(OWNERSHIP_SHARES, ownership_counts, strict=True) for _ in range(k)]
    rng.shuffle(ownerships)
    drafts: list[_KgDraft] = []
    for street, ownership in zip(street_of, ownerships, strict=True):
        lo, hi = SIZE_RANGE[ownership]
        weight = rng.uniform(lo, hi)
        if ownership == Ownership.public and rng.random() < 0.06:
            weight *= 1.5  # a large multi-campus kindergarten
        drafts.append(_KgDraft(street=street, ownership=ownership, weight=weight))
    # Codes run street by street; in each street public kindergartens first, larger first.
    drafts.sort(key=lambda d: (d.street, OWNERSHIP_RANK[d.ownership], -d.weight))

    if spec.calibrated:
        children_target = round(PLAN_CHILDREN * rng.uniform(1.0, 1.01))
        teacher_target = round(PLAN_TEACHERS * rng.uniform(0.99, 1.01))
    else:
        children_target = round(n * rng.uniform(195.0, 225.0))
        teacher_target = round(children_target / rng.uniform(10.2, 11.2))
    for d, c in zip(drafts, apportion(children_target, [d.weight for d in drafts]), strict=True):
        d.children = max(c, 8)

    _service_and_classes(drafts, rng)
    _grades(drafts, rng, spec)
    for d in drafts:
        first, last = OPENED_YEARS[d.ownership]
        if d.demonstration == Demonstration.city:
            last = min(last, 2000)
        d.opened_on = date_in_years(rng, first, last)
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
    small = [d for d in drafts if d.ownership in SMALL_SITES]
    regular = [d for d in drafts if d.ownership not in SMALL_SITES]
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
        if d.ownership in SMALL_SITES:
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
    pickers = {o: Picker.parse(text) for o, text in OTHER_GRADES.items()}
    for d in drafts:
        if d.grade != Grade.g1_1:
            d.grade = pickers[d.ownership].pick(rng)
    sites = [d for d in drafts if d.ownership == Ownership.community_site]
    for d in rng.sample(sites, round(COMMUNITY_GRADED * len(sites))):
        d.grade = Grade.g3_3 if rng.random() < 0.65 else Grade.g3_2
    city = round(PLAN_CITY_DEMONSTRATION * n / PLAN_KINDERGARTENS)
    ranked = sorted(top, key=lambda d: OWNERSHIP_RANK[d.ownership] - d.children / 300 + rng.random() * 1.5)
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
    if d.ownership in SMALL_SITES:
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
        elif d.ownership in SMALL_SITES:
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
        small = d.ownership in SMALL_SITES
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
        penalty = 1.0 if d.ownership in SMALL_SITES else (-0.3 if d.ownership == Ownership.public else 0.0)
        for j in range(need):
            slots.append((j + rng.random() * 1.2 + penalty, k))
    present = round(required * rng.uniform(0.585, 0.615))
    slots.sort()
    doctors = [0] * len(drafts)
    for _, k in slots[:present]:
        doctors[k] += 1
    return doctors


def plan_districts(scale: str, seed: int) -> tuple[list[KindergartenRow], list[DistrictPlan]]:
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
