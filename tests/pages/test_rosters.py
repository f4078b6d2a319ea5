"""The roster forms (issue 15) over HTTP: training results for a session's roster and the annual ethics
evaluation of a kindergarten's roster. A kindergarten admin's submission becomes change requests (the
page says so), district HR's applies at once; a bad row answers the form again (4xx) with the row's
error in Chinese beside its field, everything typed kept and nothing written."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import httpx

from ethics.rules import latest_ended_school_year, school_year_of
from kernel.common.time import today
from pages.ethics_forms import evaluated_year
from tests.pages.entry_world import ADMIN, API, COURSE_HOURS, HR, EntryWorld

REVIEW = "已提交，等待区教委审核"


def roster_url(entry: EntryWorld) -> str:
    return f"/training/sessions/{entry.session_id}/results"


def ethics_url(entry: EntryWorld) -> str:
    return f"/kindergartens/{entry.kg['id']}/ethics-evaluations"


def value_of(html: str, name: str) -> str | None:
    m = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return m.group(1) if m else None


def error_of(html: str, name: str) -> str:
    m = re.search(rf'<p class="error-text" id="{re.escape(name)}-error">([^<]*)</p>', html)
    assert m, f"no error shown for {name}"
    return m.group(1)


async def follow(c: httpx.AsyncClient, r: httpx.Response) -> str:
    assert r.status_code == 303, r.text
    return (await c.get(r.headers["location"])).text


async def pending(entry: EntryWorld, kind: str) -> list[dict[str, Any]]:
    body = await entry.get_api(f"/changes?status=pending&kind={kind}&kindergarten_id={entry.kg['id']}&limit=200")
    return list(body["items"])


async def result_of(entry: EntryWorld, staff_id: int) -> Any:
    body = await entry.get_api(f"/training/sessions/{entry.session_id}/enrolments?limit=200")
    return next(e["result"] for e in body["items"] if e["staff_id"] == staff_id)


# --- training results ------------------------------------------------------------------------------------------


async def test_sessions_page_links_to_each_roster(entry: EntryWorld) -> None:
    for role in (HR, ADMIN):
        r = await entry.clients[role].get(f"/training/sessions?year={entry.session_start.year}")
        assert r.status_code == 200
        assert f'href="/training/sessions/{entry.session_id}/results"' in r.text


async def test_the_roster_shows_an_admin_their_own_staff_only(entry: EntryWorld) -> None:
    admin = (await entry.clients[ADMIN].get(roster_url(entry))).text
    hr = (await entry.clients[HR].get(roster_url(entry))).text
    for staff_id in entry.people:
        e = entry.enrolments[staff_id]
        assert f'data-enrolment="{e}"' in admin
        assert f'name="e{e}-hours"' in admin
        assert f'data-enrolment="{e}"' in hr
    outsider = entry.enrolments[entry.outsider]
    assert f'data-enrolment="{outsider}"' not in admin
    assert f'data-enrolment="{outsider}"' in hr
    # labels for every input, one fieldset with its legend per person
    assert admin.count("<fieldset") == admin.count("<legend>")
    for field in ("hours", "passed", "score", "completed_on"):
        name = f"e{entry.enrolments[entry.people[0]]}-{field}"
        assert f'<label for="{name}">' in admin


async def test_a_bad_row_writes_nothing_and_keeps_what_was_typed(entry: EntryWorld) -> None:
    c = entry.clients[ADMIN]
    first, second, third = (entry.enrolments[s] for s in entry.people)
    form = {
        "_csrf_token": entry.token(ADMIN),
        f"e{first}-hours": "20",
        f"e{first}-passed": "yes",
        f"e{first}-score": "88",
        f"e{second}-hours": str(COURSE_HOURS + 6),  # more than the course's hours: the domain's rule
        f"e{second}-passed": "yes",
        f"e{third}-hours": "",  # a blank row: skipped
    }
    r = await c.post(roster_url(entry), data=form)
    assert r.status_code in (409, 422), r.text
    assert value_of(r.text, f"e{first}-hours") == "20"
    assert value_of(r.text, f"e{first}-score") == "88"
    assert value_of(r.text, f"e{second}-hours") == str(COURSE_HOURS + 6)
    message = error_of(r.text, f"e{second}-hours")
    assert message.startswith("学时：")
    assert 'aria-invalid="true"' in r.text and f'aria-describedby="e{second}-hours-error"' in r.text
    assert f'id="e{second}-hours" name="e{second}-hours"' in r.text and "autofocus" in r.text
    assert "未能提交" in r.text and f'href="#e{second}-hours"' in r.text
    assert await pending(entry, "training.result") == []
    assert await result_of(entry, entry.people[0]) is None

    # a value the input model refuses: its Chinese message beside the field
    form = {"_csrf_token": entry.token(ADMIN), f"e{first}-hours": "abc", f"e{first}-passed": "yes"}
    r = await c.post(roster_url(entry), data=form)
    assert r.status_code == 422
    assert error_of(r.text, f"e{first}-hours") == "学时：应为数字"
    # a row with hours but no verdict
    form = {"_csrf_token": entry.token(ADMIN), f"e{first}-hours": "8"}
    r = await c.post(roster_url(entry), data=form)
    assert r.status_code == 422
    assert error_of(r.text, f"e{first}-passed") == "是否合格：为必填项"
    # nothing typed at all
    r = await c.post(roster_url(entry), data={"_csrf_token": entry.token(ADMIN)})
    assert r.status_code == 422
    assert "没有可录入的内容" in r.text
    assert await pending(entry, "training.result") == []


async def test_an_admin_submits_the_roster_for_review_and_hr_records_at_once(entry: EntryWorld) -> None:
    first, second, third = (entry.enrolments[s] for s in entry.people)
    form = {
        "_csrf_token": entry.token(ADMIN),
        f"e{first}-hours": "20",
        f"e{first}-passed": "yes",
        f"e{first}-score": "88",
        f"e{second}-hours": "4",
        f"e{second}-passed": "no",
    }
    page = await follow(entry.clients[ADMIN], await entry.clients[ADMIN].post(roster_url(entry), data=form))
    assert f"{REVIEW}（共 2 条）" in page
    assert 'href="/my/changes"' in page
    submitted = await pending(entry, "training.result")
    assert sorted(c["payload"]["enrolment_id"] for c in submitted) == sorted([first, second])
    assert await result_of(entry, entry.people[0]) is None  # not applied before HR approves
    # the roster now shows them as waiting, with no inputs (a second submission would be refused)
    assert f'name="e{first}-hours"' not in page and "待审核" in page
    assert f'name="e{third}-hours"' in page

    # district HR: applied at once
    hr = entry.clients[HR]
    form = {
        "_csrf_token": entry.token(HR),
        f"e{third}-hours": str(COURSE_HOURS),
        f"e{third}-passed": "yes",
        f"e{third}-completed_on": entry.session_start.isoformat(),
    }
    page = await follow(hr, await hr.post(roster_url(entry), data=form))
    assert "已录入 1 条培训成绩" in page
    result = await result_of(entry, entry.people[2])
    assert result["hours"] == COURSE_HOURS and result["passed"] is True
    assert f'name="e{third}-hours"' not in page and "已录入：" in page

    # HR approves the admin's two: the roster shows the results
    for change in submitted:
        r = await entry.api.post(f"{API}/changes/{change['id']}/approve", headers=entry.hr_headers)
        assert r.status_code == 200, r.text
    assert (await result_of(entry, entry.people[0]))["score"] == 88


async def test_a_result_for_a_session_of_another_kindergarten_s_person_is_refused(entry: EntryWorld) -> None:
    """An admin's form reads the inputs of their own staff only: a forged input for another
    kindergarten's enrolment is not read (nothing to record)."""
    outsider = entry.enrolments[entry.outsider]
    form = {"_csrf_token": entry.token(ADMIN), f"e{outsider}-hours": "8", f"e{outsider}-passed": "yes"}
    r = await entry.clients[ADMIN].post(roster_url(entry), data=form)
    assert r.status_code == 422
    assert "没有可录入的内容" in r.text
    assert await result_of(entry, entry.outsider) is None


