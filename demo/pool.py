"""The demo district's reserve talent pool (人力资源储备库) and the action plan's planned places
(pure: no I/O, no clock; the same rows for the same seed).

``make_pool(data, chunk, seed)`` takes the generated data set and Chaoyang's people (the first
chunk; the pool and the plan are Chaoyang's at every scale) and returns:

- about 3,000 candidates from the plan's four channels (government-purchased services, university
  internship-to-employment, retired teachers, qualified people outside the establishment), with the
  posts they want, certificates of the staff register's types (some ready to go on post, some
  needing induction), preferred streets and an availability window;
- of them, ``PLACED`` were placed already: people of the demo district hired since the plan's start
  on purchased-service, contract or retiree terms, whose placement is dated on their hire day (their
  certificates are on their staff record, so none are listed in the pool); a few have withdrawn;
- the plan's planned places, 25,150 in all (行动计划 二(一)): 26 new estate kindergartens (9,130), 6
  built-not-handed-over or planned-not-built ones (2,220: 370 each, over the 360 a kindergarten
  normally holds, so they come out flagged), 5 expansions of public kindergartens (750), one new
  inclusive kindergarten per street (43 x 180 = 7,740), 3 run by other units (630), and 26 private or
  regularised unlicensed ones (4,680), opening in September 2018, 2019 or 2020.

Rows refer to staff and kindergartens by position (``StaffRow.index``, ``KindergartenRow.index``),
as the rest of the demo does; the loader turns positions into ids.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from certificates.rules import EARLIEST_QUALIFICATION_YEAR
from demo import names
from kernel.codes import CertificateType
from registry.kindergartens.codes import Ownership
from registry.staff.codes import Education, Employment, Post, StaffStatus
from registry.staff.rules import make_id_number
from staffing.codes import CandidateStatus, PlannedKind, PoolSource

if TYPE_CHECKING:
    from demo.generator import DemoData
    from demo.rows import StaffChunk

POOL_SALT = 0x5EED_2018
POOL_CANDIDATES = 3_000
PLACED = 480
WITHDRAWN_SHARE = 0.04
PLAN_START = date(2018, 1, 1)
TODAY = date(2026, 11, 29)  # the demo's today (demo.generator.DEMO_TODAY)
ISSUER = "北京市朝阳区教育委员会"

# Areas no staff member of the demo is born in (the generator's area lists leave them out), so a new
# candidate's ID number never collides with a staff member's: two former Beijing counties (people
# born before 2015 hold them) and county-level cities of nearby provinces.
RETIREE_AREAS = ("110228", "110229")
OTHER_AREAS = ("130181", "130684", "131081", "131082", "370181", "371081", "410181", "411081", "140181")

SOURCE_WEIGHTS: dict[str, int] = {
    PoolSource.purchased_service: 30,
    PoolSource.university: 35,
    PoolSource.retired_teacher: 15,
    PoolSource.non_establishment: 20,
}
# posts wanted by source: (posts, weight)
POSTS_BY_SOURCE: dict[str, tuple[tuple[tuple[str, ...], int], ...]] = {
    PoolSource.university: (
        ((Post.teacher,), 80),
        ((Post.teacher, Post.childcare_worker), 8),
        ((Post.health_doctor,), 12),
    ),
    PoolSource.retired_teacher: (
        ((Post.teacher,), 78),
        ((Post.principal, Post.vice_principal), 12),
        ((Post.childcare_worker,), 10),
    ),
    PoolSource.purchased_service: (
        ((Post.teacher,), 50),
        ((Post.childcare_worker,), 30),
        ((Post.teacher, Post.childcare_worker), 5),
        ((Post.health_doctor,), 15),
    ),
    PoolSource.non_establishment: (
        ((Post.teacher,), 55),
        ((Post.childcare_worker,), 25),
        ((Post.health_doctor,), 20),
    ),
}
# (share holding a kindergarten teacher qualification, share of those with a post certificate)
TEACHER_READY = {
    PoolSource.university: (0.55, 0.55),
    PoolSource.retired_teacher: (0.97, 0.85),
    PoolSource.purchased_service: (0.70, 0.70),
    PoolSource.non_establishment: (0.65, 0.60),
}
AGES = {  # (youngest, oldest) on the demo's today
    PoolSource.university: (21.0, 25.0),
    PoolSource.retired_teacher: (55.5, 64.0),
    PoolSource.purchased_service: (22.0, 42.0),
    PoolSource.non_establishment: (24.0, 48.0),
}
EDUCATION = {
    PoolSource.university: ((Education.bachelor, 60), (Education.associate, 35), (Education.master, 5)),
    PoolSource.retired_teacher: ((Education.associate, 50), (Education.bachelor, 40), (Education.secondary, 10)),
    PoolSource.purchased_service: ((Education.associate, 55), (Education.bachelor, 35), (Education.secondary, 10)),
    PoolSource.non_establishment: ((Education.associate, 50), (Education.bachelor, 40), (Education.secondary, 10)),
}
SOURCE_OF_EMPLOYMENT: dict[str, PoolSource] = {
    Employment.purchased_service: PoolSource.purchased_service,
    Employment.rehired_retiree: PoolSource.retired_teacher,
}
PLACED_POSTS = (Post.teacher, Post.childcare_worker, Post.health_doctor)
PLACED_EMPLOYMENT = (Employment.purchased_service, Employment.rehired_retiree, Employment.contract)

# The plan's planned places: (plan item, kind, kindergartens, places each (or a total to split),
# ownership weights, opening years).
PLAN_ITEMS = (
    ("新建小区配套园26所, 9130个学位", "estate", 26, 9_130),
    ("配而未建4址、建而未交2址, 2220个学位", "recovered", 6, 2_220),
    ("教育系统资源挖潜, 750个学位", "expansion", 5, 750),
    ("每个街乡至少新开办一所普惠性幼儿园, 7740个学位", "street", 43, 7_740),
    ("其他单位新开办或恢复举办, 630个学位", "units", 3, 630),
    ("审批民办园16所、规范无证园10所, 4680个学位", "private", 26, 4_680),
)
OPENING_DAYS = (date(2018, 9, 1), date(2019, 9, 1), date(2020, 9, 1))


@dataclass(slots=True)
class CandidateRow:
    index: int
    id_number: str
    name: str
    sex: str
    birth_date: date
    source: str
    posts: list[str]
    streets: list[str]
    education: str | None
    available_from: date
    available_to: date | None
    status: str
    staff: int | None = None  # StaffRow.index of a placed candidate
    note: str = ""


@dataclass(slots=True)
class PoolCertificateRow:
    candidate: int
    type: str
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None


@dataclass(slots=True)
class PlacementRow:
    candidate: int
    staff: int
    kindergarten: int
    post: str
    starts_on: date
    status: str


@dataclass(slots=True)
class PlannedRow:
    name: str
    kind: str
    kindergarten: int | None
    street: str
    collab_group: int
    ownership: str
    places: int
    opens_on: date
    plan_item: str
    service_type: str = "full_day"
    teacher_model: str = "two_plus_one"
    band: str | None = None


@dataclass
class DemoPool:
    candidates: list[CandidateRow] = field(default_factory=list)
    certificates: list[PoolCertificateRow] = field(default_factory=list)
    placements: list[PlacementRow] = field(default_factory=list)
    planned: list[PlannedRow] = field(default_factory=list)

    def by_status(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.candidates:
            out[c.status] = out.get(c.status, 0) + 1
        return out


def _pick(rng: random.Random, weighted: dict[str, int] | tuple[tuple[object, int], ...]) -> object:
    pairs = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _name(rng: random.Random, male: bool) -> str:
    surname = rng.choices([s for s, _ in names.SURNAMES], weights=[w for _, w in names.SURNAMES])[0]
    chars = names.GIVEN_MALE if male else names.GIVEN_FEMALE
    if rng.random() < 0.25:
        return surname + rng.choice(chars)
    return surname + rng.choice(chars) + rng.choice(chars)


class _Maker:
    def __init__(self, data: DemoData, chunk: StaffChunk, seed: int) -> None:
        self.rng = random.Random(seed ^ POOL_SALT)
        self.data = data
        self.chunk = chunk
        self.taken = {s.id_number[:17] for s in chunk.staff}
        self.serial = 0
        streets = [(s, w) for group in names.CHAOYANG_GROUPS for s, w in group]
        self.streets = [s for s, _ in streets]
        self.street_weights = [float(w) for _, w in streets]
        self.group_of = {s: g for g, group in enumerate(names.CHAOYANG_GROUPS, start=1) for s, _ in group}
        self.pool = DemoPool()

    # --- candidates ------------------------------------------------------------------------------

    def placed(self) -> None:
        """People hired since the plan's start on purchased-service, contract or retiree terms: some
        of them came from the pool; their placement is dated on their hire day."""
        rng = self.rng
        first_kg: dict[int, int] = {}
        for a in self.chunk.assignments:
            first_kg.setdefault(a.staff, a.kindergarten)
        eligible = [
            s
            for s in self.chunk.staff
            if s.hired_on >= PLAN_START
            and s.status != StaffStatus.left
            and s.post in PLACED_POSTS
            and s.employment in PLACED_EMPLOYMENT
        ]
        for s in sorted(rng.sample(eligible, min(PLACED, len(eligible))), key=lambda s: s.index):
            source = SOURCE_OF_EMPLOYMENT.get(s.employment)
            if source is None:
                age = (s.hired_on - s.birth_date).days / 365.25
                source = PoolSource.university if age < 26 else PoolSource.non_establishment
            kg = self.data.kindergartens[first_kg.get(s.index, s.kindergarten)]
            index = len(self.pool.candidates)
            self.pool.candidates.append(
                CandidateRow(
                    index=index,
                    id_number=s.id_number,
                    name=s.name,
                    sex=s.sex,
                    birth_date=s.birth_date,
                    source=str(source),
                    posts=[s.post],
                    streets=[kg.street],
                    education=s.education,
                    available_from=s.hired_on - timedelta(days=rng.randint(30, 240)),
                    available_to=None,
                    status=CandidateStatus.placed.value,
                    staff=s.index,
                )
            )
            on_post = s.status == StaffStatus.on_post
            self.pool.placements.append(
                PlacementRow(
                    candidate=index,
                    staff=s.index,
                    kindergarten=kg.index,
                    post=s.post,
                    starts_on=s.hired_on,
                    status=StaffStatus.on_post.value if on_post else StaffStatus.pending_induction.value,
                )
            )

    def new_id(self, source: str, born: date, male: bool) -> str:
        rng = self.rng
        areas = RETIREE_AREAS if source == PoolSource.retired_teacher else OTHER_AREAS
        while True:
            number = make_id_number(rng.choice(areas), born, rng.randrange(500) * 2 + male)
            if number[:17] not in self.taken:
                self.taken.add(number[:17])
                return number

    def candidate(self) -> None:
        rng = self.rng
        source = str(_pick(rng, SOURCE_WEIGHTS))
        male = rng.random() < (0.12 if source == PoolSource.retired_teacher else 0.06)
        low, high = AGES[PoolSource(source)]
        born = TODAY - timedelta(days=int(rng.uniform(low, high) * 365.2425))
        posts = [str(p) for p in _pick(rng, POSTS_BY_SOURCE[source])]  # type: ignore[attr-defined]
        streets: list[str] = []
        if rng.random() < 0.55:
            k = 1 if rng.random() < 0.7 else 2
            streets = list(dict.fromkeys(rng.choices(self.streets, weights=self.street_weights, k=k)))
        start = TODAY + timedelta(days=rng.randint(-400, 300))
        end = None if rng.random() < 0.55 else start + timedelta(days=rng.randint(180, 1000))
        status = CandidateStatus.withdrawn if rng.random() < WITHDRAWN_SHARE else CandidateStatus.available
        index = len(self.pool.candidates)
        self.pool.candidates.append(
            CandidateRow(
                index=index,
                id_number=self.new_id(source, born, male),
                name=_name(rng, male),
                sex="male" if male else "female",
                birth_date=born,
                source=source,
                posts=posts,
                streets=streets,
                education=str(_pick(rng, EDUCATION[PoolSource(source)])),
                available_from=start,
                available_to=end,
                status=status.value,
            )
        )
        self.certificates(index, source, posts, born)

    # --- certificates ------------------------------------------------------------------------------

    def number(self, cert_type: str, year: int, province: str, sex_digit: str = "2", kind: str = "1") -> str:
        """Numbers no staff certificate of the demo has: awarding body 990 in teacher-qualification
        numbers (17 digits: year, province, body, type, sex, serial), ``CBK`` (储备库) in the others."""
        self.serial += 1
        k = self.serial
        if cert_type == CertificateType.teacher_qualification:
            return f"{year:04d}{province}990{kind}{sex_digit}{k:06d}"
        return {
            CertificateType.post_certificate: f"SGZ-CBK-{year}-{k:06d}",
            CertificateType.principal_qualification: f"YZRZ-CBK-{year}-{k:06d}",
            CertificateType.childcare_certificate: f"BYY-CBK-{year}-{k:06d}",
            CertificateType.health_care_training: f"BJY-CBK-{year}-{k:06d}",
            CertificateType.doctor_licence: f"1{province}{year}99{k:06d}",
            CertificateType.nurse_licence: f"{year}99{k:06d}",
        }[CertificateType(cert_type)]

    def add(self, candidate: int, cert_type: str, number: str, issued: date, expires: date | None) -> None:
        issued = min(issued, TODAY - timedelta(days=1))
        self.pool.certificates.append(PoolCertificateRow(candidate, str(cert_type), number, ISSUER, issued, expires))

    def certificates(self, index: int, source: str, posts: list[str], born: date) -> None:
        rng = self.rng
        adult = (
            born.replace(year=born.year + 19)
            if not (born.month == 2 and born.day == 29)
            else date(born.year + 19, 3, 1)
        )
        province = self.pool.candidates[index].id_number[:2]
        sex = "1" if self.pool.candidates[index].sex == "male" else "2"

        def some_day(first: date) -> date:
            first = max(first, adult)
            return first + timedelta(days=rng.randint(0, max(0, (TODAY - first).days - 1)))

        if Post.teacher in posts or Post.principal in posts:
            has_qualification, has_post = TEACHER_READY[PoolSource(source)]
            if rng.random() < has_qualification:
                # the first certificates were issued after 教师资格条例 (1995)
                issued = some_day(max(adult, date(EARLIEST_QUALIFICATION_YEAR + 1, 1, 1)))
                kind = "1" if rng.random() < 0.95 else "2"  # a few hold a primary-school qualification
                number = self.number(CertificateType.teacher_qualification, issued.year, province, sex, kind)
                self.add(index, CertificateType.teacher_qualification, number, issued, None)
                if rng.random() < has_post:
                    self.add(
                        index,
                        CertificateType.post_certificate,
                        self.number(CertificateType.post_certificate, issued.year, province),
                        issued + timedelta(days=rng.randint(30, 400)),
                        None,
                    )
            if Post.principal in posts and rng.random() < 0.85:
                issued = some_day(adult.replace(year=adult.year + 15))
                self.add(
                    index,
                    CertificateType.principal_qualification,
                    self.number(CertificateType.principal_qualification, issued.year, province),
                    issued,
                    None,
                )
        if Post.childcare_worker in posts and rng.random() < (0.35 if source == PoolSource.university else 0.65):
            issued = some_day(adult)
            self.add(
                index,
                CertificateType.childcare_certificate,
                self.number(CertificateType.childcare_certificate, issued.year, province),
                issued,
                issued + timedelta(days=5 * 365),  # some have expired
            )
        if Post.health_doctor in posts:
            r = rng.random()
            cert_type = (
                CertificateType.doctor_licence
                if r < 0.2
                else CertificateType.nurse_licence
                if r < 0.6
                else CertificateType.health_care_training
                if r < 0.85
                else None
            )
            if cert_type is not None:
                issued = some_day(adult.replace(year=adult.year + 3))
                self.add(index, cert_type, self.number(cert_type, issued.year, province), issued, None)

    # --- planned places --------------------------------------------------------------------------

    def planned(self) -> None:
        rng = self.rng
        chaoyang = [k for k in self.data.kindergartens if k.district == "朝阳区"]
        public = [k for k in chaoyang if k.ownership == Ownership.public and k.children + 150 <= 400]
        for item, kind, count, total in PLAN_ITEMS:
            sizes = [total // count + (1 if i < total % count else 0) for i in range(count)]
            days = sorted(OPENING_DAYS[i * len(OPENING_DAYS) // count] for i in range(count))
            if kind == "expansion":
                for kg, places, day in zip(rng.sample(public, count), sizes, days, strict=True):
                    self.pool.planned.append(
                        PlannedRow(
                            name=f"{kg.name}扩班",
                            kind=PlannedKind.expansion.value,
                            kindergarten=kg.index,
                            street=kg.street,
                            collab_group=kg.collab_group,
                            ownership=kg.ownership,
                            places=places,
                            opens_on=day,
                            plan_item=item,
                        )
                    )
                continue
            if kind == "street":
                streets = list(self.streets)
            else:
                streets = rng.choices(self.streets, weights=self.street_weights, k=count)
            for n, (street, places, day) in enumerate(zip(streets, sizes, days, strict=True), start=1):
                ownership = {
                    "estate": Ownership.public if rng.random() < 0.6 else Ownership.inclusive_private,
                    "recovered": Ownership.public,
                    "street": Ownership.public if rng.random() < 0.5 else Ownership.inclusive_private,
                    "units": Ownership.public,
                    "private": Ownership.private,
                }[kind]
                stem = names.street_stem(street)
                label = {
                    "estate": f"{rng.choice(names.ESTATES)}配套幼儿园",
                    "recovered": f"{rng.choice(names.ESTATES)}配套幼儿园(收回)",
                    "street": "街乡普惠幼儿园",
                    "units": f"单位办园{n}",
                    "private": f"{rng.choice(names.BRANDS)}幼儿园",
                }[kind]
                self.pool.planned.append(
                    PlannedRow(
                        name=f"北京市朝阳区{stem}{label}",
                        kind=PlannedKind.new_kindergarten.value,
                        kindergarten=None,
                        street=street,
                        collab_group=self.group_of[street],
                        ownership=ownership.value,
                        places=places,
                        opens_on=day,
                        plan_item=item,
                    )
                )


def make_pool(data: DemoData, chunk: StaffChunk, seed: int) -> DemoPool:
    """The pool and the planned places of ``chunk``'s district (Chaoyang, the demo's first chunk)."""
    maker = _Maker(data, chunk, seed)
    maker.placed()
    while len(maker.pool.candidates) < POOL_CANDIDATES:
        maker.candidate()
    maker.planned()
    return maker.pool


__all__ = ["CandidateRow", "DemoPool", "PlacementRow", "PlannedRow", "PoolCertificateRow", "make_pool"]
