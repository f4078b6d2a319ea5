"""Logins that end: logging out ends every token of the account, deactivating an account ends its
tokens and refuses its logins at once; HR lists, deactivates and reactivates accounts (audited).
Each test uses accounts of its own: the world's per-role tokens must keep working."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from registry.accounts import services
from registry.accounts.tables import Account
from tests.support import PASSWORD, World, insert_staff, login, make_account, new_id_number

API = "/api/v1"
HR, ADMIN, TEACHER, INSPECTOR, ANON = "district_hr", "kindergarten_admin", "teacher", "inspector", "anonymous"


async def fresh(role: str = "inspector", world: World | None = None) -> str:
    """A new account of the role (an admin of kindergarten A, a teacher of a new person there)."""
    username = f"s_{uuid.uuid4().hex[:10]}"
    if role == "kindergarten_admin":
        assert world is not None
        await make_account(role, username, kindergarten_code=world.kg_a["code"])
    elif role == "teacher":
        assert world is not None
        idn = new_id_number()
        await insert_staff(world.kg_a["id"], id_number=idn)
        await make_account(role, username, staff_id_number=idn)
    else:
        await make_account(role, username)
    return username


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def account_id(username: str) -> int:
    row = await Account.select(Account.id).where(Account.username == username).first()
    assert row is not None
    return int(row["id"])


async def test_logout_ends_every_token_of_the_account(client: Any, world: World) -> None:
    username = await fresh()
    laptop, phone = await login(client, username), await login(client, username)
    other = await login(client, await fresh())
    for token in (laptop, phone, other):
        assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 200
    r = await client.post(f"{API}/auth/logout", headers=bearer(laptop))
    assert r.status_code == 204, r.text
    for token in (laptop, phone):
        r = await client.get(f"{API}/me", headers=bearer(token))
        assert r.status_code == 401, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(f"{API}/me", headers=bearer(other))).status_code == 200  # another account's stays
    again = await login(client, username)  # a new login works
    assert (await client.get(f"{API}/me", headers=bearer(again))).status_code == 200
    assert (await client.post(f"{API}/auth/logout")).status_code == 401
    audit = (
        await client.get(f"{API}/audit?entity=account&entity_id={await account_id(username)}", headers=world.h(HR))
    ).json()
    assert [e["action"] for e in audit["items"]].count("logout") == 1


async def test_deactivation_ends_tokens_and_refuses_logins_until_reactivated(client: Any, world: World) -> None:
    username = await fresh("inspector")
    aid = await account_id(username)
    token = await login(client, username)
    assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 200  # its standing is cached
    r = await client.post(f"{API}/accounts/{aid}/deactivate", headers=world.h(HR))
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False and r.json()["username"] == username
    assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 401  # at once, cache or not
    refused = await client.post(f"{API}/auth/token", json={"username": username, "password": PASSWORD})
    assert refused.status_code == 401
    assert (await client.post(f"{API}/accounts/{aid}/deactivate", headers=world.h(HR))).status_code == 200
    audit = (await client.get(f"{API}/audit?entity=account&entity_id={aid}", headers=world.h(HR))).json()
    events = [e for e in audit["items"] if e["action"] == "deactivate"]
    assert len(events) == 1  # the second deactivation changed nothing
    assert events[0]["before"]["active"] is True and events[0]["after"]["active"] is False
    assert "last_login_at" not in events[0]["after"]
    r = await client.post(f"{API}/accounts/{aid}/activate", headers=world.h(HR))
    assert r.status_code == 200 and r.json()["active"] is True
    assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 401  # the old token stays dead
    fresh_token = await login(client, username)
    assert (await client.get(f"{API}/me", headers=bearer(fresh_token))).status_code == 200
    # deactivating twice, or activating an active account, changes nothing and records nothing more
    before = len((await client.get(f"{API}/audit?entity=account&entity_id={aid}", headers=world.h(HR))).json()["items"])
    assert (await client.post(f"{API}/accounts/{aid}/activate", headers=world.h(HR))).status_code == 200
    after = len((await client.get(f"{API}/audit?entity=account&entity_id={aid}", headers=world.h(HR))).json()["items"])
    assert after == before


async def test_deactivation_refusals(client: Any, world: World) -> None:
    hr_id = await account_id("w_hr")
    for action in ("deactivate", "activate"):
        r = await client.post(f"{API}/accounts/{hr_id}/{action}", headers=world.h(HR))
        assert r.status_code == 409 and r.json()["code"] == "own-account"
        assert r.json()["detail"] == "不能停用或重新启用自己的账户"
    assert (await client.get(f"{API}/me", headers=world.h(HR))).status_code == 200  # nothing changed
    r = await client.post(f"{API}/accounts/999999999/deactivate", headers=world.h(HR))
    assert r.status_code == 404


async def test_list_accounts_filters_and_shows_the_state(client: Any, world: World) -> None:
    username = await fresh("inspector")
    aid = await account_id(username)
    await client.post(f"{API}/accounts/{aid}/deactivate", headers=world.h(HR))
    r = await client.get(f"{API}/accounts", params={"search": username}, headers=world.h(HR))
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 1 and page["items"][0]["active"] is False and page["items"][0]["role"] == "inspector"
    assert "password_hash" not in page["items"][0]
    hr_only = (await client.get(f"{API}/accounts", params={"role": "district_hr"}, headers=world.h(HR))).json()
    assert {a["role"] for a in hr_only["items"]} == {"district_hr"}
    assert (await client.get(f"{API}/accounts", params={"role": "king"}, headers=world.h(HR))).status_code == 400


async def test_a_change_made_by_another_process_applies_within_the_check_interval(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker process that deactivates the account (here: a write straight to the table)
    is seen once this process's reading of the account is older than session_check_seconds."""
    username = await fresh()
    aid = await account_id(username)
    token = await login(client, username)
    assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 200  # read and kept
    await Account.update({Account.active: False}).where(Account.id == aid)
    assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 200  # still within the interval
    active, epoch, _ = services._STANDING[aid]
    services._STANDING[aid] = (active, epoch, time.monotonic() - 1)  # the interval has passed
    assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 401


