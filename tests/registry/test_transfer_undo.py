"""Undoing a mistaken transfer made today: the person is back where they were, the history of
assignments reads as if the transfer had not happened, and the audit trail keeps both events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from kernel.common.time import today
from tests.support import World, staff_body

API = "/api/v1"
HR = "district_hr"


async def hired(client: Any, world: World, **over: Any) -> dict[str, Any]:
    r = await client.post(
        f"{API}/staff", json=staff_body(world.kg_a["id"], hired_on="2016-09-01", **over), headers=world.h(HR)
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def transfer(client: Any, world: World, person: dict[str, Any], **body: Any) -> dict[str, Any]:
    r = await client.post(
        f"{API}/staff/{person['id']}/transfer",
        json={"kindergarten_id": world.kg_b["id"], **body},
        headers=world.h(HR),
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def history(detail: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(a["kindergarten_id"], a["post"], a["starts_on"], a["ends_on"], a["reason"]) for a in detail["assignments"]]


async def test_a_transfer_made_today_is_undone(client, world: World) -> None:
    person = await hired(client, world)
    before = (await client.get(f"{API}/staff/{person['id']}", headers=world.h(HR))).json()
    moved = await transfer(client, world, person, post="childcare_worker", reason="调错了")
    assert moved["kindergarten_id"] == world.kg_b["id"] and len(moved["assignments"]) == 2
    r = await client.post(f"{API}/staff/{person['id']}/transfer/undo", headers=world.h(HR))
    assert r.status_code == 200, r.text
    back = r.json()
    assert (back["kindergarten_id"], back["post"], back["status"]) == (
        before["kindergarten_id"],
        before["post"],
        before["status"],
    )
    assert history(back) == history(before)  # the mistaken assignment is gone, the earlier one open again
    # the admin of the first kindergarten sees the person again
    assert (await client.get(f"{API}/staff/{person['id']}", headers=world.h("kindergarten_admin"))).status_code == 200
    trail = (await client.get(f"{API}/audit?entity=staff&entity_id={person['id']}", headers=world.h(HR))).json()
    events = list(reversed(trail["items"]))
    assert [e["action"] for e in events] == ["create", "transfer", "transfer.undo"]
    undo = events[-1]
    assert undo["before"]["kindergarten_id"] == world.kg_b["id"]
    assert undo["before"]["assignment"] == {
        "kindergarten_id": world.kg_b["id"],
        "post": "childcare_worker",
        "starts_on": today().isoformat(),
        "reason": "调错了",
    }
    assert undo["after"] == {
        "kindergarten_id": world.kg_a["id"],
        "post": "teacher",
        "status": "pending_induction",
        "undoes": events[1]["id"],
    }
    # and once undone, there is nothing left to undo
    again = await client.post(f"{API}/staff/{person['id']}/transfer/undo", headers=world.h(HR))
    assert again.status_code == 409 and again.json()["code"] == "no-transfer"
    assert again.json()["detail"] == "该人员最近一次调动已撤销"


async def test_no_transfer_to_undo(client, world: World) -> None:
    person = await hired(client, world)
    r = await client.post(f"{API}/staff/{person['id']}/transfer/undo", headers=world.h(HR))
    assert r.status_code == 409
    assert (r.json()["code"], r.json()["detail"]) == ("no-transfer", "该人员没有可撤销的调动")
    r = await client.post(f"{API}/staff/{person['id']}/transfer/undo", headers={**world.h(HR), "Accept-Language": "en"})
    assert r.json()["detail"] == "this person has no transfer to undo"


async def test_a_transfer_that_took_effect_before_today_is_not_undone(client, world: World) -> None:
    person = await hired(client, world)
    on = today() - timedelta(days=3)
    await transfer(client, world, person, on=on.isoformat())
    r = await client.post(f"{API}/staff/{person['id']}/transfer/undo", headers=world.h(HR))
    assert r.status_code == 409 and r.json()["code"] == "transfer-not-today"
    assert on.isoformat() in r.json()["detail"] and "今天" in r.json()["detail"]
    assert (await client.get(f"{API}/staff/{person['id']}", headers=world.h(HR))).json()["kindergarten_id"] == (
        world.kg_b["id"]
    )


@pytest.mark.parametrize(
    "change",
    [{"name": "李静怡"}, {"post": "childcare_worker"}],
    ids=["a later change of the record", "a later assignment (a new post)"],
)
async def test_a_transfer_followed_by_a_change_is_not_undone(client, world: World, change: dict[str, Any]) -> None:
    person = await hired(client, world)
    await transfer(client, world, person)
    r = await client.patch(f"{API}/staff/{person['id']}", json=change, headers=world.h(HR))
    assert r.status_code == 200, r.text
    before = (await client.get(f"{API}/staff/{person['id']}", headers=world.h(HR))).json()
    r = await client.post(f"{API}/staff/{person['id']}/transfer/undo", headers=world.h(HR))
    assert r.status_code == 409 and r.json()["code"] == "changed-since-transfer", r.text
    assert (await client.get(f"{API}/staff/{person['id']}", headers=world.h(HR))).json() == before  # nothing written


async def test_only_the_latest_transfer_is_undone(client, world: World) -> None:
    """Two transfers: the undo takes back the second one only."""
    person = await hired(client, world)
    await transfer(client, world, person, on=(today() - timedelta(days=10)).isoformat())
    moved = await client.post(
        f"{API}/staff/{person['id']}/transfer", json={"kindergarten_id": world.kg_a["id"]}, headers=world.h(HR)
    )
    assert moved.status_code == 200
    back = (await client.post(f"{API}/staff/{person['id']}/transfer/undo", headers=world.h(HR))).json()
    assert back["kindergarten_id"] == world.kg_b["id"]
    assert [a["kindergarten_id"] for a in back["assignments"]] == [world.kg_b["id"], world.kg_a["id"]]
    assert back["assignments"][0]["ends_on"] is None


@pytest.mark.parametrize(
    ("role", "status"), [(HR, 200), ("kindergarten_admin", 403), ("teacher", 403), ("inspector", 403)]
)
async def test_who_may_undo_a_transfer(client, world: World, role: str, status: int) -> None:
    person = await hired(client, world)
    await transfer(client, world, person)
    r = await client.post(f"{API}/staff/{person['id']}/transfer/undo", headers=world.h(role))
    assert r.status_code == status, r.text
    r = await client.get(f"{API}/staff/{person['id']}", headers=world.h(HR))
    assert r.json()["kindergarten_id"] == (world.kg_a["id"] if status == 200 else world.kg_b["id"])


async def test_an_unknown_person_is_404(client, world: World) -> None:
    r = await client.post(f"{API}/staff/999999999/transfer/undo", headers=world.h(HR))
    assert r.status_code == 404
