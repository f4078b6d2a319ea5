"""Issue 13 through the API: other measures (其他处理, 取消资格) are recorded, cap the year's grade and
bar every purpose through the last day of the 24th month."""

from __future__ import annotations

from typing import Any

import pytest

from tests.credits.test_eligibility_api import compliant_teacher, rule, twice_the_requirement
from tests.support import World, insert_staff, kindergarten_body

API = "/api/v1"
HR = "district_hr"
PURPOSES = ("title", "backbone", "award", "promotion", "registration")


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
    refused = await evaluate(client, world, sid, "2024-2025", "excellent", evaluated_on="2025-07-01")
    assert refused.status_code == 409, refused.text
    assert refused.json()["cap"] == "qualified"
    assert "other_measures (其他处理（取消评优评先等资格）) decided 2025-03-10" in refused.json()["detail"]
    assert (await evaluate(client, world, sid, "2024-2025", "qualified")).status_code == 201
    shown = await ethics(client, world, sid)
    assert [x["sanction"] for x in shown["sanctions"]] == ["other_measures"]
    assert shown["current"][0]["grade"] == "qualified"


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
