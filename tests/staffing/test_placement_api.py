"""POST /pool/candidates/{id}/placement: one transaction that creates (or reactivates) the staff
record, copies the certificates, decides on post or pending induction, and counts towards the plan."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from tests.staffing.helpers import (
    API,
    HR,
    INSPECTOR,
    make_candidate,
    make_kindergarten,
    people,
    street,
    teacher_certificates,
)
from tests.support import World, insert_staff, new_id_number


async def place(client: Any, world: World, candidate_id: int, **body: Any) -> Any:
    return await client.post(f"{API}/pool/candidates/{candidate_id}/placement", json=body, headers=world.h(HR))


async def gap_kindergarten(client: Any, world: World) -> dict[str, Any]:
    """2 small classes: 4 teachers required, nobody there."""
    return await make_kindergarten(client, world, street=street(), classes={"small": 2}, children=50, places=60)


async def test_a_certified_candidate_goes_on_post(client: Any, world: World) -> None:
    kg = await gap_kindergarten(client, world)
    c = await make_candidate(client, world, source="purchased_service", certificates=teacher_certificates())
    r = await place(client, world, c["id"], kindergarten_id=kg["id"], post="teacher")
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "on_post" and out["missing"] == [] and not out["reactivated"]
    assert out["gap_before"] == 4 and out["flags"] == []
    staff = (await client.get(f"{API}/staff/{out['staff_id']}", headers=world.h(HR))).json()
    assert staff["id_number"] == c["id_number"] and staff["status"] == "on_post"
    assert staff["employment"] == "purchased_service" and staff["kindergarten_id"] == kg["id"]
    assert staff["assignments"][0]["reason"] == "储备库安置"
    dual = (await client.get(f"{API}/staff/{out['staff_id']}/dual-certificate", headers=world.h(HR))).json()
    assert dual["compliant"] is True
    cand = (await client.get(f"{API}/pool/candidates/{c['id']}", headers=world.h(HR))).json()
    assert cand["status"] == "placed" and cand["staff_id"] == out["staff_id"]
    gaps = await client.get(f"{API}/staffing/gaps?by=kindergarten&kindergarten_id={kg['id']}", headers=world.h(HR))
    teacher = next(p for p in gaps.json()["total"]["posts"] if p["post"] == "teacher")
    assert (teacher["qualified"], teacher["gap"]) == (1, 3)
    trail = await client.get(f"{API}/audit?entity=pool_candidate&entity_id={c['id']}", headers=world.h(HR))
    assert [e["action"] for e in trail.json()["items"]] == ["place", "create"]
    staff_trail = await client.get(f"{API}/audit?entity=staff&entity_id={out['staff_id']}", headers=world.h(HR))
    assert [e["action"] for e in staff_trail.json()["items"]] == ["create"]


async def test_placing_twice_is_409(client: Any, world: World) -> None:
    kg = await gap_kindergarten(client, world)
    c = await make_candidate(client, world, certificates=teacher_certificates())
    first = await place(client, world, c["id"], kindergarten_id=kg["id"], post="teacher")
    assert first.status_code == 201
    staff_id = first.json()["staff_id"]
    again = await place(client, world, c["id"], kindergarten_id=kg["id"], post="teacher")
    body = again.json()
    # issue 15: in Chinese by default, in English on request; the code and the field stay English
    assert again.status_code == 409 and body["code"] == "placed" and body["title"] == "冲突"
    assert body["detail"] == f"候选人 {c['id']} 已安置（教职工 {staff_id}）"
    assert body["errors"] == [{"field": "candidate", "message": "已安置"}]
    english = await client.post(
        f"{API}/pool/candidates/{c['id']}/placement",
        json={"kindergarten_id": kg["id"], "post": "teacher"},
        headers={**world.h(HR), "Accept-Language": "en"},
    )
    assert english.status_code == 409 and english.json()["code"] == "placed" and english.json()["title"] == "Conflict"
    assert english.json()["detail"] == f"candidate {c['id']} is placed already (staff {staff_id})"
    assert english.json()["errors"] == [{"field": "candidate", "message": "placed"}]
    r = await client.patch(f"{API}/pool/candidates/{c['id']}", json={"status": "withdrawn"}, headers=world.h(HR))
    assert r.status_code == 409


async def test_two_placements_racing_one_wins(client: Any, world: World) -> None:
    kg = await gap_kindergarten(client, world)
    c = await make_candidate(client, world, certificates=teacher_certificates())
    results = await asyncio.gather(
        place(client, world, c["id"], kindergarten_id=kg["id"], post="teacher"),
        place(client, world, c["id"], kindergarten_id=kg["id"], post="teacher"),
    )
    assert sorted(r.status_code for r in results) == [201, 409]


async def test_without_certificates_the_person_waits_for_induction(client: Any, world: World) -> None:
    kg = await gap_kindergarten(client, world)
    c = await make_candidate(client, world, source="university")
    out = (await place(client, world, c["id"], kindergarten_id=kg["id"], post="teacher")).json()
    assert out["status"] == "pending_induction" and out["missing"] == ["teacher_qualification", "post_certificate"]
    staff = (await client.get(f"{API}/staff/{out['staff_id']}", headers=world.h(HR))).json()
    assert staff["status"] == "pending_induction" and staff["employment"] == "contract"
    gaps = await client.get(f"{API}/staffing/gaps?by=kindergarten&kindergarten_id={kg['id']}", headers=world.h(HR))
    teacher = next(p for p in gaps.json()["total"]["posts"] if p["post"] == "teacher")
    assert (teacher["on_post"], teacher["pending_induction"], teacher["gap"]) == (0, 1, 4)


async def test_a_placement_where_there_is_no_gap_is_allowed_and_flagged(client: Any, world: World) -> None:
    kg = await gap_kindergarten(client, world)
    await people(kg["id"], "teacher", qualified=4)
    c = await make_candidate(client, world, posts=["childcare_worker"], certificates=teacher_certificates())
    r = await place(
        client, world, c["id"], kindergarten_id=kg["id"], post="teacher", starts_on="2025-06-01", employment="agency"
    )
    assert r.status_code == 201, r.text
    assert r.json()["flags"] == ["no_gap", "post_not_wanted", "outside_availability"]
    assert r.json()["gap_before"] == 0


async def test_someone_who_left_is_reactivated(client: Any, world: World) -> None:
    kg = await gap_kindergarten(client, world)
    idn = new_id_number(born=date(1963, 4, 5))
    old = await insert_staff(world.kg_b["id"], status="left", id_number=idn, left_on=date(2023, 7, 31))
    from registry.staff.tables import StaffAssignment

    await StaffAssignment.update({StaffAssignment.ends_on: date(2023, 7, 31)}).where(StaffAssignment.staff == old)
    c = await make_candidate(
        client, world, id_number=idn, source="retired_teacher", certificates=teacher_certificates()
    )
    out = (await place(client, world, c["id"], kindergarten_id=kg["id"], post="teacher")).json()
    assert out["staff_id"] == old and out["reactivated"] and out["status"] == "on_post"
    staff = (await client.get(f"{API}/staff/{old}", headers=world.h(HR))).json()
    assert (
        staff["kindergarten_id"] == kg["id"] and staff["left_on"] is None and staff["employment"] == "rehired_retiree"
    )
    assert [a["ends_on"] for a in staff["assignments"]] == [None, "2023-07-31"]


async def test_an_employed_person_cannot_be_placed(client: Any, world: World) -> None:
    kg = await gap_kindergarten(client, world)
    idn = new_id_number()
    c = await make_candidate(client, world, id_number=idn)
    await insert_staff(world.kg_b["id"], status="on_leave", id_number=idn)  # hired since joining the pool
    r = await place(client, world, c["id"], kindergarten_id=kg["id"], post="teacher")
    assert r.status_code == 409 and "调动" in r.json()["detail"]  # 调往其他园所请办理调动
    cand = (await client.get(f"{API}/pool/candidates/{c['id']}", headers=world.h(HR))).json()
    assert cand["status"] == "available"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"post": "teacher", "starts_on": "2999-01-01"}, 422, "starts_on"),
        ({"post": "other"}, 422, "post"),
        ({"post": "teacher", "kindergarten_id": 10**8}, 422, "kindergarten_id"),
        ({"post": "cook"}, 422, "post"),
    ],
)
async def test_bad_placements(client: Any, world: World, body: dict[str, Any], status: int, field: str) -> None:
    c = await make_candidate(client, world)
    r = await place(client, world, c["id"], **({"kindergarten_id": world.kg_a["id"]} | body))
    assert r.status_code == status, r.text
    assert field in {e["field"] for e in r.json().get("errors", [])}


async def test_a_missing_or_withdrawn_candidate(client: Any, world: World) -> None:
    assert (await place(client, world, 10**8, kindergarten_id=world.kg_a["id"], post="teacher")).status_code == 404
    c = await make_candidate(client, world)
    await client.patch(f"{API}/pool/candidates/{c['id']}", json={"status": "withdrawn"}, headers=world.h(HR))
    r = await place(client, world, c["id"], kindergarten_id=world.kg_a["id"], post="teacher")
    assert r.status_code == 409 and r.json()["code"] == "withdrawn"
    assert r.json()["detail"] == f"候选人 {c['id']} 已退出储备库"


async def test_a_failure_after_the_first_write_leaves_nothing(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The staff record is written, then copying the certificates fails: the request is answered
    with a 500 and nothing of it stays (staff row, assignment, certificates, placement, candidate
    status, audit events)."""
    from registry.audit.tables import AuditEvent
    from registry.staff.tables import Staff
    from staffing import placement as services

    kg = await gap_kindergarten(client, world)
    c = await make_candidate(client, world, certificates=teacher_certificates())
    events_before = await AuditEvent.count()
    wrote: list[int] = []

    async def broken(who: Any, staff_id: int, certs: Any) -> None:
        wrote.append(staff_id)
        assert await Staff.exists().where(Staff.id == staff_id)  # the first write happened
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_copy_certificates", broken)
    r = await place(client, world, c["id"], kindergarten_id=kg["id"], post="teacher")
    assert r.status_code == 500 and wrote
    assert not await Staff.exists().where(Staff.id_number == c["id_number"])
    cand = (await client.get(f"{API}/pool/candidates/{c['id']}", headers=world.h(HR))).json()
    assert cand["status"] == "available" and cand["staff_id"] is None
    assert await AuditEvent.count() == events_before
    monkeypatch.undo()
    assert (await place(client, world, c["id"], kindergarten_id=kg["id"], post="teacher")).status_code == 201


