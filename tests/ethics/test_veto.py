"""veto_on and vetoed_staff: the functions the eligibility code calls."""

from __future__ import annotations

from datetime import date

from ethics.services import Veto, veto_on, vetoed_staff
from tests.ethics.helpers import put_evaluation, put_sanction
from tests.support import World, insert_staff


async def test_veto_on_a_warning_in_force(world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    await put_sanction(sid, "warning", date(2026, 3, 1))
    assert await veto_on(sid, date(2026, 2, 28)) is None
    v = await veto_on(sid, date(2026, 8, 31))
    assert isinstance(v, Veto)
    assert v.reason_code == "sanction_in_force" and v.until == date(2026, 9, 1)
    assert "警告" in v.detail and "2026-09-01" in v.detail
    assert await veto_on(sid, date(2026, 9, 1)) is None


async def test_veto_on_nothing_recorded(world: World) -> None:
    assert await veto_on(await insert_staff(world.kg_a["id"]), date(2026, 5, 1)) is None


async def test_veto_on_unqualified_evaluation_and_its_correction(world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    first = await put_evaluation(sid, "2024-2025", "unqualified")
    v = await veto_on(sid, date(2025, 3, 1))
    assert v is not None and v.reason_code == "unqualified_evaluation" and v.until == date(2025, 9, 1)
    assert await veto_on(sid, date(2025, 9, 1)) is None  # another school year
    await put_evaluation(sid, "2024-2025", "qualified", supersedes=first)
    assert await veto_on(sid, date(2025, 3, 1)) is None


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
    await put_evaluation(failed, "2025-2026", "unqualified")
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


async def test_vetoed_staff_agrees_with_veto_on(world: World) -> None:
    ids = [await insert_staff(world.kg_a["id"]) for _ in range(4)]
    await put_sanction(ids[0], "demerit", date(2025, 10, 1))
    await put_evaluation(ids[1], "2025-2026", "unqualified")
    for on in (date(2025, 9, 30), date(2026, 5, 1), date(2026, 9, 30), date(2026, 10, 1)):
        batch = await vetoed_staff(on, ids)
        for sid in ids:
            assert batch.get(sid) == await veto_on(sid, on)


async def test_veto_before_the_first_policy_version(world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    await put_evaluation(sid, "2016-2017", "unqualified")
    v = await veto_on(sid, date(2017, 3, 1))  # judged by the earliest policy version, not an error
    assert v is not None and v.reason_code == "unqualified_evaluation"
