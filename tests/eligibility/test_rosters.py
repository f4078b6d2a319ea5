"""A round lists the people on post on its own day (their assignment that day, not today's), in the
posts its purpose applies to (policy eligibility.posts); registration, holders of a teacher
qualification. The single answer says why someone is not on the round."""

from __future__ import annotations

from datetime import date
from typing import Any

from registry.staff.tables import Staff, StaffAssignment
from tests.support import World, insert_staff, teacher_qualification_number

API = "/api/v1"
HR = "district_hr"


async def roster(client: Any, world: World, purpose: str, on: str, kindergarten_id: int) -> dict[int, dict[str, Any]]:
    r = await client.get(
        f"{API}/eligibility?purpose={purpose}&kindergarten_id={kindergarten_id}&on={on}&limit=500",
        headers=world.h(HR),
    )
    assert r.status_code == 200, r.text
    return {x["staff_id"]: x for x in r.json()["items"]}


async def single(client: Any, world: World, sid: int, purpose: str, on: str) -> dict[str, Any]:
    r = await client.get(f"{API}/staff/{sid}/eligibility?purpose={purpose}&on={on}", headers=world.h(HR))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def hired(kindergarten_id: int, starts: date, post: str = "teacher", **over: Any) -> int:
    sid = await insert_staff(kindergarten_id, post=post, **over)
    await StaffAssignment.update({StaffAssignment.starts_on: starts}).where(StaffAssignment.staff == sid)
    return sid


async def test_a_past_round_lists_the_staff_of_its_day(client: Any, world: World) -> None:
    kg_a, kg_b = world.kg_a["id"], world.kg_b["id"]
    newcomer = await hired(kg_a, date(2026, 12, 1))
    leaver = await hired(kg_a, date(2020, 9, 1), status="left", left_on=date(2026, 3, 1))
    await StaffAssignment.update({StaffAssignment.ends_on: date(2026, 3, 1)}).where(StaffAssignment.staff == leaver)
    mover = await hired(kg_b, date(2020, 9, 1))  # at B until 2026-05-31, then at A
    await StaffAssignment.update({StaffAssignment.ends_on: date(2026, 5, 31)}).where(StaffAssignment.staff == mover)
    await StaffAssignment.insert(
        StaffAssignment(staff=mover, kindergarten=kg_a, post="teacher", starts_on=date(2026, 6, 1), reason="transfer")
    )
    await Staff.update({Staff.kindergarten: kg_a}).where(Staff.id == mover)

    past_a = await roster(client, world, "award", "2025-12-31", kg_a)
    assert newcomer not in past_a  # hired 2026-12-01
    assert leaver in past_a  # on post then, left since
    assert mover not in past_a  # at B then
    past_b = await roster(client, world, "award", "2025-12-31", kg_b)
    assert mover in past_b and past_b[mover]["kindergarten_id"] == kg_b
    later_a = await roster(client, world, "award", "2026-06-01", kg_a)
    assert mover in later_a and leaver not in later_a  # the day after the leaving day: gone
    assert leaver in await roster(client, world, "award", "2026-03-01", kg_a)  # the leaving day itself

    off = await single(client, world, newcomer, "award", "2025-12-31")
    assert off["eligible"] is False and off["reasons"][0]["rule"] == "roster"
    assert off["reasons"][0]["words"] == "2025-12-31 不在岗，不列入该轮评审名单"
    # the single answer reads the post and kindergarten of the day: same failing rules as the batch row
    answer = await single(client, world, mover, "award", "2025-12-31")
    assert [r for r in answer["reasons"] if not r["passed"]] == past_b[mover]["failing"]


async def test_a_round_lists_the_posts_of_its_purpose(client: Any, world: World) -> None:
    kg = world.kg_a["id"]
    teacher = await hired(kg, date(2020, 9, 1))
    principal = await hired(kg, date(2020, 9, 1), post="principal")
    carer = await hired(kg, date(2020, 9, 1), post="childcare_worker")
    doctor = await hired(kg, date(2020, 9, 1), post="health_doctor")
    title = await roster(client, world, "title", "2026-12-05", kg)
    assert {teacher, principal} <= set(title) and not {carer, doctor} & set(title)
    assert {teacher, principal, carer, doctor} <= set(await roster(client, world, "award", "2026-12-05", kg))
    off = await single(client, world, carer, "title", "2026-12-05")
    assert off["reasons"][0] == {
        "rule": "roster",
        "passed": False,
        "detail": "the title round lists teacher, principal, vice_principal, not childcare_worker",
        "words": "保育员岗位不在该类评审范围内",
    }
    assert all(r["rule"] != "roster" for r in (await single(client, world, teacher, "title", "2026-12-05"))["reasons"])


async def test_registration_lists_holders_of_a_teacher_qualification(client: Any, world: World) -> None:
    kg = world.kg_a["id"]
    holder = await hired(kg, date(2018, 9, 1))
    other = await hired(kg, date(2020, 9, 1))
    r = await client.post(
        f"{API}/staff/{holder}/certificates",
        json={"type": "teacher_qualification", "number": teacher_qualification_number(), "issued_on": "2019-07-01"},
        headers=world.h(HR),
    )
    assert r.status_code == 201, r.text
    listed = await roster(client, world, "registration", "2026-12-05", kg)
    assert holder in listed and other not in listed
    assert holder not in await roster(client, world, "registration", "2019-06-30", kg)  # not yet issued
    assert holder in await roster(client, world, "registration", "2019-07-01", kg)
    off = await single(client, world, other, "registration", "2026-12-05")
    assert off["reasons"][0]["rule"] == "roster" and off["eligible"] is False
