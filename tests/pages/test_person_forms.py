"""The people and certificate forms (issue 15) through the app (httpx, no browser): each form's success
(district HR's applied at once; a kindergarten admin's kept for review and said so) and its errors
(the form again as typed, a Chinese message next to the field with the field's name, a 4xx), and
who gets each form."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from registry.changes.tables import ChangeRequest
from registry.staff.tables import Staff
from tests.pages.form_helpers import (
    ADMIN,
    ANON,
    API,
    HR,
    INSPECTOR,
    TEACHER,
    admin_of,
    clients_for,
    error_of,
    errors_of,
    flash_of,
    follow,
    has_cjk,
    own_kindergarten,
    person_body,
    selected_of,
    submit,
    value_of,
)
from tests.support import World, staff_body, teacher_qualification_number
from tests.training.helpers import make_course, make_session

SUBMITTED = "已提交，等待区教委审核"


@dataclass
class Forms:
    kg: dict[str, Any]
    other: dict[str, Any]
    session: dict[str, Any]
    c: dict[str, httpx.AsyncClient]


@pytest.fixture(scope="module")
async def forms(app: Any, client: httpx.AsyncClient, world: World) -> AsyncIterator[Forms]:
    kg = await own_kindergarten(client, world, "表单测试幼儿园")
    other = await own_kindergarten(client, world, "表单测试调入园")
    course = await make_course(client, world, category="induction", hours=120, title="新教师岗前培训（表单）")
    session = await make_session(client, world, course_id=course["id"], starts_on="2026-07-01", ends_on="2026-07-20")
    async with AsyncExitStack() as stack:
        yield Forms(kg, other, session, await clients_for(app, stack, await admin_of(kg, "f_admin")))


async def new_person(client: httpx.AsyncClient, world: World, kg: int, **over: Any) -> dict[str, Any]:
    r = await client.post(f"{API}/staff", json=staff_body(kg, hired_on="2021-09-01", **over), headers=world.h(HR))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def pending_of(kind: str, target: int | None = None) -> list[dict[str, Any]]:
    query = ChangeRequest.select().where((ChangeRequest.kind == kind) & (ChangeRequest.status == "pending"))
    if target is not None:
        query = query.where(ChangeRequest.target_id == target)
    return list(await query)


# --- who gets the forms -------------------------------------------------------------------------------------


def _cases(path: str, codes: dict[str, int | str]) -> list[Any]:
    return [pytest.param(path, role, code, id=f"{path} as {role}") for role, code in codes.items()]


WRITERS = {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 403, ANON: "login"}
MATRIX = [
    *_cases("/staff/new", WRITERS),
    *_cases("/staff/{p}/edit", WRITERS),
    *_cases("/staff/{p}/status", WRITERS),
    *_cases("/staff/{p}/transfer", WRITERS),
    *_cases("/staff/{p}/certificates/new", WRITERS),
    *_cases("/staff/{p}/certificates/{c}/edit", WRITERS),
    *_cases("/staff/{p}/certificates/{c}/registration", WRITERS),
    *_cases("/staff/{p}/certificates/{c}/status", {**WRITERS, ADMIN: 403}),
    # another kindergarten's person: not in the admin's scope (404, as the API)
    *_cases("/staff/{b}/edit", {HR: 200, ADMIN: 404}),
    *_cases("/staff/{b}/certificates/new", {HR: 200, ADMIN: 404}),
]


@pytest.mark.parametrize(("path", "role", "expected"), MATRIX)
async def test_who_gets_each_form(
    forms: Forms, client: httpx.AsyncClient, world: World, path: str, role: str, expected: int | str
) -> None:
    person = await new_person(client, world, forms.kg["id"])
    cert = await client.post(
        f"{API}/staff/{person['id']}/certificates",
        json={"type": "teacher_qualification", "number": teacher_qualification_number(2019), "issued_on": "2019-07-01"},
        headers=world.h(HR),
    )
    url = (
        path.replace("{p}", str(person["id"]))
        .replace("{c}", str(cert.json()["id"]))
        .replace("{b}", str(world.staff_b["id"]))
    )
    r = await forms.c[role].get(url)
    if expected == "login":
        assert r.status_code == 303 and urlsplit(r.headers["location"]).path == "/login"
        return
    assert r.status_code == expected, r.text[:2000]
    if expected == 200:
        assert 'name="_csrf_token"' in r.text and "<label" in r.text


@pytest.mark.parametrize(
    ("role", "expected"), [(TEACHER, 403), (INSPECTOR, 403), (ANON, "login")], ids=["teacher", "inspector", "anon"]
)
async def test_who_may_not_post_a_new_person(forms: Forms, role: str, expected: int | str) -> None:
    r = await submit(forms.c[role], "/staff/new", person_body(forms.kg["id"]))
    if expected == "login":
        assert r.status_code == 303 and urlsplit(r.headers["location"]).path == "/login"
    else:
        assert r.status_code == expected


# --- a new person ---------------------------------------------------------------------------------------------


def _with_rows(forms: Forms, **over: Any) -> dict[str, Any]:
    """A new teacher with her qualification and post certificate (rows 0 and 1; row 2 left blank) and
    her induction result (row 0; row 1 blank)."""
    body = person_body(forms.kg["id"], name="林小雨", status="on_post", hired_on="2026-09-01")
    body.update(
        {
            "cert-0-type": "teacher_qualification",
            "cert-0-number": teacher_qualification_number(2025),
            "cert-0-issuer": "北京市教委",
            "cert-0-issued_on": "2025-06-30",
            "cert-1-type": "post_certificate",
            "cert-1-number": f"SG-F-{body['id_number'][-6:]}",
            "cert-1-issued_on": "2026-08-01",
            "cert-2-type": "",
            "cert-2-number": "",
            "train-0-session_id": str(forms.session["id"]),
            "train-0-hours": "120",
            "train-0-passed": "true",
            "train-0-score": "88",
            "train-1-session_id": "",
            "train-1-passed": "true",
        }
    )
    body.update(over)
    return body


async def test_an_admins_new_teacher_is_submitted_for_review(forms: Forms) -> None:
    admin = forms.c[ADMIN]
    form = await admin.get("/staff/new")
    assert form.status_code == 200
    assert "kindergarten_id" not in errors_of(form.text) and forms.kg["name"] in form.text  # her own, fixed
    assert 'id="cert-2-number"' in form.text and 'id="train-1-session_id"' in form.text  # empty rows
    body = _with_rows(forms)
    r = await submit(admin, "/staff/new", body)
    assert r.headers["location"] == "/my/changes"
    page = await follow(admin, r)
    assert flash_of(page.text).startswith(SUBMITTED) and "我的提交" in flash_of(page.text)
    assert not await Staff.exists().where(Staff.id_number == body["id_number"])
    [change] = [c for c in await pending_of("staff.onboard") if "林小雨" in c["summary"]]
    assert change["kindergarten"] == forms.kg["id"] and change["submitted_by"] == "f_admin"
    assert f'data-change="{change["id"]}"' in page.text


async def test_hr_registers_a_new_teacher_at_once(forms: Forms, client: httpx.AsyncClient, world: World) -> None:
    body = _with_rows(forms, name="周小燕")
    r = await submit(forms.c[HR], "/staff/new", body)
    assert r.status_code == 303, r.text[:3000]
    page = await follow(forms.c[HR], r)
    assert flash_of(page.text) == "已登记：周小燕"
    person = (await client.get(API + r.headers["location"], headers=world.h(HR))).json()
    assert person["status"] == "on_post" and person["kindergarten_id"] == forms.kg["id"]
    dual = await client.get(f"{API}/staff/{person['id']}/dual-certificate", headers=world.h(HR))
    assert dual.json()["compliant"] is True


async def test_a_plain_new_person_is_the_same_form_without_rows(forms: Forms, client: httpx.AsyncClient) -> None:
    body = person_body(forms.kg["id"], name="吴小林")
    r = await submit(forms.c[HR], "/staff/new", body)
    assert r.status_code == 303, r.text[:3000]
    staff = await Staff.select().where(Staff.id_number == body["id_number"]).first()
    assert staff is not None and staff["status"] == "pending_induction"


async def test_a_new_persons_errors_are_shown_next_to_their_fields(forms: Forms) -> None:
    body = _with_rows(forms, name="", hired_on="2026-13-01", **{"cert-1-issued_on": "2026-08-xx"})
    r = await submit(forms.c[ADMIN], "/staff/new", body)
    assert r.status_code == 422
    assert error_of(r.text, "name").startswith("姓名：") and has_cjk(error_of(r.text, "name").removeprefix("姓名："))
    assert error_of(r.text, "hired_on") == "入职日期：应为日期（年-月-日，如 2026-09-01）"
    assert error_of(r.text, "cert-1-issued_on").startswith("发证日期：应为日期")
    assert set(errors_of(r.text)) == {"name", "hired_on", "cert-1-issued_on"}
    # typed values kept, the first error focused, the summary above the form
    assert value_of(r.text, "id_number") == body["id_number"]
    assert value_of(r.text, "cert-0-number") == body["cert-0-number"]
    assert selected_of(r.text, "train-0-session_id") == str(forms.session["id"])
    assert 'id="name" name="name" value=""' in r.text and "autofocus" in r.text.split('id="name"')[1].split(">")[0]
    assert "aria-describedby" in r.text.split('id="hired_on"')[1].split(">")[0]
    assert "未能提交，请修改以下内容" in r.text
    assert not [c for c in await pending_of("staff.onboard") if body["id_number"] in str(c["payload"])]


async def test_a_broken_rule_is_the_form_again_with_a_4xx(forms: Forms) -> None:
    """On post without the post's certificates: the dual-certificate rule (409), next to the status."""
    before = len(await pending_of("staff.onboard"))
    body = person_body(forms.kg["id"], status="on_post")
    r = await submit(forms.c[ADMIN], "/staff/new", body)
    assert r.status_code == 409
    assert error_of(r.text, "status").startswith("登记后状态：")
    assert value_of(r.text, "name") == body["name"]
    assert len(await pending_of("staff.onboard")) == before
    # a certificate row's own rule is shown on that row
    row = person_body(
        forms.kg["id"],
        **{"cert-2-type": "post_certificate", "cert-2-number": "SG-NO-TRAIN", "cert-2-issued_on": "2026-08-01"},
    )
    r = await submit(forms.c[HR], "/staff/new", row)
    assert r.status_code == 409 and "cert-2-type" in errors_of(r.text)


