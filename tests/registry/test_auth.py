"""Logging in: tokens, wrong passwords, growing waits after repeated failures (the throttle's own
tests: test_login_throttle.py)."""

from __future__ import annotations

from kernel.settings import get_settings
from registry.accounts import throttle
from registry.accounts.rules import delay_after, delay_steps, hash_password, verify_password
from tests.support import PASSWORD, LoginClock, login, make_account

API = "/api/v1"


def test_passwords_are_argon2id_and_verify() -> None:
    h = hash_password("a long enough password")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "a long enough password")
    assert not verify_password(h, "a long enough passworD")
    assert not verify_password(None, "anything")


def test_growing_delays_arithmetic() -> None:
    """No wait below the limit; from it the first delay, doubling with every further failure, never
    more than the longest (and the counter is never reset by reaching the limit)."""
    waits = [delay_after(n, 5, 15, 900) for n in range(1, 14)]
    assert waits == [None, None, None, None, 15, 30, 60, 120, 240, 480, 900, 900, 900]
    assert delay_after(10**6, 5, 15, 900) == 900
    assert delay_after(5, 5, 900, 900) == 900 and delay_after(5, 5, 901, 900) == 900
    assert delay_steps(5, 15, 900) == [(5, 15), (6, 30), (7, 60), (8, 120), (9, 240), (10, 480)]
    assert delay_steps(1, 60, 60) == []


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
        "email": None,  # none set (PATCH /me sets it: tests/registry/test_account_email.py)
    }


async def test_wrong_password_and_unknown_user_are_401(client, world) -> None:
    for creds in (
        {"username": "w_teacher", "password": "nope-nope-nope"},
        {"username": "nobody-at-all", "password": PASSWORD},
    ):
        r = await client.post(f"{API}/auth/token", json=creds)
        assert r.status_code == 401 and r.json()["detail"] == "用户名或密码错误"
        assert r.json()["code"] == "unauthorized" and r.json()["title"] == "未登录或登录已失效"
        r = await client.post(f"{API}/auth/token", json=creds, headers={"Accept-Language": "en-US,en;q=0.9"})
        assert r.status_code == 401 and r.json()["detail"] == "wrong username or password"
        assert r.json()["code"] == "unauthorized" and r.json()["title"] == "Unauthorized"


async def test_repeated_failures_lock_the_account(client, migrated, login_clock: LoginClock) -> None:
    await make_account("inspector", "lock_me")
    limit = get_settings().login_max_failures
    for _ in range(limit):
        r = await client.post(f"{API}/auth/token", json={"username": "lock_me", "password": "wrong-password"})
        assert r.status_code == 401
    r = await client.post(f"{API}/auth/token", json={"username": "lock_me", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    # Once the wait has passed, the right password works again and resets the counter.
    login_clock.advance(int(r.headers["retry-after"]))
    assert await login(client, "lock_me")
    row = await throttle.state("lock_me", "127.0.0.1")
    assert row is not None and row["failures"] == 0 and row["blocked_until"] is None


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
