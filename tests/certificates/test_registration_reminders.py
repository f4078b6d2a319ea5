"""Registration (定期注册) due dates join the certificate reminders: a teacher qualification due within
a window is reminded once per window and due date; a fresh registration moves the due date on."""

from __future__ import annotations

from datetime import timedelta

from certificates.services import remind
from certificates.tables import Reminder
from kernel.common.time import today
from tests.certificates.test_api import API, new_person, tq
from tests.support import World


async def test_a_registration_due_in_20_days_is_reminded_once(client, world: World) -> None:
    hr = world.h("district_hr")
    day = today()
    due = day + timedelta(days=20)
    person = await new_person(client, world)
    issued = due.replace(year=due.year - 5)
    r = await client.post(f"{API}/staff/{person['id']}/certificates", json=tq(issued_on=issued.isoformat()), headers=hr)
    assert r.status_code == 201, r.text
    assert r.json()["registration_due"] == due.isoformat()
    cert = r.json()["id"]
    await remind(90)
    [reminder] = await Reminder.select().where(Reminder.certificate == cert)
    assert reminder["window_days"] == 30 and str(reminder["expires_on"])[:10] == due.isoformat()
    assert "定期注册" in reminder["message"] and due.isoformat() in reminder["message"]
    await remind(90)
    assert await Reminder.count().where(Reminder.certificate == cert) == 1  # once per window and due date
    # registered (passed) today: due in five years, nothing more to remind
    r = await client.post(
        f"{API}/certificates/{cert}/registrations",
        json={"registered_on": day.isoformat(), "result": "passed"},
        headers=hr,
    )
    assert r.status_code == 201, r.text
    await remind(90)
    assert await Reminder.count().where(Reminder.certificate == cert) == 1
