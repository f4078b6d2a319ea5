"""A passed result earns credits for the hours passed, at the policy's rate; the results of one course
and person together never exceed the course's hours; a result can be corrected (its ledger entry
reversed and the corrected one written, audited, in one transaction)."""

from __future__ import annotations

from typing import Any

from credits.tables import CreditEntry
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


async def transcript(client: Any, world: World, staff_id: int) -> dict[str, Any]:
    t = await client.get(f"{API}/staff/{staff_id}/credits?cycle=2021-2025", headers=world.h(HR))
    assert t.status_code == 200, t.text
    return dict(t.json())


def of(entries: list[dict[str, Any]], result: dict[str, Any]) -> list[dict[str, Any]]:
    """The entries of a result (``training_result:<id>`` and ``training_result:<id>:c<n>``)."""
    return [e for e in entries if e["reference"].split(":")[:2] == ["training_result", str(result["id"])]]


def standing(entries: list[dict[str, Any]]) -> dict[int, tuple[float, float]]:
    """(hours, credits) of each result's entry that stands (neither a reversal nor reversed)."""
    out: dict[int, tuple[float, float]] = {}
    for e in entries:
        if e["reverses"] is None and e["reversed_by"] is None:
            result_id = int(e["reference"].split(":")[1])
            assert result_id not in out, "one standing entry per result"
            out[result_id] = (e["hours"], e["credits"])
    return out


async def correct(client: Any, world: World, result: dict[str, Any], **body: Any) -> None:
    url = f"{API}/training/results/{result['id']}/correction"
    r = await client.post(url, json=body, headers=world.h(HR))
    assert r.status_code == 200, r.text


async def recredits(client: Any, world: World, result: dict[str, Any]) -> list[dict[str, Any]]:
    audit = await client.get(f"{API}/audit?entity=training_result&entity_id={result['id']}", headers=world.h(HR))
    assert audit.status_code == 200, audit.text
    return [e for e in audit.json()["items"] if e["action"] == "recredit"]


async def test_correcting_a_result_down_re_credits_the_sibling_the_cap_cut(client: Any, world: World) -> None:
    """Course 120 h: A 120 h passed earns 12 credits, B 40 h later in the year earns nothing (the cap).
    A corrected to 80 h: A earns 8, B its 40 h (4 credits): 120 h in all, as passed. The earlier
    result keeps its hours first: A corrected back up to 120 h takes them from B again."""
    person = (await new_staff(client, world, world.kg_a["id"]))["id"]
    course = await make_course(client, world, category="induction", hours=120, mode="in_person")
    a = await result_for(client, world, course, person, 120, "2024-03-01")
    b = await result_for(client, world, course, person, 40, "2024-05-01")
    assert standing(await ledger(client, world, person)) == {a["id"]: (120, 12)}  # B: no entry

    await correct(client, world, a, hours=80, reason="签到表多记 40 学时")
    entries = await ledger(client, world, person)
    assert standing(entries) == {a["id"]: (80, 8), b["id"]: (40, 4)}
    assert net(entries) == (120, 12)
    assert (await transcript(client, world, person))["earned"] == 12
    [b_entry] = of(entries, b)
    assert b_entry["reference"] == f"training_result:{b['id']}:c1" and b_entry["date"] == "2024-05-01"
    # the registry's own note is stored as written (English) and shown in the reader's language
    assert b_entry["reason"] == f"成绩 {a['id']} 更正后重新计分：签到表多记 40 学时"
    stored = await CreditEntry.select(CreditEntry.reason).where(CreditEntry.id == b_entry["id"]).first()
    assert stored == {"reason": f"re-credited after correction of result {a['id']}: 签到表多记 40 学时"}
    [event] = await recredits(client, world, b)
    assert event["before"] == {"credited_hours": 0}
    assert event["after"]["credited_hours"] == 40 and event["after"]["corrected_result"] == a["id"]

    await correct(client, world, a, passed=False, reason="考核不合格，录入有误")  # B keeps its 40 h
    entries = await ledger(client, world, person)
    assert standing(entries) == {b["id"]: (40, 4)} and net(entries) == (40, 4)
    assert len(await recredits(client, world, b)) == 1  # B's hours did not change: nothing written for it

    await correct(client, world, a, passed=True, hours=120, reason="补考合格")  # A first: B is cut again
    entries = await ledger(client, world, person)
    assert standing(entries) == {a["id"]: (120, 12)} and net(entries) == (120, 12)
    assert (await transcript(client, world, person))["earned"] == 12
    assert [e["after"]["credited_hours"] for e in await recredits(client, world, b)] == [0, 40]  # newest first


async def test_a_result_moved_to_another_year_re_credits_both_years(client: Any, world: World) -> None:
    """The cap is per calendar year: moving A out of 2024 gives B (cut to nothing by A) its 40 h back,
    and the year A moves into is credited again in completion order as well."""
    person = (await new_staff(client, world, world.kg_a["id"]))["id"]
    course = await make_course(client, world, category="induction", hours=120, mode="in_person")
    a = await result_for(client, world, course, person, 120, "2024-03-01")
    b = await result_for(client, world, course, person, 40, "2024-05-01")
    assert net(await ledger(client, world, person)) == (120, 12)

    await correct(client, world, a, completed_on="2025-01-15", reason="结业日期录错")
    entries = await ledger(client, world, person)
    assert standing(entries) == {a["id"]: (120, 12), b["id"]: (40, 4)} and net(entries) == (160, 16)
    c = await result_for(client, world, course, person, 40, "2025-03-01")  # 2025: A used the course's hours
    assert standing(await ledger(client, world, person)).get(c["id"]) is None

    # A back in 2024, after B: B keeps its 40 h, A earns the 80 h left; C gets its 40 h in 2025
    await correct(client, world, a, completed_on="2024-06-01", reason="结业日期以证书为准")
    entries = await ledger(client, world, person)
    assert standing(entries) == {a["id"]: (80, 8), b["id"]: (40, 4), c["id"]: (40, 4)}
    assert net(entries) == (160, 16) and (await transcript(client, world, person))["earned"] == 16
    assert sorted(e["date"] for e in entries if e["reversed_by"] is None and e["reverses"] is None) == [
        "2024-05-01",
        "2024-06-01",
        "2025-03-01",
    ]
    assert len(await recredits(client, world, b)) == 1 and len(await recredits(client, world, c)) == 1


async def test_a_correction_that_leaves_the_siblings_hours_writes_nothing_for_them(client: Any, world: World) -> None:
    person = (await new_staff(client, world, world.kg_a["id"]))["id"]
    course = await make_course(client, world, category="induction", hours=120, mode="in_person")
    a = await result_for(client, world, course, person, 60, "2024-03-01")
    b = await result_for(client, world, course, person, 40, "2024-05-01")
    before = await ledger(client, world, person)
    assert len(before) == 2

    await correct(client, world, a, hours=70, reason="签到表漏记 10 学时")  # 70 + 40 fit in 120 h
    await correct(client, world, a, score=95, reason="成绩录错")
    entries = await ledger(client, world, person)
    assert standing(entries) == {a["id"]: (70, 7), b["id"]: (40, 4)} and net(entries) == (110, 11)
    assert len(entries) == 6  # A: its entry, two reversals, two corrected entries; B: its entry only
    assert of(entries, b) == of(before, b)
    assert await recredits(client, world, b) == []
