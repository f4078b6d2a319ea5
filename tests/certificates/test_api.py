"""Certificates and the dual-certificate rule through the API, end to end."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kernel.common.time import today
from tests.support import (
    World,
    approved,
    give_training,
    insert_staff,
    kindergarten_body,
    staff_body,
    teacher_qualification_number,
)

API = "/api/v1"


def tq(**over) -> dict:
    return {
        "type": "teacher_qualification",
        "number": teacher_qualification_number(),
        "issuer": "北京市朝阳区教委",
        "issued_on": "2014-07-01",
        **over,
    }


async def new_person(client, world: World, **over) -> dict:
    r = await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"], **over), headers=world.h("district_hr"))
    assert r.status_code == 201, r.text
    return r.json()


async def test_record_and_list_certificates(client, world: World) -> None:
    person = await new_person(client, world)
    submitted = await client.post(
        f"{API}/staff/{person['id']}/certificates", json=tq(), headers=world.h("kindergarten_admin")
    )
    body = (await approved(client, world, submitted)).json()["result"]  # an admin's: reviewed (issue 15)
    assert body["status"] == "valid" and body["registration_due"] == "2019-07-01"
    listed = (await client.get(f"{API}/staff/{person['id']}/certificates", headers=world.h("inspector"))).json()
    assert [c["id"] for c in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"issued_on": "2020-01-01", "expires_on": "2019-12-31"}, "expires_on"),
        ({"issued_on": (date.today() + timedelta(days=3)).isoformat()}, "issued_on"),
        ({"number": "12345"}, "number"),
        ({"type": "driving_licence"}, "type"),
    ],
)
async def test_bad_certificates_are_422(client, world: World, over: dict, field: str) -> None:
    person = await new_person(client, world)
    r = await client.post(f"{API}/staff/{person['id']}/certificates", json=tq(**over), headers=world.h("district_hr"))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == field


async def test_the_same_number_twice_for_a_type_is_409(client, world: World) -> None:
    a, b = await new_person(client, world), await new_person(client, world)
    body = tq()
    assert (
        await client.post(f"{API}/staff/{a['id']}/certificates", json=body, headers=world.h("district_hr"))
    ).status_code == 201
    r = await client.post(f"{API}/staff/{b['id']}/certificates", json=body, headers=world.h("district_hr"))
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "number"
    # The same number under another type is a different certificate.
    other = {**body, "type": "safety_training"}
    assert (
        await client.post(f"{API}/staff/{b['id']}/certificates", json=other, headers=world.h("district_hr"))
    ).status_code == 201


async def test_no_post_certificate_without_passed_training(client, world: World) -> None:
    """不培训不上岗、培训不合格不上岗: no result, failed, then passed."""
    person = await new_person(client, world)
    url = f"{API}/staff/{person['id']}/certificates"
    post_cert = {"type": "post_certificate", "number": f"SG{person['id']:08d}", "issued_on": "2024-08-01"}
    none = await client.post(url, json=post_cert, headers=world.h("district_hr"))
    assert none.status_code == 409
    assert none.json()["missing_training"] == ["induction"] and "任职资格培训" in none.json()["detail"]
    assert none.json()["code"] == "training-required"
    await give_training(person["id"], "safety", passed=True)  # the wrong kind of course
    await give_training(person["id"], "induction", passed=False)
    failed = await client.post(url, json=post_cert, headers=world.h("district_hr"))
    assert failed.status_code == 409
    await give_training(person["id"], "induction", passed=True)
    assert (await client.post(url, json=post_cert, headers=world.h("district_hr"))).status_code == 201


async def test_the_post_certificate_needs_120_induction_hours(client, world: World) -> None:
    """教育部令第7号: 80 passed hours are not enough (409 naming the hours); another 40 make 120."""
    person = await new_person(client, world)
    url = f"{API}/staff/{person['id']}/certificates"
    post_cert = {"type": "post_certificate", "number": f"SH{person['id']:08d}", "issued_on": "2024-08-01"}
    await give_training(person["id"], "induction", passed=True, hours=80)
    short = await client.post(url, json=post_cert, headers=world.h("district_hr"))
    assert short.status_code == 409, short.text
    assert "任职资格培训已通过 80 学时，要求 120 学时" in short.json()["detail"]
    english = await client.post(url, json=post_cert, headers={**world.h("district_hr"), "Accept-Language": "en"})
    assert "80 of 120 induction hours" in english.json()["detail"] and english.json()["code"] == "training-required"
    await give_training(person["id"], "induction", passed=True, hours=40)
    assert (await client.post(url, json=post_cert, headers=world.h("district_hr"))).status_code == 201


async def test_a_principal_needs_a_principal_course_for_the_post_certificate(client, world: World) -> None:
    person = await new_person(client, world, post="principal")
    url = f"{API}/staff/{person['id']}/certificates"
    post_cert = {"type": "post_certificate", "number": f"SP{person['id']:08d}", "issued_on": "2024-08-01"}
    await give_training(person["id"], "induction", passed=True)
    r = await client.post(url, json=post_cert, headers=world.h("district_hr"))
    assert r.status_code == 409 and r.json()["missing_training"] == ["principal"]
    await give_training(person["id"], "principal", passed=True)
    assert (await client.post(url, json=post_cert, headers=world.h("district_hr"))).status_code == 201


async def test_nobody_goes_on_post_without_both_certificates(client, world: World) -> None:
    hr = world.h("district_hr")
    direct = await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"], status="on_post"), headers=hr)
    assert direct.status_code == 409
    assert direct.json()["missing"] == ["teacher_qualification", "post_certificate"]
    person = await new_person(client, world)
    url = f"{API}/staff/{person['id']}"
    await client.post(f"{url}/certificates", json=tq(), headers=hr)
    refused = await client.patch(url, json={"status": "on_post"}, headers=hr)
    assert refused.status_code == 409 and refused.json()["missing"] == ["post_certificate"]
    await give_training(person["id"], "induction")
    await client.post(
        f"{url}/certificates",
        json={"type": "post_certificate", "number": f"SG9{person['id']:07d}", "issued_on": "2024-08-01"},
        headers=hr,
    )
    assert (await client.patch(url, json={"status": "on_post"}, headers=hr)).status_code == 200
    verdict = (await client.get(f"{url}/dual-certificate", headers=world.h("kindergarten_admin"))).json()
    assert verdict["compliant"] is True and verdict["missing"] == [] and verdict["status"] == "on_post"
    # Changing the post to principal while on post needs the principal's certificates.
    moved = await client.patch(url, json={"post": "principal"}, headers=hr)
    assert moved.status_code == 409 and moved.json()["missing"] == ["principal_qualification"]


async def test_revoking_the_qualification_ends_compliance_at_once(client, world: World) -> None:
    hr = world.h("district_hr")
    kg = (await client.post(f"{API}/kindergartens", json=kindergarten_body(), headers=hr)).json()
    sid = await insert_staff(kg["id"])
    url = f"{API}/staff/{sid}"
    cert = (await client.post(f"{url}/certificates", json=tq(), headers=hr)).json()
    await give_training(sid, "induction")
    await client.post(
        f"{url}/certificates",
        json={"type": "post_certificate", "number": f"SR{sid:08d}", "issued_on": "2024-08-01"},
        headers=hr,
    )
    assert (await client.get(f"{url}/dual-certificate", headers=hr)).json()["compliant"] is True
    before = (await client.get(f"{API}/compliance/dual-certificate?kindergarten_id={kg['id']}", headers=hr)).json()
    assert (before["total"]["on_post"], before["total"]["compliant"]) == (1, 1)

    # A kindergarten admin may not revoke; HR must give a reason.
    assert (
        await client.patch(
            f"{API}/certificates/{cert['id']}",
            json={"status": "revoked", "reason": "x"},
            headers=world.h("kindergarten_admin"),
        )
    ).status_code in (403, 404)
    no_reason = await client.patch(f"{API}/certificates/{cert['id']}", json={"status": "revoked"}, headers=hr)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    revoked = await client.patch(
        f"{API}/certificates/{cert['id']}", json={"status": "revoked", "reason": "师德违规，撤销教师资格"}, headers=hr
    )
    assert revoked.status_code == 200
    event = revoked.json()["events"][0]
    assert (event["action"], event["status_after"], event["actor"]) == ("revoke", "revoked", "w_hr")
    assert event["reason"] == "师德违规，撤销教师资格"
    verdict = (await client.get(f"{url}/dual-certificate", headers=hr)).json()
    assert verdict["compliant"] is False and verdict["missing"] == ["teacher_qualification"]
    after = (await client.get(f"{API}/compliance/dual-certificate?kindergarten_id={kg['id']}", headers=hr)).json()
    assert (after["total"]["on_post"], after["total"]["compliant"], after["violations_total"]) == (1, 0, 1)
    assert after["violations"][0]["staff_id"] == sid and after["violations"][0]["missing"] == ["teacher_qualification"]
    # "expired" is never set by hand; a revoked certificate cannot be suspended.
    assert (
        await client.patch(f"{API}/certificates/{cert['id']}", json={"status": "expired", "reason": "x"}, headers=hr)
    ).status_code == 422
    assert (
        await client.patch(f"{API}/certificates/{cert['id']}", json={"status": "suspended", "reason": "x"}, headers=hr)
    ).status_code == 409


async def test_compliance_figures_for_a_hand_made_kindergarten(client, world: World) -> None:
    """Three teachers (two compliant), a childcare worker without her certificate, a health doctor
    with a nurse licence, an 'other' (no requirement), and someone on leave: by hand,
    on_post = 5 (other excluded), compliant = 3, rate = 0.6."""
    hr = world.h("district_hr")
    kg = (
        await client.post(f"{API}/kindergartens", json=kindergarten_body(street="豆各庄地区", group=15), headers=hr)
    ).json()
    teachers = [await insert_staff(kg["id"]) for _ in range(3)]
    worker = await insert_staff(kg["id"], post="childcare_worker")
    doctor = await insert_staff(kg["id"], post="health_doctor")
    await insert_staff(kg["id"], post="other")
    await insert_staff(kg["id"], status="on_leave")
    for i, sid in enumerate(teachers[:2]):
        await client.post(f"{API}/staff/{sid}/certificates", json=tq(), headers=hr)
        await give_training(sid, "induction")
        await client.post(
            f"{API}/staff/{sid}/certificates",
            json={"type": "post_certificate", "number": f"SH{sid:07d}{i}", "issued_on": "2023-08-01"},
            headers=hr,
        )
    await client.post(f"{API}/staff/{teachers[2]}/certificates", json=tq(), headers=hr)
    await client.post(
        f"{API}/staff/{doctor}/certificates",
        json={"type": "nurse_licence", "number": f"N{doctor}", "issued_on": "2010-01-01"},
        headers=hr,
    )
    r = await client.get(
        f"{API}/compliance/dual-certificate", params={"by": "kindergarten", "kindergarten_id": kg["id"]}, headers=hr
    )
    body = r.json()
    assert body["rows"] == [{"key": kg["code"], "label": kg["name"], "on_post": 5, "compliant": 3, "rate": 0.6}]
    assert {(v["staff_id"], tuple(v["missing"])) for v in body["violations"]} == {
        (teachers[2], ("post_certificate",)),
        (worker, ("childcare_certificate",)),
    }
    by_street = (
        await client.get(
            f"{API}/compliance/dual-certificate", params={"by": "street", "street": "豆各庄地区"}, headers=hr
        )
    ).json()
    assert [r["key"] for r in by_street["rows"]] == ["豆各庄地区"]
    assert by_street["rows"][0]["on_post"] >= 5
    # A kindergarten admin sees only their own kindergarten in the figures.
    mine = (
        await client.get(f"{API}/compliance/dual-certificate?by=kindergarten", headers=world.h("kindergarten_admin"))
    ).json()
    assert {r["key"] for r in mine["rows"]} <= {world.kg_a["code"]}


async def test_expiring_certificates_and_reminders(client, world: World) -> None:
    from certificates.services import remind
    from certificates.tables import Reminder

    hr = world.h("district_hr")
    kg = (await client.post(f"{API}/kindergartens", json=kindergarten_body(), headers=hr)).json()
    sid = await insert_staff(kg["id"], post="childcare_worker")
    day = today()
    made = {}
    for days in (0, 5, 29, 90, 91):
        r = await client.post(
            f"{API}/staff/{sid}/certificates",
            json={
                "type": "childcare_certificate",
                "number": f"BY{sid}-{days}",
                "issued_on": "2020-01-01",
                "expires_on": (day + timedelta(days=days)).isoformat(),
            },
            headers=hr,
        )
        made[days] = r.json()["id"]
    listed = (await client.get(f"{API}/certificates/expiring?within_days=90&limit=500", headers=hr)).json()
    mine = {i["certificate_id"]: i["days_left"] for i in listed["items"] if i["staff_id"] == sid}
    assert mine == {made[0]: 0, made[5]: 5, made[29]: 29, made[90]: 90}
    first = await remind(90)
    ours = await Reminder.select(Reminder.certificate, Reminder.window_days).where(Reminder.staff == sid)
    assert sorted((r["certificate"], r["window_days"]) for r in ours) == sorted(
        [(made[0], 7), (made[5], 7), (made[29], 30), (made[90], 90)]
    )
    assert sum(first.values()) >= 4
    again = await remind(90)
    assert sum(again.values()) == 0
    assert await Reminder.count().where(Reminder.staff == sid) == 4


async def test_registration_of_a_teacher_qualification(client, world: World) -> None:
    person = await new_person(client, world)
    cert = (
        await client.post(
            f"{API}/staff/{person['id']}/certificates", json=tq(issued_on="2015-09-01"), headers=world.h("district_hr")
        )
    ).json()
    r = await client.post(
        f"{API}/certificates/{cert['id']}/registrations",
        json={"registered_on": "2020-10-01", "result": "passed", "hours": 372},
        headers=world.h("district_hr"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["registration_due"] == "2025-10-01"
    other = (
        await client.post(
            f"{API}/staff/{person['id']}/certificates",
            json={"type": "safety_training", "number": f"AQ{person['id']}", "issued_on": "2020-01-01"},
            headers=world.h("district_hr"),
        )
    ).json()
    assert (
        await client.post(
            f"{API}/certificates/{other['id']}/registrations",
            json={"registered_on": "2021-01-01", "result": "passed"},
            headers=world.h("district_hr"),
        )
    ).status_code == 409


async def test_the_dual_certificate_refusal_reads_in_chinese_and_in_english(client, world: World) -> None:
    """Issue 15: the 409 of the dual-certificate rule in Chinese by default, in English when asked, with
    its stable code and the missing types as codes for programs."""
    person = await new_person(client, world)
    url, hr = f"{API}/staff/{person['id']}", world.h("district_hr")
    zh = (await client.patch(url, json={"status": "on_post"}, headers=hr)).json()
    assert zh["code"] == "dual-certificate" and zh["title"] == "冲突"
    assert zh["detail"].startswith("专任教师缺少以下证书，不能上岗：教师资格证、上岗证（双证上岗）")
    assert zh["missing"] == ["teacher_qualification", "post_certificate"]
    assert {e["message"] for e in zh["errors"]} == {"缺少证书：教师资格证", "缺少证书：上岗证"}
    en = (await client.patch(url, json={"status": "on_post"}, headers={**hr, "Accept-Language": "en"})).json()
    assert en["code"] == "dual-certificate" and en["title"] == "Conflict"
    assert en["detail"].startswith("cannot put a teacher on post without: teacher_qualification, post_certificate")
    assert [e["field"] for e in en["errors"]] == ["status", "status"]
