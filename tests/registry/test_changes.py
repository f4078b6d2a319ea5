"""Two-level review (issue 15): a kindergarten admin's writes become change requests that district HR
approves or rejects; HR's own writes apply at once."""

from __future__ import annotations

from typing import Any

import pytest

from app.changes import app_changes
from kernel.policy import versions
from registry.audit.tables import AuditEvent
from registry.changes.codes import ChangeKind
from registry.staff.tables import Staff
from tests.support import World, new_id_number, staff_body, teacher_qualification_number
from tests.training.helpers import make_course, make_session

API = "/api/v1"
HR, ADMIN, TEACHER, INSPECTOR = "district_hr", "kindergarten_admin", "teacher", "inspector"


async def submit_staff(client: Any, world: World, **over: Any) -> dict[str, Any]:
    body = staff_body(world.kg_a["id"], **over)
    r = await client.post(f"{API}/staff", json=body, headers=world.h(ADMIN))
    assert r.status_code == 202, r.text
    return dict(r.json())


async def test_an_admins_new_person_waits_for_hr_and_is_written_on_approval(client: Any, world: World) -> None:
    body = staff_body(world.kg_a["id"], name="周晓梅")
    r = await client.post(f"{API}/staff", json=body, headers=world.h(ADMIN))
    assert r.status_code == 202
    change = r.json()
    assert r.headers["location"] == f"{API}/changes/{change['id']}"
    assert (change["kind"], change["status"], change["kindergarten_id"]) == (
        "staff.create",
        "pending",
        world.kg_a["id"],
    )
    assert change["submitted_by"] == "w_admin" and change["payload"]["name"] == "周晓梅"
    assert change["kind_label"] == "新增人员" and change["status_label"] == "待审核"
    # checked, not written
    assert not await Staff.exists().where(Staff.id_number == body["id_number"])

    queue = await client.get(f"{API}/changes?status=pending", headers=world.h(HR))
    assert change["id"] in [c["id"] for c in queue.json()["items"]]
    mine = await client.get(f"{API}/changes?status=pending", headers=world.h(ADMIN))
    assert change["id"] in [c["id"] for c in mine.json()["items"]]

    approved = await client.post(f"{API}/changes/{change['id']}/approve", headers=world.h(HR))
    assert approved.status_code == 200, approved.text
    decision = approved.json()
    person = decision["result"]
    assert person["name"] == "周晓梅" and person["kindergarten_id"] == world.kg_a["id"]
    assert decision["change"]["status"] == "approved" and decision["change"]["decided_by"] == "w_hr"
    assert decision["change"]["result_id"] == person["id"]
    assert await Staff.exists().where(Staff.id_number == body["id_number"])
    # both audited: the change's submission and approval (by HR), and the record it wrote, in the name
    # of whoever entered it
    change_events = await AuditEvent.select(AuditEvent.action, AuditEvent.actor).where(
        (AuditEvent.entity == "change_request") & (AuditEvent.entity_id == str(change["id"]))
    )
    assert [(e["action"], e["actor"]) for e in change_events] == [("submit", "w_admin"), ("approve", "w_hr")]
    assert await AuditEvent.exists().where(
        (AuditEvent.entity == "staff") & (AuditEvent.entity_id == str(person["id"])) & (AuditEvent.actor == "w_admin")
    )
    # deciding twice is a 409
    again = await client.post(f"{API}/changes/{change['id']}/approve", headers=world.h(HR))
    assert again.status_code == 409 and again.json()["code"] == "decided-already"
    assert again.json()["detail"] == f"变更申请 {change['id']} 已处理（已通过），不能再次处理"
    english = await client.post(
        f"{API}/changes/{change['id']}/approve", headers={**world.h(HR), "Accept-Language": "en"}
    )
    assert english.json()["detail"] == f"change request {change['id']} is approved already"


async def test_hr_writes_apply_at_once(client: Any, world: World) -> None:
    r = await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"]), headers=world.h(HR))
    assert r.status_code == 201 and "kind" not in r.json()


async def test_a_bad_payload_is_still_a_422_at_once_and_nothing_is_queued(client: Any, world: World) -> None:
    before = (await client.get(f"{API}/changes", headers=world.h(HR))).json()["total"]
    r = await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"], name=""), headers=world.h(ADMIN))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"
    bad_id = await client.post(
        f"{API}/staff", json=staff_body(world.kg_a["id"], id_number="110101199001011230"), headers=world.h(ADMIN)
    )
    assert bad_id.status_code == 422
    assert (await client.get(f"{API}/changes", headers=world.h(HR))).json()["total"] == before


async def test_a_broken_rule_is_refused_at_submission(client: Any, world: World) -> None:
    """The same rules as the write: on post without the post's certificates is a 409 at once."""
    before = (await client.get(f"{API}/changes", headers=world.h(HR))).json()["total"]
    r = await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"], status="on_post"), headers=world.h(ADMIN))
    assert r.status_code == 409
    another = await client.post(f"{API}/staff", json=staff_body(world.kg_b["id"]), headers=world.h(ADMIN))
    assert another.status_code == 403  # not the admin's kindergarten
    assert (await client.get(f"{API}/changes", headers=world.h(HR))).json()["total"] == before


