"""The synthetic demo district: determinism and the action plan's calibration figures (no database)."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

import pytest

from demo import names
from demo.figures import TRANSFER_REASON, age_on
from demo.generator import DemoData, Tally, generate
from demo.loader import load_demo
from demo.rows import REFERENCE_DATE
from kernel.codes import Role
from kernel.errors import FieldError, Invalid
from kernel.i18n import use_locale
from registry.kindergartens.codes import Demonstration, Grade, Ownership, ServiceType, TeacherModel
from registry.staff.codes import Education, Employment, Honour, Post, Sex, StaffStatus, Title
from registry.staff.rules import parse_id_number

_CHAOYANG_43_TEXT = (
    "建外街道 朝外街道 呼家楼街道 三里屯街道 左家庄街道 香河园街道 和平街街道 安贞街道 亚运村街道 小关街道 "
    "酒仙桥街道 麦子店街道 团结湖街道 六里屯街道 八里庄街道 双井街道 劲松街道 潘家园街道 垡头街道 首都机场街道 "
    "南磨房地区 高碑店地区 将台地区 太阳宫地区 大屯街道 望京街道 小红门地区 十八里店地区 平房地区 东风地区 "
    "来广营地区 常营地区 三间房地区 管庄地区 金盏地区 孙河地区 崔各庄地区 东坝地区 黑庄户地区 豆各庄地区 "
    "王四营地区 奥运村街道 东湖街道"
)
CHAOYANG_43 = _CHAOYANG_43_TEXT.split()


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate("district", 2017)


def within(value: float, target: float, tolerance: float) -> bool:
    return abs(value - target) <= target * tolerance


def on_roll_teachers(d: DemoData) -> list:
    return [s for s in d.staff if s.post == Post.teacher and s.status != StaffStatus.left]


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_data(data: DemoData) -> None:
    again = generate("district", 2017)
    assert again.kindergartens == data.kindergartens
    assert again.staff == data.staff
    assert again.assignments == data.assignments
    assert again.accounts == data.accounts  # passwords take no part in the comparison


def test_different_seed_different_data(data: DemoData) -> None:
    other = generate("district", 2018)
    assert other.kindergartens != data.kindergartens
    assert [s.id_number for s in other.staff] != [s.id_number for s in data.staff]
    assert len(other.kindergartens) == 315  # the calibration holds for any seed
    assert sum(1 for s in on_roll_teachers(other)) == pytest.approx(7_400, rel=0.02)


def test_passwords_are_random_not_seeded(data: DemoData) -> None:
    again = generate("district", 2017)
    for a, b in zip(data.accounts, again.accounts, strict=True):
        assert a.password != b.password
        assert len(a.password) >= 12


def test_unknown_scale() -> None:
    with pytest.raises(ValueError, match="scale"):
        generate("galaxy", 1)


# --------------------------------------------------------------------------- names


def test_43_distinct_chaoyang_streets_in_15_groups() -> None:
    assert len(CHAOYANG_43) == 43
    assert len(set(names.CHAOYANG_STREETS)) == 43
    assert set(names.CHAOYANG_STREETS) == set(CHAOYANG_43)
    assert len(names.CHAOYANG_GROUPS) == 15
    assert all(group for group in names.CHAOYANG_GROUPS)


def test_word_lists() -> None:
    assert len({s for s, _ in names.SURNAMES}) >= 60
    assert {"王", "李", "张", "刘", "陈"} <= {s for s, _ in names.SURNAMES}
    assert len(names.GIVEN_FEMALE) >= 40 and len(names.GIVEN_MALE) >= 40
    assert names.CHAOYANG_AREA == "110105"
    for area, _ in names.BEIJING_AREAS + names.PROVINCE_AREAS:
        assert len(area) == 6 and area.isdigit()
    assert names.street_stem("望京街道") == "望京"
    assert names.street_stem("南磨房地区") == "南磨房"


# --------------------------------------------------------------------------- kindergartens


def test_315_kindergartens_over_43_streets(data: DemoData) -> None:
    kgs = data.kindergartens
    assert len(kgs) == 315
    assert [k.code for k in kgs] == [f"CY{i:04d}" for i in range(1, 316)]
    assert [k.index for k in kgs] == list(range(315))
    assert {k.street for k in kgs} == set(CHAOYANG_43)
    assert len({k.name for k in kgs}) == 315
    assert all(k.name.endswith(("幼儿园", "分园", "办园点")) for k in kgs)


def test_15_collaboration_groups_of_neighbouring_streets(data: DemoData) -> None:
    groups = Counter(k.collab_group for k in data.kindergartens)
    assert set(groups) == set(range(1, 16))
    group_of_street = {}
    for k in data.kindergartens:
        assert group_of_street.setdefault(k.street, k.collab_group) == k.collab_group
    # each group is a run of adjacent streets in the geographic order of names.CHAOYANG_GROUPS
    for number, group in enumerate(names.CHAOYANG_GROUPS, start=1):
        assert {group_of_street[street] for street, _ in group} == {number}


def test_children_and_classes(data: DemoData) -> None:
    kgs = data.kindergartens
    children = sum(k.children for k in kgs)
    assert within(children, 78_000, 0.02)
    classes = sum(k.classes for k in kgs)
    assert 25 <= children / classes <= 33
    regular = [k for k in kgs if k.ownership not in (Ownership.community_site, Ownership.unlicensed)]
    assert all(20 <= k.children / k.classes <= 36 for k in regular)
    assert all(k.classes >= 1 and k.children > 0 for k in kgs)
    assert sum(k.classes_nursery for k in kgs) > 0
    assert sum(k.classes_mixed for k in kgs) > 0


def test_ownership_mix(data: DemoData) -> None:
    mix = Counter(k.ownership for k in data.kindergartens)
    assert set(mix) == {o.value for o in Ownership}
    assert within(mix[Ownership.public] / 315, 0.45, 0.1)
    assert within(mix[Ownership.inclusive_private] / 315, 0.30, 0.1)
    assert within(mix[Ownership.private] / 315, 0.15, 0.15)
    assert within(mix[Ownership.community_site] / 315, 0.08, 0.2)
    assert 3 <= mix[Ownership.unlicensed] <= 10


def test_grades_and_demonstration(data: DemoData) -> None:
    kgs = data.kindergartens
    assert sum(1 for k in kgs if k.grade == Grade.g1_1) == 126
    assert {k.grade for k in kgs} <= {g.value for g in Grade}
    assert sum(1 for k in kgs if k.demonstration == Demonstration.city) == 30
    assert all(k.grade == Grade.g1_1 for k in kgs if k.demonstration == Demonstration.city)
    assert 10 <= sum(1 for k in kgs if k.demonstration == Demonstration.district) <= 80
    small = [k for k in kgs if k.ownership in (Ownership.community_site, Ownership.unlicensed)]
    assert sum(1 for k in small if k.grade == Grade.none) >= 0.75 * len(small)
    assert all(k.grade == Grade.none for k in kgs if k.ownership == Ownership.unlicensed)


def test_service_type_teacher_model_places_dates(data: DemoData) -> None:
    kgs = data.kindergartens
    service = Counter(k.service_type for k in kgs)
    assert service[ServiceType.full_day] >= 0.9 * len(kgs)
    assert service[ServiceType.half_day] > 0 and service[ServiceType.boarding] > 0
    full_day = [k for k in kgs if k.service_type == ServiceType.full_day]
    three = sum(1 for k in full_day if k.teacher_model == TeacherModel.three_teacher)
    assert three == round(0.10 * len(full_day))
    assert all(k.teacher_model == TeacherModel.two_plus_one for k in kgs if k not in full_day)
    over = [k for k in kgs if k.children > k.places]
    assert 5 <= len(over) <= 15
    assert all(date(1950, 1, 1) <= k.opened_on <= date(2017, 12, 31) for k in kgs)
    assert all(k.closed_on is None for k in kgs)


# --------------------------------------------------------------------------- staff


def test_teachers_titles_and_honours(data: DemoData) -> None:
    staff = data.staff
    teachers = on_roll_teachers(data)
    assert within(len(teachers), 7_400, 0.02)
    titles = Counter(s.title for s in staff)
    assert titles[Title.professor] == 3
    assert all(s.post == Post.teacher for s in staff if s.title == Title.professor)
    every_teacher = [s for s in staff if s.post == Post.teacher]
    shares = Counter(s.title for s in every_teacher)
    n = len(every_teacher)
    assert within(shares[Title.senior] / n, 0.03, 0.15)
    assert within(shares[Title.level1] / n, 0.20, 0.05)
    assert within(shares[Title.level2] / n, 0.35, 0.05)
    assert within(shares[Title.level3] / n, 0.20, 0.05)
    assert 0.15 <= shares[Title.none] / n <= 0.30

    honours = Counter(h for s in staff for h in s.honours)
    assert honours[Honour.special_grade] == 6
    assert honours[Honour.city_backbone] == 90
    assert honours[Honour.district_backbone] == 312
    backbone = [s for s in staff if {Honour.city_backbone, Honour.district_backbone} & set(s.honours)]
    assert len(backbone) == 402
    assert 25 <= honours[Honour.subject_leader] <= 35
    assert all(set(s.honours) <= {h.value for h in Honour} for s in staff)
    assert all(isinstance(s.honours, list) for s in staff)
    # honours go to the higher titles
    honoured = Counter(s.title for s in staff if s.honours)
    assert honoured[Title.none] == 0 and honoured[Title.level3] == 0
    assert all(s.status != StaffStatus.left for s in staff if s.honours)


def test_health_doctors_fall_short_of_the_standard(data: DemoData) -> None:
    required = sum(max(1, math.ceil(k.children / 150)) for k in data.kindergartens)
    present = sum(1 for s in data.staff if s.post == Post.health_doctor and s.status != StaffStatus.left)
    assert present < required
    assert 0.55 <= present / required <= 0.65


def test_staffing_per_kindergarten(data: DemoData) -> None:
    by_kg: dict[int, Counter[str]] = {k.index: Counter() for k in data.kindergartens}
    for s in data.staff:
        if s.status != StaffStatus.left:
            by_kg[s.kindergarten][s.post] += 1
    principals = Counter(s.kindergarten for s in data.staff if s.post == Post.principal)
    assert all(principals[k.index] == 1 for k in data.kindergartens)
    assert all(by_kg[k.index][Post.vice_principal] <= 2 for k in data.kindergartens)
    ratios = [by_kg[k.index][Post.teacher] / k.classes for k in data.kindergartens]
    assert any(r < 2 for r in ratios), "some kindergartens are short of 2 teachers per class"
    assert any(r > 2.5 for r in ratios), "others have a surplus"
    care = sum(c[Post.childcare_worker] for c in by_kg.values())
    assert 0.6 <= care / sum(k.classes for k in data.kindergartens) <= 1.0
    assert 0 < sum(c[Post.other] for c in by_kg.values()) < 0.05 * len(data.staff)


def test_id_numbers_valid_unique_and_consistent(data: DemoData) -> None:
    seen = set()
    for s in data.staff:
        parsed = parse_id_number(s.id_number, today=REFERENCE_DATE)
        assert parsed.value == s.id_number
        assert parsed.birth_date == s.birth_date
        assert parsed.sex == s.sex
        assert (int(s.id_number[16]) % 2 == 1) == (s.sex == Sex.male)
        seen.add(s.id_number)
    assert len(seen) == len(data.staff)
    areas = Counter(s.id_number[:6] for s in data.staff)
    assert 0.35 <= areas["110105"] / len(data.staff) <= 0.55
    assert sum(v for a, v in areas.items() if not a.startswith("11")) > 0.1 * len(data.staff)


def test_ages_sex_education(data: DemoData) -> None:
    for s in data.staff:
        age = age_on(s.birth_date)
        if s.employment == Employment.rehired_retiree:
            assert 55 <= age <= 65
        else:
            assert 20 <= age <= 60
        assert s.sex in (Sex.male, Sex.female)
        assert s.education in {e.value for e in Education}
    teachers = [s for s in data.staff if s.post == Post.teacher]
    female = sum(1 for s in teachers if s.sex == Sex.female) / len(teachers)
    assert 0.95 <= female <= 0.99
    education = Counter(s.education for s in teachers)
    assert education.most_common(1)[0][0] == Education.bachelor
    assert education[Education.master] > 0


def test_employment_depends_on_ownership(data: DemoData) -> None:
    ownership = {k.index: k.ownership for k in data.kindergartens}
    public = Counter(s.employment for s in data.staff if ownership[s.kindergarten] == Ownership.public)
    private = Counter(s.employment for s in data.staff if ownership[s.kindergarten] != Ownership.public)
    assert public[Employment.establishment] > 0.4 * sum(public.values())
    assert private[Employment.establishment] == 0
    assert {public.most_common(2)[0][0], public.most_common(2)[1][0]} == {"establishment", "contract"}


def test_dates_and_status(data: DemoData) -> None:
    staff = data.staff
    for s in staff:
        eighteen = date(s.birth_date.year + 18, s.birth_date.month, min(s.birth_date.day, 28))
        assert eighteen <= s.hired_on < REFERENCE_DATE
        if s.status == StaffStatus.left:
            assert s.left_on is not None and s.hired_on < s.left_on < REFERENCE_DATE
        else:
            assert s.left_on is None
    status = Counter(s.status for s in staff)
    n = len(staff)
    assert 0.90 <= status[StaffStatus.on_post] / n <= 0.97
    assert 0.02 <= status[StaffStatus.on_leave] / n <= 0.04
    assert 0.005 <= status[StaffStatus.pending_induction] / n <= 0.02
    assert 0.01 <= status[StaffStatus.left] / n <= 0.03


def test_every_staff_member_has_an_assignment(data: DemoData) -> None:
    staff = {s.index: s for s in data.staff}
    assert sorted(staff) == list(range(len(staff)))
    by_staff: dict[int, list] = {}
    for a in data.assignments:
        by_staff.setdefault(a.staff, []).append(a)
    assert set(by_staff) == set(staff)
    transfers = 0
    for index, rows in by_staff.items():
        s = staff[index]
        current = rows[-1]
        assert current.kindergarten == s.kindergarten and current.post == s.post
        assert current.ends_on == s.left_on
        assert rows[0].starts_on == s.hired_on
        if len(rows) == 2:
            transfers += 1
            earlier = rows[0]
            assert earlier.kindergarten != s.kindergarten
            assert earlier.ends_on is not None and earlier.ends_on < current.starts_on
            assert current.reason == TRANSFER_REASON
        else:
            assert len(rows) == 1
    assert within(transfers / len(staff), 0.02, 0.1)
    assert data.staff_total == len(staff)
    assert data.assignment_total == len(data.assignments)


def test_demo_accounts(data: DemoData) -> None:
    roles = {a.username: a.role for a in data.accounts}
    assert roles == {
        "hr": Role.district_hr,
        "inspector": Role.inspector,
        "admin": Role.kindergarten_admin,
        "teacher": Role.teacher,
    }
    admin = next(a for a in data.accounts if a.username == "admin")
    assert admin.kindergarten == 0 and admin.kindergarten_code == "CY0001"
    teacher = next(a for a in data.accounts if a.username == "teacher")
    assert teacher.staff is not None
    person = data.staff[teacher.staff]
    assert person.kindergarten == 0 and person.post == Post.teacher
    assert person.status == StaffStatus.on_post and person.name == teacher.staff_name
    backbone_here = [
        s
        for s in data.staff
        if s.kindergarten == 0 and s.status == StaffStatus.on_post and Honour.city_backbone in s.honours
    ]
    if backbone_here:
        assert Honour.city_backbone in person.honours
    assert all(a.password not in repr(a) for a in data.accounts)


def test_tally_matches(data: DemoData) -> None:
    tally = Tally()
    tally.add_kindergartens(data.kindergartens)
    for chunk in data.iter_chunks():
        tally.add_chunk(chunk)
    f = tally.figures()
    assert f["kindergartens"] == 315 and f["streets"] == 43 and f["collab_groups"] == 15
    assert f["teachers"] == len(on_roll_teachers(data))
    assert f["backbone"] == 402 and f["grade_1_1"] == 126
    assert f["health_doctors_present"] < f["health_doctors_required"]
    assert f["staff"] == len(data.staff) and f["assignments"] == len(data.assignments)


# --------------------------------------------------------------------------- larger scales


def test_city_scale(data: DemoData) -> None:
    city = generate("city", 2017)
    kgs = city.kindergartens
    assert len(kgs) == 2_000
    assert len({k.code for k in kgs}) == len(kgs)
    assert {k.collab_group for k in kgs} <= set(range(1, 16))
    assert within(city.staff_total, 60_000, 0.1)
    assert len({s.id_number for s in city.staff}) == city.staff_total
    # Chaoyang is planned first with the same random stream: identical at every scale
    assert kgs[:315] == data.kindergartens
    first = next(city.iter_chunks())
    assert first.staff == data.staff


async def test_an_unknown_scale_is_refused_in_the_readers_language() -> None:
    """Issue 15: the load's refusals are catalogue messages (Chinese by default, English on request),
    naming the field in stable English."""
    with pytest.raises(Invalid) as refused:
        await load_demo(scale="village")
    assert refused.value.errors == [FieldError("scale", "应为以下之一：district, city, province")]
    assert refused.value.detail == "规模：应为以下之一：district, city, province"
    with use_locale("en"), pytest.raises(Invalid) as refused:
        await load_demo(scale="village")
    assert refused.value.detail == "scale: must be one of district, city, province"
    assert refused.value.code is None and refused.value.kind == "invalid"
