"""Issue 13 through the API: other measures (其他处理, 取消资格) are recorded and bar; a sanction's grade
cap holds whatever the order of recording (the sanction POST and GET /staff/{id}/ethics flag the
evaluation recorded above the cap, and every answer reads the capped grade)."""

from __future__ import annotations

from typing import Any

import pytest

from ethics.codes import EthicsGrade
from kernel.codes import label
from tests.credits.test_eligibility_api import compliant_teacher, rule, twice_the_requirement
from tests.support import World, insert_staff, kindergarten_body

API = "/api/v1"
HR = "district_hr"
PURPOSES = ("title", "backbone", "award", "promotion", "registration")
CYCLE_YEARS = ("2020-2021", "2021-2022", "2022-2023", "2023-2024")


async def own_kindergarten(client: Any, world: World) -> int:
    """A kindergarten of the test's own, so that no other test's list grows."""
    r = await client.post(f"{API}/kindergartens", json=kindergarten_body(), headers=world.h(HR))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def sanction(client: Any, world: World, sid: int, kind: str | None, decided_on: str, **over: Any) -> Any:
    body = {"violation": 6, "facts": "体罚幼儿", "sanction": kind, "decided_on": decided_on, **over}
    r = await client.post(f"{API}/staff/{sid}/ethics/sanctions", json=body, headers=world.h(HR))
    assert r.status_code == 201, r.text
    return r.json()


async def evaluate(client: Any, world: World, sid: int, year: str, grade: str, **over: Any) -> Any:
    body = {"school_year": year, "grade": grade, "evaluated_on": f"{year[-4:]}-07-01", **over}
    return await client.post(f"{API}/staff/{sid}/ethics/evaluations", json=body, headers=world.h(HR))


async def ethics(client: Any, world: World, sid: int) -> Any:
    r = await client.get(f"{API}/staff/{sid}/ethics", headers=world.h(HR))
    assert r.status_code == 200, r.text
    return r.json()


async def test_other_measures_are_recorded_and_cap_at_qualified(client: Any, world: World) -> None:
    sid = await insert_staff(await own_kindergarten(client, world))
    s = await sanction(client, world, sid, "other_measures", "2025-03-10", facts="诫勉谈话，取消两年评优评先资格")
    assert (s["sanction"], s["bar_from"], s["bar_until"]) == ("other_measures", "2025-03-10", "2027-03-10")
    assert (s["school_year"], s["grade_cap"], s["capped_evaluation_id"], s["notice"]) == (
        "2024-2025",
        "qualified",
        None,
        None,
    )
    refused = await evaluate(client, world, sid, "2024-2025", "excellent", evaluated_on="2025-07-01")
    assert refused.status_code == 409, refused.text
    assert refused.json()["cap"] == "qualified"
    assert refused.json()["detail"].startswith("2025-03-10 决定的其他处理（取消评优评先等资格）将 2024-2025 学年")
    assert (await evaluate(client, world, sid, "2024-2025", "qualified")).status_code == 201
    shown = await ethics(client, world, sid)
    assert [x["sanction"] for x in shown["sanctions"]] == ["other_measures"]
    assert shown["current"][0]["capped_grade"] == "qualified" and shown["current"][0]["above_cap"] is False


@pytest.mark.parametrize("day", ["2026-07-01", "2027-03-10"])
async def test_other_measures_veto_every_purpose_through_the_last_day(client: Any, world: World, day: str) -> None:
    sid = await compliant_teacher(client, world, "level1", await own_kindergarten(client, world))
    await twice_the_requirement(client, world, sid)
    await sanction(client, world, sid, "other_measures", "2025-03-10")
    for purpose in PURPOSES:
        r = await client.get(f"{API}/staff/{sid}/eligibility?purpose={purpose}&on={day}", headers=world.h(HR))
        answer = r.json()
        veto = rule(answer, "ethics_veto")
        assert answer["eligible"] is False and veto["passed"] is False, (purpose, answer)
        assert (
            veto["words"]
            == "其他处理（取消评优评先等资格） 2025-03-10 起至 2027-03-10 期间不得参加评奖评优、职务晋升、职称评定"
        )
    kg = (await client.get(f"{API}/staff/{sid}", headers=world.h(HR))).json()["kindergarten_id"]
    url = f"{API}/eligibility?purpose=award&kindergarten_id={kg}&on={day}&limit=500"
    batch = (await client.get(url, headers=world.h(HR))).json()
    row = next(x for x in batch["items"] if x["staff_id"] == sid)
    assert row["eligible"] is False and row["failing"][0]["rule"] == "ethics_veto"


