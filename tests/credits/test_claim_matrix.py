"""Every role (and no token) against every credit-claim endpoint, with the claims of two kindergartens:
the teacher of A's claim is seen by her, A's admin, district HR and inspectors; another kindergarten's
admin and teacher get the 404 of a claim that does not exist. Rows the guard decides alone (401, 403) are run by
tests/test_role_matrix.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.credits.claim_helpers import fields, kindergarten_b_accounts, png, submitted
from tests.credits.helpers import ADMIN, ANON, API, HR, INSPECTOR, TEACHER
from tests.guards import past_the_guard
from tests.support import World

ADMIN_B, TEACHER_B = "admin_b", "teacher_b"


def _case(method: str, path: str, body: Any, expected: dict[str, int]) -> list[Any]:
    return [
        pytest.param(method, path, body, role, code, id=f"{method} {path} as {role}")
        for role, code in past_the_guard(method, path, expected)
    ]


SEEN = {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200, ADMIN_B: 404, TEACHER_B: 404, ANON: 401}
CASES = [
    *_case("POST", "/me/credit-claims", "form", {HR: 403, ADMIN: 403, TEACHER: 201, INSPECTOR: 403, ANON: 401}),
    *_case("GET", "/me/credit-claims", None, {HR: 403, ADMIN: 403, TEACHER: 200, INSPECTOR: 403, ANON: 401}),
    *_case("GET", "/credit-claims", None, {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ADMIN_B: 200, ANON: 401}),
    *_case("GET", "/credit-claims/{ca}", None, SEEN),
    *_case("GET", "/credit-claims/{ca}/evidence", None, SEEN),
    # the admin of A checks A's claim; HR decides only a checked one (409 here); B's admin cannot see it
    *_case(
        "POST",
        "/credit-claims/{ca}/review",
        "approve",
        {HR: 409, ADMIN: 200, TEACHER: 403, INSPECTOR: 403, ADMIN_B: 404, ANON: 401},
    ),
    *_case(
        "POST",
        "/credit-claims/{cchecked}/review",
        "approve",
        {HR: 200, ADMIN: 409, TEACHER: 403, INSPECTOR: 403, ANON: 401},
    ),
    # only the teacher who made a claim amends it (another's: 404), and only once it is returned
    *_case(
        "PUT",
        "/me/credit-claims/{creturned}",
        "amend",
        {HR: 403, ADMIN: 403, TEACHER: 200, INSPECTOR: 403, TEACHER_B: 404, ANON: 401},
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
async def test_credit_claim_role_matrix(
    client: Any, world: World, method: str, path: str, body: Any, role: str, expected: int
) -> None:
    other = await kindergarten_b_accounts(client, world)
    ids: dict[str, Any] = {}
    if "{ca}" in path or "{cchecked}" in path or "{creturned}" in path:
        claim = await submitted(client, world)  # a fresh claim of A's teacher each time
        ids["ca"] = ids["cchecked"] = ids["creturned"] = claim["id"]
        if "{cchecked}" in path or "{creturned}" in path:
            r = await client.post(
                f"{API}/credit-claims/{claim['id']}/review", json={"decision": "approve"}, headers=world.h(ADMIN)
            )
            assert r.status_code == 200, r.text
        if "{creturned}" in path:
            r = await client.post(
                f"{API}/credit-claims/{claim['id']}/review",
                json={"decision": "return", "reason": "请补充材料"},
                headers=world.h(HR),
            )
            assert r.status_code == 200, r.text
    url = API + path.format(**ids)
    kwargs: dict[str, Any] = {}
    if body == "form":
        kwargs = {"data": fields(), "files": {"file": ("证书.png", png(), "image/png")}}
    elif body == "amend":
        kwargs = {"data": fields(), "files": {"file": ("", b"", "application/octet-stream")}}
    elif body == "approve":
        kwargs = {"json": {"decision": "approve"}}
    r = await client.request(method, url, headers=world.h(role), **kwargs)
    assert r.status_code == expected, r.text
    if expected == 200 and path.endswith("/evidence"):
        assert r.headers["content-type"] == "image/png" and r.content.startswith(b"\x89PNG")
        assert r.headers["content-disposition"].startswith("inline;")
    if method == "GET" and path == "/credit-claims" and role == ADMIN_B:
        assert all(c["kindergarten_id"] == other["id"] for c in r.json()["items"])
