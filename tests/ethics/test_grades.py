"""The set-wise reads of the grade that counts (``counted_grades``) and of the veto (``vetoed_staff``)
against the pure rules on each person's whole record, with sanctions recorded before and after their
year's evaluation."""

from __future__ import annotations

from datetime import date
from typing import Any

from ethics import rules
from ethics.reads import counted_grades, evaluation_of, policy_of_year, sanction_of, veto_on, vetoed_staff
from ethics.tables import EthicsEvaluation, EthicsSanction
from kernel.policy import policy_on
from tests.ethics.helpers import put_evaluation, put_sanction
from tests.support import World, insert_staff, kindergarten_body

YEARS = ["2022-2023", "2023-2024", "2024-2025", "2025-2026"]


async def records(ids: list[int]) -> tuple[list[rules.EvaluationRecord], list[rules.SanctionRecord]]:
    evs = [evaluation_of(r) for r in await EthicsEvaluation.select().where(EthicsEvaluation.staff.is_in(ids))]
    sas = [sanction_of(r) for r in await EthicsSanction.select().where(EthicsSanction.staff.is_in(ids))]
    return evs, sas


async def people(client: Any, world: World) -> list[int]:
    """Eleven people (of a kindergarten of their own) whose grades and vetoes turn on the caps, in both
    orders of recording."""
    r = await client.post("/api/v1/kindergartens", json=kindergarten_body(), headers=world.h("district_hr"))
    assert r.status_code == 201, r.text
    ids = [await insert_staff(r.json()["id"]) for _ in range(11)]
    july = date(2025, 7, 4)
    # 0: evaluation first, then a demerit of its year: counts basically_qualified
    await put_evaluation(ids[0], "2024-2025", "qualified", made=july)
    await put_sanction(ids[0], "demerit", date(2025, 8, 20))
    # 1: a lowered grade first, then the evaluation at the cap: unqualified as recorded
    await put_sanction(ids[1], "post_grade_lowered", date(2024, 10, 1))
    await put_evaluation(ids[1], "2024-2025", "unqualified", made=july)
    # 2: the same the other way round: qualified recorded, counts unqualified and vetoes
    await put_evaluation(ids[2], "2024-2025", "qualified", made=july)
    await put_sanction(ids[2], "post_grade_lowered", date(2024, 10, 1))
    # 3: as 2, and a later evaluation replaces it (made 2026-07-01, within the 12 months)
    await put_evaluation(ids[3], "2024-2025", "excellent", made=july)
    await put_sanction(ids[3], "removal", date(2025, 1, 15))
    await put_evaluation(ids[3], "2025-2026", "qualified", made=date(2026, 7, 1))
    # 4: the capping sanction lifted on appeal: the recorded grade counts again
    await put_evaluation(ids[4], "2024-2025", "excellent", made=july)
    lowered = await put_sanction(ids[4], "post_grade_lowered", date(2024, 12, 1))
    await put_sanction(ids[4], None, date(2025, 2, 1), supersedes=lowered, outcome="lifted")
    # 5: a warning changed into a lowered grade on appeal (same bar_from): capped by the new one
    await put_evaluation(ids[5], "2024-2025", "basically_qualified", made=july)
    warning = await put_sanction(ids[5], "warning", date(2025, 3, 1))
    await put_sanction(ids[5], "post_grade_lowered", date(2025, 3, 1), supersedes=warning, outcome="changed")
    # 6: a sanction of another school year caps nothing here
    await put_evaluation(ids[6], "2024-2025", "excellent", made=july)
    await put_sanction(ids[6], "dismissal", date(2025, 9, 1))
    # 7: other measures: no 优秀 in their year, no veto by the grade
    await put_evaluation(ids[7], "2023-2024", "excellent", made=date(2024, 7, 4))
    await put_sanction(ids[7], "other_measures", date(2023, 11, 1))
    # 8: a corrected evaluation (the current one is capped), and a warning too
    wrong = await put_evaluation(ids[8], "2022-2023", "excellent", made=date(2023, 7, 4))
    await put_evaluation(ids[8], "2022-2023", "qualified", supersedes=wrong, made=date(2023, 7, 20))
    await put_sanction(ids[8], "warning", date(2023, 6, 1))
    await put_sanction(ids[8], "demerit", date(2023, 8, 31))
    # 9: a lowered grade decided after the year's evaluation, on the year's last day
    await put_evaluation(ids[9], "2025-2026", "qualified", made=date(2026, 7, 1))
    await put_sanction(ids[9], "post_grade_lowered", date(2026, 8, 31))
    # 10: nothing capped
    await put_evaluation(ids[10], "2024-2025", "excellent", made=july)
    return ids


