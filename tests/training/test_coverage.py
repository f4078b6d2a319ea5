"""GET /training/coverage against a hand-computed kindergarten.

The fresh kindergarten K has four on-post people (p1..p4) and one on leave (p5):

  p1  safety passed 2024-03-10 and again 2024-09-01 (counts once); ethics passed 2024-04-01
  p2  safety passed 2024-05-05
  p3  safety passed 2024-12-31 (last day of the year)
  p4  safety FAILED 2024-06-01; safety passed 2023-12-31 and 2025-01-01 (other years)
  p5  on leave: safety and family passed 2024-03-10 (not on post: counted nowhere)

2024: safety 3/4 = 0.75, ethics 1/4 = 0.25, family 0/4 = 0.0; 2023 and 2025: safety 1/4.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from certificates.tables import Certificate
from kernel.common.time import today
from tests.support import World, kindergarten_body
from tests.training.helpers import ADMIN, API, HR, INSPECTOR, TEACHER, insert_staff, passed


@pytest.fixture(scope="module")
async def k(client: Any, world: World) -> dict[str, Any]:
    r = await client.post(f"{API}/kindergartens", json=kindergarten_body(name="覆盖率测试园"), headers=world.h(HR))
    assert r.status_code == 201, r.text
    kg = r.json()
    p = [await insert_staff(kg["id"], "on_post", name=f"在岗{i}") for i in range(1, 5)]
    p5 = await insert_staff(kg["id"], "on_leave", name="休假")
    await passed(client, world, p[0], "safety", "2024-03-10")
    await passed(client, world, p[0], "safety", "2024-09-01")
    await passed(client, world, p[0], "ethics", "2024-04-01")
    await passed(client, world, p[1], "safety", "2024-05-05")
    await passed(client, world, p[2], "safety", "2024-12-31")
    await passed(client, world, p[3], "safety", "2024-06-01", passed=False)
    await passed(client, world, p[3], "safety", "2023-12-31")
    await passed(client, world, p[3], "safety", "2025-01-01")
    await passed(client, world, p5, "safety", "2024-03-10")
    await passed(client, world, p5, "family", "2024-03-10")
    return {**kg, "people": p, "on_leave": p5}


def _row(body: dict[str, Any], kindergarten_id: int) -> dict[str, Any]:
    (row,) = [r for r in body["kindergartens"] if r["kindergarten_id"] == kindergarten_id]
    return row


async def _coverage(client: Any, world: World, query: str = "", who: str = HR) -> dict[str, Any]:
    r = await client.get(f"{API}/training/coverage{query}", headers=world.h(who))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_coverage_of_a_hand_computed_kindergarten(client: Any, world: World, k: dict[str, Any]) -> None:
    body = await _coverage(client, world, "?year=2024")
    assert body["year"] == 2024 and body["scope"] == "district"
    assert body["categories"] == ["safety", "ethics", "family"]
    assert body["policy"]["id"] == "2018-01" and "安全培训100%" in body["policy"]["source"]
    row = _row(body, k["id"])
    assert (row["code"], row["name"], row["street"], row["group"]) == (k["code"], k["name"], k["street"], k["group"])
    assert row["by_category"] == {
        "safety": {"on_post": 4, "covered": 3, "rate": 0.75, "target": 1.0},
        "ethics": {"on_post": 4, "covered": 1, "rate": 0.25, "target": 1.0},
        "family": {"on_post": 4, "covered": 0, "rate": 0.0, "target": 1.0},
    }
    for year in (2023, 2025):
        other = _row(await _coverage(client, world, f"?year={year}"), k["id"])
        assert other["by_category"]["safety"] == {"on_post": 4, "covered": 1, "rate": 0.25, "target": 1.0}
        assert other["by_category"]["ethics"]["covered"] == 0


async def test_district_figures_add_up_the_kindergartens(client: Any, world: World, k: dict[str, Any]) -> None:
    body = await _coverage(client, world, "?year=2024")
    for cat in body["categories"]:
        on_post = sum(r["by_category"][cat]["on_post"] for r in body["kindergartens"])
        covered = sum(r["by_category"][cat]["covered"] for r in body["kindergartens"])
        cell = body["district"][cat]
        assert (cell["on_post"], cell["covered"]) == (on_post, covered)
        assert cell["rate"] == round(covered / on_post, 4)
        assert cell["on_post"] >= 4
    assert body["district"]["safety"]["covered"] >= 3


async def test_category_narrows_to_one(client: Any, world: World, k: dict[str, Any]) -> None:
    body = await _coverage(client, world, "?year=2024&category=ethics")
    assert body["categories"] == ["ethics"] and set(body["district"]) == {"ethics"}
    assert _row(body, k["id"])["by_category"] == {"ethics": {"on_post": 4, "covered": 1, "rate": 0.25, "target": 1.0}}


async def test_a_kindergarten_with_nobody_on_post_has_no_rate(client: Any, world: World) -> None:
    r = await client.post(f"{API}/kindergartens", json=kindergarten_body(name="空园"), headers=world.h(HR))
    empty = r.json()
    await insert_staff(empty["id"], "pending_induction")
    row = _row(await _coverage(client, world, "?year=2024"), empty["id"])
    assert row["by_category"]["safety"] == {"on_post": 0, "covered": 0, "rate": None, "target": 1.0}


async def test_family_instructor_needs_a_valid_unexpired_certificate_of_an_on_post_person(
    client: Any, world: World, k: dict[str, Any]
) -> None:
    async def lacking() -> bool:
        body = await _coverage(client, world, "?year=2024")
        return k["id"] in {r["kindergarten_id"] for r in body["without_family_instructor"]}

    async def certify(staff_id: int, status: str = "valid", expires_on: date | None = None) -> None:
        # straight to the table, so the number is stored as the domain stores it (upper case): the
        # database is the run's, and the export -> import round trip of tests/bulk reads it
        await Certificate.insert(
            Certificate(
                staff=staff_id,
                type="family_education_instructor",
                number=f"FEI-{staff_id}-{status}".upper(),
                issuer="朝阳区家庭教育指导中心",
                issued_on=date(2022, 1, 1),
                expires_on=expires_on,
                status=status,
            )
        )

    p1, p2, p3, _ = k["people"]
    day = today()
    assert await lacking()
    await certify(k["on_leave"])  # not on post
    await certify(p1, expires_on=day - timedelta(days=1))  # expired yesterday
    await certify(p2, status="revoked")
    await certify(p3, status="suspended", expires_on=day + timedelta(days=300))
    assert await lacking()
    await certify(p3, expires_on=day)  # valid through today
    assert not await lacking()
    refs = (await _coverage(client, world))["without_family_instructor"]
    assert all(set(r) == {"kindergarten_id", "code", "name"} for r in refs)


async def test_admin_sees_their_own_kindergarten_only(client: Any, world: World, k: dict[str, Any]) -> None:
    body = await _coverage(client, world, "?year=2024", who=ADMIN)
    assert body["scope"] == "kindergarten"
    assert [r["kindergarten_id"] for r in body["kindergartens"]] == [world.kg_a["id"]]
    assert {r["kindergarten_id"] for r in body["without_family_instructor"]} <= {world.kg_a["id"]}
    row = body["kindergartens"][0]
    assert body["district"] == row["by_category"]
    inspector = await _coverage(client, world, "?year=2024", who=INSPECTOR)
    assert inspector["scope"] == "district" and k["id"] in {r["kindergarten_id"] for r in inspector["kindergartens"]}
    assert (await client.get(f"{API}/training/coverage", headers=world.h(TEACHER))).status_code == 403


async def test_defaults_and_bad_parameters(client: Any, world: World) -> None:
    assert (await _coverage(client, world))["year"] == today().year
    r = await client.get(f"{API}/training/coverage?year=2017", headers=world.h(HR))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "year"  # no policy in force
    assert (await client.get(f"{API}/training/coverage?year=1999", headers=world.h(HR))).status_code == 400
    assert (await client.get(f"{API}/training/coverage?category=cooking", headers=world.h(HR))).status_code == 400
    assert (await client.get(f"{API}/training/coverage?kindergarten=1", headers=world.h(HR))).status_code == 400
