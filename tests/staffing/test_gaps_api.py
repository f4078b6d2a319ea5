"""GET /staffing/gaps on a small district whose gaps were worked out by hand.

Street X
  甲 (public) full-day, 2+1 model, 6 classes (2 small, 2 middle, 2 large), 170 children, 180 places.
     Standard: teachers 6 x 2 = 12; childcare workers 6 x 1 = 6; principals at least 1, up to 2
     (6-9 classes); health-care staff ceil(170 / 150) = 2.
     People: teachers 8 qualified + 2 without certificates + 1 pending induction; childcare workers 7
     qualified; a qualified principal and a vice principal without certificates; 1 qualified health
     doctor; 2 "other" staff.
       teacher    required 12, on post 10, qualified 8 -> gap 4, surplus 0, to certify 2, pending 1
       childcare  required 6, on post 7, qualified 7    -> gap 0, surplus 1
       principal  required 1 (up to 2), on post 2, qualified 1 -> gap 0, surplus 0, to certify 1
       health     required 2, on post 1, qualified 1    -> gap 1
     Ratio: 22 people on post for 170 children = 1:7.73 (band 1:5-1:7: not met); teachers and
     childcare workers 17 = 1:10 (band 1:7-1:9: not met).
  乙 (private) full-day, 3-teacher model, 4 mixed classes, 100 children, 90 places (over capacity).
     Standard: teachers 4 x 3 = 12; childcare workers 0; principals 1 (up to 1); health 1.
     People: 12 qualified teachers, 2 qualified childcare workers.
       teacher 12/12/12 -> gap 0; childcare required 0, on post 2 -> surplus 2;
       principal gap 1; health gap 1.
Street Y
  丙 (public) half-day, 1 class (a single-class site), 25 children, 30 places.
     Standard: teachers 2, childcare workers 0, principals 1, health 1.
     People: 1 teacher without certificates, 1 qualified principal.
       teacher required 2, on post 1, qualified 0 -> gap 2, to certify 1; principal gap 0; health gap 1.

Street X: teacher (12+12, 10+12, 8+12) = (24, 22, 20) gap 4 + 0 = 4; childcare (6, 9, 9) surplus 1 + 2 = 3;
principal (1+1, 2+0, 1+0) = (2, 2, 1) gap 0 + 1 = 1, to certify 1; health (2+1, 1, 1) gap 1 + 1 = 2; all posts 7.
Street Y: teacher (2, 1, 0) gap 2; principal (1, 1, 1); health (1, 0, 0) gap 1; all posts 3.
"""

from __future__ import annotations

from typing import Any

import pytest

from kernel.auth import Principal
from kernel.codes import Role
from staffing.gaps import _order as gap_order
from staffing.gaps import kindergarten_gaps, sort_names
from tests.staffing.helpers import API, HR, INSPECTOR, figures, make_kindergarten, people, post_of, street
from tests.support import World


@pytest.fixture(scope="module")
async def district(client: Any, world: World) -> dict[str, Any]:
    x, y = street(), street()
    jia = await make_kindergarten(
        client,
        world,
        name="甲幼儿园",
        street=x,
        group=9,
        ownership="public",
        service_type="full_day",
        teacher_model="two_plus_one",
        classes={"small": 2, "middle": 2, "large": 2},
        children=170,
        places=180,
    )
    yi = await make_kindergarten(
        client,
        world,
        name="乙幼儿园",
        street=x,
        group=9,
        ownership="private",
        service_type="full_day",
        teacher_model="three_teacher",
        classes={"mixed": 4},
        children=100,
        places=90,
    )
    bing = await make_kindergarten(
        client,
        world,
        name="丙幼儿园",
        street=y,
        group=9,
        ownership="public",
        service_type="half_day",
        classes={"mixed": 1},
        children=25,
        places=30,
    )
    await people(jia["id"], "teacher", qualified=8, unqualified=2, pending=1)
    await people(jia["id"], "childcare_worker", qualified=7)
    await people(jia["id"], "principal", qualified=1)
    await people(jia["id"], "vice_principal", unqualified=1)
    await people(jia["id"], "health_doctor", qualified=1)
    await people(jia["id"], "other", unqualified=2)
    await people(yi["id"], "teacher", qualified=12)
    await people(yi["id"], "childcare_worker", qualified=2)
    await people(bing["id"], "teacher", unqualified=1)
    await people(bing["id"], "principal", qualified=1)
    return {"x": x, "y": y, "jia": jia, "yi": yi, "bing": bing}


