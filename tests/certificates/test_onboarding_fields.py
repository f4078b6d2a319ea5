"""A new person's onboarding (issue 15): a rule broken by one of its rows names the row, as a
validation error does (``certificates.1.number``), so a form can show it next to that row."""

from __future__ import annotations

from typing import Any

from registry.staff.tables import Staff
from tests.support import World, staff_body, teacher_qualification_number
from tests.training.helpers import make_course, make_session

API = "/api/v1"
HR = "district_hr"


async def _onboard(client: Any, world: World, body: dict[str, Any]) -> Any:
    r = await client.post(f"{API}/staff/onboarding", json=body, headers=world.h(HR))
    assert not await Staff.exists().where(Staff.id_number == body["staff"]["id_number"])
    return r


async def test_a_certificate_rows_rule_names_its_row(client: Any, world: World) -> None:
    taken = teacher_qualification_number(2020)
    first = {
        "staff": staff_body(world.kg_a["id"], hired_on="2021-09-01"),
        "certificates": [{"type": "teacher_qualification", "number": taken, "issued_on": "2020-06-30"}],
    }
    assert (await client.post(f"{API}/staff/onboarding", json=first, headers=world.h(HR))).status_code == 201
    body = {
        "staff": staff_body(world.kg_a["id"], hired_on="2021-09-01"),
        "certificates": [
            {"type": "childcare_certificate", "number": "BY-ONB-0001", "issued_on": "2020-06-30"},
            {"type": "teacher_qualification", "number": taken, "issued_on": "2020-06-30"},
        ],
    }
    r = await _onboard(client, world, body)
    assert r.status_code == 409, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["certificates.1.number"]


async def test_a_post_certificate_without_training_names_its_row(client: Any, world: World) -> None:
    body = {
        "staff": staff_body(world.kg_a["id"], hired_on="2021-09-01"),
        "certificates": [{"type": "post_certificate", "number": "SG-ONB-0001", "issued_on": "2021-08-01"}],
    }
    r = await _onboard(client, world, body)
    assert r.status_code == 409
    assert {e["field"] for e in r.json()["errors"]} == {"certificates.0.type"}


async def test_a_training_rows_and_the_persons_rules_name_their_place(client: Any, world: World) -> None:
    course = await make_course(client, world, category="induction", hours=120)
    session = await make_session(client, world, course_id=course["id"], starts_on="2026-07-01", ends_on="2026-07-20")
    future = {
        "staff": staff_body(world.kg_a["id"], hired_on="2021-09-01"),
        "training": [{"session_id": session["id"], "hours": 120, "passed": True, "completed_on": "2099-01-01"}],
    }
    r = await _onboard(client, world, future)
    assert r.status_code in (409, 422), r.text
    assert r.json()["errors"] and all(e["field"].startswith("training.0.") for e in r.json()["errors"]), r.json()
    on_post = {"staff": staff_body(world.kg_a["id"], hired_on="2021-09-01", status="on_post")}
    r = await _onboard(client, world, on_post)
    assert r.status_code == 409
    assert {e["field"] for e in r.json()["errors"]} == {"staff.status"}
