"""The staffing standard as pure functions. Every expected number is worked out by hand from
STANDARDS.md (教职工配备标准 2013, 卫生保健管理办法 2010 art. 12, 幼儿园工作规程 art. 11), never copied
from the code's output."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel.i18n import use_locale
from kernel.policy import StaffingPolicy, policy_on
from staffing import rules
from staffing.rules import Shape

P = policy_on(date(2026, 11, 29)).staffing
CEIL = rules.with_rounding(P, "ceil")
FLOOR = rules.with_rounding(P, "floor")


def req(service: str, model: str, classes: int, children: int = 100) -> rules.Requirement:
    return rules.requirement(Shape(service, model, classes, children), P)


# --- teachers and childcare workers per class, by service type and model --------------------------


@pytest.mark.parametrize(
    ("service", "model", "classes", "teachers", "workers"),
    [
        # full-day, 2 teachers + 1 childcare worker per class (the default model)
        ("full_day", "two_plus_one", 6, 12, 6),
        ("full_day", "two_plus_one", 9, 18, 9),
        # full-day, 3 teachers and no childcare worker
        ("full_day", "three_teacher", 6, 18, 0),
        ("full_day", "three_teacher", 4, 12, 0),
        # half-day: 2 teachers per class, no childcare worker required, whatever the model
        ("half_day", "two_plus_one", 4, 8, 0),
        ("half_day", "three_teacher", 4, 8, 0),
        # boarding: full-day plus one teacher and one childcare worker per class
        ("boarding", "two_plus_one", 5, 15, 10),
        ("boarding", "three_teacher", 5, 20, 5),
        # a single-class site: 2 teachers, no childcare worker, whatever the service type
        ("full_day", "two_plus_one", 1, 2, 0),
        ("full_day", "three_teacher", 1, 2, 0),
        ("boarding", "two_plus_one", 1, 2, 0),
        ("half_day", "two_plus_one", 1, 2, 0),
        # two classes are no longer a single-class site
        ("full_day", "two_plus_one", 2, 4, 2),
        # no classes, no teachers
        ("full_day", "two_plus_one", 0, 0, 0),
    ],
)
def test_teachers_and_childcare_workers(service: str, model: str, classes: int, teachers: int, workers: int) -> None:
    r = req(service, model, classes)
    assert (r.teacher, r.childcare_worker) == (teachers, workers)


def test_the_default_model_applies_when_none_is_recorded() -> None:
    assert rules.required_teachers(Shape("full_day", "", 6, 170), P) == 12
    assert rules.required_childcare_workers(Shape("full_day", "", 6, 170), P) == 6


def test_an_unknown_service_type_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="service type"):
        rules.required_teachers(Shape("weekend", "two_plus_one", 3, 80), P)


# --- principals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("classes", "allowed"),
    [(0, 1), (1, 1), (5, 1), (6, 2), (7, 2), (9, 2), (10, 3), (12, 3), (30, 3)],
)
def test_principal_bands(classes: int, allowed: int) -> None:
    """Under 6 classes 1; 6-9 classes up to 2; 10 and more up to 3; at least one is required."""
    assert rules.principals_allowed(classes, P) == allowed
    assert rules.required_principals(classes, P) == 1


def test_vice_principals_count_as_principals() -> None:
    assert rules.staffing_post("vice_principal", P) == "principal"
    assert rules.staffing_post("principal", P) == "principal"
    assert rules.staffing_post("other", P) is None


# --- health-care staff ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("children", "ceil", "floor"),
    [
        (0, 1, 1),  # under 150: one full- or part-time
        (1, 1, 1),
        (149, 1, 1),
        (150, 1, 1),
        (151, 2, 1),  # ceil: a second person as soon as 150 is passed; floor: not until 300
        (299, 2, 1),
        (300, 2, 2),
        (301, 3, 2),
        (450, 3, 3),
        (451, 4, 3),
    ],
)
def test_health_care_thresholds_under_both_roundings(children: int, ceil: int, floor: int) -> None:
    assert rules.required_health_staff(children, CEIL) == ceil
    assert rules.required_health_staff(children, FLOOR) == floor


def test_the_shipped_rounding_is_ceil() -> None:
    assert P.health_rounding == "ceil"
    assert rules.required_health_staff(151, P) == 2


def test_rounding_must_be_ceil_or_floor() -> None:
    with pytest.raises(ValueError):
        rules.with_rounding(P, "nearest")


# --- bad input --------------------------------------------------------------------------------------


def test_negative_classes_or_children_are_refused_by_name() -> None:
    assert rules.shape_problems(-1, 10) == [("classes", "must not be negative, got -1")]
    assert [f for f, _ in rules.shape_problems(2, -5, -1)] == ["children", "places"]
    assert rules.shape_problems(2, 200, 100) == []  # more children than places is flagged elsewhere
    with pytest.raises(ValueError, match="classes"):
        rules.requirement(Shape("full_day", "two_plus_one", -2, 50), P)
    with pytest.raises(ValueError, match="children"):
        rules.required_health_staff(-1, P)


# --- gaps ------------------------------------------------------------------------------------------------


def test_gap_is_required_minus_qualified_never_negative() -> None:
    g = rules.post_gap("teacher", required=12, on_post=10, qualified=8, pending_induction=1)
    assert (g.gap, g.surplus, g.to_certify, g.pending_induction) == (4, 0, 2, 1)
    g = rules.post_gap("teacher", required=4, on_post=6, qualified=3)
    assert (g.gap, g.surplus, g.to_certify) == (1, 2, 3)  # short of qualified people and overstaffed at once
    g = rules.post_gap("childcare_worker", required=0, on_post=2, qualified=2)
    assert (g.gap, g.surplus, g.to_certify) == (0, 2, 0)


def test_principal_surplus_is_counted_beyond_the_band() -> None:
    # 8 classes: at least 1, up to 2
    assert rules.post_gap("principal", 1, on_post=2, qualified=2, allowed=2).surplus == 0
    assert rules.post_gap("principal", 1, on_post=3, qualified=3, allowed=2).surplus == 1
    assert rules.post_gap("principal", 1, on_post=0, qualified=0, allowed=2).gap == 1


def test_qualified_people_are_on_post() -> None:
    with pytest.raises(ValueError):
        rules.post_gap("teacher", 4, on_post=2, qualified=3)


def test_a_roll_up_adds_kindergartens_gaps_one_surplus_never_fills_another_gap() -> None:
    a = rules.post_gap("teacher", required=12, on_post=10, qualified=10)  # gap 2
    b = rules.post_gap("teacher", required=8, on_post=11, qualified=11)  # surplus 3
    total = rules.add_up("teacher", [a, b])
    assert (total.required, total.qualified, total.gap, total.surplus) == (20, 21, 2, 3)


# --- the ratio, as information ------------------------------------------------------------------------


def test_ratio_against_the_standards_band() -> None:
    r = rules.ratio(children=180, staff=30, teaching_care=20, service_type="full_day", policy=P)
    assert r.children_per_staff == 6.0 and r.band_staff == (5, 7) and r.meets_staff  # 1:6 within 1:5-1:7
    assert r.children_per_teaching_care == 9.0 and r.meets_teaching_care  # 1:9 at the worst end of 1:7-1:9
    r = rules.ratio(children=180, staff=20, teaching_care=18, service_type="full_day", policy=P)
    assert r.children_per_staff == 9.0 and not r.meets_staff
    assert r.children_per_teaching_care == 10.0 and not r.meets_teaching_care
    half = rules.ratio(children=100, staff=10, teaching_care=8, service_type="half_day", policy=P)
    assert half.band_staff == (8, 10) and half.meets_staff  # 1:10 meets the half-day 1:8-1:10
    assert half.band_teaching_care == (11, 13) and half.meets_teaching_care  # 1:12.5
    nobody = rules.ratio(children=30, staff=0, teaching_care=0, service_type="full_day", policy=P)
    assert nobody.children_per_staff is None and not nobody.meets_staff


# --- planned places ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("places", "band", "classes"),
    [
        (25, "small", 1),
        (26, "small", 2),
        (30, "middle", 1),
        (35, "large", 1),
        (36, "large", 2),
        (300, "mixed", 10),
        (9130, None, 305),  # default band: mixed, 30 a class; 9130 / 30 = 304.3 -> 305
        (0, None, 0),
    ],
)
def test_places_become_classes_by_the_class_size_table(places: int, band: str | None, classes: int) -> None:
    assert rules.classes_for_places(places, band, P) == classes


def test_an_expansion_adds_classes_and_children() -> None:
    before = Shape("full_day", "two_plus_one", 6, 170)
    after = rules.expanded(before, 60, "middle", P)  # 60 / 30 = 2 classes
    assert (after.classes, after.children) == (8, 230)
    r = rules.requirement(after, P)
    assert (r.teacher, r.childcare_worker, r.principals_allowed, r.health_doctor) == (16, 8, 2, 2)


def test_a_planned_kindergarten_over_360_children_is_flagged() -> None:
    assert rules.planned_flags("new_kindergarten", 370, 0, P) == ["over_360_children"]
    assert rules.planned_flags("new_kindergarten", 360, 0, P) == []
    assert rules.planned_flags("expansion", 100, 300, P) == ["over_360_children"]


# --- the plan ----------------------------------------------------------------------------------------


def test_the_plans_numbers_and_period_are_policy() -> None:
    assert P.plan_targets == {"teacher": 2500, "health_doctor": 500}
    assert (P.plan_period_from, P.plan_period_to) == (date(2018, 1, 1), date(2020, 12, 31))


def test_the_counting_window() -> None:
    assert rules.plan_window(P, date(2017, 12, 31)) is None
    assert rules.plan_window(P, date(2019, 6, 30)) == (date(2018, 1, 1), date(2019, 6, 30))
    assert rules.plan_window(P, date(2026, 11, 29)) == (date(2018, 1, 1), date(2020, 12, 31))
    assert rules.in_plan_period(date(2020, 12, 31), P) and not rules.in_plan_period(date(2021, 1, 1), P)
    assert rules.remaining(2500, 1186) == 1314 and rules.remaining(500, 600) == 0


def test_the_words_of_a_people_target() -> None:
    """In the reader's language (issue 15): Chinese by default, English on request."""
    window = (date(2018, 1, 1), date(2020, 12, 31))
    over = rules.additions_detail(window, 1186, 1163, date(2026, 11, 29), 4398)
    assert over == (
        "计划期内（2018-01-01 至 2020-12-31）补充 1186 人（每人计一次，含此后离职者），"
        "其中 1163 人 2026-11-29 仍在职；计划期后另补充 4398 人，不计入本目标"
    )
    during = rules.additions_detail((date(2018, 1, 1), date(2019, 6, 30)), 5, 4, date(2019, 6, 30), None)
    assert "计划期后" not in during
    assert "补充 5 人" in during and "其中 4 人 2019-06-30 仍在职" in during
    assert rules.additions_detail(None, 0, 0, date(2017, 12, 31), None) == "计划期尚未开始，尚无补充人数"
    with use_locale("en"):
        assert rules.additions_detail(window, 1186, 1163, date(2026, 11, 29), 4398) == (
            "1186 hires and placements dated 2018-01-01 to 2020-12-31, each person once, those who have left "
            "since included; 1163 of them still on the roll on 2026-11-29; 4398 more added after the period, not "
            "counted towards this target"
        )
        during = rules.additions_detail((date(2018, 1, 1), date(2019, 6, 30)), 5, 4, date(2019, 6, 30), None)
        assert "after the period" not in during and "4 of them still on the roll on 2019-06-30" in during
        assert "not begun" in rules.additions_detail(None, 0, 0, date(2017, 12, 31), None)