async def test_counted_grades_read_set_wise_as_the_rule_counts(client: Any, world: World) -> None:
    ids = await people(client, world)
    evs, sas = await records(ids)
    expected: dict[int, dict[str, rules.CountedGrade]] = {}
    for (staff_id, year), c in rules.counted_grades(evs, sas, policy_of_year).items():
        if year in YEARS:
            expected.setdefault(staff_id, {})[year] = c
    assert await counted_grades(YEARS, ids) == expected
    selection = (f"s.id IN ({', '.join('{}' for _ in ids)})", list(ids))
    assert await counted_grades(YEARS, selection=selection) == expected
    everyone = await counted_grades(YEARS)  # everyone on post
    assert {sid: everyone[sid] for sid in ids if sid in everyone} == expected
    # one year at a time reads the same
    for year in YEARS:
        alone = await counted_grades([year], ids)
        assert alone == {sid: {year: g[year]} for sid, g in expected.items() if year in g}
    grades = {(ids.index(sid), y): c.grade for sid, g in expected.items() for y, c in g.items()}
    assert grades[(0, "2024-2025")] == "basically_qualified"
    assert grades[(1, "2024-2025")] == grades[(2, "2024-2025")] == grades[(3, "2024-2025")] == "unqualified"
    assert grades[(4, "2024-2025")] == "excellent" and grades[(6, "2024-2025")] == "excellent"
    assert grades[(5, "2024-2025")] == "unqualified" and grades[(7, "2023-2024")] == "qualified"
    assert grades[(8, "2022-2023")] == "basically_qualified" and grades[(9, "2025-2026")] == "unqualified"
    assert expected[ids[2]]["2024-2025"].above_cap and not expected[ids[1]]["2024-2025"].above_cap
    assert await counted_grades([], ids) == {} and await counted_grades(YEARS, []) == {}


async def test_vetoed_staff_reads_capped_grades_as_the_rule_does(client: Any, world: World) -> None:
    ids = await people(client, world)
    days = [
        date(2024, 10, 1), date(2025, 7, 3), date(2025, 7, 4), date(2025, 8, 20), date(2026, 7, 1),
        date(2026, 7, 4), date(2026, 7, 5), date(2026, 8, 30), date(2026, 8, 31), date(2026, 10, 1),
        date(2027, 1, 15), date(2027, 1, 16), date(2027, 7, 1), date(2027, 7, 2), date(2028, 1, 1),
    ]  # fmt: skip
    per_person = {sid: await records([sid]) for sid in ids}
    answers = {}
    for on in days:
        batch = await vetoed_staff(on, ids)
        policy = policy_on(on).ethics
        for sid in ids:
            expected = rules.veto(on, *per_person[sid], policy, policy_of_year)
            assert batch.get(sid) == expected, (ids.index(sid), on)
            assert await veto_on(sid, on) == expected
            answers[(ids.index(sid), on)] = None if expected is None else (expected.reason_code, expected.until)
    # 1 and 2 hold the same records but for the order and the recorded grade: the same answers
    assert all(answers[(1, d)] == answers[(2, d)] for d in days)
    assert answers[(2, date(2028, 1, 1))] == ("unqualified_evaluation", None)  # never replaced
    # 3: replaced on 2026-07-01, within the 12 months: the evaluation vetoes through 2026-07-04 and
    # the removal through 2027-01-15
    assert answers[(3, date(2026, 7, 5))] == ("sanction_in_force", date(2027, 1, 15))
    assert answers[(3, date(2027, 1, 16))] is None
    assert answers[(4, date(2025, 7, 4))] is None  # lifted
    # 9: a lowered grade of 2026-08-31 caps the evaluation made 2026-07-01 from that day on
    assert answers[(9, date(2026, 7, 1))] == ("unqualified_evaluation", None)
    assert answers[(0, date(2025, 8, 20))] == ("sanction_in_force", date(2026, 8, 20))  # demerit: no grade veto
    assert answers[(0, date(2028, 1, 1))] is None and answers[(7, date(2028, 1, 1))] is None
