"""Every role (and no token) against every report endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from tests.guards import past_the_guard
from tests.reports.helpers import ADMIN, ANON, API, HR, INSPECTOR, TEACHER
from tests.support import World


def _case(path: str, expected: dict[str, int]) -> list[Any]:
    return [
        pytest.param(path, role, code, id=f"{path} as {role}") for role, code in past_the_guard("GET", path, expected)
    ]


EVERYONE = {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200, ANON: 401}
OTHER_KG_STAFF = {HR: 200, ADMIN: 404, TEACHER: 404, INSPECTOR: 200, ANON: 401}
OWN_RECORD = {HR: 404, ADMIN: 404, TEACHER: 200, INSPECTOR: 404, ANON: 401}  # only accounts with a staff record
OWN_KG = {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: 401}
OTHER_KG = {HR: 200, ADMIN: 404, TEACHER: 403, INSPECTOR: 200, ANON: 401}
DISTRICT = {HR: 200, ADMIN: 403, TEACHER: 403, INSPECTOR: 200, ANON: 401}
HR_ONLY = {HR: 200, ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: 401}
PUBLIC = {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200, ANON: 200}
UNKNOWN = {HR: 404, ADMIN: 404, TEACHER: 404, INSPECTOR: 404, ANON: 404}

CASES = [
    *_case("/reports/staff/{sa}/certificates.pdf", EVERYONE),
    *_case("/reports/staff/{sb}/certificates.pdf", OTHER_KG_STAFF),
    *_case("/reports/staff/{sa}/credits.pdf", EVERYONE),
    *_case("/reports/staff/{sb}/credits.pdf", OTHER_KG_STAFF),
    *_case("/reports/staff/999999/certificates.pdf", {HR: 404, ADMIN: 404, TEACHER: 404, INSPECTOR: 404, ANON: 401}),
    *_case("/reports/me/certificates.pdf", OWN_RECORD),
    *_case("/reports/me/credits.pdf", OWN_RECORD),
    *_case("/reports/kindergartens/{ka}/staffing.pdf", OWN_KG),
    *_case("/reports/kindergartens/{kb}/staffing.pdf", OTHER_KG),
    *_case(
        "/reports/kindergartens/999999/staffing.pdf", {HR: 404, ADMIN: 404, TEACHER: 403, INSPECTOR: 404, ANON: 401}
    ),
    *_case("/reports/district/compliance.pdf", DISTRICT),
    *_case("/reports/district/staffing.pdf", DISTRICT),
    *_case("/reports/ethics/vetoes.pdf", HR_ONLY),
    *_case("/reports/verify/{code}", PUBLIC),
    *_case("/reports/verify/0000-0000-0000-0000", UNKNOWN),
    # an unknown query parameter is a 400, for whoever may call the endpoint
    *_case("/reports/district/compliance.pdf?onn=2026-01-01", {HR: 400, INSPECTOR: 400}),
    *_case("/reports/staff/{sa}/credits.pdf?cycle=2021", {HR: 400}),
    # a day or cycle without a policy in force: 422, as for the JSON endpoints
    *_case("/reports/district/compliance.pdf?on=1900-01-01", {HR: 422, INSPECTOR: 422}),
    *_case("/reports/staff/{sa}/credits.pdf?cycle=1990-1994", {HR: 422, TEACHER: 422}),
]


@pytest.fixture(scope="module")
async def issued_code(client: Any, world: World) -> str:
    r = await client.get(f"{API}/reports/staff/{world.staff_a['id']}/certificates.pdf", headers=world.h(HR))
    assert r.status_code == 200, r.text
    return str(r.headers["x-verification-code"])


@pytest.mark.parametrize(("path", "role", "expected"), CASES)
async def test_reports_role_matrix(
    client: Any, world: World, issued_code: str, path: str, role: str, expected: int
) -> None:
    ids = {
        "sa": world.staff_a["id"],
        "sb": world.staff_b["id"],
        "ka": world.kg_a["id"],
        "kb": world.kg_b["id"],
        "code": issued_code,
    }
    r = await client.get(API + path.format(**ids), headers=world.h(role))
    assert r.status_code == expected, r.text
    if expected == 200 and path.endswith(".pdf"):
        assert r.content.startswith(b"%PDF-") and r.headers["x-verification-code"]
    elif expected != 200:
        assert r.headers["content-type"].startswith("application/problem+json")
