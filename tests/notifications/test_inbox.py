"""The inbox (issue 16): notify once per account and occasion, the list (unread first, newest first,
the unread count), marking read, another account's notification a 404."""

from __future__ import annotations

import itertools
from typing import Any

from kernel.db import write_transaction
from registry.notifications.codes import NoticeKind
from registry.notifications.services import Notice, Recipients, notify, notify_many, render, unread_count
from tests.notifications.helpers import account_id, notifications_of
from tests.support import World, login, make_account, new_username

API = "/api/v1"
MESSAGE = "your change request {change_id} ({kind}) was {decision}"
_occasions = itertools.count(1)


def notice(**over: Any) -> Notice:
    fields: dict[str, Any] = {
        "kind": NoticeKind.change_decided,
        "occasion": f"test:{next(_occasions)}",
        "message": MESSAGE,
        "params": {"change_id": 1, "kind@ChangeKind": "staff.create", "decision@ChangeStatus": "approved"},
        "link": "/review/1",
    }
    fields.update(over)
    return Notice(**fields)


async def fresh_teacher(client: Any, world: World) -> tuple[str, dict[str, str]]:
    """A new teacher account on staff B (its own inbox, empty), and its headers."""
    name = new_username("inbox")
    await make_account("teacher", name, staff_id_number=world.staff_b["id_number"])
    return name, {"Authorization": f"Bearer {await login(client, name)}"}


async def test_notify_writes_once_per_account_and_occasion(client: Any, world: World) -> None:
    teacher = await account_id("w_teacher")
    once = notice()
    async with write_transaction():
        first = await notify(once, staff=[world.staff_a["id"]], accounts=[teacher])
    assert len(first) == 1  # the teacher's account named twice (as the person and directly): one row
    async with write_transaction():
        assert await notify(once, staff=[world.staff_a["id"]]) == []
    rows = [r for r in await notifications_of("w_teacher") if r["occasion"] == once.occasion]
    assert len(rows) == 1 and rows[0]["kind"] == "change.decided"


async def test_kindergarten_admins_get_their_kindergartens_notices_only(client: Any, world: World) -> None:
    n = notice()
    async with write_transaction():
        ids = await notify(n, kindergarten_admins=[world.kg_a["id"]])
    assert len(ids) == 1
    assert [r["occasion"] for r in await notifications_of("w_admin") if r["occasion"] == n.occasion] == [n.occasion]
    async with write_transaction():
        assert await notify(notice(), kindergarten_admins=[world.kg_b["id"]]) == []  # B has no admin account


async def test_notify_many_writes_in_bulk_and_skips_what_exists(client: Any, world: World) -> None:
    teacher, admin = await account_id("w_teacher"), await account_id("w_admin")
    notices = [notice() for _i in range(300)]
    async with write_transaction():
        first = await notify_many([(n, Recipients(accounts=[teacher, admin])) for n in notices[:200]])
    assert len(first) == 400
    async with write_transaction():
        second = await notify_many([(n, Recipients(accounts=[teacher, admin])) for n in notices])
    assert len(second) == 200 and not set(first) & set(second)


async def test_an_inactive_account_gets_nothing(client: Any, world: World) -> None:
    name, _headers = await fresh_teacher(client, world)
    who = await account_id(name)
    r = await client.post(f"{API}/accounts/{who}/deactivate", headers=world.h("district_hr"))
    assert r.status_code == 200, r.text
    async with write_transaction():
        assert await notify(notice(), accounts=[who], staff=[world.staff_b["id"]]) == []


async def test_the_inbox_unread_first_then_newest_and_read(client: Any, world: World) -> None:
    name, headers = await fresh_teacher(client, world)
    who = await account_id(name)
    made = []
    for _i in range(4):
        async with write_transaction():
            made += await notify(notice(), accounts=[who])
    assert await unread_count(who) == 4

    r = await client.post(f"{API}/me/notifications/{made[1]}/read", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["read_at"] is not None
    again = await client.post(f"{API}/me/notifications/{made[1]}/read", headers=headers)
    assert again.json()["read_at"] == r.json()["read_at"]  # reading twice keeps the first time

    page = (await client.get(f"{API}/me/notifications", headers=headers)).json()
    assert [n["id"] for n in page["items"]] == [made[3], made[2], made[0], made[1]]
    assert (page["total"], page["unread"], page["limit"], page["offset"]) == (4, 3, 50, 0)
    first = page["items"][0]
    assert first["kind"] == "change.decided" and first["kind_label"] == "变更申请已审核"
    assert first["link"] == "/review/1" and first["read_at"] is None

    unread = (await client.get(f"{API}/me/notifications?unread=true&limit=2", headers=headers)).json()
    assert [n["id"] for n in unread["items"]] == [made[3], made[2]]
    assert (unread["total"], unread["unread"]) == (3, 3)
    read = (await client.get(f"{API}/me/notifications?unread=false", headers=headers)).json()
    assert [n["id"] for n in read["items"]] == [made[1]]

    done = await client.post(f"{API}/me/notifications/read-all", headers=headers)
    assert done.status_code == 200 and done.json() == {"marked": 3, "unread": 0}
    assert await unread_count(who) == 0


async def test_someone_elses_notification_is_404(client: Any, world: World) -> None:
    async with write_transaction():
        [theirs] = await notify(notice(), accounts=[await account_id("w_admin")])
    r = await client.post(f"{API}/me/notifications/{theirs}/read", headers=world.h("teacher"))
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    r = await client.post(f"{API}/me/notifications/999999999/read", headers=world.h("teacher"))
    assert r.status_code == 404
    mine = await client.post(f"{API}/me/notifications/{theirs}/read", headers=world.h("kindergarten_admin"))
    assert mine.status_code == 200


async def test_every_role_has_an_inbox_and_anonymous_none(client: Any, world: World) -> None:
    for role in ("district_hr", "kindergarten_admin", "teacher", "inspector"):
        r = await client.get(f"{API}/me/notifications", headers=world.h(role))
        assert r.status_code == 200, (role, r.text)
    assert (await client.get(f"{API}/me/notifications")).status_code == 401
    assert (await client.get(f"{API}/me/notifications?unread=maybe", headers=world.h("teacher"))).status_code == 400


def test_params_named_after_an_enum_are_shown_as_its_label_in_the_readers_language() -> None:
    params = {"change_id": 7, "kind@ChangeKind": "staff.create", "decision@ChangeStatus": "approved"}
    assert render(MESSAGE, params, "en") == "your change request 7 (staff.create) was approved"
    zh = render(MESSAGE, params, "zh")
    assert "新增人员" in zh and "已通过" in zh
