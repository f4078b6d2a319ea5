"""Email addresses of accounts (issue 16): everyone sets or clears their own (PATCH /me), district HR
anyone's (PATCH /accounts/{id}); checked, stored in normal form, audited, shown by /me and the account
answers. The guard's 401/403 for these routes are in tests/test_role_matrix.py."""

from __future__ import annotations

from typing import Any

import pytest

from registry.accounts.tables import Account
from tests.support import ROLES, World, login, make_account, new_username

HR, ADMIN, TEACHER, INSPECTOR = "district_hr", "kindergarten_admin", "teacher", "inspector"


async def _account(role: str = "inspector") -> tuple[int, str]:
    username = new_username("mailer")
    await make_account(role, username)
    row = await Account.select(Account.id).where(Account.username == username).first()
    assert row is not None
    return int(row["id"]), username


async def _audit(client: Any, world: World, account_id: int) -> list[dict[str, Any]]:
    r = await client.get(f"/api/v1/audit?entity=account&entity_id={account_id}", headers=world.h(HR))
    assert r.status_code == 200, r.text
    return [e for e in reversed(r.json()["items"]) if e["action"] == "update"]  # oldest first


@pytest.mark.parametrize("role", [HR, INSPECTOR])
async def test_one_sets_and_clears_ones_own_address(client: Any, world: World, role: str) -> None:
    account_id, username = await _account(role)
    headers = {"Authorization": f"Bearer {await login(client, username)}"}
    assert (await client.get("/api/v1/me", headers=headers)).json()["email"] is None

    r = await client.patch("/api/v1/me", json={"email": "  Li.Jing@163.com "}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["email"] == "Li.Jing@163.com" and r.json()["username"] == username
    assert (await client.get("/api/v1/me", headers=headers)).json()["email"] == "Li.Jing@163.com"

    assert (await client.patch("/api/v1/me", json={}, headers=headers)).json()["email"] == "Li.Jing@163.com"
    r = await client.patch("/api/v1/me", json={"email": None}, headers=headers)
    assert r.status_code == 200 and r.json()["email"] is None
    events = await _audit(client, world, account_id)
    assert [(e["before"], e["after"]) for e in events] == [
        ({"email": None}, {"email": "Li.Jing@163.com"}),
        ({"email": "Li.Jing@163.com"}, {"email": None}),
    ]


async def test_the_world_roles_patch_me(client: Any, world: World) -> None:
    """The shared accounts of every role (a kindergarten admin and a teacher too) reach their own account."""
    for role in ROLES:
        r = await client.patch("/api/v1/me", json={"email": f"{role}@kg-chaoyang.cn"}, headers=world.h(role))
        assert r.status_code == 200, (role, r.text)
        assert r.json()["role"] == role and r.json()["email"] == f"{role}@kg-chaoyang.cn"
        await client.patch("/api/v1/me", json={"email": None}, headers=world.h(role))


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("not-an-address", "syntax"),
        ("li@localhost", "no dot in the domain"),
        ("li@kg.test", "a reserved name"),
        ("张丽@qq.com", "a non-ASCII mailbox"),
        ("", "empty (null clears)"),
        ("a" * 250 + "@qq.com", "too long"),
    ],
)
async def test_a_bad_address_is_a_422_naming_the_field_in_chinese(
    client: Any, world: World, address: str, why: str
) -> None:
    r = await client.patch("/api/v1/me", json={"email": address}, headers=world.h(TEACHER))
    assert r.status_code == 422, (why, r.text)
    error = r.json()["errors"][0]
    assert error["field"] == "email"
    english = await client.patch(
        "/api/v1/me", json={"email": address}, headers={**world.h(TEACHER), "Accept-Language": "en"}
    )
    assert english.status_code == 422
    if len(address) < 300 and address:
        assert error["message"] == "不是有效的电子邮件地址", why
        assert english.json()["errors"][0]["message"] == "is not a valid email address"


async def test_an_international_domain_is_kept_in_its_ascii_form(client: Any, world: World) -> None:
    r = await client.patch("/api/v1/me", json={"email": "li@bü.cn"}, headers=world.h(INSPECTOR))
    assert r.status_code == 200 and r.json()["email"] == "li@xn--b-eha.cn"
    await client.patch("/api/v1/me", json={"email": None}, headers=world.h(INSPECTOR))


async def test_hr_sets_any_accounts_address_and_the_account_answers_show_it(client: Any, world: World) -> None:
    account_id, username = await _account()
    r = await client.patch(f"/api/v1/accounts/{account_id}", json={"email": "wang@example.org"}, headers=world.h(HR))
    assert r.status_code == 200, r.text
    assert r.json()["id"] == account_id and r.json()["email"] == "wang@example.org"
    listed = (await client.get(f"/api/v1/accounts?search={username}", headers=world.h(HR))).json()["items"]
    assert [a["email"] for a in listed] == ["wang@example.org"]
    mine = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {await login(client, username)}"})
    assert mine.json()["email"] == "wang@example.org"
    deactivated = await client.post(f"/api/v1/accounts/{account_id}/deactivate", headers=world.h(HR))
    assert deactivated.json()["email"] == "wang@example.org"

    cleared = await client.patch(f"/api/v1/accounts/{account_id}", json={"email": None}, headers=world.h(HR))
    assert cleared.status_code == 200 and cleared.json()["email"] is None
    assert len(await _audit(client, world, account_id)) == 2
    # the same value again changes nothing and records nothing
    again = await client.patch(f"/api/v1/accounts/{account_id}", json={"email": None}, headers=world.h(HR))
    assert again.status_code == 200 and len(await _audit(client, world, account_id)) == 2


@pytest.mark.parametrize(
    ("role", "expected"),
    [(HR, 200), (ADMIN, 403), (TEACHER, 403), (INSPECTOR, 403), ("anonymous", 401)],
)
async def test_role_matrix_patch_account(client: Any, world: World, role: str, expected: int) -> None:
    account_id, _username = await _account()
    r = await client.patch(f"/api/v1/accounts/{account_id}", json={"email": "zhao@example.org"}, headers=world.h(role))
    assert r.status_code == expected, r.text
    row = await Account.select(Account.email).where(Account.id == account_id).first()
    assert row is not None and row["email"] == ("zhao@example.org" if expected == 200 else None)


async def test_patch_a_missing_account_is_404_and_unknown_fields_422(client: Any, world: World) -> None:
    r = await client.patch("/api/v1/accounts/999999", json={"email": "a@example.org"}, headers=world.h(HR))
    assert r.status_code == 404
    r = await client.patch("/api/v1/me", json={"role": "district_hr"}, headers=world.h(TEACHER))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "role"
