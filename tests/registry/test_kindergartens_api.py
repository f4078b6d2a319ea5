from __future__ import annotations

import pytest

from tests.support import World, kindergarten_body

API = "/api/v1"


async def test_create_read_update(client, world: World) -> None:
    hr = world.h("district_hr")
    body = kindergarten_body(
        classes={"small": 3, "middle": 3, "large": 2, "mixed": 1, "nursery": 1},
        children=320,
        places=300,
        demonstration="city",
        opened_on="1998-09-01",
    )
    r = await client.post(f"{API}/kindergartens", json=body, headers=hr)
    assert r.status_code == 201, r.text
    kg = r.json()
    assert kg["total_classes"] == 10
    assert kg["over_capacity"] is True  # flagged, not refused
    r = await client.patch(f"{API}/kindergartens/{kg['id']}", json={"places": 360, "group": 9}, headers=hr)
    assert r.status_code == 200
    assert (r.json()["places"], r.json()["group"], r.json()["over_capacity"]) == (360, 9, False)
    got = (await client.get(f"{API}/kindergartens/{kg['id']}", headers=world.h("inspector"))).json()
    assert got["places"] == 360 and got["street"] == body["street"]


async def test_duplicate_code_is_409(client, world: World) -> None:
    hr = world.h("district_hr")
    body = kindergarten_body()
    assert (await client.post(f"{API}/kindergartens", json=body, headers=hr)).status_code == 201
    r = await client.post(f"{API}/kindergartens", json=body, headers=hr)
    assert r.status_code == 409 and r.json()["field"] == "code"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"group": 0}, "group"),
        ({"group": 16}, "group"),
        ({"children": -1}, "children"),
        ({"classes": {"small": -2}}, "classes.small"),
        ({"ownership": "state"}, "ownership"),
        ({"grade": "4-1"}, "grade"),
        ({"code": "有空格 的"}, "code"),
    ],
)
async def test_invalid_fields_are_422_naming_the_field(client, world: World, change: dict, field: str) -> None:
    r = await client.post(f"{API}/kindergartens", json=kindergarten_body(**change), headers=world.h("district_hr"))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == field


async def test_closing_before_opening_is_422(client, world: World) -> None:
    r = await client.post(
        f"{API}/kindergartens",
        json=kindergarten_body(opened_on="2010-09-01", closed_on="2009-01-01"),
        headers=world.h("district_hr"),
    )
    assert r.status_code == 422 and r.json()["detail"] == "停办日期：早于开办日期"
    assert r.json()["errors"] == [{"field": "closed_on", "message": "早于开办日期"}]


async def test_a_duplicate_code_is_409_in_the_readers_language(client, world: World) -> None:
    """Issue 15: Chinese by default, English with Accept-Language: en, a stable code either way."""
    hr = world.h("district_hr")
    body = kindergarten_body(code=world.kg_a["code"])
    r = await client.post(f"{API}/kindergartens", json=body, headers=hr)
    assert r.status_code == 409 and r.json()["code"] == "duplicate" and r.json()["field"] == "code"
    assert (r.json()["title"], r.json()["detail"]) == ("冲突", f"园所代码 {world.kg_a['code']} 已存在")
    r = await client.post(f"{API}/kindergartens", json=body, headers={**hr, "Accept-Language": "en"})
    assert r.status_code == 409 and r.json()["code"] == "duplicate"
    assert (r.json()["title"], r.json()["detail"]) == (
        "Conflict",
        f"kindergarten code {world.kg_a['code']} exists already",
    )
    r = await client.patch(
        f"{API}/kindergartens/{world.kg_a['id']}",
        json={"opened_on": "2010-09-01", "closed_on": "2009-01-01"},
        headers={**hr, "Accept-Language": "en"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "closed_on"
    assert r.json()["detail"].startswith("closed_on: ") and r.json()["detail"].endswith("is before opened_on")


async def test_null_for_a_required_field_is_422(client, world: World) -> None:
    r = await client.patch(
        f"{API}/kindergartens/{world.kg_a['id']}", json={"name": None}, headers=world.h("district_hr")
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"


async def test_filters(client, world: World) -> None:
    hr = world.h("district_hr")
    for own in ("private", "private", "community_site"):
        await client.post(
            f"{API}/kindergartens", json=kindergarten_body(street="孙河地区", ownership=own, group=14), headers=hr
        )
    assert (await client.get(f"{API}/kindergartens?street=孙河地区", headers=hr)).json()["total"] == 3
    assert (await client.get(f"{API}/kindergartens?street=孙河地区&ownership=private", headers=hr)).json()["total"] == 2
    assert (await client.get(f"{API}/kindergartens?group=14&ownership=community_site", headers=hr)).json()["total"] >= 1
    assert (await client.get(f"{API}/kindergartens?search={world.kg_a['code']}", headers=hr)).json()["total"] == 1
    assert (await client.get(f"{API}/kindergartens?ownerhip=private", headers=hr)).status_code == 400
