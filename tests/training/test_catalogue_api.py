"""Courses and sessions through the API: credits from the policy, validation, filters, seats."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import World
from tests.training.helpers import API, HR, course_body, course_code, enrolled, make_course, make_session, new_staff


@pytest.mark.parametrize(
    ("mode", "hours", "credits"),
    [("in_person", 15, 1.5), ("online", 7, 0.35), ("practice", 30, 1.5), ("in_person", 2.5, 0.25)],
)
async def test_course_credits_derived_from_hours_by_mode(
    client: Any, world: World, mode: str, hours: float, credits: float
) -> None:
    course = await make_course(client, world, mode=mode, hours=hours)
    assert course["credits"] == credits
    assert course["credits_set"] is False
    assert course["hours"] == hours


async def test_course_rates_come_from_the_recognition_policy_hr_keeps(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One source for hours -> credits: the credits app's policy versions (HR-edited, versioned),
    read for courses (by mode) as for ledger entries (by source). Here the version in force today
    halves the in-person rate (5 h per credit) and makes online study 40 h per credit."""
    from dataclasses import replace

    import credits.policies as credit_services

    real = await credit_services.policy_versions()

    async def changed() -> list[Any]:
        return [
            replace(
                v,
                recognition=replace(
                    v.recognition, hours_per_credit_by_mode={"in_person": 5, "online": 40, "practice": 20}
                ),
            )
            for v in real
        ]

    monkeypatch.setattr(credit_services, "policy_versions", changed)
    assert (await make_course(client, world, mode="in_person", hours=15))["credits"] == 3.0
    assert (await make_course(client, world, mode="online", hours=10))["credits"] == 0.25


async def test_explicit_credits_are_kept_and_flagged(client: Any, world: World) -> None:
    course = await make_course(client, world, hours=10, credits=2.25, required_for=["teacher", "teacher", "principal"])
    assert course["credits"] == 2.25 and course["credits_set"] is True
    assert course["required_for"] == ["teacher", "principal"]
    again = (await client.get(f"{API}/training/courses/{course['id']}", headers=world.h("teacher"))).json()
    assert again == course