async def test_approval_checks_the_rules_again(client: Any, world: World) -> None:
    """The ID number registered by HR meanwhile: the approval is a 409 and the change stays pending."""
    id_number = new_id_number()
    change = await submit_staff(client, world, id_number=id_number)
    direct = await client.post(
        f"{API}/staff", json=staff_body(world.kg_b["id"], id_number=id_number), headers=world.h(HR)
    )
    assert direct.status_code == 201
    r = await client.post(f"{API}/changes/{change['id']}/approve", headers=world.h(HR))
    assert r.status_code == 409 and r.json()["detail"].startswith("该变更现在无法生效")
    still = await client.get(f"{API}/changes/{change['id']}", headers=world.h(HR))
    assert still.json()["status"] == "pending" and still.json()["decided_by"] is None


async def test_a_record_changed_since_submission_is_a_409_not_an_overwrite(client: Any, world: World) -> None:
    person = (await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"]), headers=world.h(HR))).json()
    r = await client.patch(f"{API}/staff/{person['id']}", json={"education": "bachelor"}, headers=world.h(ADMIN))
    assert r.status_code == 202 and r.json()["kind"] == "staff.update"
    assert r.json()["before"]["education"] is None and "id_number" not in r.json()["before"]
    # HR changes the record directly in between
    assert (
        await client.patch(f"{API}/staff/{person['id']}", json={"title": "level1"}, headers=world.h(HR))
    ).status_code == 200
    stale = await client.post(f"{API}/changes/{r.json()['id']}/approve", headers=world.h(HR))
    assert stale.status_code == 409 and stale.json()["code"] == "stale-change"
    now = (await client.get(f"{API}/staff/{person['id']}", headers=world.h(HR))).json()
    assert now["education"] is None and now["title"] == "level1"
    assert (await client.get(f"{API}/changes/{r.json()['id']}", headers=world.h(HR))).json()["status"] == "pending"


async def test_a_name_correction_is_direct_by_policy(client: Any, world: World) -> None:
    """The policy leaves staff.name off the admin's reviewed kinds: a typo's correction applies at once."""
    person = (await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"]), headers=world.h(HR))).json()
    r = await client.patch(f"{API}/staff/{person['id']}", json={"name": "李晶"}, headers=world.h(ADMIN))
    assert r.status_code == 200 and r.json()["name"] == "李晶"
    status = await client.patch(f"{API}/staff/{person['id']}", json={"status": "on_leave"}, headers=world.h(ADMIN))
    assert status.status_code == 202 and status.json()["kind"] == "staff.status"


async def test_reject_needs_a_reason_and_closes_the_change(client: Any, world: World) -> None:
    change = await submit_staff(client, world)
    url = f"{API}/changes/{change['id']}"
    no_reason = await client.post(f"{url}/reject", json={"reason": ""}, headers=world.h(HR))
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    r = await client.post(f"{url}/reject", json={"reason": "身份证号与本人不符，请核对"}, headers=world.h(HR))
    assert (
        r.status_code == 200 and r.json()["status"] == "rejected" and r.json()["reason"] == "身份证号与本人不符，请核对"
    )
    assert (await client.post(f"{url}/approve", headers=world.h(HR))).status_code == 409
    assert (await client.post(f"{url}/withdraw", headers=world.h(ADMIN))).status_code == 409
    assert not await Staff.exists().where(Staff.id_number == change["payload"]["id_number"])


async def test_only_the_submitter_withdraws_while_pending(client: Any, world: World) -> None:
    change = await submit_staff(client, world)
    url = f"{API}/changes/{change['id']}/withdraw"
    by_hr = await client.post(url, headers=world.h(HR))
    assert by_hr.status_code == 403 and by_hr.json()["code"] == "not-the-submitter"
    r = await client.post(url, headers=world.h(ADMIN))
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert (await client.post(url, headers=world.h(ADMIN))).status_code == 409


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [
        (HR, "approve", 200),
        (ADMIN, "approve", 403),
        (TEACHER, "approve", 403),
        (INSPECTOR, "approve", 403),
        ("anonymous", "approve", 401),
        (HR, "reject", 200),
        (ADMIN, "reject", 403),
        (TEACHER, "reject", 403),
        (INSPECTOR, "reject", 403),
        ("anonymous", "reject", 401),
        (HR, "withdraw", 403),
        (ADMIN, "withdraw", 200),
        (TEACHER, "withdraw", 403),
        (INSPECTOR, "withdraw", 403),
        ("anonymous", "withdraw", 401),
        (HR, "read", 200),
        (ADMIN, "read", 200),
        (TEACHER, "read", 403),
        (INSPECTOR, "read", 403),
        ("anonymous", "read", 401),
    ],
)
async def test_review_role_matrix(client: Any, world: World, role: str, action: str, expected: int) -> None:
    change = await submit_staff(client, world)
    url = f"{API}/changes/{change['id']}"
    if action == "read":
        r = await client.get(url, headers=world.h(role))
        listed = await client.get(f"{API}/changes", headers=world.h(role))
        assert listed.status_code == expected
    elif action == "reject":
        r = await client.post(f"{url}/reject", json={"reason": "材料不全"}, headers=world.h(role))
    else:
        r = await client.post(f"{url}/{action}", headers=world.h(role))
    assert r.status_code == expected, r.text
    after = (await client.get(url, headers=world.h(HR))).json()["status"]
    assert after == (
        {"approve": "approved", "reject": "rejected", "withdraw": "withdrawn"}.get(action, "pending")
        if expected == 200
        else "pending"
    )


async def test_submitting_as_each_role(client: Any, world: World) -> None:
    """Who may submit a new person: HR applies, an admin submits, a teacher and an inspector are refused."""
    codes = {}
    for role in (HR, ADMIN, TEACHER, INSPECTOR):
        r = await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"]), headers=world.h(role))
        codes[role] = r.status_code
    assert codes == {HR: 201, ADMIN: 202, TEACHER: 403, INSPECTOR: 403}


async def test_an_admin_sees_only_their_kindergartens_changes(client: Any, world: World) -> None:
    change = await submit_staff(client, world)
    hr_created = (await client.post(f"{API}/staff", json=staff_body(world.kg_b["id"]), headers=world.h(HR))).json()
    assert hr_created["kindergarten_id"] == world.kg_b["id"]
    listed = await client.get(f"{API}/changes?kindergarten_id={world.kg_b['id']}", headers=world.h(ADMIN))
    assert listed.json()["items"] == []
    assert (await client.get(f"{API}/changes/{change['id']}", headers=world.h(ADMIN))).status_code == 200
    kinds = await client.get(f"{API}/changes?kind=staff.create&status=pending", headers=world.h(HR))
    assert all(c["kind"] == "staff.create" and c["status"] == "pending" for c in kinds.json()["items"])


async def test_every_reviewed_kind_in_the_policy_is_a_kind_the_app_knows() -> None:
    known = set(app_changes().handlers)
    assert known == {k.value for k in ChangeKind}
    for version in versions():
        for kinds in version.review.values():
            assert set(kinds) <= known


async def test_a_new_teacher_with_her_certificates_and_induction_in_one_change(client: Any, world: World) -> None:
    """The issue's "done when", through the API: 202, then HR's approval 200, every message Chinese."""
    course = await make_course(client, world, category="induction", hours=120)
    session = await make_session(client, world, course_id=course["id"], starts_on="2026-07-01", ends_on="2026-07-20")
    body = {
        "staff": staff_body(world.kg_a["id"], name="林小雨", status="on_post", hired_on="2026-09-01"),
        "certificates": [
            {"type": "teacher_qualification", "number": teacher_qualification_number(2025), "issued_on": "2025-06-30"},
            {"type": "post_certificate", "number": "SG20260901", "issued_on": "2026-08-01"},
        ],
        "training": [{"session_id": session["id"], "hours": 120, "passed": True, "score": 88}],
    }
    r = await client.post(f"{API}/staff/onboarding", json=body, headers=world.h(ADMIN))
    assert r.status_code == 202, r.text
    change = r.json()
    assert change["kind"] == "staff.onboard" and "林小雨" in change["summary"]
    assert not await Staff.exists().where(Staff.id_number == body["staff"]["id_number"])
    approved = await client.post(f"{API}/changes/{change['id']}/approve", headers=world.h(HR))
    assert approved.status_code == 200, approved.text
    result = approved.json()["result"]
    assert result["staff"]["status"] == "on_post" and result["staff"]["name"] == "林小雨"
    assert sorted(c["type"] for c in result["certificates"]) == ["post_certificate", "teacher_qualification"]
    assert [r["passed"] for r in result["results"]] == [True]
    dual = await client.get(f"{API}/staff/{result['id']}/dual-certificate", headers=world.h(HR))
    assert dual.json()["compliant"] is True


async def test_onboarding_without_the_induction_is_refused_at_once(client: Any, world: World) -> None:
    body = {
        "staff": staff_body(world.kg_a["id"], status="on_post"),
        "certificates": [
            {"type": "teacher_qualification", "number": teacher_qualification_number(2025), "issued_on": "2025-06-30"},
            {"type": "post_certificate", "number": "SG20260902", "issued_on": "2026-08-01"},
        ],
    }
    r = await client.post(f"{API}/staff/onboarding", json=body, headers=world.h(ADMIN))
    assert r.status_code == 409
    assert not await Staff.exists().where(Staff.id_number == body["staff"]["id_number"])
