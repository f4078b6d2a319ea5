"""A hand entry posted twice counts once: the Idempotency-Key header, and without one (or a reference)
the 24-hour check for an identical entry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from credits import ledger
from credits.tables import CreditEntry
from kernel.common.time import utcnow
from tests.credits.helpers import API, HR, entry_body
from tests.support import World, insert_staff, login, make_account


def bare(staff_id: int, **over: Any) -> dict[str, Any]:
    """An entry as a person types it: no reference."""
    body = entry_body(staff_id, **{"source": "training", "hours": 12, **over})
    del body["reference"]
    return body


async def post(client: Any, world: World, body: dict[str, Any], key: str | None = None, who: str = HR) -> Any:
    headers = dict(world.h(who))
    if key is not None:
        headers["Idempotency-Key"] = key
    return await client.post(f"{API}/credits/entries", json=body, headers=headers)


async def count(staff_id: int) -> int:
    return await CreditEntry.count().where(CreditEntry.staff == staff_id)


async def test_the_same_key_answers_the_first_entry_again(client: Any, world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    first = await post(client, world, bare(sid), key="form-7f3a")
    assert first.status_code == 201, first.text
    again = await post(client, world, bare(sid), key="form-7f3a")  # the retried request
    assert again.status_code == 201 and again.json() == first.json()
    assert await count(sid) == 1
    # the key used for another entry: refused, naming the header
    other = await post(client, world, bare(sid, hours=20), key="form-7f3a")
    assert other.status_code == 409, other.text
    assert other.json()["errors"][0]["field"] == "Idempotency-Key" and str(first.json()["id"]) in other.json()["detail"]
    # another account's key of the same spelling is its own key
    # (another district HR account: a kindergarten admin's entry is reviewed, never applied at once)
    if "other_hr" not in world.tokens:
        await make_account("district_hr", "w_hr_idem")
        world.tokens["other_hr"] = await login(client, "w_hr_idem")
    mine = await post(client, world, bare(sid, date="2024-03-02"), key="form-7f3a", who="other_hr")
    assert mine.status_code == 201 and mine.json()["id"] != first.json()["id"]
    assert await count(sid) == 2


@pytest.mark.parametrize("key", ["", "has space", "x" * 129])
async def test_a_malformed_key_is_422(client: Any, world: World, key: str) -> None:
    sid = await insert_staff(world.kg_a["id"])
    r = await post(client, world, bare(sid), key=key)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"
    assert await count(sid) == 0


async def test_an_identical_entry_within_24_hours_is_409_naming_it(client: Any, world: World, monkeypatch) -> None:
    sid = await insert_staff(world.kg_a["id"])
    first = await post(client, world, bare(sid))
    assert first.status_code == 201, first.text
    twice = await post(client, world, bare(sid))
    assert twice.status_code == 409, twice.text
    assert f"（条目 {first.json()['id']}）" in twice.json()["detail"] and twice.json()["code"] == "posted-twice"
    assert twice.json()["errors"][0]["field"] == "reference"
    assert await count(sid) == 1
    # not identical (another date, other hours): recorded
    assert (await post(client, world, bare(sid, date="2024-03-02"))).status_code == 201
    assert (await post(client, world, bare(sid, hours=13))).status_code == 201
    # a reference says it is a distinct activity: recorded
    assert (await post(client, world, {**bare(sid), "reference": "课题-2024-17"})).status_code == 201
    # after the first was reversed, the same entry may be posted again
    r = await client.post(
        f"{API}/credits/entries/{first.json()['id']}/reversal", json={"reason": "录错"}, headers=world.h(HR)
    )
    assert r.status_code == 201, r.text
    assert (await post(client, world, bare(sid))).status_code == 201
    # 24 hours on, an identical entry is a new one
    sid2 = await insert_staff(world.kg_a["id"])
    assert (await post(client, world, bare(sid2))).status_code == 201
    now = utcnow()
    monkeypatch.setattr(ledger, "utcnow", lambda: now + timedelta(hours=24, minutes=1))
    assert (await post(client, world, bare(sid2))).status_code == 201
    assert await count(sid2) == 2
