"""GET /plan/progress: what the plan's 2,500 teachers and 500 health doctors count. ``achieved`` is every
addition made in the plan's period (hires and pool placements, each person once per post), those who
have left since included; ``still_on_roll`` is those of them still on the roll on the day.

The test database is shared by the whole run, so every figure is compared before and after this test's
own people are written."""

from __future__ import annotations

from datetime import date
from typing import Any

from registry.staff.tables import StaffAssignment
from tests.staffing.helpers import API, HR, make_candidate, make_kindergarten, street, teacher_certificates
from tests.support import World, insert_staff, new_id_number


async def progress(client: Any, world: World, on: str | None = None) -> dict[str, Any]:
    r = await client.get(f"{API}/plan/progress" + (f"?on={on}" if on else ""), headers=world.h(HR))
    assert r.status_code == 200, r.text
    body = r.json()
    return {t["code"]: t for t in body["targets"]} | {"_": body}


def figures(body: dict[str, Any], code: str) -> tuple[int, int]:
    """(achieved, still_on_roll) of a people target."""
    t = body[code]
    return int(t["achieved"]), int(t["still_on_roll"])


def moved(before: dict[str, Any], after: dict[str, Any], code: str) -> tuple[int, int]:
    (a0, s0), (a1, s1) = figures(before, code), figures(after, code)
    return a1 - a0, s1 - s0


async def hire(
    kindergarten_id: int,
    post: str,
    hired_on: date,
    left_on: date | None = None,
    id_number: str | None = None,
) -> int:
    """Someone hired on ``hired_on`` (and, with ``left_on``, left since), with the assignment history a hire
    and a leaving write."""
    staff_id = await insert_staff(
        kindergarten_id,
        post=post,
        status="left" if left_on else "on_post",
        hired_on=hired_on,
        left_on=left_on,
        id_number=id_number or new_id_number(born=date(1990, 3, 3)),
    )
    await StaffAssignment.update({StaffAssignment.starts_on: hired_on, StaffAssignment.ends_on: left_on}).where(
        StaffAssignment.staff == staff_id
    )
    return staff_id


async def kindergarten(client: Any, world: World) -> dict[str, Any]:
    return await make_kindergarten(client, world, street=street(), classes={"small": 2}, children=50, places=60)


async def test_an_addition_who_has_left_since_still_counts(client: Any, world: World) -> None:
    kg = await kindergarten(client, world)
    before = await progress(client, world)
    await hire(kg["id"], "teacher", date(2019, 5, 1), left_on=date(2022, 6, 30))
    await hire(kg["id"], "teacher", date(2020, 2, 1))
    after = await progress(client, world)
    # both were added in the period; only the one who stayed is still on the roll
    assert moved(before, after, "teachers_added") == (2, 1)
    assert after["teachers_added"]["remaining"] == max(0, 2500 - after["teachers_added"]["achieved"])
    assert moved(before, after, "health_doctors_added") == (0, 0)
    assert after["_"]["added_after_period"] == before["_"]["added_after_period"]
    words = after["teachers_added"]["detail"]
    assert "含此后离职者" in words  # the reader's language: Chinese by default
    assert f"其中 {after['teachers_added']['still_on_roll']} 人" in words


async def test_the_leaving_day_ends_the_roll(client: Any, world: World) -> None:
    """still_on_roll on a past day: ``left_on`` is the last day worked (as the assignment's end and the
    ledger read it), so the leaver counts through it and not the day after."""
    kg = await kindergarten(client, world)
    leaving_day = await progress(client, world, "2023-03-31")
    day_after = await progress(client, world, "2023-04-01")
    await hire(kg["id"], "health_doctor", date(2018, 4, 1), left_on=date(2023, 3, 31))
    assert moved(leaving_day, await progress(client, world, "2023-03-31"), "health_doctors_added") == (1, 1)
    assert moved(day_after, await progress(client, world, "2023-04-01"), "health_doctors_added") == (1, 0)


async def test_the_period_counts_its_first_and_last_day_and_nothing_outside(client: Any, world: World) -> None:
    kg = await kindergarten(client, world)
    before = await progress(client, world)
    before_end = await progress(client, world, "2020-12-30")
    for day in (date(2017, 12, 31), date(2018, 1, 1), date(2020, 12, 31), date(2021, 1, 1)):
        await hire(kg["id"], "health_doctor", day)
    after = await progress(client, world)
    assert moved(before, after, "health_doctors_added") == (2, 2)  # 2018-01-01 and 2020-12-31
    assert moved(before, after, "teachers_added") == (0, 0)
    # the day after the period is an addition after it, counted towards no target of this plan
    added_after = after["_"]["added_after_period"]["health_doctor"]
    assert added_after == before["_"]["added_after_period"]["health_doctor"] + 1
    # on the period's last day but one, its last day has not come yet
    assert moved(before_end, await progress(client, world, "2020-12-30"), "health_doctors_added") == (1, 1)


async def test_someone_added_twice_in_the_period_counts_once(client: Any, world: World) -> None:
    """Hired in the period, left, placed again from the pool in the period: one addition. Someone who
    was on the roll before the period, left, and was placed again in it: an addition."""
    kg = await kindergarten(client, world)
    twice, returning = new_id_number(born=date(1992, 6, 1)), new_id_number(born=date(1975, 6, 1))
    await hire(kg["id"], "teacher", date(2018, 9, 1), left_on=date(2019, 6, 30), id_number=twice)
    await hire(kg["id"], "teacher", date(2010, 9, 1), left_on=date(2016, 7, 31), id_number=returning)
    before = await progress(client, world)
    for idn in (twice, returning):
        c = await make_candidate(
            client, world, id_number=idn, available_from="2019-09-01", certificates=teacher_certificates()
        )
        r = await client.post(
            f"{API}/pool/candidates/{c['id']}/placement",
            json={"kindergarten_id": kg["id"], "post": "teacher", "starts_on": "2020-03-01"},
            headers=world.h(HR),
        )
        assert r.status_code == 201, r.text
        assert r.json()["reactivated"] and r.json()["counts_towards_plan"]
    after = await progress(client, world)
    # the first was counted already (as a leaver); now back on the roll. The second is a new addition.
    assert moved(before, after, "teachers_added") == (1, 2)


async def test_an_addition_counts_in_the_post_it_was_made_in(client: Any, world: World) -> None:
    """A teacher hired in the period who is now a vice principal is still one of the teachers added;
    a childcare worker hired in the period who is now a teacher is not."""
    kg = await kindergarten(client, world)
    before = await progress(client, world)
    teacher = await hire(kg["id"], "teacher", date(2019, 9, 1))
    worker = await hire(kg["id"], "childcare_worker", date(2019, 9, 1))
    assert moved(before, await progress(client, world), "teachers_added") == (1, 1)
    for staff_id, post in ((teacher, "vice_principal"), (worker, "teacher")):
        r = await client.patch(
            f"{API}/staff/{staff_id}", json={"post": post, "status": "on_leave"}, headers=world.h(HR)
        )
        assert r.status_code == 200, r.text
        assert moved(before, await progress(client, world), "teachers_added") == (1, 1), post


async def test_only_people_targets_have_still_on_roll(client: Any, world: World) -> None:
    body = await progress(client, world)
    for code, t in body.items():
        if code == "_":
            continue
        if t["unit"] == "people":
            assert 0 <= t["still_on_roll"] <= t["achieved"]
        else:
            assert t["still_on_roll"] is None