async def test_other_measures_bar_no_day_after(client: Any, world: World) -> None:
    sid = await compliant_teacher(client, world, "level1", await own_kindergarten(client, world))
    await sanction(client, world, sid, "other_measures", "2025-03-10")
    for purpose in PURPOSES:
        r = await client.get(f"{API}/staff/{sid}/eligibility?purpose={purpose}&on=2027-03-11", headers=world.h(HR))
        assert rule(r.json(), "ethics_veto")["passed"] is True, purpose


# --- the order of recording ---------------------------------------------------------------------------


async def both_orders(
    client: Any, world: World, kind: str, year: str, better: str, decided_on: str
) -> tuple[int, int, int]:
    """Two people with the same records of ``year``: one has the sanction recorded first (a grade
    better than its cap is refused, so the office records the cap), the other the evaluation first
    (the better grade), then the sanction. The other cycle years are qualified for both."""
    kg = await own_kindergarten(client, world)
    first, then = (
        await compliant_teacher(client, world, kindergarten_id=kg),
        await compliant_teacher(client, world, kindergarten_id=kg),
    )
    for sid in (first, then):
        await twice_the_requirement(client, world, sid)
        for other in CYCLE_YEARS:
            if other != year:
                assert (await evaluate(client, world, sid, other, "qualified")).status_code == 201
    s = await sanction(client, world, first, kind, decided_on)
    assert (await evaluate(client, world, first, year, better)).status_code == 409
    assert (await evaluate(client, world, first, year, s["grade_cap"])).status_code == 201
    e = await evaluate(client, world, then, year, better)
    assert e.status_code == 201, e.text
    late = await sanction(client, world, then, kind, decided_on)
    # the sanction's answer flags the evaluation it caps
    assert late["capped_evaluation_id"] == e.json()["id"]
    assert late["grade_cap"] == s["grade_cap"] and late["school_year"] == year
    assert late["notice"] and late["notice"].endswith(f"：各项规则按{label(EthicsGrade, s['grade_cap'])}计")
    assert s["capped_evaluation_id"] is None
    return kg, first, then


def verdicts(answer: dict[str, Any]) -> Any:
    return answer["eligible"], [(r["rule"], r["passed"]) for r in answer["reasons"]]


