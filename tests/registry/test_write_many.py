"""Several writes of one kind as one (``Changes.write_many``, issue 15: a roster on one form): applied in
one transaction by district HR, kept as one change request each for a kindergarten admin; one refused
write refuses them all, and the refusal names which one it was (``extra["item"]``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from app.changes import app_changes
from credits.schemas import EntryCreate
from kernel.auth import Principal
from kernel.codes import Role
from kernel.common.time import today
from kernel.errors import DomainError
from registry.changes.codes import ChangeKind
from registry.changes.services import Applied, Submitted, list_changes
from tests.support import World, insert_staff

KIND = ChangeKind.credit_entry
HR = Principal(account_id=1, username="w_hr", role=Role.district_hr)


def entry(staff_id: int, reason: str, days_ago: int = 1, hours: int = 2) -> EntryCreate:
    return EntryCreate(
        staff_id=staff_id,
        date=today() - timedelta(days=days_ago),
        category="general",
        source="research",
        hours=Decimal(hours),
        reason=reason,
    )


async def reasons(client: Any, world: World, staff_id: int) -> list[str]:
    r = await client.get(f"/api/v1/staff/{staff_id}/credits", headers=world.h("district_hr"))
    assert r.status_code == 200, r.text
    return [e["reason"] for e in r.json()["entries"]]


async def test_hr_writes_all_or_none_and_the_refused_one_is_named(client: Any, world: World) -> None:
    staff_id = await insert_staff(world.kg_a["id"], name="批量甲")
    changes = app_changes()
    with pytest.raises(DomainError) as refused:
        await changes.write_many(HR, KIND, [(entry(staff_id, "一"), None), (entry(staff_id, "二", -3), None)])
    assert refused.value.extra["item"] == 1
    assert await reasons(client, world, staff_id) == []
    done = await changes.write_many(HR, KIND, [(entry(staff_id, "一"), None), (entry(staff_id, "二", hours=3), None)])
    assert all(isinstance(d, Applied) for d in done)
    assert sorted(await reasons(client, world, staff_id)) == ["一", "二"]
    # a single write is the API's: its refusal carries no item
    with pytest.raises(DomainError) as single:
        await changes.write(HR, ChangeKind.credit_entry, entry(staff_id, "三", -3))
    assert "item" not in single.value.extra


async def test_an_admin_s_roster_is_one_change_request_each(client: Any, world: World) -> None:
    staff_id = await insert_staff(world.kg_a["id"], name="批量乙")
    admin = Principal(account_id=2, username="w_admin", role=Role.kindergarten_admin, kindergarten_id=world.kg_a["id"])
    changes = app_changes()
    with pytest.raises(DomainError) as refused:
        await changes.write_many(admin, KIND, [(entry(staff_id, "甲"), None), (entry(staff_id, "乙", -2), None)])
    assert refused.value.extra["item"] == 1
    before = (await list_changes(admin, kind=ChangeKind.credit_entry)).total
    done = await changes.write_many(
        admin, KIND, [(entry(staff_id, "甲"), None), (entry(staff_id, "乙", hours=3), None)]
    )
    assert all(isinstance(d, Submitted) for d in done)
    assert (await list_changes(admin, kind=ChangeKind.credit_entry)).total == before + 2
    assert await reasons(client, world, staff_id) == []
