"""The ledger through the API: derived credits, bad input, duplicates, reversals, training results."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from credits.tables import CreditEntry
from tests.credits.helpers import API, HR, add_entry, entry_body, ref
from tests.support import World, insert_staff
from tests.training.helpers import enrolled, make_course, make_session, post_result


async def test_credits_are_derived_from_hours_by_the_source_rate(client: Any, world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    research = await add_entry(client, world, sid, hours=50, source="research")
    training = await add_entry(client, world, sid, hours=25, source="training")
    given = await add_entry(client, world, sid, hours=10, credits=3.5)
    assert (research["credits"], training["credits"], given["credits"]) == (2.5, 2.5, 3.5)
    assert research["school_year"] == "2023-2024" and research["recorded_by"] == "w_hr"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"hours": 0}, "hours"),
        ({"hours": -3}, "hours"),
        ({"category": "astrology"}, "category"),
        ({"source": "rumour"}, "source"),
        ({"credits": -1}, "credits"),
        ({"date": "2999-01-01"}, "date"),
    ],
)
async def test_bad_input_is_422(client: Any, world: World, over: dict[str, Any], field: str) -> None:
    r = await client.post(f"{API}/credits/entries", json=entry_body(world.staff_a["id"], **over), headers=world.h(HR))
    assert r.status_code == 422, r.text
    assert field in r.text


async def test_no_credits_after_the_person_left(client: Any, world: World) -> None:
    sid = await insert_staff(world.kg_a["id"], status="left", left_on=date(2023, 6, 30))
    r = await client.post(f"{API}/credits/entries", json=entry_body(sid, date="2023-07-01"), headers=world.h(HR))
    assert r.status_code == 409, r.text
    await add_entry(client, world, sid, date="2023-06-30")  # up to the last day is fine


async def test_same_source_and_reference_twice_is_409(client: Any, world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    reference = ref()
    await add_entry(client, world, sid, reference=reference)
    r = await client.post(f"{API}/credits/entries", json=entry_body(sid, reference=reference), headers=world.h(HR))
    assert r.status_code == 409, r.text
    await add_entry(client, world, sid, reference=reference, source="studio")  # unique per source


async def test_reversal(client: Any, world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    entry = await add_entry(client, world, sid, hours=40)
    url = f"{API}/credits/entries/{entry['id']}/reversal"
    r = await client.post(url, json={"reason": "录入错误"}, headers=world.h(HR))
    assert r.status_code == 201, r.text
    rev = r.json()
    assert (rev["hours"], rev["credits"], rev["reverses"]) == (-40, -2, entry["id"])
    again = await client.post(url, json={"reason": "x"}, headers=world.h(HR))
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "already-reversed" and again.json()["detail"] == f"条目 {entry['id']} 已被冲销"
    of_reversal = await client.post(
        f"{API}/credits/entries/{rev['id']}/reversal", json={"reason": "x"}, headers=world.h(HR)
    )
    assert of_reversal.status_code == 409
    missing = await client.post(f"{API}/credits/entries/999999999/reversal", json={"reason": "x"}, headers=world.h(HR))
    assert missing.status_code == 404  # as for an entry outside the caller's scope (tests/test_not_found_scope.py)
    t = (await client.get(f"{API}/staff/{sid}/credits?cycle=2021-2025", headers=world.h(HR))).json()
    assert t["earned"] == 0 and t["counted"] == 0
    listed = {x["id"]: x for x in t["entries"]}
    assert listed[entry["id"]]["reversed_by"] == rev["id"]


async def test_the_ledger_is_append_only_in_the_database(client: Any, world: World) -> None:

    sid = await insert_staff(world.kg_a["id"])
    entry = await add_entry(client, world, sid)
    with pytest.raises(Exception, match="append-only"):
        await CreditEntry.update({CreditEntry.hours: 1}).where(CreditEntry.id == entry["id"])
    with pytest.raises(Exception, match="append-only"):
        await CreditEntry.delete().where(CreditEntry.id == entry["id"])


async def test_a_passed_training_result_writes_its_entry_once(client: Any, world: World) -> None:
    person = await insert_staff(world.kg_a["id"])
    course = await make_course(client, world, category="ethics", hours=12)
    session = await make_session(client, world, course["id"], starts_on="2024-03-01", ends_on="2024-03-03")
    enrolment = await enrolled(client, world, session["id"], person)
    result = await post_result(client, world, enrolment, hours=10, completed_on="2024-03-03")
    assert result.status_code == 201, result.text
    twice = await post_result(client, world, enrolment, hours=10, completed_on="2024-03-03")
    assert twice.status_code == 409
    t = (await client.get(f"{API}/staff/{person}/credits?cycle=2021-2025", headers=world.h(HR))).json()
    [entry] = t["entries"]
    assert entry["source"] == "training" and entry["category"] == "ethics"
    # 10 of the course's 12 hours: credits for the 10 hours at the in-person rate (10 h = 1 credit)
    assert course["credits"] == 1.2
    assert entry["hours"] == 10 and entry["credits"] == 1.0
    assert entry["reference"] == f"training_result:{result.json()['id']}"
    # the same result by hand: refused (the registry's own references are reserved)
    r = await client.post(
        f"{API}/credits/entries",
        json=entry_body(person, source="training", reference=entry["reference"]),
        headers=world.h(HR),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reference"
    # a failed result writes nothing
    other = await enrolled(client, world, (await make_session(client, world, course["id"]))["id"], person)
    failed = await post_result(client, world, other, passed=False, score=30, completed_on="2024-03-03")
    assert failed.status_code == 201
    t = (await client.get(f"{API}/staff/{person}/credits?cycle=2021-2025", headers=world.h(HR))).json()
    assert len(t["entries"]) == 1


async def test_ledger_messages_read_in_chinese_and_in_english(client: Any, world: World) -> None:
    """Issue 15: the ledger's refusals in Chinese by default and in English when asked, each with its
    stable code; the notes the registry writes itself are stored in English and shown translated."""
    sid = await insert_staff(world.kg_a["id"], status="left", left_on=date(2023, 6, 30))
    body = entry_body(sid, date="2023-07-01")
    zh = (await client.post(f"{API}/credits/entries", json=body, headers=world.h(HR))).json()
    assert (zh["code"], zh["title"], zh["detail"]) == ("staff-left", "冲突", "此人已于 2023-06-30 离职，此后不再记学分")
    assert zh["errors"] == [{"field": "date", "message": zh["detail"]}]
    en_headers = {**world.h(HR), "Accept-Language": "en"}
    en = (await client.post(f"{API}/credits/entries", json=body, headers=en_headers)).json()
    assert (en["code"], en["title"]) == ("staff-left", "Conflict")
    assert en["detail"] == "the person left on 2023-06-30: no credits after that"
    future = (
        await client.post(f"{API}/credits/entries", json=entry_body(sid, date="2999-01-01"), headers=world.h(HR))
    ).json()
    assert (
        future["errors"] == [{"field": "date", "message": "不能晚于今天"}] and future["detail"] == "日期：不能晚于今天"
    )

    # a passed training result's note: "passed training result" as stored, 培训合格 as shown
    person = await insert_staff(world.kg_a["id"])
    course = await make_course(client, world, category="ethics", hours=12)
    session = await make_session(client, world, course["id"], starts_on="2024-03-01", ends_on="2024-03-03")
    result = await post_result(client, world, await enrolled(client, world, session["id"], person), hours=12)
    assert result.status_code == 201, result.text
    url = f"{API}/staff/{person}/credits?cycle=2021-2025"
    [shown] = (await client.get(url, headers=world.h(HR))).json()["entries"]
    [english] = (await client.get(url, headers=en_headers)).json()["entries"]
    stored = await CreditEntry.select(CreditEntry.reason).where(CreditEntry.id == shown["id"]).first()
    assert (shown["reason"], english["reason"], stored) == (
        "培训合格",
        "passed training result",
        {"reason": "passed training result"},
    )


async def test_the_seeded_policy_reads_in_the_readers_language(client: Any, world: World) -> None:
    url = f"{API}/credits/policies"
    shown = {p["id"]: p["description"] for p in (await client.get(url, headers=world.h(HR))).json()}
    english = {
        p["id"]: p["description"]
        for p in (await client.get(url, headers={**world.h(HR), "Accept-Language": "en"})).json()
    }
    seeded = [i for i, d in english.items() if d.startswith("seeded from registry/policy/defaults.toml version ")]
    assert seeded
    for i in seeded:
        version = english[i].rsplit(" ", 1)[1]
        assert shown[i] == f"由政策文件 registry/policy/defaults.toml 第 {version} 版导入"