# --- a record: edit, status, transfer ---------------------------------------------------------------------------


async def test_edit_sends_only_what_changed(forms: Forms, client: httpx.AsyncClient, world: World) -> None:
    person = await new_person(client, world, forms.kg["id"])
    admin = forms.c[ADMIN]
    form = await admin.get(f"/staff/{person['id']}/edit")
    assert value_of(form.text, "name") == person["name"] and 'id="id_number"' not in form.text  # HR's only
    fields = {
        "name": person["name"],
        "post": "teacher",
        "employment": "contract",
        "title": "level2",
        "education": "master",
        "hired_on": "2021-09-01",
    }
    r = await submit(admin, f"/staff/{person['id']}/edit", fields)
    page = await follow(admin, r)
    assert flash_of(page.text).startswith(SUBMITTED)
    [change] = await pending_of("staff.update", person["id"])
    assert change["payload"] in ({"education": "master"}, '{"education": "master"}')
    # a name's correction alone applies at once (the review policy)
    r = await submit(admin, f"/staff/{person['id']}/edit", {**fields, "education": "", "name": "李晶晶"})
    assert (await follow(admin, r)).status_code == 200
    assert (await client.get(f"{API}/staff/{person['id']}", headers=world.h(HR))).json()["name"] == "李晶晶"
    # nothing changed: said so, nothing submitted
    r = await submit(admin, f"/staff/{person['id']}/edit", {**fields, "education": "", "name": "李晶晶"})
    assert flash_of((await follow(admin, r)).text) == "没有需要保存的修改。"


