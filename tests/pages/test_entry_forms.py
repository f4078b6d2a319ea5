"""The data-entry pages' role matrix, the sanction form and the credit entry form (issue 15) over HTTP:
each form for the roles that may write it (the API's guards), its errors in Chinese beside their
fields (4xx, typed values kept, nothing written) and its success (HR applied, an admin's reviewed)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kernel.common.time import today
from tests.pages.entry_world import ADMIN, ANON, HR, INSPECTOR, TEACHER, EntryWorld
from tests.pages.test_rosters import REVIEW, error_of, follow, pending, value_of

LOGIN = "login"

# {K}: the tests' kindergarten (the admin's), {O}: another; {p}: a teacher of K; {o}: one of another
MATRIX: list[tuple[str, str, dict[str, int | str]]] = [
    ("GET", "/training/sessions", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 403, ANON: LOGIN}),
    ("GET", "/training/sessions/{s}/results", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 403, ANON: LOGIN}),
    ("POST", "/training/sessions/{s}/results", {HR: 422, ADMIN: 422, TEACHER: 403, INSPECTOR: 403, ANON: LOGIN}),
    ("GET", "/kindergartens/{K}/ethics-evaluations", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 403, ANON: LOGIN}),
    ("GET", "/kindergartens/{O}/ethics-evaluations", {HR: 200, ADMIN: 404, TEACHER: 403, INSPECTOR: 403}),
    ("POST", "/kindergartens/{K}/ethics-evaluations", {HR: 422, ADMIN: 422, TEACHER: 403, INSPECTOR: 403, ANON: LOGIN}),
    ("GET", "/staff/{p}/sanctions", {HR: 200, ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: LOGIN}),
    ("POST", "/staff/{p}/sanctions", {HR: 422, ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: LOGIN}),
    ("GET", "/staff/{p}/credits/new", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 403, ANON: LOGIN}),
    ("GET", "/staff/{o}/credits/new", {HR: 200, ADMIN: 404}),
    ("POST", "/staff/{p}/credits/new", {HR: 422, ADMIN: 422, TEACHER: 403, INSPECTOR: 403, ANON: LOGIN}),
    ("POST", "/staff/{o}/credits/new", {ADMIN: 404}),
    ("GET", "/imports", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 403, ANON: LOGIN}),
    ("GET", "/imports/templates/credits.xlsx", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 403, ANON: LOGIN}),
    ("GET", "/imports/templates/kindergartens.xlsx", {HR: 200, ADMIN: 403}),
    ("GET", "/imports/checks/" + "x" * 32, {HR: 404, ADMIN: 404, TEACHER: 403, INSPECTOR: 403, ANON: LOGIN}),
]
CASES = [
    pytest.param(method, path, role, code, id=f"{method} {path} as {role}")
    for method, path, expected in MATRIX
    for role, code in expected.items()
]


def _fill(path: str, entry: EntryWorld) -> str:
    return (
        path.replace("{s}", str(entry.session_id))
        .replace("{K}", str(entry.kg["id"]))
        .replace("{O}", str(entry.other_kg))
        .replace("{p}", str(entry.people[0]))
        .replace("{o}", str(entry.outsider))
    )


@pytest.mark.parametrize(("method", "path", "role", "expected"), CASES)
async def test_role_matrix(entry: EntryWorld, method: str, path: str, role: str, expected: int | str) -> None:
    c = entry.clients[role]
    url = _fill(path, entry)
    if method == "GET":
        r = await c.get(url)
    else:  # an empty form (its CSRF token only): the roles that may write get the form's errors back
        r = await c.post(url, data={"_csrf_token": entry.token(role)})
    if expected == LOGIN:
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), (r.status_code, r.text[:300])
        return
    assert r.status_code == expected, r.text[:500]
    if r.headers.get("content-type", "").startswith("text/html"):
        assert "<html" in r.text  # a page, never a problem document or a bare 500


async def test_links_to_the_forms_only_for_those_who_may_write(entry: EntryWorld) -> None:
    person, kg = f"/staff/{entry.people[0]}", f"/kindergartens/{entry.kg['id']}"
    credits = f"{person}/credits"
    hr, admin, teacher = entry.clients[HR], entry.clients[ADMIN], entry.clients[TEACHER]
    assert 'id="sanctions-link"' in (await hr.get(person)).text
    assert 'id="sanctions-link"' not in (await admin.get(person)).text
    assert 'id="credit-entry-link"' in (await admin.get(credits)).text
    assert 'id="credit-entry-link"' not in (await teacher.get(credits)).text
    assert 'id="ethics-roster-link"' in (await admin.get(kg)).text
    assert 'id="ethics-roster-link"' not in (await entry.clients[INSPECTOR].get(kg)).text
    nav = (await admin.get(kg)).text
    assert 'href="/training/sessions"' in nav and 'href="/imports"' in nav
    assert 'href="/imports"' not in (await teacher.get(person)).text


# --- sanctions (district HR) -----------------------------------------------------------------------------------


async def test_hr_records_a_sanction_and_an_appeal(entry: EntryWorld) -> None:
    hr = entry.clients[HR]
    staff_id = entry.people[2]
    url = f"/staff/{staff_id}/sanctions"
    assert 'id="no-sanctions"' in (await hr.get(url)).text
    day = today().isoformat()
    # no violation chosen: the error beside its field, what was typed kept, nothing written
    form = {"_csrf_token": entry.token(HR), "sanction": "warning", "decided_on": day, "facts": "上课迟到多次"}
    r = await hr.post(url, data=form)
    assert r.status_code == 422, r.text
    assert error_of(r.text, "violation").startswith("违规行为：")
    assert "上课迟到多次</textarea>" in r.text
    assert 'value="warning" selected' in r.text
    assert (await entry.get_api(f"/staff/{staff_id}/ethics"))["sanctions"] == []
    # a day in the future
    r = await hr.post(url, data={**form, "violation": "4", "decided_on": "2999-01-01"})
    assert r.status_code == 422
    assert error_of(r.text, "decided_on").startswith("决定日期：")

    page = await follow(hr, await hr.post(url, data={**form, "violation": "4"}))
    assert "已记录师德处理" in page
    sanctions = (await entry.get_api(f"/staff/{staff_id}/ethics"))["sanctions"]
    assert [(s["sanction"], s["violation"]) for s in sanctions] == [("warning", 4)]
    assert f'data-sanction="{sanctions[0]["id"]}"' in page
    # an appeal lifts it
    first = str(sanctions[0]["id"])
    appeal = {"_csrf_token": entry.token(HR), "supersedes": first, "outcome": "lifted", "decided_on": day}
    page = await follow(hr, await hr.post(url, data=appeal))
    sanctions = (await entry.get_api(f"/staff/{staff_id}/ethics"))["sanctions"]
    assert sanctions[0]["outcome"] == "lifted" and sanctions[0]["supersedes"] == sanctions[1]["id"]
    # the same appeal again: the domain's conflict, on the page (409), nothing written
    r = await hr.post(url, data=appeal)
    assert r.status_code == 409, r.text
    assert "未能提交" in r.text
    assert len((await entry.get_api(f"/staff/{staff_id}/ethics"))["sanctions"]) == 2


# --- credit entries --------------------------------------------------------------------------------------------


async def _entries(entry: EntryWorld, staff_id: int) -> list[dict[str, Any]]:
    return list((await entry.get_api(f"/staff/{staff_id}/credits"))["entries"])


async def test_credit_entry_errors_then_review(entry: EntryWorld) -> None:
    admin = entry.clients[ADMIN]
    staff_id = entry.people[1]
    url = f"/staff/{staff_id}/credits/new"
    form = (await admin.get(url)).text
    assert 'name="credits"' not in form  # only district HR sets credits by hand
    assert value_of(form, "date") == today().isoformat()
    before = await _entries(entry, staff_id)
    typed = {
        "_csrf_token": entry.token(ADMIN),
        "date": today().isoformat(),
        "category": "general",
        "source": "research",
        "hours": "1x",
        "reason": "区级课题",
    }
    r = await admin.post(url, data=typed)
    assert r.status_code == 422, r.text
    assert error_of(r.text, "hours") == "学时：应为数字"
    assert value_of(r.text, "hours") == "1x"
    assert "区级课题</textarea>" in r.text and 'value="research" selected' in r.text
    r = await admin.post(url, data={**typed, "hours": "6", "category": ""})
    assert r.status_code == 422
    assert error_of(r.text, "category") == "类别：为必填项"
    r = await admin.post(url, data={**typed, "hours": "6", "date": "2999-01-01"})
    assert r.status_code == 422
    assert error_of(r.text, "date").startswith("日期：")
    assert await _entries(entry, staff_id) == before
    assert await pending(entry, "credit.entry") == []

    # a forged credits field is not read for an admin (only HR sets credits)
    page = await follow(admin, await admin.post(url, data={**typed, "hours": "6", "credits": "99"}))
    assert REVIEW in page and 'href="/my/changes"' in page
    changes = await pending(entry, "credit.entry")
    assert len(changes) == 1 and "credits" not in changes[0]["payload"]
    assert changes[0]["payload"]["hours"] in ("6", "6.0", 6, 6.0)
    assert await _entries(entry, staff_id) == before

    # district HR: applied at once, credits as given
    hr = entry.clients[HR]
    hr_form = {**typed, "_csrf_token": entry.token(HR), "hours": "3", "credits": "0.5", "reason": "市级论文"}
    page = await follow(hr, await hr.post(url, data=hr_form))
    assert "已登记学分" in page
    after = await _entries(entry, staff_id)
    added = [e for e in after if e not in before]
    assert [(e["hours"], e["credits"], e["source"]) for e in added] == [(3.0, 0.5, "research")]
    # the same entry twice within the day: the ledger's duplicate rule, on the page (409)
    r = await hr.post(url, data=hr_form)
    assert r.status_code == 409, r.text
    assert re.search(r"未能提交", r.text)
