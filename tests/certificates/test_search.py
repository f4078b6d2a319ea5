"""Finding certificates by number (certificates.search.find_by_number): scoped as every certificate read
(district HR and inspectors everyone, a kindergarten admin their kindergarten's staff, a teacher
themself), the term taken literally, an exact number first, expiry derived on the day."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from certificates.search import find_by_number
from certificates.tables import Certificate
from kernel.auth import Principal
from kernel.codes import Role
from tests.support import World, insert_staff


def principal(role: str, world: World) -> Principal:
    return Principal(
        account_id=0,
        username=f"search-{role}",
        role=Role(role),
        kindergarten_id=world.kg_a["id"] if role in ("kindergarten_admin", "teacher") else None,
        staff_id=world.staff_a["id"] if role == "teacher" else None,
    )


async def certificate(staff_id: int, number: str, **over: Any) -> int:
    rows = await Certificate.insert(
        Certificate(
            staff=staff_id,
            type=over.pop("type", "post_certificate"),
            number=number,
            issuer="测试",
            issued_on=date(2020, 7, 1),
            expires_on=over.pop("expires_on", None),
            status=over.pop("status", "valid"),
        )
    ).returning(Certificate.id)
    return int(rows[0]["id"])


@pytest.fixture(scope="module")
async def numbers(client: Any, world: World) -> dict[str, Any]:
    """Certificates sharing a fragment of their numbers: one of the teacher of kindergarten A (the
    teacher account's own record), one of another person of A, one of the teacher of B."""
    tag = uuid.uuid4().hex[:6].upper()
    colleague = await insert_staff(world.kg_a["id"], name="同园同事")
    ids = {
        "own": await certificate(world.staff_a["id"], f"CS-{tag}-1"),
        "colleague": await certificate(colleague, f"CS-{tag}-12", expires_on=date.today() - timedelta(days=1)),
        "other": await certificate(world.staff_b["id"], f"CS-{tag}-123", status="suspended"),
        "wildcard": await certificate(world.staff_b["id"], f"CS{tag}_%X"),
    }
    return {"tag": tag, "ids": ids, "colleague": colleague}


@pytest.mark.parametrize(
    ("role", "found"),
    [
        ("district_hr", {"own", "colleague", "other"}),
        ("inspector", {"own", "colleague", "other"}),
        ("kindergarten_admin", {"own", "colleague"}),
        ("teacher", {"own"}),
    ],
)
async def test_scoped_as_certificate_reads(world: World, numbers: dict[str, Any], role: str, found: set[str]) -> None:
    hits = await find_by_number(principal(role, world), f"cs-{numbers['tag']}-1", limit=20)
    by_id = {v: k for k, v in numbers["ids"].items()}
    assert {by_id[h.certificate_id] for h in hits.items} == found
    assert hits.total == len(found)


async def test_exact_number_first_and_the_holder_with_it(world: World, numbers: dict[str, Any]) -> None:
    hr = principal("district_hr", world)
    hits = await find_by_number(hr, f"CS-{numbers['tag']}-12", limit=20)
    assert [h.number for h in hits.items] == [f"CS-{numbers['tag']}-12", f"CS-{numbers['tag']}-123"]
    first, second = hits.items
    assert first.staff_id == numbers["colleague"] and first.name == "同园同事"
    assert first.kindergarten_id == world.kg_a["id"] and first.kindergarten_code == world.kg_a["code"]
    assert first.status == "expired"  # derived from expires_on, as every certificate read
    assert second.status == "suspended" and second.name == world.staff_b["name"]
    page = await find_by_number(hr, f"CS-{numbers['tag']}", limit=1)
    assert len(page.items) == 1 and page.total == 3


@pytest.mark.parametrize("term", ["%", "_", "CS%", "cs-%-1", "\\"])
async def test_the_term_is_literal(world: World, numbers: dict[str, Any], term: str) -> None:
    hits = await find_by_number(principal("district_hr", world), term, limit=50)
    assert all(term.upper() in h.number for h in hits.items)


async def test_wildcard_characters_match_themselves(world: World, numbers: dict[str, Any]) -> None:
    hits = await find_by_number(principal("district_hr", world), f"{numbers['tag']}_%", limit=5)
    assert [h.certificate_id for h in hits.items] == [numbers["ids"]["wildcard"]]


@pytest.mark.parametrize("term", ["", "   ", "X" * 65])
async def test_blank_or_overlong_finds_nothing(world: World, term: str) -> None:
    hits = await find_by_number(principal("district_hr", world), term, limit=5)
    assert hits.items == [] and hits.total == 0