async def get(client: Any, world: World, query: str, who: str = HR) -> dict[str, Any]:
    r = await client.get(f"{API}/staffing/gaps?{query}", headers=world.h(who))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_by_kindergarten(client: Any, world: World, district: dict[str, Any]) -> None:
    body = await get(client, world, f"by=kindergarten&street={district['x']}")
    rows = {r["label"]: r for r in body["rows"]}
    assert set(rows) == {"甲幼儿园", "乙幼儿园"} and body["rows_total"] == 2
    jia, yi = rows["甲幼儿园"], rows["乙幼儿园"]
    assert figures(post_of(jia, "teacher")) == (12, 10, 8, 4, 0, 2, 1)
    assert figures(post_of(jia, "childcare_worker")) == (6, 7, 7, 0, 1, 0, 0)
    assert figures(post_of(jia, "principal")) == (1, 2, 1, 0, 0, 1, 0)
    assert post_of(jia, "principal")["allowed"] == 2
    assert figures(post_of(jia, "health_doctor")) == (2, 1, 1, 1, 0, 0, 0)
    assert jia["gap"] == 5 and jia["classes"] == 6 and jia["flags"] == []
    ratio = jia["ratio"]
    assert (ratio["staff"], ratio["teaching_care"], ratio["children_per_staff"]) == (22, 17, 7.73)
    assert ratio["children_per_teaching_care"] == 10.0
    assert not ratio["meets_staff"] and not ratio["meets_teaching_care"]
    assert figures(post_of(yi, "teacher")) == (12, 12, 12, 0, 0, 0, 0)
    assert figures(post_of(yi, "childcare_worker")) == (0, 2, 2, 0, 2, 0, 0)
    assert figures(post_of(yi, "principal")) == (1, 0, 0, 1, 0, 0, 0) and post_of(yi, "principal")["allowed"] == 1
    assert figures(post_of(yi, "health_doctor")) == (1, 0, 0, 1, 0, 0, 0)
    assert yi["flags"] == ["over_capacity"] and yi["over_capacity"] == 1  # flagged, not refused


async def test_single_class_half_day_site(client: Any, world: World, district: dict[str, Any]) -> None:
    body = await get(client, world, f"by=kindergarten&street={district['y']}")
    (bing,) = body["rows"]
    assert figures(post_of(bing, "teacher")) == (2, 1, 0, 2, 0, 1, 0)
    assert figures(post_of(bing, "childcare_worker")) == (0, 0, 0, 0, 0, 0, 0)
    assert figures(post_of(bing, "principal")) == (1, 1, 1, 0, 0, 0, 0)
    assert figures(post_of(bing, "health_doctor")) == (1, 0, 0, 1, 0, 0, 0)
    assert bing["flags"] == ["single_class"] and bing["service_type"] == "half_day"


async def test_by_street_adds_kindergartens_up(client: Any, world: World, district: dict[str, Any]) -> None:
    body = await get(client, world, "by=street&limit=500")
    rows = {r["key"]: r for r in body["rows"]}
    x, y = rows[district["x"]], rows[district["y"]]
    assert figures(post_of(x, "teacher")) == (24, 22, 20, 4, 0, 2, 1)
    assert figures(post_of(x, "childcare_worker")) == (6, 9, 9, 0, 3, 0, 0)
    assert figures(post_of(x, "principal")) == (2, 2, 1, 1, 0, 1, 0)
    assert figures(post_of(x, "health_doctor")) == (3, 1, 1, 2, 0, 0, 0)
    assert (x["gap"], x["kindergartens"], x["children"], x["places"], x["over_capacity"]) == (7, 2, 270, 270, 1)
    assert figures(post_of(y, "teacher")) == (2, 1, 0, 2, 0, 1, 0)
    assert y["gap"] == 3
    assert x["ratio"] is None  # the ratio is per kindergarten


