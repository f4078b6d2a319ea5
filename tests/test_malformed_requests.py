"""Malformed requests are 4xx problem documents, never a 500 (issue 14): a null where a value is
required, bytes that are not UTF-8, JSON nested deeper than the limit, NUL characters in text."""

from __future__ import annotations

import pytest

from tests.staffing.helpers import candidate_body
from tests.support import World, insert_staff, staff_body, teacher_qualification_number
from tests.training.helpers import enrolled, make_session, post_result

API = "/api/v1"
PROBLEM = "application/problem+json"
JSON = {"Content-Type": "application/json"}


def assert_problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status and body["type"].startswith("https://") and body["detail"]
    return dict(body)


async def a_certificate(client, world: World) -> dict:
    hr = world.h("district_hr")
    person = (await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"]), headers=hr)).json()
    body = {
        "type": "teacher_qualification",
        "number": teacher_qualification_number(),
        "issuer": "北京市朝阳区教委",
        "issued_on": "2014-07-01",
    }
    r = await client.post(f"{API}/staff/{person['id']}/certificates", json=body, headers=hr)
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.mark.parametrize("field", ["number", "issued_on"])
async def test_null_for_a_required_certificate_field_is_422_naming_it(client, world: World, field: str) -> None:
    cert = await a_certificate(client, world)
    r = await client.patch(f"{API}/certificates/{cert['id']}", json={field: None}, headers=world.h("district_hr"))
    body = assert_problem(r, 422)
    assert [e["field"] for e in body["errors"]] == [field]
    after = (await client.get(f"{API}/staff/{cert['staff_id']}/certificates", headers=world.h("district_hr"))).json()
    assert [c["number"] for c in after if c["id"] == cert["id"]] == [cert["number"]]


@pytest.mark.parametrize("field", ["hours", "passed"])
async def test_null_for_a_required_result_field_is_422_naming_it(client, world: World, field: str) -> None:
    """Found by the fuzzing pass: ``{"hours": null}`` in a correction was a 500, ``{"passed": null}``
    silently recorded a failed result."""
    person = await insert_staff(world.kg_a["id"])
    session = await make_session(client, world)
    result = await post_result(client, world, await enrolled(client, world, session["id"], person))
    assert result.status_code == 201, result.text
    url = f"{API}/training/results/{result.json()['id']}/correction"
    r = await client.post(url, json={field: None, "reason": "录入有误"}, headers=world.h("district_hr"))
    body = assert_problem(r, 422)
    assert [e["field"] for e in body["errors"]] == [field]
    audit = await client.get(
        f"{API}/audit?entity=training_result&entity_id={result.json()['id']}", headers=world.h("district_hr")
    )
    assert [e["action"] for e in audit.json()["items"]] == ["create"]


@pytest.mark.parametrize("path", ["/auth/token", "/staff"])
async def test_invalid_utf8_in_a_json_body_is_400(client, world: World, path: str) -> None:
    raw = b'{"username": "w_hr", "password": "\xff\xfe"}' if path == "/auth/token" else b'{"name": "\xc3\x28"}'
    r = await client.post(f"{API}{path}", content=raw, headers={**JSON, **world.h("district_hr")})
    body = assert_problem(r, 400)
    assert body["title"] == "请求格式有误" and body["code"] == "malformed"
    assert "不是有效的 UTF-8" in body["detail"]


@pytest.mark.parametrize("path", ["/auth/token", "/staff"])
async def test_json_nested_past_the_limit_is_400(client, world: World, path: str) -> None:
    deep = b"[" * 1000 + b"]" * 1000
    r = await client.post(
        f"{API}{path}", content=b'{"name": ' + deep + b"}", headers={**JSON, **world.h("district_hr")}
    )
    body = assert_problem(r, 400)
    assert body["detail"] == "JSON 内容的嵌套超过 32 层"
    anonymous = await client.post(f"{API}/auth/token", content=deep, headers=JSON)
    assert_problem(anonymous, 400)


async def test_json_nested_within_the_limit_still_reaches_validation(client, world: World) -> None:
    """The limit is about nesting, not about the body: a shallow wrong body is still the usual 422."""
    r = await client.post(f"{API}/staff", json={"name": [[["x"]]]}, headers=world.h("district_hr"))
    assert_problem(r, 422)


@pytest.mark.parametrize("field", ["name", "id_number"])
async def test_a_nul_character_in_text_is_422_naming_the_field(client, world: World, field: str) -> None:
    body = staff_body(world.kg_a["id"])
    body[field] = body[field][:2] + "\x00" + body[field][2:]
    r = await client.post(f"{API}/staff", json=body, headers=world.h("district_hr"))
    problem = assert_problem(r, 422)
    assert [e["field"] for e in problem["errors"]] == [field]
    assert "NUL" in problem["errors"][0]["message"]


async def test_a_nul_character_in_a_nested_field_a_query_or_a_path_is_refused(client, world: World) -> None:
    hr = world.h("district_hr")
    body = candidate_body(streets=["望京\x00街道"])
    problem = assert_problem(await client.post(f"{API}/pool/candidates", json=body, headers=hr), 422)
    assert [e["field"] for e in problem["errors"]] == ["streets"]
    body = candidate_body(certificates=[{"type": "post_certificate", "number": "A\x00", "issued_on": "2020-08-01"}])
    problem = assert_problem(await client.post(f"{API}/pool/candidates", json=body, headers=hr), 422)
    assert [e["field"] for e in problem["errors"]] == ["certificates.0.number"]
    query = await client.get(f"{API}/staff", params={"search": "张\x00"}, headers=hr)
    problem = assert_problem(query, 400)
    assert [e["field"] for e in problem["errors"]] == ["search"]
    path = await client.get(f"{API}/reports/verify/ABC%00DEF")
    problem = assert_problem(path, 400)
    assert [e["field"] for e in problem["errors"]] == ["code"]


async def test_a_nul_character_is_refused_on_login_before_any_lookup(client, world: World) -> None:
    r = await client.post(f"{API}/auth/token", json={"username": "w_hr\x00", "password": "x"})
    problem = assert_problem(r, 422)
    assert [e["field"] for e in problem["errors"]] == ["username"]