@pytest.mark.parametrize(
    ("kind", "better", "counted"),
    [
        ("demerit", "qualified", "basically_qualified"),
        ("post_grade_lowered", "excellent", "unqualified"),
        ("warning", "excellent", "qualified"),
    ],
)
async def test_the_same_records_in_both_orders_give_the_same_answers(
    client: Any, world: World, kind: str, better: str, counted: str
) -> None:
    year = "2022-2023"
    kg, first, then = await both_orders(client, world, kind, year, better, "2022-11-15")
    a, b = await ethics(client, world, first), await ethics(client, world, then)
    ea = next(e for e in a["current"] if e["school_year"] == year)
    eb = next(e for e in b["current"] if e["school_year"] == year)
    assert (ea["grade"], ea["capped_grade"], ea["above_cap"], ea["capped_by"]) == (counted, counted, False, None)
    assert (eb["grade"], eb["capped_grade"], eb["above_cap"]) == (better, counted, True)
    assert eb["capped_by"] == b["sanctions"][0]["id"] and "按" in eb["cap_words"]
    assert b["sanctions"][0]["capped_evaluation_id"] == eb["id"]
    assert (a["veto_today"] is None) == (b["veto_today"] is None)
    if a["veto_today"]:
        assert (a["veto_today"]["reason_code"], a["veto_today"]["until"]) == (
            b["veto_today"]["reason_code"],
            b["veto_today"]["until"],
        )
    for on in ("2022-11-14", "2023-06-30", "2023-07-01", "2024-06-30", "2024-07-01", "2024-12-20", "2025-08-31"):
        for purpose in PURPOSES:
            url = f"{API}/staff/{{}}/eligibility?purpose={purpose}&on={on}"
            ra = (await client.get(url.format(first), headers=world.h(HR))).json()
            rb = (await client.get(url.format(then), headers=world.h(HR))).json()
            assert verdicts(ra) == verdicts(rb), (purpose, on, ra, rb)
    # registration reads the capped grade: a demerit or a lowered grade fails the 合格 rule, in words
    registration = (
        await client.get(f"{API}/staff/{then}/eligibility?purpose=registration&on=2024-12-20", headers=world.h(HR))
    ).json()
    evaluations = rule(registration, "ethics_evaluations")
    if counted == "qualified":
        assert evaluations["passed"] is True
    else:
        assert evaluations["passed"] is False
        assert f"{year}: {counted} (recorded {better}, capped by a {kind})" in evaluations["detail"]
        assert "（记录为" in evaluations["words"] and "限定）" in evaluations["words"]
    # the batch reads the same grades as the single answers
    batch = (
        await client.get(
            f"{API}/eligibility?purpose=registration&kindergarten_id={kg}&on=2024-12-20&limit=500",
            headers=world.h(HR),
        )
    ).json()
    rows = {x["staff_id"]: x for x in batch["items"]}
    assert rows[first]["eligible"] == rows[then]["eligible"] == registration["eligible"]
    assert [f["rule"] for f in rows[first]["failing"]] == [f["rule"] for f in rows[then]["failing"]]


async def test_a_capped_unqualified_vetoes_and_lifting_the_sanction_restores_the_grade(
    client: Any, world: World
) -> None:
    """A lowered grade recorded after a `qualified` of its year: the year counts 不合格 and vetoes (the
    detail says it was recorded 合格); an appeal that lifts the sanction restores the recorded grade."""
    sid = await insert_staff(await own_kindergarten(client, world))
    e = (await evaluate(client, world, sid, "2023-2024", "qualified")).json()
    lowered = await sanction(client, world, sid, "post_grade_lowered", "2023-10-09")
    assert lowered["capped_evaluation_id"] == e["id"]
    assert lowered["notice"].startswith("2023-2024 学年师德考核（#")
    veto = (await ethics(client, world, sid))["veto_today"]  # the bar ended 2025-10-09; never replaced
    assert veto["reason_code"] == "unqualified_evaluation" and veto["until"] is None
    assert "记录为合格，降低岗位等级处分（2023-10-09 决定）" in veto["detail"]
    lifted = await sanction(client, world, sid, None, "2024-01-10", supersedes=lowered["id"])
    assert (lifted["grade_cap"], lifted["capped_evaluation_id"]) == (None, None)
    shown = await ethics(client, world, sid)
    assert shown["veto_today"] is None
    assert (shown["current"][0]["capped_grade"], shown["current"][0]["above_cap"]) == ("qualified", False)
    # the superseded sanction flags nothing any more
    assert all(x["capped_evaluation_id"] is None for x in shown["sanctions"])


async def test_the_flag_is_audited_with_the_sanction(client: Any, world: World) -> None:
    sid = await insert_staff(await own_kindergarten(client, world))
    e = (await evaluate(client, world, sid, "2023-2024", "excellent")).json()
    s = await sanction(client, world, sid, "warning", "2024-05-01")
    items = (await client.get(f"{API}/audit?entity=ethics_sanction&entity_id={s['id']}", headers=world.h(HR))).json()
    assert items["items"][0]["after"]["capped_evaluation"] == e["id"]
