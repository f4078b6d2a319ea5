"""Logging in: tokens, wrong passwords, lockout after repeated failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kernel.settings import get_settings
from registry.accounts.rules import after_failed_login, hash_password, is_locked, verify_password
from tests.support import PASSWORD, login, make_account

API = "/api/v1"


def test_passwords_are_argon2id_and_verify() -> None:
    h = hash_password("a long enough password")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "a long enough password")
    assert not verify_password(h, "a long enough passworD")
    assert not verify_password(None, "anything")


def test_lockout_arithmetic() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    d = after_failed_login(3, now, max_failures=5, lock_minutes=15)
    assert (d.failed_logins, d.locked_until) == (4, None)
    d = after_failed_login(4, now, max_failures=5, lock_minutes=15)
    assert (d.failed_logins, d.locked_until) == (0, now + timedelta(minutes=15))
    assert is_locked(d.locked_until, now + timedelta(minutes=14))
    assert not is_locked(d.locked_until, now + timedelta(minutes=15))


async def test_token_and_me(client, world) -> None:
    r = await client.post(f"{API}/auth/token", json={"username": "w_teacher", "password": PASSWORD})
    body = r.json()
    assert r.status_code == 200 and body["token_type"] == "bearer"
    assert body["expires_in"] == get_settings().token_ttl_minutes * 60
    me = (await client.get(f"{API}/me", headers={"Authorization": f"Bearer {body['access_token']}"})).json()
    assert me == {
        "username": "w_teacher",
        "role": "teacher",
        "kindergarten_id": world.kg_a["id"],
        "staff_id": world.staff_a["id"],
    }


async def test_wrong_password_and_unknown_user_are_401(client, world) -> None:
    for creds in (
        {"username": "w_teacher", "password": "nope-nope-nope"},
        {"username": "nobody-at-all", "password": PASSWORD},
    ):
        r = await client.post(f"{API}/auth/token", json=creds)
        assert r.status_code == 401 and r.json()["detail"] == "wrong username or password"


async def test_repeated_failures_lock_the_account(client, migrated) -> None:
    from registry.accounts.tables import Account

    await make_account("inspector", "lock_me")
    limit = get_settings().login_max_failures
    for _ in range(limit):
        r = await client.post(f"{API}/auth/token", json={"username": "lock_me", "password": "wrong-password"})
        assert r.status_code == 401
    r = await client.post(f"{API}/auth/token", json={"username": "lock_me", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    # Once the lock has passed, the right password works again and resets the counter.
    await Account.update({Account.locked_until: datetime.now(UTC) - timedelta(seconds=1)}).where(
        Account.username == "lock_me"
    )
    assert await login(client, "lock_me")
    row = await Account.select(Account.failed_logins).where(Account.username == "lock_me").first()
    assert row is not None and row["failed_logins"] == 0


async def test_openapi_schema_and_docs_are_served(client) -> None:
    r = await client.get(f"{API}/schema/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ("/api/v1/staff", "/api/v1/kindergartens/{kindergarten_id}", "/api/v1/auth/token", "/api/v1/audit"):
        assert path in paths
    assert (await client.get(f"{API}/schema/swagger")).status_code == 200
    # The error answers are documented too, as problem details.
    patch = paths["/api/v1/staff/{staff_id}"]["patch"]["responses"]
    assert {"401", "403", "404", "409", "422"} <= set(patch)
    assert "application/problem+json" in patch["409"]["content"]
    assert {"401", "429"} <= set(paths["/api/v1/auth/token"]["post"]["responses"])
