"""A passed result earns credits for the hours passed, at the policy's rate; the results of one course
and person together never exceed the course's hours; a result can be corrected (its ledger entry
reversed and the corrected one written, audited, in one transaction)."""

from __future__ import annotations

from typing import Any

from tests.support import World
from tests.training.helpers import API, HR, enrolled, make_course, make_session, new_staff, post_result


async def ledger(client: Any, world: World, staff_id: int) -> list[dict[str, Any]]:
    t = await client.get(f"{API}/staff/{staff_id}/credits?cycle=2021-2025", headers=world.h(HR))
    assert t.status_code == 200, t.text
    return [e for e in t.json()["entries"] if e["source"] == "training"]


def net(entries: list[dict[str, Any]]) -> tuple[float, float]:
    return round(sum(e["hours"] for e in entries), 2), round(sum(e["credits"] for e in entries), 2)


async def result_for(client: Any, world: World, course: dict[str, Any], person: int, hours: float, day: str) -> Any:
    session = await make_session(client, world, course["id"], starts_on=day, ends_on=day)
    enrolment = await enrolled(client, world, session["id"], person)
    r = await post_result(client, world, enrolment, hours=hours, completed_on=day)
    assert r.status_code == 201, r.text
    return r.json()


async def test_credits_follow_the_hours_passed_up_to_the_course(client: Any, world: World) -> None:
    """STANDARDS: 80 h of a 120 h in-person induction course earn 8 credits (not the course's 12); a
    40 h make-up earns 4 more; anything after that earns nothing: 120 h, 12 credits in all."""
    person = (await new_staff(client, world, world.kg_a["id"]))["id"]
    course = await make_course(client, world, category="induction", hours=120, mode="in_person")
    assert course["credits"] == 12
    await result_for(client, world, course, person, 80, "2024-03-01")
    assert net(await ledger(client, world, person)) == (80, 8)
    await result_for(client, world, course, person, 60, "2024-04-01")  # only 40 of its 60 h are left to earn
    assert net(await ledger(client, world, person)) == (120, 12)
    await result_for(client, world, course, person, 40, "2024-05-01")
    entries = await ledger(client, world, person)
    assert net(entries) == (120, 12) and len(entries) == 2  # nothing more to earn: no entry


async def test_an_online_course_earns_at_its_own_rate(client: Any, world: World) -> None:
    person = (await new_staff(client, world, world.kg_a["id"]))["id"]
    course = await make_course(client, world, category="general", hours=40, mode="online")  # 20 h = 1 credit
    await result_for(client, world, course, person, 30, "2024-03-01")
    assert net(await ledger(client, world, person)) == (30, 1.5)


async def test_a_result_is_corrected_with_its_credits(client: Any, world: World) -> None:
    person = (await new_staff(client, world, world.kg_a["id"]))["id"]
    course = await make_course(client, world, category="induction", hours=120, mode="in_person")
    result = await result_for(client, world, course, person, 80, "2024-03-01")
    url = f"{API}/training/results/{result['id']}/correction"
    r = await client.post(url, json={"hours": 100, "reason": "签到表漏记 20 学时"}, headers=world.h(HR))
    assert r.status_code == 200, r.text
    assert r.json()["hours"] == 100 and r.json()["passed"] is True
    entries = await ledger(client, world, person)
    assert net(entries) == (100, 10)
    assert sorted(e["reference"] for e in entries) == sorted(
        [f"training_result:{result['id']}", f"reversal:{entries[0]['id']}", f"training_result:{result['id']}:c2"]
    )
    audit = await client.get(f"{API}/audit?entity=training_result&entity_id={result['id']}", headers=world.h(HR))
    [event] = [e for e in audit.json()["items"] if e["action"] == "correct"]
    assert event["before"]["hours"] == 80 and event["after"]["hours"] == 100
    assert event["after"]["reason"] == "签到表漏记 20 学时"
    # corrected to failed: the credits go, nothing new is written
    r = await client.post(
        url, json={"passed": False, "score": 40, "reason": "考核不合格，录入有误"}, headers=world.h(HR)
    )
    assert r.status_code == 200, r.text
    assert net(await ledger(client, world, person)) == (0, 0)
    # bad corrections: 422 naming the field, nothing written; a missing result 404
    for body, field in (({"hours": 121, "reason": "x"}, "hours"), ({"reason": "x"}, "hours")):
        bad = await client.post(url, json=body, headers=world.h(HR))
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == field, bad.text
    no_reason = await client.post(url, json={"hours": 90}, headers=world.h(HR))
    assert no_reason.status_code in (400, 422) and "reason" in no_reason.text
    missing = await client.post(
        f"{API}/training/results/999999/correction", json={"hours": 1, "reason": "x"}, headers=world.h(HR)
    )
    assert missing.status_code == 404
    assert net(await ledger(client, world, person)) == (0, 0)


async def test_a_yearly_course_taken_again_next_year_earns_again(client: Any, world: World) -> None:
    """District reading of the course cap: within one calendar year (a make-up completes the course);
    the yearly required ethics course taken again in the next year earns its credits again."""
    person = (await new_staff(client, world, world.kg_a["id"]))["id"]
    course = await make_course(client, world, category="ethics", hours=20, mode="in_person")
    await result_for(client, world, course, person, 20, "2023-06-01")
    await result_for(client, world, course, person, 20, "2023-11-01")  # the same year: nothing more
    await result_for(client, world, course, person, 20, "2024-06-01")  # the next year: earns again
    entries = await ledger(client, world, person)
    assert net(entries) == (40, 4) and sorted(e["date"] for e in entries) == ["2023-06-01", "2024-06-01"]
