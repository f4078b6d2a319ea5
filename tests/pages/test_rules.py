"""The pages' pure view-model rules: bars and their numbers, eligibility in plain words, the gap
chart, where a login may send the browser."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace as NS
from typing import Any

import pytest

from credits.codes import CreditStatus
from credits.schemas import CategoryOut, Required, TranscriptOut, YearOut
from eligibility.codes import Purpose
from eligibility.schemas import EligibilityOut, ReasonOut, WindowOut
from ethics.schemas import VetoOut
from kernel.codes import Role
from pages import rules

ON = date(2026, 11, 29)


def transcript(counted: float = 12.5, status: CreditStatus = CreditStatus.behind, **over: Any) -> TranscriptOut:
    body: dict[str, Any] = {
        "staff_id": 1,
        "name": "张丽",
        "cycle": "2026-2030",
        "as_of": ON,
        "required": Required(credits=36, categories={"ethics": 1, "family": 1}, yearly_minimum=4, policy_id=1),
        "earned": counted,
        "counted": counted,
        "pace": 6.57,
        "status": status,
        "by_year": [
            YearOut(year=2026, earned=counted, counted=counted, minimum=4, minimum_met=counted >= 4),
            YearOut(year=2027, earned=0, counted=0, minimum=4, minimum_met=False),
        ],
        "by_category": [
            CategoryOut(category="ethics", earned=0.5, counted=0.5, required=1, met=False),
            CategoryOut(category="family", earned=1, counted=1, required=1, met=True),
            CategoryOut(category="general", earned=11, counted=11, required=0, met=True),
        ],
        "entries": [],
    }
    body.update(over)
    return TranscriptOut(**body)


def ctx(**over: Any) -> rules.ReasonContext:
    body: dict[str, Any] = {
        "post": "teacher",
        "title": "level2",
        "missing": [],
        "transcript": transcript(),
        "on": ON,
        "veto": None,
        "backbone_min_title": "level1",
    }
    body.update(over)
    return rules.ReasonContext(**body)


# --- numbers and bars --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "maximum", "expected"),
    [(0, 36, 0.0), (12.5, 36, 34.7), (35.99, 36, 99.9), (36, 36, 100.0), (50, 36, 100.0), (3, 0, 100.0), (-1, 4, 0.0)],
)
def test_percent_is_floored_and_capped(value: float, maximum: float, expected: float) -> None:
    assert rules.percent(value, maximum) == expected


def test_num_reads_like_people_write() -> None:
    assert rules.num(1234) == "1,234"
    assert rules.num(12.5) == "12.5"
    assert rules.num(36.0) == "36"
    assert rules.num(None) == "—"
    assert rules.pct_text(0.9656) == "96.6%"


def test_bar_shows_its_number_as_text() -> None:
    b = rules.bar("overall", "总学分", 12.5, 36, "学分", ok=False)
    assert (b.value, b.max, b.percent) == (12.5, 36, 34.7)
    assert b.text == "12.5 / 36 学分（34.7%）"


def test_credit_bars() -> None:
    bars = rules.credit_bars(transcript())
    assert (bars.overall.value, bars.overall.max, bars.overall.ok) == (12.5, 36, False)
    assert "6.57" in bars.overall.note
    by_key = {b.key: b for b in bars.categories}
    assert [b.key for b in bars.categories] == ["ethics", "family", "general"]  # required ones first
    assert (by_key["ethics"].max, by_key["ethics"].ok) == (1, False)
    assert (by_key["family"].max, by_key["family"].ok) == (1, True)
    assert (by_key["general"].max, by_key["general"].ok) == (36, None)  # its share of the cycle's total
    years = {b.key: b for b in bars.years}
    assert years["2026"].ok is True
    assert years["2027"].ok is None and years["2027"].note == "尚未开始"  # not missed yet


def test_previous_cycle() -> None:
    assert rules.previous_cycle("2026-2030") == "2021-2025"
    assert rules.previous_cycle("bad") is None


# --- eligibility in plain words ------------------------------------------------------------------------


def test_other_measures_are_named_in_the_veto() -> None:
    detail = (
        "其他处理（取消评优评先等资格） 2025-03-10 起至 2027-03-10 期间不得参加评奖评优、职务晋升、职称评定 "
        "(other_measures in force through 2027-03-10)"
    )
    veto = VetoOut(reason_code="sanction_in_force", detail=detail, until=date(2027, 3, 10))
    r = rules.plain_reason("ethics_veto", False, "ignored", ctx(veto=veto))
    assert r.veto and r.text == (
        "师德一票否决：其他处理（取消评优评先等资格） 2025-03-10 起至 2027-03-10 期间不得参加评奖评优、职务晋升、"
        "职称评定（至 2027-03-10）。无论其他条件如何，均不能参加。"
    )


def test_ethics_veto_is_named_with_its_end() -> None:
    veto = VetoOut(
        reason_code="sanction_in_force",
        detail="记过处分 2026-07-01 起至 2027-07-01 期间不得参加评奖评优、职务晋升、职称评定 "
        "(demerit in force through 2027-07-01)",
        until=date(2027, 7, 1),
    )
    r = rules.plain_reason("ethics_veto", False, "ignored", ctx(veto=veto))
    assert r.veto and not r.passed
    assert r.text.startswith("师德一票否决：记过处分 2026-07-01 起至 2027-07-01 期间")
    assert "（至 2027-07-01）" in r.text
    assert "demerit" not in r.text
    permanent = VetoOut(reason_code="sanction_in_force", detail="开除处分 2020-01-01 起 (dismissal)", until=None)
    assert "（无期限）" in rules.plain_reason("ethics_veto", False, "", ctx(veto=permanent)).text
    # without the veto record: the Chinese part of the service's own detail
    r = rules.plain_reason(
        "ethics_veto", False, "2025-2026 学年师德考核不合格，一票否决 (unqualified) (until 2026-09-01)", ctx()
    )
    assert r.text.startswith("师德一票否决：2025-2026 学年师德考核不合格，一票否决")
    assert rules.plain_reason("ethics_veto", True, "", ctx()).text.startswith("没有不合格的师德考核")


def test_dual_certificate_names_what_is_missing() -> None:
    r = rules.plain_reason(
        "dual_certificate", False, "", ctx(post="health_doctor", missing=["doctor_licence|nurse_licence"])
    )
    assert r.text == "缺少保健医岗位所需的证书：医师执业证书或护士执业证书。"
    assert "专任教师" in rules.plain_reason("dual_certificate", True, "", ctx()).text


def test_credit_rules_in_words() -> None:
    t = transcript()
    cycle = rules.plain_reason("credits_cycle", False, "", ctx(transcript=t)).text
    assert cycle == "2026-2030 周期已认定 12.5 学分，要求 36 学分，还差 23.5 学分；必修类别：师德培训还差 0.5 学分。"
    done = transcript(counted=40, status=CreditStatus.complete)
    assert "达到 36 学分的要求" in rules.plain_reason("credits_cycle", True, "", ctx(transcript=done)).text
    short_cats = rules.plain_reason("credits_cycle", False, "", ctx(transcript=transcript(counted=40))).text
    assert short_cats.startswith("2026-2030 周期学分总数已达到 36 学分，但必修类别未修满")
    year = rules.plain_reason("credits_yearly_minimum", True, "", ctx(transcript=t)).text
    assert year == "2026 年已认定 12.5 学分，年度最低 4 学分，已达到。"
    pace = rules.plain_reason("credits_on_track", False, "", ctx(transcript=t)).text
    assert pace == "2026-2030 周期学分进度落后：已认定 12.5 学分，按时间进度此时应达 6.57 学分。"


def test_title_evaluations_and_hours_in_words() -> None:
    assert rules.plain_reason("title_minimum", False, "", ctx()).text == "现任职称：二级；骨干选拔要求一级及以上。"
    detail = "not qualified or better in 2021-2022: no evaluation; 2022-2023: basically_qualified"
    r = rules.plain_reason("ethics_evaluations", False, detail, ctx())
    assert r.text == "以下学年师德考核未达到合格及以上：2021-2022 学年无考核记录、2022-2023 学年基本合格。"
    # a year whose grade counts lower than recorded: a sanction of that year caps it
    capped = (
        "not qualified or better in 2022-2023: basically_qualified (recorded qualified, capped by a demerit); "
        "2023-2024: unqualified (recorded excellent, capped by a post_grade_lowered)"
    )
    r = rules.plain_reason("ethics_evaluations", False, capped, ctx())
    assert r.text == (
        "以下学年师德考核未达到合格及以上：2022-2023 学年基本合格（记录为合格，受记过处分限定）、"
        "2023-2024 学年不合格（记录为优秀，受降低岗位等级处分限定）。"
    )
    r = rules.plain_reason("training_hours", False, "116 of 360 hours of study recorded in 2026-2030", ctx())
    assert r.text == "本注册周期已记录 116 学时，教师资格定期注册要求 360 学时，还差 244 学时。"
    # a rule or a detail the page does not know: the service's own words
    assert rules.plain_reason("new_rule", False, "something new", ctx()).text == "something new"
    assert rules.plain_reason("training_hours", True, "odd form", ctx()).text == "odd form"


def test_eligibility_card_summary() -> None:
    answer = EligibilityOut(
        staff_id=1,
        eligible=False,
        purpose=Purpose.award,
        on=ON,
        window=WindowOut(cycle=None, years=[ON.year - 1], words=""),
        reasons=[
            ReasonOut(rule="ethics_veto", passed=False, detail="记过处分 (demerit)", words=""),
            ReasonOut(rule="dual_certificate", passed=True, detail="", words=""),
        ],
    )
    card = rules.eligibility_card(answer, ctx())
    assert card.label == "评优评先"
    assert card.summary == "不能参加评优评先：师德一票否决。"
    answer.reasons[0] = ReasonOut(rule="ethics_veto", passed=True, detail="", words="")
    answer.reasons.append(ReasonOut(rule="credits_yearly_minimum", passed=False, detail="", words=""))
    assert rules.eligibility_card(answer, ctx()).summary == "暂不符合评优评先的条件（年度学分未达到）。"
    answer.eligible = True
    assert rules.eligibility_card(answer, ctx()).summary == "符合评优评先的条件。"


# --- plan, staffing and the gap chart -------------------------------------------------------------------------


def test_target_bars() -> None:
    people = NS(
        code="teachers_added", label="补充专任教师", unit="people", target=2500.0, achieved=1163.0, remaining=1337.0
    )
    b = rules.target_bar(people)
    assert (b.value, b.max, b.percent, b.ok) == (1163, 2500, 46.5, False)
    assert b.text == "1,163 / 2,500 人（46.5%），还差 1,337 人"
    rate = NS(code="dual", label="双证", unit="rate", target=1.0, achieved=0.9656, remaining=0.0344)
    assert rules.target_bar(rate).text == "96.6%（目标 100.0%）"
    free = NS(code="backbone", label="骨干", unit="rate", target=None, achieved=0.3195, remaining=None)
    b = rules.target_bar(free)
    assert (b.max, b.ok, b.text) == (1.0, None, "32.0%")
    assert "未给出数值目标" in b.note


def test_target_notes_say_what_is_counted() -> None:
    plan = NS(counted_from=date(2018, 1, 1), counted_to=date(2020, 12, 31))
    teachers = NS(code="teachers_added", achieved=1186.0, still_on_roll=1163)
    note = rules.target_note(teachers, plan, {"teacher": 4398, "health_doctor": 0})
    assert note == (
        "计划期内（2018-01-01 至 2020-12-31）补充的人数（每人计一次，含此后离职者），其中仍在职 1,163 人；"
        "计划期后另补充 4,398 人，不计入本目标"
    )
    doctors = NS(code="health_doctors_added", achieved=55.0, still_on_roll=54)
    assert rules.target_note(doctors, plan, {"teacher": 4398, "health_doctor": 0}).endswith("其中仍在职 54 人")
    assert rules.target_note(NS(code="dual", still_on_roll=None), plan, {}) == ""
    before = NS(counted_from=None, counted_to=None)
    assert rules.target_note(teachers, before, {}) == ""


def test_staffing_bar_without_a_requirement() -> None:
    b = rules.staffing_bar(NS(post="childcare_worker", required=0, qualified=2, gap=0))
    assert b.ok is None and "标准不要求配备" in b.text
    b = rules.staffing_bar(NS(post="teacher", required=69, qualified=56, gap=13))
    assert (b.value, b.max, b.ok, b.note) == (56, 69, False, "还缺 13 人")


def test_gap_chart_geometry() -> None:
    def row(key: str, **gaps: int) -> NS:
        return NS(key=key, label=key, posts=[NS(post=p, gap=g) for p, g in gaps.items()])

    chart = rules.gap_chart(
        [row("乙", teacher=5, health_doctor=5), row("甲", teacher=10, childcare_worker=10), row("丙", teacher=0)]
    )
    assert [c.key for c in chart] == ["甲", "乙"]  # largest first; no gap, no row
    first, second = chart
    assert first.total == 20
    assert [(s.key, s.x, s.width) for s in first.segments] == [("teacher", 0, 50), ("childcare_worker", 50, 50)]
    assert [(s.key, s.x, s.width) for s in second.segments] == [("teacher", 0, 25), ("health_doctor", 25, 25)]
    assert second.description == "乙：缺口 10 人（专任教师 5，卫生保健人员 5）"
    assert rules.gap_chart([]) == []


def test_match_words_and_placement_message() -> None:
    m = NS(
        ready=False,
        missing=["post_certificate"],
        prefers_street=True,
        available_from=date(2027, 1, 1),
        available_to=None,
    )
    assert rules.match_words(m, "望京街道", ON) == [
        "需先参加岗前培训，缺少：上岗证",
        "意向街乡：望京街道",
        "2027-01-01 起可到岗",
    ]
    out = NS(
        status="pending_induction",
        post="teacher",
        starts_on=date(2026, 11, 1),
        missing=["post_certificate"],
        flags=["no_gap"],
    )
    text = rules.placement_message(out, "王晓雨")
    assert (
        text
        == "已安置王晓雨：专任教师，2026-11-01 起，状态：待岗培训（尚缺：上岗证）。请注意：该园该岗位当前没有缺口。"
    )


# --- navigation -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/staff/5/credits", "/staff/5/credits"),
        ("/kindergartens?street=望京街道", "/kindergartens?street=望京街道"),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("https://evil.example/", None),
        ("javascript:alert(1)", None),
        ("/login", None),
        ("/logout", None),
        ("/x\r\nSet-Cookie: a=b", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_next(target: str | None, expected: str | None) -> None:
    assert rules.safe_next(target) == expected


def test_home_of_each_role() -> None:
    assert rules.home_of(Role.teacher, 3, 7) == "/staff/7"
    assert rules.home_of(Role.kindergarten_admin, 3, None) == "/kindergartens/3"
    assert rules.home_of(Role.district_hr, None, None) == "/dashboard"
    assert rules.home_of(Role.inspector, None, None) == "/dashboard"


def test_lockout_message_in_minutes() -> None:
    assert rules.lockout_message(61) == "登录失败次数过多，账户已暂时锁定，请 2 分钟后再试。"
    assert rules.lockout_message(5) == "登录失败次数过多，账户已暂时锁定，请 1 分钟后再试。"