def test_every_number_has_its_source() -> None:
    for key in (
        "per_class",
        "single_class",
        "principal",
        "health",
        "health_rounding",
        "ratio",
        "class_sizes",
        "max_children",
        "projection_band",
        "plan_period",
        "plan_targets",
        "backbone",
    ):
        assert P.sources.get(key, "").strip(), key


# --- the pool --------------------------------------------------------------------------------------


def test_street_preference_and_reasons() -> None:
    assert rules.street_preference(["望京街道"], "望京街道") == 2
    assert rules.street_preference([], "望京街道") == 1
    assert rules.street_preference(["双井街道"], "望京街道") == 0

    def reasons(**changes: object) -> list[str]:
        words: dict[str, object] = {
            "post": "teacher",
            "ready": False,
            "missing": ["post_certificate"],
            "preference": 2,
            "street": "望京街道",
            "available_from": date(2027, 2, 1),
            "available_to": None,
            "on": date(2026, 11, 29),
        }
        return rules.match_reasons(**(words | changes))  # type: ignore[arg-type]

    # in the reader's language (issue 15): the post and the certificates by their Chinese names
    assert reasons() == [
        "需先参加岗前培训方可在专任教师岗位上岗，缺少：上岗证",
        "意向街乡：望京街道",
        "2027-02-01 起可到岗",
    ]
    now = reasons(ready=True, preference=1, available_from=date(2026, 9, 1), available_to=date(2027, 7, 31))
    assert now == ["持有专任教师岗位所需证书，可直接上岗", "未填报意向街乡", "现在即可到岗，至 2027-07-31"]
    with use_locale("en"):
        assert reasons() == [
            "needs induction before going on post as teacher: missing post_certificate",
            "prefers 望京街道",
            "available from 2027-02-01",
        ]
        later = reasons(preference=0, available_to=date(2027, 7, 31))
        assert later[1:] == ["prefers other streets than 望京街道", "available from 2027-02-01 until 2027-07-31"]


