"""Transcripts and policies through the API."""

from __future__ import annotations

from typing import Any

from tests.credits.helpers import API, HR, TEACHER, add_entry
from tests.support import World, insert_staff


async def test_transcript_caps_and_figures(client: Any, world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    for day, category, source, hours in [
        ("2021-03-01", "ethics", "training", 10),  # 1
        ("2021-05-01", "key", "research", 60),  # 3
        ("2021-09-01", "key", "research", 60),  # 3: 6 research in 2021 count 4
        ("2022-04-01", "family", "training", 15),  # 1.5
        ("2022-06-01", "general", "training", 200),  # 20
    ]:
        await add_entry(client, world, sid, date=day, category=category, source=source, hours=hours)
    r = await client.get(f"{API}/staff/{sid}/credits?cycle=2021-2025", headers=world.h(HR))
    assert r.status_code == 200, r.text
    t = r.json()
    assert (t["cycle"], t["earned"], t["counted"]) == ("2021-2025", 28.5, 26.5)
    assert t["required"]["credits"] == 36 and t["required"]["categories"] == {"ethics": 1, "family": 1}
    years = {y["year"]: (y["earned"], y["counted"], y["minimum_met"]) for y in t["by_year"]}
    assert years[2021] == (7, 5, True) and years[2022] == (21.5, 21.5, True) and years[2023] == (0, 0, False)
    cats = {c["category"]: (c["earned"], c["counted"], c["met"]) for c in t["by_category"]}
    assert cats["key"] == (6, 4, True) and cats["ethics"] == (1, 1, True)
    assert sorted(e["counted"] for e in t["entries"]) == [1, 1, 1.5, 3, 20]
    assert t["status"] in {"complete", "on_track", "behind", "at_risk"}
    # earlier cycle: nothing carried
    old = (await client.get(f"{API}/staff/{sid}/credits?cycle=2016-2020", headers=world.h(HR))).json()
    assert old["earned"] == 0 and old["entries"] == []


async def test_bad_cycle_is_rejected(client: Any, world: World) -> None:
    r = await client.get(f"{API}/staff/{world.staff_a['id']}/credits?cycle=2022-2026", headers=world.h(HR))
    assert r.status_code in (400, 422)


async def test_me_credits_is_the_teachers_own_transcript(client: Any, world: World) -> None:
    r = await client.get(f"{API}/me/credits", headers=world.h(TEACHER))
    assert r.status_code == 200, r.text
    assert r.json()["staff_id"] == world.staff_a["id"]
    assert (await client.get(f"{API}/me/credits", headers=world.h(HR))).status_code == 404


def policy_body(**over: Any) -> dict[str, Any]:
    values = {
        "cycle_years": 5,
        "cycle_start_year": 2021,
        "credits_per_cycle": 36,
        "yearly_minimum": 4,
        "required_categories": {"ethics": 1, "family": 1},
        "caps_per_year": {"research": 4, "studio": 4, "mentoring": 4},
        "carry_over": False,
        "hours_per_credit": {
            "training": 10, "research": 20, "studio": 20, "mentoring": 20,
            "competition": 20, "publication": 20, "recognition": 20,
        },
        "hours_per_credit_by_mode": {"in_person": 10, "online": 20, "practice": 20},
        "at_risk_share_of_pace": 0.5,
    }  # fmt: skip
    body: dict[str, Any] = {
        "effective_from": "2099-01-01",
        "values": values,
        "citations": {k: "区教委 2099 年学分认定办法" for k in values},
    }
    body.update(over)
    return body


async def test_policies_are_seeded_versioned_and_never_overlap(client: Any, world: World) -> None:
    listed = await client.get(f"{API}/credits/policies", headers=world.h(TEACHER))
    assert listed.status_code == 200, listed.text
    assert listed.json() and all(p["citations"]["credits_per_cycle"] for p in listed.json())
    # overlaps an existing version: 409
    r = await client.post(f"{API}/credits/policies", json=policy_body(effective_from="2018-01-01"), headers=world.h(HR))
    assert r.status_code == 409, r.text
    # a citation missing, or carry-over: 422
    body = policy_body()
    del body["citations"]["yearly_minimum"]
    assert (await client.post(f"{API}/credits/policies", json=body, headers=world.h(HR))).status_code == 422
    carry = policy_body()
    carry["values"]["carry_over"] = True
    assert (await client.post(f"{API}/credits/policies", json=carry, headers=world.h(HR))).status_code == 422
    # a course mode without a rate: 422 naming it
    no_rate = policy_body()
    del no_rate["values"]["hours_per_credit_by_mode"]["online"]
    r = await client.post(f"{API}/credits/policies", json=no_rate, headers=world.h(HR))
    assert r.status_code == 422 and "online" in r.text, r.text
    # a later open-ended version closes the current one the day before, and is audited
    r = await client.post(f"{API}/credits/policies", json=policy_body(), headers=world.h(HR))
    assert r.status_code == 201, r.text
    new = r.json()
    after = (await client.get(f"{API}/credits/policies", headers=world.h(HR))).json()
    before_new = [p for p in after if p["effective_from"] < "2099-01-01"]
    assert before_new[-1]["effective_to"] == "2098-12-31"
    again = await client.post(
        f"{API}/credits/policies",
        json=policy_body(effective_from="2098-06-01", effective_to="2099-02-01"),
        headers=world.h(HR),
    )
    assert again.status_code == 409
    audit = await client.get(f"{API}/audit?entity=credit_policy&entity_id={new['id']}", headers=world.h(HR))
    assert audit.json()["total"] == 1