async def test_edit_errors(forms: Forms, client: httpx.AsyncClient, world: World) -> None:
    person = await new_person(client, world, forms.kg["id"])
    r = await submit(
        forms.c[HR],
        f"/staff/{person['id']}/edit",
        {"name": "王芳", "id_number": "110101199001011230", "post": "teacher", "hired_on": "2021-9-1x"},
    )
    assert r.status_code == 422
    assert error_of(r.text, "hired_on").startswith("入职日期：应为日期")
    assert error_of(r.text, "id_number").startswith("身份证号：")
    assert value_of(r.text, "id_number") == "110101199001011230" and value_of(r.text, "name") == "王芳"


async def test_status_change(forms: Forms, client: httpx.AsyncClient, world: World) -> None:
    person = await new_person(client, world, forms.kg["id"])
    hr = forms.c[HR]
    refused = await submit(hr, f"/staff/{person['id']}/status", {"status": "on_post"})
    assert refused.status_code == 409 and error_of(refused.text, "status").startswith("在岗状态：")
    assert selected_of(refused.text, "status") == "on_post"
    r = await submit(hr, f"/staff/{person['id']}/status", {"status": "left", "left_on": "2026-01-31"})
    assert flash_of((await follow(hr, r)).text) == f"{person['name']}的在岗状态已变更"
    now = (await client.get(f"{API}/staff/{person['id']}", headers=world.h(HR))).json()
    assert (now["status"], now["left_on"]) == ("left", "2026-01-31")
    second = await new_person(client, world, forms.kg["id"])
    r = await submit(forms.c[ADMIN], f"/staff/{second['id']}/status", {"status": "on_leave"})
    assert flash_of((await follow(forms.c[ADMIN], r)).text).startswith(SUBMITTED)
    assert len(await pending_of("staff.status", second["id"])) == 1