# --- the plan --------------------------------------------------------------------------------------------


async def progress(client: Any, world: World, who: str = HR, on: str | None = None) -> dict[str, Any]:
    r = await client.get(f"{API}/plan/progress" + (f"?on={on}" if on else ""), headers=world.h(who))
    assert r.status_code == 200, r.text
    body = r.json()
    return {t["code"]: t for t in body["targets"]} | {"_": body}


async def test_plan_progress_after_a_placement(client: Any, world: World) -> None:
    kg = await gap_kindergarten(client, world)
    before = await progress(client, world)
    assert before["teachers_added"]["target"] == 2500 and before["health_doctors_added"]["target"] == 500
    plan = before["_"]["plan"]
    assert (plan["period_from"], plan["period_to"], plan["counted_to"]) == ("2018-01-01", "2020-12-31", "2020-12-31")
    assert plan["period_over"] is True
    # a placement dated in the plan's period counts towards its 2,500
    c = await make_candidate(client, world, available_from="2019-01-01", certificates=teacher_certificates())
    r = await place(client, world, c["id"], kindergarten_id=kg["id"], post="teacher", starts_on="2020-09-01")
    assert r.status_code == 201 and r.json()["counts_towards_plan"] is True
    after = await progress(client, world)
    assert after["teachers_added"]["achieved"] == before["teachers_added"]["achieved"] + 1
    assert after["teachers_added"]["remaining"] == max(0, 2500 - after["teachers_added"]["achieved"])
    assert after["health_doctors_added"]["achieved"] == before["health_doctors_added"]["achieved"]
    # one placed today, after the period, is shown apart: it counts towards no target of this plan
    d = await make_candidate(client, world, posts=["health_doctor"])
    r = await place(client, world, d["id"], kindergarten_id=kg["id"], post="health_doctor")
    assert r.json()["counts_towards_plan"] is False
    later = await progress(client, world)
    assert later["health_doctors_added"]["achieved"] == before["health_doctors_added"]["achieved"]
    assert later["_"]["added_after_period"]["health_doctor"] == before["_"]["added_after_period"]["health_doctor"] + 1


