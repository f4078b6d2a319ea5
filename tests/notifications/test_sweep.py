"""The time-based notices (issue 16): certificates expiring and registrations due in the 90/30/7-day
windows (to the person and their kindergarten's admins), credits behind pace on a checkpoint day;
each once per person and occasion however often the sweep runs."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest

from app.notifications import sweep
from certificates.rules import reminder_window
from certificates.tables import Certificate
from credits import notices as credit_notices
from kernel.db import write_transaction
from tests.notifications.helpers import add_credit_entries, notifications_of, person_with_account
from tests.staffing.helpers import make_kindergarten, street
from tests.support import World, login, make_account, new_username, teacher_qualification_number

DAY = date(2026, 12, 8)
_numbers = itertools.count(1)


@pytest.mark.parametrize(
    ("days_left", "window"),
    [(-1, None), (0, 7), (7, 7), (8, 30), (30, 30), (31, 90), (90, 90), (91, None)],
)
def test_the_tightest_window_holds_the_date(days_left: int, window: int | None) -> None:
    assert reminder_window(days_left, (90, 30, 7)) == window


async def a_kindergarten_with_admin(client: Any, world: World) -> tuple[dict[str, Any], str]:
    kg = await make_kindergarten(client, world, street=street())
    admin = new_username("sweepadmin")
    await make_account("kindergarten_admin", admin, kindergarten_code=kg["code"])
    return kg, admin


async def certificate(staff_id: int, expires_on: date | None, **over: Any) -> int:
    rows = await Certificate.insert(
        Certificate(
            staff=staff_id,
            type=over.pop("type", "childcare_certificate"),
            number=over.pop("number", f"SW{next(_numbers):06d}"),
            issued_on=over.pop("issued_on", date(2020, 1, 1)),
            expires_on=expires_on,
            **over,
        )
    ).returning(Certificate.id)
    return int(rows[0]["id"])


async def test_certificates_are_told_once_per_window_at_the_windows_edges(client: Any, world: World) -> None:
    kg, admin = await a_kindergarten_with_admin(client, world)
    staff_id, person = await person_with_account(kg["id"])
    offsets = [-1, 0, 7, 8, 30, 31, 90, 91]
    certs = {days: await certificate(staff_id, DAY + timedelta(days=days)) for days in offsets}
    await certificate(staff_id, DAY + timedelta(days=10), status="revoked")
    first = await sweep(DAY)
    assert first["certificate.expiring"] >= 12  # 6 certificates in a window, to the person and the admin
    again = await sweep(DAY)
    assert again["certificate.expiring"] == 0 and again["registration.due"] == 0

    mine = await notifications_of(person, "certificate.expiring")
    told = {int(n["occasion"].split(":")[1]): n for n in mine}
    expected = {0: 7, 7: 7, 8: 30, 30: 30, 31: 90, 90: 90}
    assert set(told) == {certs[d] for d in expected}
    for days, window in expected.items():
        n = told[certs[days]]
        expires = (DAY + timedelta(days=days)).isoformat()
        assert n["occasion"] == f"certificate:{certs[days]}:expires:{expires}:{window}"
        assert n["link"] == "/me"
    theirs = await notifications_of(admin, "certificate.expiring")
    assert {n["occasion"] for n in theirs} == {n["occasion"] for n in mine}
    assert all(n["link"] == f"/staff/{staff_id}" for n in theirs)

    # a day later the 8-day one enters the 7-day window, the 31-day one 30, the 91-day one 90: told again
    await sweep(DAY + timedelta(days=1))
    await sweep(DAY + timedelta(days=1))
    newer = [n for n in await notifications_of(person, "certificate.expiring") if n["id"] > max(x["id"] for x in mine)]
    assert sorted(n["occasion"].split(":", 2)[1] + ":" + n["occasion"].rsplit(":", 1)[1] for n in newer) == sorted(
        [f"{certs[8]}:7", f"{certs[31]}:30", f"{certs[91]}:90"]
    )
    # renewed: a new expiry date is a new occasion (60 days away: the 90-day window again)
    await Certificate.update({Certificate.expires_on: DAY + timedelta(days=60)}).where(Certificate.id == certs[90])
    await sweep(DAY + timedelta(days=1))
    renewed = [
        n
        for n in await notifications_of(person, "certificate.expiring")
        if n["occasion"].startswith(f"certificate:{certs[90]}:")
    ]
    assert len(renewed) == 2 and renewed[-1]["occasion"].endswith(f":{(DAY + timedelta(days=60)).isoformat()}:90")


async def test_a_registration_due_is_told_in_its_window(client: Any, world: World) -> None:
    kg, admin = await a_kindergarten_with_admin(client, world)
    staff_id, person = await person_with_account(kg["id"])
    due = DAY + timedelta(days=30)
    cert = await certificate(
        staff_id,
        None,
        type="teacher_qualification",
        number=teacher_qualification_number(2021),
        issued_on=due.replace(year=due.year - 5),
    )
    await sweep(DAY - timedelta(days=61))  # 91 days before: outside every window
    assert await notifications_of(person, "registration.due") == []
    await sweep(DAY)
    await sweep(DAY)
    [n] = await notifications_of(person, "registration.due")
    assert n["occasion"] == f"certificate:{cert}:registration:{due.isoformat()}:30"
    assert [x["occasion"] for x in await notifications_of(admin, "registration.due")] == [n["occasion"]]


@pytest.mark.parametrize(
    ("day", "checkpoint"),
    [
        (date(2026, 5, 30), None),
        (date(2026, 5, 31), date(2026, 5, 31)),
        (date(2026, 6, 6), date(2026, 5, 31)),
        (date(2026, 6, 7), None),
        (date(2026, 11, 30), date(2026, 11, 30)),
        (date(2026, 12, 6), date(2026, 11, 30)),
        (date(2026, 12, 7), None),
        (date(2027, 1, 5), None),
    ],
)
def test_the_checkpoint_a_sweep_handles(day: date, checkpoint: date | None) -> None:
    assert credit_notices.checkpoint_for(day) == checkpoint


async def test_people_behind_pace_are_told_once_per_checkpoint(client: Any, world: World) -> None:
    behind, behind_name = await person_with_account(world.kg_a["id"])
    ahead, ahead_name = await person_with_account(world.kg_a["id"])
    async with write_transaction():
        await add_credit_entries(
            ahead, [("2026-03-01", "ethics", 2), ("2026-03-02", "family", 2), ("2026-03-03", "general", 6)]
        )
        await add_credit_entries(behind, [("2026-03-01", "general", 1)])
    assert (await sweep(date(2026, 5, 30)))["credits.behind"] == 0
    first = await sweep(date(2026, 5, 31))
    assert first["credits.behind"] >= 1
    assert (await sweep(date(2026, 6, 2)))["credits.behind"] == 0  # the same checkpoint: nothing new
    [n] = await notifications_of(behind_name, "credits.behind")
    assert n["occasion"] == "credits:2026-05-31"
    assert await notifications_of(ahead_name, "credits.behind") == []
    inbox = (await client.get("/api/v1/me/notifications", headers=await _login(client, behind_name))).json()
    text = inbox["items"][0]["message"]
    assert "2026-2030" in text and "2026-05-31" in text
    # the next checkpoint is another occasion
    await sweep(date(2026, 11, 30))
    assert [x["occasion"] for x in await notifications_of(behind_name, "credits.behind")] == [
        "credits:2026-05-31",
        "credits:2026-11-30",
    ]


async def _login(client: Any, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await login(client, username)}"}