async def test_transfer(forms: Forms, client: httpx.AsyncClient, world: World) -> None:
    person = await new_person(client, world, forms.kg["id"])
    admin = forms.c[ADMIN]
    unknown = await submit(admin, f"/staff/{person['id']}/transfer", {"kindergarten_code": "NO-SUCH", "reason": "调整"})
    assert unknown.status_code == 422
    assert error_of(unknown.text, "kindergarten_code") == "调入幼儿园代码：没有代码为 NO-SUCH 的幼儿园"
    assert value_of(unknown.text, "reason") == "调整"
    r = await submit(
        admin, f"/staff/{person['id']}/transfer", {"kindergarten_code": forms.other["code"], "post": "teacher"}
    )
    assert flash_of((await follow(admin, r)).text).startswith(SUBMITTED)
    [change] = await pending_of("staff.transfer", person["id"])
    assert change["kindergarten"] == forms.kg["id"]
    # the admin reads where it goes, though that kindergarten is not theirs to open
    mine = (await admin.get("/my/changes?status=pending&limit=100")).text
    assert f"{forms.other['name']}（{forms.other['code']}）" in mine
    # HR picks the kindergarten from the list and the transfer applies at once
    hr = forms.c[HR]
    form = await hr.get(f"/staff/{person['id']}/transfer")
    assert f'<option value="{forms.other["id"]}">' in form.text
    bad = await submit(hr, f"/staff/{person['id']}/transfer", {"kindergarten_id": "", "on": "2026-13-01"})
    assert bad.status_code == 422 and set(errors_of(bad.text)) == {"kindergarten_id", "on"}
    second = await new_person(client, world, forms.kg["id"])
    r = await submit(hr, f"/staff/{second['id']}/transfer", {"kindergarten_id": str(forms.other["id"])})
    assert flash_of((await follow(hr, r)).text) == f"{second['name']}已调动"
    now = (await client.get(f"{API}/staff/{second['id']}", headers=world.h(HR))).json()
    assert now["kindergarten_id"] == forms.other["id"]


# --- certificates ----------------------------------------------------------------------------------------------