def test_placement_flags() -> None:
    flags = rules.placement_flags(
        gap_before=0,
        post="teacher",
        posts_wanted=["childcare_worker"],
        starts_on=date(2026, 1, 1),
        available_from=date(2026, 3, 1),
        available_to=None,
        over_capacity=True,
    )
    assert flags == ["no_gap", "post_not_wanted", "outside_availability", "over_capacity"]
    assert (
        rules.placement_flags(
            gap_before=2,
            post="teacher",
            posts_wanted=["teacher"],
            starts_on=date(2026, 3, 1),
            available_from=date(2026, 3, 1),
            available_to=date(2026, 3, 1),
            over_capacity=False,
        )
        == []
    )


def test_a_placed_candidate_never_returns_to_the_pool_by_hand() -> None:
    assert ("placed", "available") not in rules.STATUS_CHANGES
    assert ("available", "withdrawn") in rules.STATUS_CHANGES
    assert rules.availability_problem(date(2026, 3, 1), date(2026, 2, 1)) is not None


# --- the standard compiled to SQL agrees with the rules --------------------------------------------


def _sql_requirement(policy: StaffingPolicy, service: str, model: str, classes: int, children: int) -> dict[str, int]:
    import sqlite3

    exprs = rules.requirement_sql(
        policy, classes="k.classes", children="k.children", service_type="k.st", teacher_model="k.tm"
    )
    columns = ", ".join(f"{e} AS {name}" for name, e in exprs.items())
    with sqlite3.connect(":memory:") as con:
        con.row_factory = sqlite3.Row
        row = con.execute(
            f"SELECT {columns} FROM (SELECT ? AS classes, ? AS children, ? AS st, ? AS tm) k",
            (classes, children, service, model),
        ).fetchone()
    return dict(row)