async def test_plan_progress_on_a_day_in_the_period(client: Any, world: World) -> None:
    kg = await gap_kindergarten(client, world)
    hired = await insert_staff(kg["id"], post="health_doctor", hired_on=date(2019, 3, 1))
    assert hired
    early = await progress(client, world, on="2019-02-28")
    late = await progress(client, world, on="2019-03-01")
    assert late["health_doctors_added"]["achieved"] == early["health_doctors_added"]["achieved"] + 1
    assert late["_"]["plan"]["counted_to"] == "2019-03-01" and late["_"]["plan"]["period_over"] is False
    assert late["_"]["added_after_period"] == {"teacher": 0, "health_doctor": 0}


async def test_plan_progress_targets(client: Any, world: World) -> None:
    body = await progress(client, world, INSPECTOR)
    assert list(body)[:-1] == [
        "teachers_added",
        "health_doctors_added",
        "dual_certificate_rate",
        "safety_training_coverage",
        "family_education_instructors",
        "backbone_senior_titles",
    ]
    dual = body["dual_certificate_rate"]
    assert dual["target"] == 1.0 and dual["unit"] == "rate"
    assert dual["remaining"] == pytest.approx(1.0 - dual["achieved"]) if dual["achieved"] is not None else True
    fam = body["family_education_instructors"]
    assert fam["target"] >= 2 and fam["achieved"] + fam["remaining"] == fam["target"]
    assert body["backbone_senior_titles"]["target"] is None  # a direction, no number
    assert all(t["source"] for t in body.values() if "source" in t)


async def test_plan_progress_before_any_policy_is_422(client: Any, world: World) -> None:
    r = await client.get(f"{API}/plan/progress?on=2017-06-30", headers=world.h(HR))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "on"