@pytest.mark.parametrize("role", [HR, ADMIN, TEACHER, INSPECTOR, ANON])
async def test_role_matrix(client: Any, world: World, role: str) -> None:
    allowed = role == HR
    target = await account_id(await fresh())
    expect = 200 if allowed else (401 if role == ANON else 403)
    assert (await client.get(f"{API}/accounts", headers=world.h(role))).status_code == expect
    for action in ("deactivate", "activate"):
        r = await client.post(f"{API}/accounts/{target}/{action}", headers=world.h(role))
        assert r.status_code == expect, (action, r.text)
    # logging out: every role may end its own logins (an account of its own here)
    if role != ANON:
        own = await login(client, await fresh(role, world))
        assert (await client.post(f"{API}/auth/logout", headers=bearer(own))).status_code == 204
        assert (await client.get(f"{API}/me", headers=bearer(own))).status_code == 401
    else:
        assert (await client.post(f"{API}/auth/logout")).status_code == 401


async def test_search_takes_wildcards_literally_and_ignores_case(client: Any, world: World) -> None:
    username = await fresh()
    r = await client.get(f"{API}/accounts", params={"search": username.upper()}, headers=world.h(HR))
    assert [a["username"] for a in r.json()["items"]] == [username]
    stem = f"lit{uuid.uuid4().hex[:8]}"
    await make_account("inspector", f"{stem}x1")
    await make_account("inspector", f"{stem}_1")
    found = (await client.get(f"{API}/accounts", params={"search": f"{stem}_1"}, headers=world.h(HR))).json()
    assert [a["username"] for a in found["items"]] == [f"{stem}_1"]  # "_" is a character, not "any character"
    assert (await client.get(f"{API}/accounts", params={"search": "%"}, headers=world.h(HR))).json()["total"] == 0


async def test_concurrent_deactivations_change_and_record_once(client: Any, world: World) -> None:
    import asyncio

    aid = await account_id(await fresh())
    answers = await asyncio.gather(
        *(client.post(f"{API}/accounts/{aid}/deactivate", headers=world.h(HR)) for _ in range(4))
    )
    assert {r.status_code for r in answers} == {200}
    audit = (await client.get(f"{API}/audit?entity=account&entity_id={aid}", headers=world.h(HR))).json()
    assert [e["action"] for e in audit["items"]].count("deactivate") == 1
    row = await Account.select(Account.session_epoch).where(Account.id == aid).first()
    assert row is not None and row["session_epoch"] == 1


async def test_a_stale_cache_neither_refuses_a_new_login_nor_lets_a_deactivated_hr_act(
    client: Any, world: World
) -> None:
    """Another worker logged the account out (the epoch moved on, written straight to the table):
    a new login here is let in at once. An HR account deactivated elsewhere cannot act here, even
    while this process still trusts its token."""
    username = await fresh()
    aid = await account_id(username)
    old = await login(client, username)
    assert (await client.get(f"{API}/me", headers=bearer(old))).status_code == 200  # cached: epoch 0
    await Account.update({Account.session_epoch: Account.session_epoch + 1}).where(Account.id == aid)
    new = await login(client, username)
    assert (await client.get(f"{API}/me", headers=bearer(new))).status_code == 200  # not refused by the cache

    hr_name = await fresh("district_hr")
    hr_token = await login(client, hr_name)
    target = await account_id(await fresh())
    assert (await client.get(f"{API}/accounts", headers=bearer(hr_token))).status_code == 200  # cached
    await Account.update({Account.active: False}).where(Account.id == await account_id(hr_name))
    r = await client.post(f"{API}/accounts/{target}/deactivate", headers=bearer(hr_token))
    assert r.status_code == 401, r.text
    row = await Account.select(Account.active).where(Account.id == target).first()
    assert row is not None and row["active"] is True  # nothing done


async def test_a_token_without_the_session_epoch_is_refused(client: Any, world: World) -> None:
    """Tokens issued before epochs existed (no "ep" claim) are refused: everyone logs in once more."""
    from datetime import timedelta

    from kernel.settings import get_settings
    from registry.accounts.security import make_jwt_auth

    username = await fresh()
    auth = make_jwt_auth(get_settings())
    legacy = auth.create_token(
        identifier=username,
        token_expiration=timedelta(minutes=5),
        token_extras={"aid": await account_id(username), "role": "inspector", "kg": None, "st": None},
    )
    assert (await client.get(f"{API}/me", headers=bearer(legacy))).status_code == 401