@settings(max_examples=300, deadline=None)
@given(
    service=st.sampled_from(["full_day", "half_day", "boarding"]),
    model=st.sampled_from(["two_plus_one", "three_teacher", ""]),
    classes=st.integers(0, 40),
    children=st.integers(0, 1200),
    rounding=st.sampled_from(["ceil", "floor"]),
)
def test_the_compiled_standard_agrees_with_the_rules(
    service: str, model: str, classes: int, children: int, rounding: str
) -> None:
    policy = rules.with_rounding(P, rounding)
    r = rules.requirement(Shape(service, model, classes, children), policy)
    assert _sql_requirement(policy, service, model, classes, children) == {
        "teacher": r.teacher,
        "childcare_worker": r.childcare_worker,
        "principal": r.principal,
        "health_doctor": r.health_doctor,
        "principals_allowed": r.principals_allowed,
    }


@settings(max_examples=200, deadline=None)
@given(
    required=st.integers(0, 60),
    on_post=st.integers(0, 60),
    data=st.data(),
    allowed=st.one_of(st.none(), st.integers(1, 3)),
)
def test_the_compiled_gap_agrees_with_the_rules(
    required: int, on_post: int, data: st.DataObject, allowed: int | None
) -> None:
    import sqlite3

    qualified = data.draw(st.integers(0, on_post))
    g = rules.post_gap("principal", required, on_post, qualified, allowed=allowed)
    exprs = rules.post_gap_sql(str(required), str(on_post), str(qualified), None if allowed is None else str(allowed))
    with sqlite3.connect(":memory:") as con:
        got = con.execute(f"SELECT {exprs['gap']}, {exprs['surplus']}, {exprs['to_certify']}").fetchone()
    assert got == (g.gap, g.surplus, g.to_certify)
