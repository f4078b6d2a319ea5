"""Every write leaves a trail: actor, time, action, entity, id, before and after; append-only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support import World, kindergarten_body, staff_body

API = "/api/v1"


async def test_create_update_transfer_are_recorded(client, world: World) -> None:
    hr = world.h("district_hr")
    start = datetime.now(UTC) - timedelta(seconds=1)
    person = (await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"], title="level3"), headers=hr)).json()
    await client.patch(f"{API}/staff/{person['id']}", json={"title": "level2"}, headers=hr)
    await client.post(f"{API}/staff/{person['id']}/transfer", json={"kindergarten_id": world.kg_b["id"]}, headers=hr)
    r = await client.get(f"{API}/audit?entity=staff&entity_id={person['id']}", headers=hr)
    events = list(reversed(r.json()["items"]))
    assert [e["action"] for e in events] == ["create", "update", "transfer"]
    assert all(e["actor"] == "w_hr" for e in events)
    assert all(datetime.fromisoformat(e["at"]) >= start for e in events)
    create, update, transfer = events
    assert create["before"] is None and create["after"]["id_number"] == person["id_number"]
    assert update["before"] == {"title": "level3"} and update["after"] == {"title": "level2"}
    assert transfer["before"]["kindergarten_id"] == world.kg_a["id"]
    assert transfer["after"]["kindergarten_id"] == world.kg_b["id"]


async def test_filters_by_actor_and_time(client, world: World) -> None:
    hr = world.h("district_hr")
    before = datetime.now(UTC)
    kg = (await client.post(f"{API}/kindergartens", json=kindergarten_body(), headers=hr)).json()
    mine = (await client.get(f"{API}/audit", params={"actor": "w_hr", "since": before.isoformat()}, headers=hr)).json()
    assert [(e["entity"], e["entity_id"]) for e in mine["items"]] == [("kindergarten", str(kg["id"]))]
    none = (
        await client.get(
            f"{API}/audit",
            params={"until": before.isoformat(), "entity": "kindergarten", "entity_id": str(kg["id"])},
            headers=hr,
        )
    ).json()
    assert none["total"] == 0
    nobody = (await client.get(f"{API}/audit?actor=w_admin&entity=kindergarten", headers=hr)).json()
    assert nobody["total"] == 0


async def test_rejected_writes_leave_no_trail(client, world: World) -> None:
    hr = world.h("district_hr")
    total = (await client.get(f"{API}/audit?limit=1", headers=hr)).json()["total"]
    await client.post(f"{API}/kindergartens", json=kindergarten_body(group=99), headers=hr)
    await client.patch(
        f"{API}/staff/{world.staff_b['id']}", json={"education": "master"}, headers=world.h("kindergarten_admin")
    )
    assert (await client.get(f"{API}/audit?limit=1", headers=hr)).json()["total"] == total


@pytest.mark.parametrize("sql", ["UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event"])
async def test_the_database_refuses_to_change_the_trail(client, world: World, sql: str) -> None:
    from registry.audit.tables import AuditEvent

    count = await AuditEvent.count()
    assert count > 0
    with pytest.raises(Exception, match="append-only"):
        await AuditEvent.raw(sql)
    assert await AuditEvent.count() == count
