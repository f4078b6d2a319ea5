"""Capacity under concurrency (PostgreSQL): the session row is locked before seats are counted.

(On SQLite write transactions are BEGIN IMMEDIATE, so writers run one at a time anyway.)
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.support import World
from tests.training.helpers import API, HR, enrol, insert_staff, make_session


@pytest.mark.postgres_only
@pytest.mark.parametrize("round_", range(5))
async def test_two_concurrent_enrolments_for_the_last_seat(client: Any, world: World, round_: int) -> None:
    session = await make_session(client, world, capacity=1)
    a = await insert_staff(world.kg_a["id"])
    b = await insert_staff(world.kg_b["id"])
    first, second = await asyncio.gather(
        enrol(client, world, session["id"], a),
        enrol(client, world, session["id"], b),
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409], (first.text, second.text)
    seats = (await client.get(f"{API}/training/sessions/{session['id']}", headers=world.h(HR))).json()
    assert (seats["seats_taken"], seats["seats_left"]) == (1, 0)


@pytest.mark.postgres_only
async def test_the_same_person_twice_at_once_is_one_enrolment(client: Any, world: World) -> None:
    session = await make_session(client, world, capacity=10)
    a = await insert_staff(world.kg_a["id"])
    codes = sorted(
        r.status_code for r in await asyncio.gather(*(enrol(client, world, session["id"], a) for _ in range(3)))
    )
    assert codes == [201, 409, 409]


@pytest.mark.postgres_only
async def test_two_concurrent_results_for_one_enrolment(client: Any, world: World) -> None:
    from tests.training.helpers import enrolled, post_result

    session = await make_session(client, world)
    enrolment_id = await enrolled(client, world, session["id"], await insert_staff(world.kg_a["id"]))
    codes = sorted(
        r.status_code for r in await asyncio.gather(*(post_result(client, world, enrolment_id) for _ in range(2)))
    )
    assert codes == [201, 409]