async def test_group_ownership_and_district_rows(client: Any, world: World, district: dict[str, Any]) -> None:
    x = district["x"]
    (group,) = (await get(client, world, f"by=group&street={x}"))["rows"]
    assert group["key"] == "9" and figures(post_of(group, "teacher")) == (24, 22, 20, 4, 0, 2, 1)
    owners = {r["key"]: r for r in (await get(client, world, f"by=ownership&street={x}"))["rows"]}
    assert set(owners) == {"public", "private"} and owners["public"]["label"] == "公办"
    assert figures(post_of(owners["private"], "childcare_worker")) == (0, 2, 2, 0, 2, 0, 0)
    body = await get(client, world, f"by=district&street={x}")
    (row,) = body["rows"]
    assert row["key"] == "district" and row["gap"] == 7
    assert body["total"]["gap"] == 7 and figures(post_of(body["total"], "health_doctor")) == (3, 1, 1, 2, 0, 0, 0)


async def test_filters_post_sort_and_paging(client: Any, world: World, district: dict[str, Any]) -> None:
    body = await get(client, world, f"by=kindergarten&street={district['x']}&post=teacher&sort=gap&limit=1")
    assert body["rows_total"] == 2 and len(body["rows"]) == 1
    (first,) = body["rows"]
    assert first["label"] == "甲幼儿园" and [p["post"] for p in first["posts"]] == ["teacher"]
    assert body["total"]["gap"] == 4  # the teacher gap of both, all pages
    second = await get(client, world, f"by=kindergarten&street={district['x']}&post=teacher&sort=gap&offset=1")
    assert [r["label"] for r in second["rows"]] == ["乙幼儿园"]
    public = await get(client, world, f"by=kindergarten&street={district['x']}&ownership=public")
    assert [r["label"] for r in public["rows"]] == ["甲幼儿园"]
    half = await get(client, world, f"by=kindergarten&street={district['y']}&service_type=full_day")
    assert half["rows"] == [] and half["total"]["gap"] == 0


async def test_health_rounding_as_a_what_if(client: Any, world: World, district: dict[str, Any]) -> None:
    body = await get(client, world, f"by=kindergarten&street={district['x']}&health_rounding=floor")
    jia = next(r for r in body["rows"] if r["label"] == "甲幼儿园")
    # 170 children: floor(170 / 150) = 1 -> 1 required, 1 qualified, no gap (ceil asked for 2)
    assert figures(post_of(jia, "health_doctor")) == (1, 1, 1, 0, 0, 0, 0)
    assert body["policy"]["health_rounding"] == "floor"


async def test_a_kindergarten_admin_sees_their_own_kindergarten(
    client: Any, world: World, district: dict[str, Any]
) -> None:
    body = await get(client, world, "by=kindergarten&limit=500", "kindergarten_admin")
    assert [r["key"] for r in body["rows"]] == [world.kg_a["code"]]
    r = await client.get(
        f"{API}/staffing/gaps?by=kindergarten&kindergarten_id={district['jia']['id']}", headers=world.h(ADMIN)
    )
    assert r.status_code == 404
    inspector = await get(client, world, f"by=kindergarten&kindergarten_id={district['jia']['id']}", INSPECTOR)
    assert inspector["total"]["gap"] == 5


async def test_a_closed_kindergarten_asks_for_nobody(client: Any, world: World) -> None:
    s = street()
    kg = await make_kindergarten(client, world, street=s, classes={"small": 3}, children=70, places=75)
    before = await get(client, world, f"by=district&street={s}")
    assert before["total"]["gap"] == 3 * 2 + 3 + 1 + 1  # teachers 6, childcare 3, principal 1, health 1
    r = await client.patch(
        f"{API}/kindergartens/{kg['id']}",
        json={"opened_on": "2010-09-01", "closed_on": "2025-07-31"},
        headers=world.h(HR),
    )
    assert r.status_code == 200, r.text
    after = await get(client, world, f"by=district&street={s}")
    assert after["rows"] == [] and after["total"]["kindergartens"] == 0


@pytest.mark.parametrize("query", ["by=city", "by=street&post=other", "sort=size", "health_rounding=up", "streat=x"])
async def test_bad_parameters(client: Any, world: World, query: str) -> None:
    r = await client.get(f"{API}/staffing/gaps?{query}", headers=world.h(HR))
    assert r.status_code == 400, r.text


ADMIN = "kindergarten_admin"


# --- the kindergarten list's figures: by one post's gap, either way (staffing.gaps.kindergarten_gaps) ---------

