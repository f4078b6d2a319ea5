"""Planned places and GET /staffing/projection, with the numbers worked out by hand; the standard's
calculator (POST /staffing/requirement) and bad input.

Street S has one kindergarten K: full-day 2+1, 6 classes, 170 children, fully and properly staffed
today (12 teachers, 6 childcare workers, 1 principal, 2 health doctors, all qualified): no gap.
Planned:
  - an expansion of K by 60 places in middle classes (30 a class: 2 classes), opening 2027-03-01:
    K becomes 8 classes and 230 children -> teachers 16 (+4), childcare workers 8 (+2),
    principals 1 (up to 2), health ceil(230 / 150) = 2 (+0);
  - a new kindergarten of 300 places (no band: mixed, 30 a class: 10 classes), opening 2027-09-01:
    teachers 20, childcare workers 10, principals 1, health ceil(300 / 150) = 2;
  - a cancelled new kindergarten of 200 places (never counted).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.staffing.helpers import ADMIN, API, HR, INSPECTOR, make_kindergarten, people, street
from tests.support import World


@pytest.fixture(scope="module")
async def planned(client: Any, world: World) -> dict[str, Any]:
    s = street()
    kg = await make_kindergarten(
        client, world, street=s, group=11, classes={"small": 2, "middle": 2, "large": 2}, children=170, places=180
    )
    await people(kg["id"], "teacher", qualified=12)
    await people(kg["id"], "childcare_worker", qualified=6)
    await people(kg["id"], "principal", qualified=1)
    await people(kg["id"], "health_doctor", qualified=2)
    hr = world.h(HR)
    expansion = await client.post(
        f"{API}/staffing/planned-places",
        json={
            "name": "扩建两个中班",
            "kind": "expansion",
            "kindergarten_id": kg["id"],
            "places": 60,
            "band": "middle",
            "opens_on": "2027-03-01",
            "plan_item": "教育资源挖潜 750",
        },
        headers=hr,
    )
    assert expansion.status_code == 201, expansion.text
    new = await client.post(
        f"{API}/staffing/planned-places",
        json={
            "name": "新建配套园",
            "kind": "new_kindergarten",
            "street": s,
            "group": 11,
            "ownership": "public",
            "places": 300,
            "opens_on": "2027-09-01",
            "plan_item": "新建配套园 26所 9130",
        },
        headers=hr,
    )
    assert new.status_code == 201, new.text
    cancelled = await client.post(
        f"{API}/staffing/planned-places",
        json={
            "name": "取消的园",
            "kind": "new_kindergarten",
            "street": s,
            "ownership": "private",
            "places": 200,
            "opens_on": "2027-01-01",
        },
        headers=hr,
    )
    assert cancelled.status_code == 201
    r = await client.patch(
        f"{API}/staffing/planned-places/{cancelled.json()['id']}", json={"cancelled": True}, headers=hr
    )
    assert r.status_code == 200 and r.json()["cancelled"] is True
    return {"street": s, "kg": kg, "expansion": expansion.json(), "new": new.json()}


async def projection(client: Any, world: World, on: str, s: str, who: str = HR) -> dict[str, Any]:
    r = await client.get(f"{API}/staffing/projection?on={on}&street={s}", headers=world.h(who))
    assert r.status_code == 200, r.text
    return {p["post"]: p for p in r.json()["posts"]} | {"_": r.json()}


def cell(p: dict[str, Any]) -> tuple[int, ...]:
    return tuple(p[k] for k in ("required_now", "required_added", "required", "qualified", "gap_now", "gap"))


async def test_planned_places_turn_into_classes_and_required_staff(planned: dict[str, Any]) -> None:
    exp, new = planned["expansion"], planned["new"]
    assert exp["classes"] == 2 and exp["street"] == planned["street"] and exp["group"] == 11
    assert exp["required"] == {"teacher": 4, "childcare_worker": 2, "principal": 0, "health_doctor": 0}
    assert new["classes"] == 10 and new["band"] is None
    assert new["required"] == {"teacher": 20, "childcare_worker": 10, "principal": 1, "health_doctor": 2}
    assert new["flags"] == [] and exp["flags"] == []


async def test_projection_before_anything_opens(client: Any, world: World, planned: dict[str, Any]) -> None:
    p = await projection(client, world, "2027-02-28", planned["street"])
    assert cell(p["teacher"]) == (12, 0, 12, 12, 0, 0)
    assert p["_"]["places_added"] == 0 and p["_"]["items"] == []


async def test_projection_with_the_expansion(client: Any, world: World, planned: dict[str, Any]) -> None:
    p = await projection(client, world, "2027-03-01", planned["street"])
    assert cell(p["teacher"]) == (12, 4, 16, 12, 0, 4)
    assert cell(p["childcare_worker"]) == (6, 2, 8, 6, 0, 2)
    assert cell(p["principal"]) == (1, 0, 1, 1, 0, 0)
    assert cell(p["health_doctor"]) == (2, 0, 2, 2, 0, 0)
    assert (p["_"]["expansions"], p["_"]["new_kindergartens"], p["_"]["classes_added"]) == (1, 0, 2)


async def test_projection_with_everything_open(client: Any, world: World, planned: dict[str, Any]) -> None:
    p = await projection(client, world, "2027-09-01", planned["street"])
    assert cell(p["teacher"]) == (12, 24, 36, 12, 0, 24)
    assert cell(p["childcare_worker"]) == (6, 12, 18, 6, 0, 12)
    assert cell(p["principal"]) == (1, 1, 2, 1, 0, 1)
    assert cell(p["health_doctor"]) == (2, 2, 4, 2, 0, 2)
    body = p["_"]
    assert (body["places_added"], body["classes_added"], body["children_added"]) == (360, 12, 360)
    assert sorted(i["name"] for i in body["items"]) == ["扩建两个中班", "新建配套园"]  # the cancelled one is not


async def test_projection_under_floor_rounding(client: Any, world: World, planned: dict[str, Any]) -> None:
    r = await client.get(
        f"{API}/staffing/projection?on=2027-09-01&street={planned['street']}&health_rounding=floor",
        headers=world.h(HR),
    )
    health = next(p for p in r.json()["posts"] if p["post"] == "health_doctor")
    # floor: K now 170 -> 1; K after 230 -> 1; new 300 -> 2: required 1 now, 3 projected; 2 qualified
    assert (health["required_now"], health["required"], health["gap"]) == (1, 3, 2)


async def test_planned_places_list_and_scope(client: Any, world: World, planned: dict[str, Any]) -> None:
    r = await client.get(f"{API}/staffing/planned-places?street={planned['street']}", headers=world.h(INSPECTOR))
    body = r.json()
    assert body["total"] == 3 and body["places"] == 360  # the cancelled 200 are not counted
    r = await client.get(f"{API}/staffing/planned-places?street={planned['street']}", headers=world.h(ADMIN))
    assert r.json()["total"] == 0  # an admin sees the expansions of their own kindergarten only
    r = await client.get(f"{API}/staffing/planned-places/{planned['expansion']['id']}", headers=world.h(ADMIN))
    assert r.status_code == 404
    r = await client.get(f"{API}/staffing/projection", headers=world.h(ADMIN))
    assert r.json()["scope"] == "kindergarten" and r.json()["kindergartens_now"] == 1


async def test_a_big_planned_kindergarten_is_flagged_not_refused(client: Any, world: World) -> None:
    body = {
        "name": "配而未建园",
        "kind": "new_kindergarten",
        "street": street(),
        "ownership": "public",
        "places": 370,  # 2,220 places over 6 sites is 370 each: more than 360
        "opens_on": "2020-09-01",
    }
    r = await client.post(f"{API}/staffing/planned-places", json=body, headers=world.h(HR))
    assert r.status_code == 201, r.text
    assert r.json()["flags"] == ["over_360_children"] and r.json()["classes"] == 13  # ceil(370 / 30)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"places": -5}, "places"),
        ({"places": 0}, "places"),
        ({"kind": "expansion"}, "kindergarten_id"),
        ({"street": None}, "street"),
        ({"ownership": None}, "ownership"),
        ({"band": "huge"}, "band"),
        ({"opens_on": "2027-02-30"}, "opens_on"),
    ],
)
async def test_bad_planned_places_are_422_naming_the_field(
    client: Any, world: World, over: dict[str, Any], field: str
) -> None:
    body = {"name": "x", "kind": "new_kindergarten", "street": street(), "ownership": "public", "places": 100}
    body |= {"opens_on": "2027-09-01"} | over
    r = await client.post(f"{API}/staffing/planned-places", json=body, headers=world.h(HR))
    assert r.status_code == 422, r.text
    assert field in {e["field"] for e in r.json()["errors"]}


async def test_an_expansion_of_a_missing_kindergarten(client: Any, world: World) -> None:
    body = {"name": "x", "kind": "expansion", "kindergarten_id": 10**8, "places": 30, "opens_on": "2027-09-01"}
    r = await client.post(f"{API}/staffing/planned-places", json=body, headers=world.h(HR))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kindergarten_id"


# --- the standard's calculator --------------------------------------------------------------------------


async def test_the_calculator(client: Any, world: World) -> None:
    body = {
        "service_type": "boarding",
        "teacher_model": "two_plus_one",
        "classes": {"small": 1, "middle": 2, "large": 2},
        "children": 160,
        "places": 150,
        "staff_on_post": 40,
        "teaching_care_on_post": 25,
    }
    r = await client.post(f"{API}/staffing/requirement", json=body, headers=world.h(INSPECTOR))
    assert r.status_code == 200, r.text
    out = r.json()
    # boarding, 5 classes: (2 + 1) x 5 teachers, (1 + 1) x 5 childcare workers; principals 1 (up to 1);
    # health ceil(160 / 150) = 2; 160 children for 40 staff = 1:4 (meets 1:5-1:7), 25 = 1:6.4
    assert out["classes"] == 5 and out["per_class"] == {"teacher": 3, "childcare_worker": 2}
    assert out["required"] == {"teacher": 15, "childcare_worker": 10, "principal": 1, "health_doctor": 2}
    assert out["principals_allowed"] == 1 and out["flags"] == ["over_capacity"]
    assert out["ratio"]["children_per_staff"] == 4.0 and out["ratio"]["meets_staff"]
    body |= {"health_rounding": "floor"}
    r = await client.post(f"{API}/staffing/requirement", json=body, headers=world.h(HR))
    assert r.json()["required"]["health_doctor"] == 1


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"children": -1}, "children"),
        ({"classes": {"small": -2}}, "classes.small"),
        ({"places": -10}, "places"),
        ({"service_type": "weekend"}, "service_type"),
    ],
)
async def test_calculator_bad_input_is_422(client: Any, world: World, over: dict[str, Any], field: str) -> None:
    body = {"classes": {"small": 2}, "children": 50} | over
    r = await client.post(f"{API}/staffing/requirement", json=body, headers=world.h(HR))
    assert r.status_code == 422, r.text
    assert field in {e["field"] for e in r.json()["errors"]}, r.json()
