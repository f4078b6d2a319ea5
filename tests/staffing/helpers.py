"""Builders for the staffing tests: kindergartens in streets of their own (the test database is
shared by the whole run), people written straight to the tables with or without the certificates
of their post, pool candidates."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from typing import Any

from certificates.tables import Certificate
from tests.support import World, insert_staff, kindergarten_body, new_id_number, teacher_qualification_number

API = "/api/v1"
HR, ADMIN, TEACHER, INSPECTOR, ANON = "district_hr", "kindergarten_admin", "teacher", "inspector", "anonymous"

_serial = itertools.count(1)


def street() -> str:
    """A street no other test uses, so a street filter selects this test's kindergartens only."""
    return f"测试街道{uuid.uuid4().hex[:8]}"


async def make_kindergarten(client: Any, world: World, **over: Any) -> dict[str, Any]:
    r = await client.post(f"{API}/kindergartens", json=kindergarten_body(**over), headers=world.h(HR))
    assert r.status_code == 201, r.text
    return dict(r.json())


# One certificate of each type a post needs (the first of each group of the policy's alternatives).
CERTIFICATES = {
    "teacher": ("teacher_qualification", "post_certificate"),
    "principal": ("principal_qualification", "post_certificate", "teacher_qualification"),
    "vice_principal": ("principal_qualification", "post_certificate", "teacher_qualification"),
    "childcare_worker": ("childcare_certificate",),
    "health_doctor": ("health_care_training",),
    "other": (),
}


def certificate_number(cert_type: str) -> str:
    """A number as the domain stores it (stripped, upper case: ``certificates.services``); the rows go
    straight to the table, and the database is the run's (the export -> import round trip of
    tests/bulk reads them)."""
    if cert_type == "teacher_qualification":
        return teacher_qualification_number()
    return f"ST-{cert_type[:4]}-{next(_serial):07d}-{uuid.uuid4().hex[:4]}".upper()


async def give_certificates(staff_id: int, post: str) -> None:
    for cert_type in CERTIFICATES[post]:
        await Certificate.insert(
            Certificate(
                staff=staff_id,
                type=cert_type,
                number=certificate_number(cert_type),
                issuer="测试",
                issued_on=date(2016, 7, 1),
                expires_on=None,
                status="valid",
            )
        )


async def people(
    kindergarten_id: int, post: str, *, qualified: int = 0, unqualified: int = 0, pending: int = 0
) -> list[int]:
    """``qualified`` on post with their certificates, ``unqualified`` on post without, ``pending``
    waiting for induction."""
    ids = []
    for _ in range(qualified):
        sid = await insert_staff(kindergarten_id, post=post, status="on_post")
        await give_certificates(sid, post)
        ids.append(sid)
    for _ in range(unqualified):
        ids.append(await insert_staff(kindergarten_id, post=post, status="on_post"))
    for _ in range(pending):
        ids.append(await insert_staff(kindergarten_id, post=post, status="pending_induction"))
    return ids


def candidate_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id_number": new_id_number(born=date(1996, 5, 4)),
        "name": "王晓雨",
        "source": "university",
        "posts": ["teacher"],
        "streets": [],
        "available_from": "2026-01-01",
    }
    body.update(over)
    return body


def teacher_certificates() -> list[dict[str, Any]]:
    return [
        {"type": "teacher_qualification", "number": teacher_qualification_number(2019), "issued_on": "2019-07-01"},
        {"type": "post_certificate", "number": certificate_number("post_certificate"), "issued_on": "2020-08-01"},
    ]


async def make_candidate(client: Any, world: World, **over: Any) -> dict[str, Any]:
    r = await client.post(f"{API}/pool/candidates", json=candidate_body(**over), headers=world.h(HR))
    assert r.status_code == 201, r.text
    return dict(r.json())


def post_of(row: dict[str, Any], post: str) -> dict[str, Any]:
    return next(p for p in row["posts"] if p["post"] == post)


def figures(cell: dict[str, Any]) -> tuple[int, ...]:
    """(required, on_post, qualified, gap, surplus, to_certify, pending_induction)"""
    keys = ("required", "on_post", "qualified", "gap", "surplus", "to_certify", "pending_induction")
    return tuple(cell[k] for k in keys)