async def test_certificate_forms(forms: Forms, client: httpx.AsyncClient, world: World) -> None:
    person = await new_person(client, world, forms.kg["id"])
    base = f"/staff/{person['id']}/certificates"
    number = teacher_qualification_number(2018)
    cert = {"type": "teacher_qualification", "number": number, "issuer": "北京市教委", "issued_on": "2018-07-01"}
    # errors: a missing number and a date that is not one, next to their fields, the rest kept
    bad = await submit(forms.c[HR], f"{base}/new", {**cert, "number": "", "issued_on": "2018-02-30"})
    assert bad.status_code == 422
    assert error_of(bad.text, "number").startswith("证书编号：") and has_cjk(error_of(bad.text, "number")[5:])
    assert error_of(bad.text, "issued_on").startswith("发证日期：应为日期")
    assert value_of(bad.text, "issuer") == "北京市教委" and selected_of(bad.text, "type") == "teacher_qualification"
    # an admin's is submitted; HR's recorded
    r = await submit(forms.c[ADMIN], f"{base}/new", {**cert, "number": teacher_qualification_number(2018)})
    assert flash_of((await follow(forms.c[ADMIN], r)).text).startswith(SUBMITTED)
    assert len(await pending_of("certificate.create", person["id"])) == 1
    r = await submit(forms.c[HR], f"{base}/new", cert)
    assert flash_of((await follow(forms.c[HR], r)).text) == "证书已登记"
    [held] = (await client.get(f"{API}/staff/{person['id']}/certificates", headers=world.h(HR))).json()
    page = await forms.c[HR].get(f"/staff/{person['id']}")
    assert f"{base}/{held['id']}/registration" in page.text and f"{base}/{held['id']}/status" in page.text
    assert f"{base}/{held['id']}/status" not in (await forms.c[ADMIN].get(f"/staff/{person['id']}")).text

    # correct the issuer
    r = await submit(forms.c[HR], f"{base}/{held['id']}/edit", {**cert, "issuer": "朝阳区教委"})
    assert flash_of((await follow(forms.c[HR], r)).text) == "证书信息已保存"
    # register it (定期注册)
    bad = await submit(forms.c[HR], f"{base}/{held['id']}/registration", {"registered_on": "", "result": "passed"})
    assert bad.status_code == 422 and error_of(bad.text, "registered_on").startswith("注册日期：")
    reg = {"registered_on": "2024-05-01", "result": "passed", "hours": "360", "note": "五年一注册"}
    r = await submit(forms.c[HR], f"{base}/{held['id']}/registration", reg)
    assert flash_of((await follow(forms.c[HR], r)).text) == "定期注册已登记"
    # suspend it: a reason is required; then reinstate
    no_reason = await submit(forms.c[HR], f"{base}/{held['id']}/status", {"status": "suspended", "reason": ""})
    assert no_reason.status_code == 422 and "reason" in errors_of(no_reason.text)
    assert selected_of(no_reason.text, "status") == "suspended"
    no_choice = await submit(forms.c[HR], f"{base}/{held['id']}/status", {"reason": "核查"})
    assert no_choice.status_code == 422 and error_of(no_choice.text, "status") == "办理事项：为必填项"
    r = await submit(forms.c[HR], f"{base}/{held['id']}/status", {"status": "suspended", "reason": "材料待核查"})
    assert flash_of((await follow(forms.c[HR], r)).text) == "证书状态已变更"
    after = (await client.get(f"{API}/staff/{person['id']}/certificates", headers=world.h(HR))).json()[0]
    assert (after["status"], after["reason"], after["issuer"]) == ("suspended", "材料待核查", "朝阳区教委")
    assert [r["hours"] for r in after["registrations"]] == [360]
    form = await forms.c[HR].get(f"{base}/{held['id']}/status")
    assert '<option value="valid">恢复有效</option>' in form.text and 'value="suspended"' not in form.text


async def test_a_registration_is_a_teacher_qualifications(
    forms: Forms, client: httpx.AsyncClient, world: World
) -> None:
    person = await new_person(client, world, forms.kg["id"])
    cert = await client.post(
        f"{API}/staff/{person['id']}/certificates",
        json={"type": "childcare_certificate", "number": "BY-F-0001", "issued_on": "2019-07-01"},
        headers=world.h(HR),
    )
    page = await forms.c[HR].get(f"/staff/{person['id']}/certificates/{cert.json()['id']}/registration")
    assert page.status_code == 200 and 'id="not-registered"' in page.text and '<form class="entry"' not in page.text


async def test_hr_undoes_a_transfer_made_today(forms: Forms, client: httpx.AsyncClient, world: World) -> None:
    person = await new_person(client, world, forms.kg["id"])
    page = await forms.c[HR].get(f"/staff/{person['id']}")
    assert 'id="undo-transfer"' not in page.text  # no transfer today
    moved = await client.post(
        f"{API}/staff/{person['id']}/transfer", json={"kindergarten_id": forms.other["id"]}, headers=world.h(HR)
    )
    assert moved.status_code == 200, moved.text
    page = await forms.c[HR].get(f"/staff/{person['id']}")
    assert 'id="undo-transfer"' in page.text
    assert 'id="undo-transfer"' not in (await forms.c[INSPECTOR].get(f"/staff/{person['id']}")).text
    assert (await submit(forms.c[ADMIN], f"/staff/{person['id']}/transfer/undo")).status_code == 403
    r = await submit(forms.c[HR], f"/staff/{person['id']}/transfer/undo")
    assert flash_of((await follow(forms.c[HR], r)).text) == f"已撤销{person['name']}今天的调动"
    now = (await client.get(f"{API}/staff/{person['id']}", headers=world.h(HR))).json()
    assert now["kindergarten_id"] == forms.kg["id"]
    # once more: nothing to undo, said in the page's message (the domain's reason), nothing changed
    again = await submit(forms.c[HR], f"/staff/{person['id']}/transfer/undo")
    message = flash_of((await follow(forms.c[HR], again)).text)
    assert message and has_cjk(message)