HR_CALLER = Principal(account_id=0, username="gaps-test", role=Role.district_hr)


async def _order(district: dict[str, Any], sort: str, **filters: Any) -> list[str]:
    found = await kindergarten_gaps(HR_CALLER, street=district["x"], sort=sort, **filters)
    return [g.row.label for g in found.items]


async def test_kindergartens_by_one_post_s_gap_either_way(district: dict[str, Any]) -> None:
    # 甲: teacher gap 4, principal 0, health 1, all 5; 乙: teacher 0, principal 1, health 1, all 2 (see above)
    assert await _order(district, "teacher_gap") == ["甲幼儿园", "乙幼儿园"]
    assert await _order(district, "teacher_gap_asc") == ["乙幼儿园", "甲幼儿园"]
    assert await _order(district, "principal_gap") == ["乙幼儿园", "甲幼儿园"]
    assert await _order(district, "principal_gap_asc") == ["甲幼儿园", "乙幼儿园"]
    assert await _order(district, "gap") == ["甲幼儿园", "乙幼儿园"]
    assert await _order(district, "gap_asc") == ["乙幼儿园", "甲幼儿园"]
    # a tie (health: 1 and 1) in code order, whichever way
    codes = sorted([district["jia"]["code"], district["yi"]["code"]])
    for sort in ("health_doctor_gap", "health_doctor_gap_asc"):
        found = await kindergarten_gaps(HR_CALLER, street=district["x"], sort=sort)
        assert [g.row.key for g in found.items] == codes


async def test_kindergarten_rows_carry_every_post_and_what_the_list_shows(
    client: Any, world: World, district: dict[str, Any]
) -> None:
    found = await kindergarten_gaps(HR_CALLER, street=district["x"], sort="childcare_worker_gap", limit=1)
    assert found.total == 2 and len(found.items) == 1
    api = await get(client, world, f"by=kindergarten&street={district['x']}")
    rows = {r["key"]: r for r in api["rows"]}
    for g in (await kindergarten_gaps(HR_CALLER, street=district["x"])).items:
        assert g.row.model_dump(mode="json") == rows[g.row.key]  # the API's row, as it is
        assert [p.post for p in g.row.posts] == ["teacher", "childcare_worker", "principal", "health_doctor"]
        kg = district["jia"] if g.row.key == district["jia"]["code"] else district["yi"]
        assert (g.kindergarten_id, g.street, g.ownership) == (kg["id"], district["x"], kg["ownership"])
        assert g.gap_of("teacher") == post_of(rows[g.row.key], "teacher")["gap"]


async def test_kindergarten_gaps_filter_as_the_kindergarten_list(world: World, district: dict[str, Any]) -> None:
    by_name = await kindergarten_gaps(HR_CALLER, street=district["x"], search="乙")
    assert [g.row.label for g in by_name.items] == ["乙幼儿园"] and by_name.total == 1
    by_code = await kindergarten_gaps(HR_CALLER, search=district["bing"]["code"])
    assert [g.kindergarten_id for g in by_code.items] == [district["bing"]["id"]]
    literal = await kindergarten_gaps(HR_CALLER, street=district["x"], search="%")
    assert literal.items == [] and literal.total == 0
    ids = (district["jia"]["id"], district["bing"]["id"])
    both = await kindergarten_gaps(HR_CALLER, ids=ids, sort="teacher_gap")
    assert [g.row.label for g in both.items] == ["甲幼儿园", "丙幼儿园"]  # teacher gaps 4 and 2
    assert (await kindergarten_gaps(HR_CALLER, ids=())).items == []
    admin = Principal(account_id=0, username="a", role=Role.kindergarten_admin, kindergarten_id=world.kg_a["id"])
    own = await kindergarten_gaps(admin, ids=ids)
    assert own.items == [] and own.total == 0  # not their kindergartens
    assert [g.kindergarten_id for g in (await kindergarten_gaps(admin)).items] == [world.kg_a["id"]]


def test_sort_names_are_a_closed_list() -> None:
    assert "teacher_gap_asc" in sort_names() and "gap" in sort_names()
    assert gap_order("principal_gap_asc", "kindergarten") == "principal_gap ASC, key"
    with pytest.raises(ValueError):
        gap_order("name; DROP TABLE staff", "kindergarten")  # the ORDER BY is built from the list only