# --- the annual ethics evaluation ------------------------------------------------------------------------------


def test_the_year_evaluated_is_the_one_ending_in_summer() -> None:
    assert evaluated_year(date(2026, 7, 1)) == "2025-2026" == school_year_of(date(2026, 7, 1))
    assert evaluated_year(date(2026, 12, 7)) == "2025-2026" == latest_ended_school_year(date(2026, 12, 7))
    assert evaluated_year(date(2026, 3, 1)) == "2024-2025"


async def test_ethics_roster_errors_and_review(entry: EntryWorld) -> None:
    c = entry.clients[ADMIN]
    page = (await c.get(ethics_url(entry))).text
    year = evaluated_year(today())
    first, second, third = entry.people
    for staff_id in entry.people:
        assert f'data-staff="{staff_id}"' in page
    assert f'name="school_year" value="{year}"' in page
    tomorrow = (today() + timedelta(days=1)).isoformat()
    form = {
        "_csrf_token": entry.token(ADMIN),
        "school_year": year,
        "evaluated_on": tomorrow,
        f"s{first}-grade": "excellent",
        f"s{first}-note": "表现突出",
    }
    r = await c.post(ethics_url(entry), data=form)
    assert r.status_code == 422, r.text
    assert error_of(r.text, "evaluated_on").startswith("考核日期：")
    assert value_of(r.text, "evaluated_on") == tomorrow
    assert value_of(r.text, f"s{first}-note") == "表现突出"
    assert 'value="excellent" selected' in r.text
    # a note without a grade
    form = {"_csrf_token": entry.token(ADMIN), "school_year": year, f"s{second}-note": "备注"}
    r = await c.post(ethics_url(entry), data=form)
    assert r.status_code == 422
    assert error_of(r.text, f"s{second}-grade") == "考核等次：请选择考核等次，或清空备注"
    assert await pending(entry, "ethics.evaluation") == []

    day = today().isoformat()
    form = {"_csrf_token": entry.token(ADMIN), "school_year": year, "evaluated_on": day, f"s{first}-grade": "qualified"}
    page = await follow(c, await c.post(ethics_url(entry), data=form))
    assert REVIEW in page and 'href="/my/changes"' in page
    changes = await pending(entry, "ethics.evaluation")
    assert [(x["target_id"], x["payload"]["grade"]) for x in changes] == [(first, "qualified")]
    assert f'name="s{first}-grade"' not in page  # waiting for review: no second submission

    # district HR: two at once, applied; a correction goes through supersedes
    hr = entry.clients[HR]
    form = {
        "_csrf_token": entry.token(HR),
        "school_year": year,
        "evaluated_on": day,
        f"s{second}-grade": "excellent",
        f"s{third}-grade": "basically_qualified",
    }
    page = await follow(hr, await hr.post(ethics_url(entry), data=form))
    assert "已录入 2 人的师德考核" in page
    record = await entry.get_api(f"/staff/{second}/ethics")
    current = record["current"][0]
    assert (current["school_year"], current["grade"]) == (year, "excellent")
    assert f'data-evaluated="{current["id"]}"' in page
    assert value_of(page, f"s{second}-supersedes") == str(current["id"])
    form = {
        "_csrf_token": entry.token(HR),
        "school_year": year,
        "evaluated_on": day,
        f"s{second}-supersedes": str(current["id"]),
        f"s{second}-grade": "qualified",
    }
    await follow(hr, await hr.post(ethics_url(entry), data=form))
    record = await entry.get_api(f"/staff/{second}/ethics")
    assert record["current"][0]["grade"] == "qualified"
    assert record["current"][0]["supersedes"] == current["id"]
    # the page's state is stale (it showed the evaluation since corrected): the row says so, nothing written
    form[f"s{second}-grade"] = "excellent"
    form[f"s{third}-grade"] = "qualified"
    form[f"s{third}-supersedes"] = str((await entry.get_api(f"/staff/{third}/ethics"))["current"][0]["id"])
    r = await hr.post(ethics_url(entry), data=form)
    assert r.status_code == 409, r.text
    assert error_of(r.text, f"s{second}")
    assert (await entry.get_api(f"/staff/{third}/ethics"))["current"][0]["grade"] == "basically_qualified"


async def test_an_admin_cannot_evaluate_another_kindergarten(entry: EntryWorld) -> None:
    c = entry.clients[ADMIN]
    assert (await c.get(f"/kindergartens/{entry.other_kg}/ethics-evaluations")).status_code == 404
    form = {"_csrf_token": entry.token(ADMIN), "evaluated_on": today().isoformat()}
    r = await c.post(f"/kindergartens/{entry.other_kg}/ethics-evaluations", data=form)
    assert r.status_code == 404
