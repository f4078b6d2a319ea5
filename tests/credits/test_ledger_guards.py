"""Guards on the ledger found in review: reserved references, hand-set credits."""

from __future__ import annotations

from typing import Any

import pytest

from tests.credits.helpers import entry_body
from tests.support import World

API = "/api/v1"


@pytest.mark.parametrize("reference", ["training_result:999999", "reversal:1", "entry:abc"])
async def test_the_registrys_own_references_are_reserved(client: Any, world: World, reference: str) -> None:
    r = await client.post(
        f"{API}/credits/entries",
        json=entry_body(world.staff_a["id"], reference=reference),
        headers=world.h("kindergarten_admin"),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reference"


async def test_only_hr_sets_credits_by_hand(client: Any, world: World) -> None:
    body = entry_body(world.staff_a["id"], hours=1, credits=9999)
    assert (
        await client.post(f"{API}/credits/entries", json=body, headers=world.h("kindergarten_admin"))
    ).status_code == 403
    r = await client.post(f"{API}/credits/entries", json={**body, "credits": 0.5}, headers=world.h("district_hr"))
    assert r.status_code == 201, r.text
