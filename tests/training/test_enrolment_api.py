"""Enrolments and results through the API: capacity, duplicates, scope, audit, one transaction."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from kernel.common.time import today
from tests.support import World
from tests.training.helpers import (
    ADMIN,
    API,
    HR,
    INSPECTOR,
    TEACHER,
    course_body,
    enrol,
    enrolled,
    insert_staff,
    make_course,
    make_session,
    new_staff,
    passed,
    post_result,
)

# --- capacity, duplicates, people who left ----------------------------------------------------


async def test_never_over_the_sessions_capacity(client: Any, world: World) -> None:
    session = await make_session(client, world, capacity=2)
    people = [await new_staff(client, world, world.kg_a["id"]) for _ in range(3)]
    assert (await enrol(client, world, session["id"], people[0]["id"])).status_code == 201
    assert (await enrol(client, world, session["id"], people[1]["id"])).status_code == 201
    r = await enrol(client, world, session["id"], people[2]["id"])
    assert r.status_code == 409 and r.json()["detail"] == "该班次已满（已报 2 人，限 2 人）"
    assert r.json()["code"] == "over-capacity"
    seats = (await client.get(f"{API}/training/sessions/{session['id']}", headers=world.h(HR))).json()
    assert (seats["seats_taken"], seats["seats_left"]) == (2, 0)


async def test_course_capacity_applies_when_the_session_has_none(client: Any, world: World) -> None:
    course = await make_course(client, world, capacity=1)
    inherited = await make_session(client, world, course["id"])
    overridden = await make_session(client, world, course["id"], capacity=2)
    a = await new_staff(client, world, world.kg_a["id"])
    b = await new_staff(client, world, world.kg_a["id"])
    assert (await enrol(client, world, inherited["id"], a["id"])).status_code == 201
    assert (await enrol(client, world, inherited["id"], b["id"])).status_code == 409
    assert (await enrol(client, world, overridden["id"], a["id"])).status_code == 201
    assert (await enrol(client, world, overridden["id"], b["id"])).status_code == 201


async def test_never_twice_in_one_session(client: Any, world: World) -> None:
    session = await make_session(client, world)
    person = await new_staff(client, world, world.kg_a["id"])
    assert (await enrol(client, world, session["id"], person["id"])).status_code == 201
    r = await enrol(client, world, session["id"], person["id"])
    assert r.status_code == 409 and r.json()["detail"] == "此人已报名该班次" and r.json()["code"] == "duplicate"
    assert r.json()["errors"][0]["field"] == "staff_id"
    listed = (await client.get(f"{API}/training/sessions/{session['id']}/enrolments", headers=world.h(HR))).json()
    assert listed["total"] == 1


async def test_a_person_who_left_is_not_enrolled(client: Any, world: World) -> None:
    session = await make_session(client, world)
    gone = await insert_staff(world.kg_a["id"], status="left")
    r = await enrol(client, world, session["id"], gone)
    assert r.status_code == 409 and r.json()["detail"] == "此人已离职，离职人员不能报名"
    assert r.json()["code"] == "staff-left"
    for status in ("on_post", "on_leave", "pending_induction"):
        assert (
            await enrol(client, world, session["id"], await insert_staff(world.kg_a["id"], status))
        ).status_code == 201


async def test_unknown_session_or_person_is_404(client: Any, world: World) -> None:
    session = await make_session(client, world)
    assert (await enrol(client, world, 999_999, world.staff_a["id"])).status_code == 404
    assert (await enrol(client, world, session["id"], 999_999)).status_code == 404
    r = await client.post(f"{API}/training/sessions/{session['id']}/enrolments", json={}, headers=world.h(HR))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "staff_id"


# --- who may enrol whom; who sees which enrolments ------------------------------------------


async def test_admin_enrols_only_their_own_kindergartens_staff(client: Any, world: World) -> None:
    session = await make_session(client, world)
    mine = await new_staff(client, world, world.kg_a["id"])
    theirs = await new_staff(client, world, world.kg_b["id"])
    r = await enrol(client, world, session["id"], mine["id"], who=ADMIN)
    assert r.status_code == 201 and r.json()["enrolled_by"] == "w_admin"
    r = await enrol(client, world, session["id"], theirs["id"], who=ADMIN)
    assert r.status_code == 404  # hidden, as GET /staff/{id} hides them
    assert (await enrol(client, world, session["id"], mine["id"], who=TEACHER)).status_code == 403
    assert (await enrol(client, world, session["id"], theirs["id"], who=HR)).status_code == 201


async def test_enrolment_lists_are_scoped(client: Any, world: World) -> None:
    session = await make_session(client, world)
    other_a = await new_staff(client, world, world.kg_a["id"], name="甲园同事")
    for person in (world.staff_a["id"], other_a["id"], world.staff_b["id"]):
        await enrolled(client, world, session["id"], person)
    url = f"{API}/training/sessions/{session['id']}/enrolments"

    async def staff_ids(who: str) -> set[int]:
        r = await client.get(url, headers=world.h(who))
        assert r.status_code == 200, r.text
        assert r.json()["total"] == len(r.json()["items"])
        return {e["staff_id"] for e in r.json()["items"]}

    everyone = {world.staff_a["id"], other_a["id"], world.staff_b["id"]}
    assert await staff_ids(HR) == everyone
    assert await staff_ids(INSPECTOR) == everyone
    assert await staff_ids(ADMIN) == {world.staff_a["id"], other_a["id"]}
    assert await staff_ids(TEACHER) == {world.staff_a["id"]}
    assert (await client.get(f"{API}/training/sessions/999999/enrolments", headers=world.h(HR))).status_code == 404


# --- results --------------------------------------------------------------------------------


async def test_result_defaults_and_one_per_enrolment(client: Any, world: World) -> None:
    course = await make_course(client, world, hours=16)
    session = await make_session(client, world, course["id"], starts_on="2024-04-01", ends_on="2024-04-02")
    enrolment_id = await enrolled(client, world, session["id"], world.staff_a["id"])
    r = await post_result(client, world, enrolment_id, hours=15.5, score=86.5)
    assert r.status_code == 201, r.text
    result = r.json()
    assert result["completed_on"] == "2024-04-02"  # the session's last day
    assert (result["hours"], result["passed"], result["score"]) == (15.5, True, 86.5)
    assert result["recorded_by"] == "w_hr"
    again = await post_result(client, world, enrolment_id, passed=False)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "enrolment_id"
    listed = (await client.get(f"{API}/training/sessions/{session['id']}/enrolments", headers=world.h(HR))).json()
    assert listed["items"][0]["result"] == result


async def test_result_of_a_running_session_completes_today(client: Any, world: World) -> None:
    day = today()
    session = await make_session(
        client, world, starts_on=(day - timedelta(days=1)).isoformat(), ends_on=(day + timedelta(days=5)).isoformat()
    )
    enrolment_id = await enrolled(client, world, session["id"], world.staff_a["id"])
    r = await post_result(client, world, enrolment_id, score=None)
    assert r.status_code == 201 and r.json()["completed_on"] == day.isoformat() and r.json()["score"] is None


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"hours": 12.5}, "hours"),  # more than the course's 12 hours
        ({"hours": 0, "passed": True}, "hours"),
        ({"hours": -1}, "hours"),
        ({"hours": 1.25}, "hours"),
        ({"score": 100.5}, "score"),
        ({"score": -3}, "score"),
        ({"completed_on": "2024-02-29"}, "completed_on"),  # before the session
        ({"completed_on": "2999-01-01"}, "completed_on"),
        ({"passed": "maybe"}, "passed"),
    ],
)
async def test_invalid_result_is_422(client: Any, world: World, over: dict[str, Any], field: str) -> None:
    session = await make_session(client, world)
    enrolment_id = await enrolled(client, world, session["id"], await insert_staff(world.kg_a["id"]))
    r = await post_result(client, world, enrolment_id, **over)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == field
    # nothing was written: a valid result still goes in
    assert (await post_result(client, world, enrolment_id)).status_code == 201


async def test_failed_result_with_no_hours_and_unknown_enrolment(client: Any, world: World) -> None:
    session = await make_session(client, world)
    enrolment_id = await enrolled(client, world, session["id"], await insert_staff(world.kg_a["id"]))
    r = await post_result(client, world, enrolment_id, hours=0, passed=False, score=0)
    assert r.status_code == 201 and r.json()["passed"] is False
    assert (await post_result(client, world, 999_999)).status_code == 404


# --- a person's training record ---------------------------------------------------------------


async def test_staff_training_record_is_scoped_like_the_staff_record(client: Any, world: World) -> None:
    first = await passed(client, world, world.staff_b["id"], "ethics", "2024-05-06")
    later = await make_session(client, world, starts_on="2025-01-10", ends_on="2025-01-12")
    await enrolled(client, world, later["id"], world.staff_b["id"])
    url = f"{API}/staff/{world.staff_b['id']}/training"
    r = await client.get(url, headers=world.h(INSPECTOR))
    assert r.status_code == 200
    body = r.json()
    assert body["staff_id"] == world.staff_b["id"] and body["kindergarten_id"] == world.kg_b["id"]
    mine = [rec for rec in body["records"] if rec["session_id"] in (later["id"],)] + [
        rec for rec in body["records"] if rec["result"] and rec["result"]["id"] == first["id"]
    ]
    assert [rec["starts_on"] for rec in mine] == ["2025-01-10", "2024-05-06"]
    assert mine[0]["result"] is None and mine[1]["result"]["passed"] is True
    starts = [rec["starts_on"] for rec in body["records"]]
    assert starts == sorted(starts, reverse=True)
    assert (await client.get(url, headers=world.h(ADMIN))).status_code == 404
    assert (await client.get(url, headers=world.h(TEACHER))).status_code == 404
    assert (
        await client.get(f"{API}/staff/{world.staff_a['id']}/training", headers=world.h(TEACHER))
    ).status_code == 200
    assert (await client.get(f"{API}/staff/999999/training", headers=world.h(HR))).status_code == 404


# --- audit and atomicity ----------------------------------------------------------------------


async def _events(entity: str, entity_id: int) -> list[dict[str, Any]]:
    from registry.audit.tables import AuditEvent

    rows = await AuditEvent.select().where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
    for row in rows:
        for key in ("before", "after"):
            if isinstance(row[key], str):
                row[key] = json.loads(row[key])
    return rows


async def test_every_write_leaves_an_audit_event(client: Any, world: World) -> None:
    course = await make_course(client, world, hours=10, mode="online")
    session = await make_session(client, world, course["id"], capacity=5)
    enrolment_id = await enrolled(client, world, session["id"], world.staff_a["id"])
    result = (await post_result(client, world, enrolment_id, hours=10)).json()
    (c,) = await _events("training_course", course["id"])
    assert (c["actor"], c["action"], c["before"]) == ("w_hr", "create", None)
    assert c["after"]["code"] == course["code"] and c["after"]["credits"] == 0.5
    (s,) = await _events("training_session", session["id"])
    assert s["after"]["course_id"] == course["id"] and s["after"]["capacity"] == 5
    (e,) = await _events("training_enrolment", enrolment_id)
    assert e["after"] == {"session_id": session["id"], "course_code": course["code"], "staff_id": world.staff_a["id"]}
    (r,) = await _events("training_result", result["id"])
    assert r["after"]["passed"] is True and r["after"]["staff_id"] == world.staff_a["id"]
    # a refused write leaves no event
    from registry.audit.tables import AuditEvent

    before = await AuditEvent.count().where(AuditEvent.entity == "training_enrolment")
    assert (await enrol(client, world, session["id"], world.staff_a["id"])).status_code == 409
    assert await AuditEvent.count().where(AuditEvent.entity == "training_enrolment") == before
    audit = await client.get(f"{API}/audit?entity=training_course&entity_id={course['id']}", headers=world.h(INSPECTOR))
    assert audit.status_code == 200 and audit.json()["total"] == 1


async def test_a_failure_after_the_first_write_leaves_nothing(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from training import catalogue, results
    from training.tables import Course, TrainingResult

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    body = course_body()
    monkeypatch.setattr(catalogue, "record", broken)  # fails after the course row is inserted
    r = await client.post(f"{API}/training/courses", json=body, headers=world.h(HR))
    assert r.status_code == 500
    assert not await Course.exists().where(Course.code == body["code"])
    monkeypatch.undo()

    session = await make_session(client, world)
    enrolment_id = await enrolled(client, world, session["id"], await insert_staff(world.kg_a["id"]))
    monkeypatch.setattr(results, "on_result_recorded", broken)  # fails after the result and its audit event
    assert (await post_result(client, world, enrolment_id)).status_code == 500
    assert not await TrainingResult.exists().where(TrainingResult.enrolment == enrolment_id)
    monkeypatch.undo()
    result = await post_result(client, world, enrolment_id)
    assert result.status_code == 201
    assert len(await _events("training_result", result.json()["id"])) == 1


# --- the functions other apps call --------------------------------------------------------------


async def test_passed_training_newest_first_only_passed_only_those_categories(client: Any, world: World) -> None:
    from training.results import passed_staff_ids, passed_training

    person = await insert_staff(world.kg_a["id"], status="pending_induction")
    old = await passed(client, world, person, "induction", "2023-09-01")
    new = await passed(client, world, person, "induction", "2024-02-01")
    await passed(client, world, person, "induction", "2024-06-01", passed=False)
    safety = await passed(client, world, person, "safety", "2024-03-01")

    got = await passed_training(person, ["induction"])
    assert [p.result_id for p in got] == [new["id"], old["id"]]
    assert got[0].category == "induction" and got[0].completed_on == date(2024, 2, 1)
    assert got[0].hours == 12 and got[0].course_code.startswith("TRN-")
    both = await passed_training(person, {"induction", "safety"})
    assert [p.result_id for p in both] == [safety["id"], new["id"], old["id"]]
    assert await passed_training(person, []) == []
    assert await passed_training(person, ["principal"]) == []

    assert person in await passed_staff_ids(["induction"])
    assert person in await passed_staff_ids(["induction"], 2023)
    assert person not in await passed_staff_ids(["principal"])
    assert person not in await passed_staff_ids(["safety"], 2023)
