"""veto_on and vetoed_staff: the functions the eligibility code calls."""

from __future__ import annotations

from datetime import date

from ethics import rules
from ethics.reads import Veto, evaluation_of, sanction_of, veto_on, vetoed_staff
from ethics.tables import EthicsEvaluation, EthicsSanction
from kernel.policy import policy_on
from tests.ethics.helpers import put_evaluation, put_sanction
from tests.support import World, insert_staff


async def test_veto_on_a_warning_in_force(world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    await put_sanction(sid, "warning", date(2026, 3, 1))
    assert await veto_on(sid, date(2026, 2, 28)) is None
    v = await veto_on(sid, date(2026, 9, 1))  # the last barred day (Civil Code count)
    assert isinstance(v, Veto)
    assert v.reason_code == "sanction_in_force" and v.until == date(2026, 9, 1)
    assert "警告" in v.detail and "2026-09-01" in v.detail
    assert await veto_on(sid, date(2026, 9, 2)) is None


async def test_veto_on_nothing_recorded(world: World) -> None:
    assert await veto_on(await insert_staff(world.kg_a["id"]), date(2026, 5, 1)) is None


async def test_veto_on_unqualified_evaluation_and_its_correction(world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    first = await put_evaluation(sid, "2024-2025", "unqualified", made=date(2025, 7, 4))
    assert await veto_on(sid, date(2025, 7, 3)) is None  # not before it was made
    v = await veto_on(sid, date(2025, 9, 1))  # the autumn round after it
    assert v is not None and v.reason_code == "unqualified_evaluation" and v.until is None
    assert await veto_on(sid, date(2026, 9, 1)) is not None  # not replaced by a later evaluation
    later = await put_evaluation(sid, "2025-2026", "qualified", made=date(2026, 7, 10))
    v = await veto_on(sid, date(2026, 7, 9))
    assert v is not None and v.until == date(2026, 7, 9)
    assert await veto_on(sid, date(2026, 7, 10)) is None  # replaced, and past the 12 months
    assert later
    await put_evaluation(sid, "2024-2025", "qualified", supersedes=first)
    assert await veto_on(sid, date(2025, 9, 1)) is None


async def test_a_lifted_sanction_does_not_veto(world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    s = await put_sanction(sid, "demerit", date(2026, 1, 10))
    assert await veto_on(sid, date(2026, 5, 1)) is not None
    await put_sanction(sid, None, date(2026, 4, 1), supersedes=s, outcome="lifted")
    assert await veto_on(sid, date(2026, 5, 1)) is None


async def test_vetoed_staff_set_wise(world: World) -> None:
    warned = await insert_staff(world.kg_a["id"])
    failed = await insert_staff(world.kg_b["id"])
    dismissed = await insert_staff(world.kg_b["id"])
    clean = await insert_staff(world.kg_a["id"])
    await put_sanction(warned, "warning", date(2026, 3, 1))
    await put_evaluation(failed, "2025-2026", "unqualified", made=date(2026, 4, 1))
    await put_evaluation(clean, "2025-2026", "excellent")
    await put_sanction(dismissed, "dismissal", date(2020, 1, 1))
    on = date(2026, 5, 1)
    out = await vetoed_staff(on, [warned, failed, dismissed, clean])
    assert set(out) == {warned, failed, dismissed}
    assert out[warned].reason_code == "sanction_in_force"
    assert out[failed].reason_code == "unqualified_evaluation"
    assert out[dismissed].until is None
    everyone = await vetoed_staff(on)  # no filter: the whole district
    assert {warned, failed, dismissed} <= set(everyone) and clean not in everyone
    assert await vetoed_staff(on, []) == {}
    assert set(await vetoed_staff(on, [clean, warned])) == {warned}


async def test_vetoed_staff_agrees_with_the_rules_on_every_edge(world: World) -> None:
    """The set-wise query (it reads only the people with a failed evaluation, and the sanctions in
    force) against the pure rule on each person's whole record, on the days the answers turn."""
    ids = [await insert_staff(world.kg_a["id"]) for _ in range(7)]
    await put_sanction(ids[0], "warning", date(2025, 8, 31))  # through 2026-02-28
    await put_evaluation(ids[1], "2024-2025", "unqualified", made=date(2025, 7, 4))  # never replaced
    await put_evaluation(ids[2], "2024-2025", "unqualified", made=date(2025, 7, 4))
    await put_evaluation(ids[2], "2025-2026", "qualified", made=date(2026, 7, 1))  # within the 12 months
    await put_evaluation(ids[3], "2024-2025", "unqualified", made=date(2025, 7, 4))
    await put_evaluation(ids[3], "2025-2026", "excellent", made=date(2026, 8, 20))  # after them
    wrong = await put_evaluation(ids[4], "2024-2025", "unqualified", made=date(2025, 7, 4))
    await put_evaluation(ids[4], "2024-2025", "qualified", supersedes=wrong, made=date(2025, 7, 20))
    demerit = await put_sanction(ids[5], "demerit", date(2025, 10, 1))
    await put_sanction(ids[5], "warning", date(2025, 10, 1), supersedes=demerit, outcome="changed")
    await put_sanction(ids[6], "dismissal", date(2024, 2, 29))
    days = [
        date(2025, 7, 3), date(2025, 7, 4), date(2025, 8, 31), date(2025, 9, 1), date(2025, 10, 1),
        date(2026, 2, 28), date(2026, 3, 1), date(2026, 4, 1), date(2026, 4, 2), date(2026, 6, 30),
        date(2026, 7, 1), date(2026, 7, 4), date(2026, 7, 5), date(2026, 8, 19), date(2026, 8, 20),
        date(2027, 1, 1),
    ]  # fmt: skip
    records = {
        sid: (
            [evaluation_of(r) for r in await EthicsEvaluation.select().where(EthicsEvaluation.staff == sid)],
            [sanction_of(r) for r in await EthicsSanction.select().where(EthicsSanction.staff == sid)],
        )
        for sid in ids
    }
    answers = {}
    for on in days:
        batch = await vetoed_staff(on, ids)
        policy = policy_on(on).ethics
        for sid in ids:
            expected = rules.veto(on, *records[sid], policy)
            assert batch.get(sid) == expected, (sid, on)
            assert await veto_on(sid, on) == expected
            answers[(ids.index(sid), on)] = expected is not None
    # the answers the rules give on those days, spelled out for the people whose veto turns
    assert [answers[(1, d)] for d in (date(2025, 7, 3), date(2025, 7, 4), date(2027, 1, 1))] == [False, True, True]
    assert [answers[(2, d)] for d in (date(2026, 7, 4), date(2026, 7, 5))] == [True, False]
    assert [answers[(3, d)] for d in (date(2026, 8, 19), date(2026, 8, 20))] == [True, False]
    assert not any(answers[(4, d)] for d in days)
    assert [answers[(5, d)] for d in (date(2026, 4, 1), date(2026, 4, 2))] == [True, False]  # warning: 6 months
    assert [answers[(0, d)] for d in (date(2026, 2, 28), date(2026, 3, 1))] == [True, False]
    assert all(answers[(6, d)] for d in days)