async def test_duplicate_course_code_is_409(client: Any, world: World) -> None:
    body = course_body()
    assert (await client.post(f"{API}/training/courses", json=body, headers=world.h(HR))).status_code == 201
    r = await client.post(f"{API}/training/courses", json={**body, "title": "另一门"}, headers=world.h(HR))
    assert r.status_code == 409
    assert r.json()["errors"] == [{"field": "code", "message": "重复"}]
    assert r.json()["code"] == "duplicate" and r.json()["detail"] == f"课程代码 {body['code']} 已存在"
    en = await client.post(
        f"{API}/training/courses", json={**body, "title": "另一门"}, headers={**world.h(HR), "Accept-Language": "en"}
    )
    assert en.json()["detail"] == f"course code {body['code']} exists already" and en.json()["code"] == "duplicate"
    assert en.json()["errors"] == [{"field": "code", "message": "duplicate"}]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"category": "cooking"}, "category"),
        ({"level": "nation"}, "level"),
        ({"mode": "by_post"}, "mode"),
        ({"hours": 0}, "hours"),
        ({"hours": 1.25}, "hours"),
        ({"credits": -1}, "credits"),
        ({"credits": 1.234}, "credits"),
        ({"capacity": 0}, "capacity"),
        ({"required_for": ["cook"]}, "required_for"),
        ({"code": "has space"}, "code"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_invalid_course_is_422_naming_the_field(
    client: Any, world: World, over: dict[str, Any], field: str
) -> None:
    r = await client.post(f"{API}/training/courses", json=course_body(**over), headers=world.h(HR))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"].startswith(field)


async def test_course_list_filters(client: Any, world: World) -> None:
    tag = course_code()
    mine = [
        await make_course(client, world, code=f"{tag}-A", category="ethics", mode="online", required_for=["teacher"]),
        await make_course(client, world, code=f"{tag}-B", category="ethics", level="city", required_for=["principal"]),
        await make_course(client, world, code=f"{tag}-C", category="family", required_for=["vice_principal"]),
    ]
    h = world.h("inspector")

    async def codes(query: str) -> list[str]:
        r = await client.get(f"{API}/training/courses?search={tag}&limit=500{query}", headers=h)
        assert r.status_code == 200, r.text
        return [c["code"] for c in r.json()["items"]]

    assert await codes("") == [c["code"] for c in mine]
    assert await codes("&category=ethics") == [f"{tag}-A", f"{tag}-B"]
    assert await codes("&mode=online") == [f"{tag}-A"]
    assert await codes("&level=city") == [f"{tag}-B"]
    assert await codes("&post=principal") == [f"{tag}-B"]  # not vice_principal
    assert (await client.get(f"{API}/training/courses?categry=ethics", headers=h)).status_code == 400
    assert (await client.get(f"{API}/training/courses/999999", headers=h)).status_code == 404


async def test_session_capacity_and_seats(client: Any, world: World) -> None:
    course = await make_course(client, world, capacity=30)
    inherits = await make_session(client, world, course["id"])
    assert inherits["capacity"] is None and inherits["effective_capacity"] == 30
    assert inherits["seats_taken"] == 0 and inherits["seats_left"] == 30
    own = await make_session(client, world, course["id"], capacity=2)
    assert own["effective_capacity"] == 2
    person = await new_staff(client, world, world.kg_a["id"])
    await enrolled(client, world, own["id"], person["id"])
    r = await client.get(f"{API}/training/sessions/{own['id']}", headers=world.h("teacher"))
    assert r.status_code == 200
    assert (r.json()["seats_taken"], r.json()["seats_left"]) == (1, 1)
    unlimited = await make_session(client, world, (await make_course(client, world))["id"])
    assert unlimited["effective_capacity"] is None and unlimited["seats_left"] is None


async def test_session_validation(client: Any, world: World) -> None:
    course = await make_course(client, world)
    h = world.h(HR)
    body = {"course_id": course["id"], "starts_on": "2024-03-05", "ends_on": "2024-03-04"}
    r = await client.post(f"{API}/training/sessions", json=body, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ends_on"
    r = await client.post(
        f"{API}/training/sessions", json={**body, "course_id": 999_999, "ends_on": "2024-03-06"}, headers=h
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "course_id"
    r = await client.post(f"{API}/training/sessions", json={**body, "ends_on": "2024-03-06", "capacity": 0}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "capacity"


async def test_session_list_filters(client: Any, world: World) -> None:
    course = await make_course(client, world, category="special_education")
    other = await make_course(client, world, category="health_care")
    march = await make_session(client, world, course["id"], starts_on="2023-03-01", ends_on="2023-03-10")
    june = await make_session(client, world, course["id"], starts_on="2023-06-01", ends_on="2023-06-02")
    await make_session(client, world, other["id"], starts_on="2023-03-05", ends_on="2023-03-06")
    h = world.h("kindergarten_admin")

    async def ids(query: str) -> list[int]:
        r = await client.get(f"{API}/training/sessions?limit=500&{query}", headers=h)
        assert r.status_code == 200, r.text
        return [s["id"] for s in r.json()["items"]]

    assert await ids(f"course_id={course['id']}") == [march["id"], june["id"]]
    assert await ids(f"course_id={course['id']}&from=2023-03-10") == [march["id"], june["id"]]  # overlaps
    assert await ids(f"course_id={course['id']}&from=2023-03-11") == [june["id"]]
    assert await ids(f"course_id={course['id']}&to=2023-05-31") == [march["id"]]
    listed = await ids("category=special_education&from=2023-01-01&to=2023-12-31")
    assert march["id"] in listed and june["id"] in listed
    assert all(
        s["category"] == "special_education"
        for s in (await client.get(f"{API}/training/sessions?category=special_education", headers=h)).json()["items"]
    )
    assert (await client.get(f"{API}/training/sessions?from=yesterday", headers=h)).status_code == 400
    assert (await client.get(f"{API}/training/sessions?course=1", headers=h)).status_code == 400
    assert (await client.get(f"{API}/training/sessions/999999", headers=h)).status_code == 404
