"""Ethics endpoints: evaluations, sanctions, appeals, revocation, audit, append-only, standing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ethics.codes import EthicsGrade
from ethics.rules import school_year_of
from ethics.tables import EthicsEvaluation, EthicsSanction
from kernel.codes import label
from kernel.common.time import today
from tests.ethics.helpers import put_evaluation, put_sanction
from tests.support import World, approved, give_training, insert_staff, kindergarten_body, teacher_qualification_number

API = "/api/v1"
HR = "district_hr"


def ev(year: str = "2024-2025", grade: str = "qualified", **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"school_year": year, "grade": grade, "evaluated_on": "2025-07-01"}
    body.update(over)
    return body


def sa(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "violation": 6,
        "facts": "体罚幼儿",
        "sanction": "warning",
        "decided_on": "2025-01-10",
        "revoke_qualification": False,
    }
    body.update(over)
    return body


async def test_record_an_evaluation_then_correct_it(client, world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    url = f"{API}/staff/{sid}/ethics/evaluations"
    admin = world.h("kindergarten_admin")
    submitted = await client.post(url, json=ev(grade="unqualified", note="家长投诉"), headers=admin)
    body = (await approved(client, world, submitted)).json()["result"]  # an admin's: reviewed (issue 15)
    assert (body["grade"], body["evaluator"], body["current"], body["supersedes"]) == (
        "unqualified",
        "w_admin",
        True,
        None,
    )
    again = await client.post(url, json=ev(), headers=admin)
    assert again.status_code == 409 and again.json()["current_id"] == body["id"]
    wrong = await client.post(url, json=ev(supersedes=body["id"] + 100000), headers=admin)
    assert wrong.status_code == 409
    # an unqualified grade carries the one-vote veto: only district HR may revise it
    refused = await client.post(url, json=ev(grade="qualified", supersedes=body["id"]), headers=admin)
    assert refused.status_code == 403
    hr = world.h("district_hr")
    fixed = await client.post(url, json=ev(grade="qualified", supersedes=body["id"]), headers=hr)
    assert fixed.status_code == 201, fixed.text
    # superseding the superseded one is refused: only the current record can be replaced
    stale = await client.post(url, json=ev(supersedes=body["id"]), headers=admin)
    assert stale.status_code == 409
    other_year = await client.post(url, json=ev(year="2023-2024", evaluated_on="2024-06-30"), headers=admin)
    await approved(client, world, other_year)
    shown = (await client.get(f"{API}/staff/{sid}/ethics", headers=admin)).json()
    assert [(e["school_year"], e["grade"]) for e in shown["current"]] == [
        ("2024-2025", "qualified"),
        ("2023-2024", "qualified"),
    ]
    assert len(shown["evaluations"]) == 3
    old = next(e for e in shown["evaluations"] if e["id"] == body["id"])
    assert old["current"] is False and old["superseded_by"] == fixed.json()["id"]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"school_year": "2024-2026"}, "school_year"),
        ({"school_year": "2024/2025"}, "school_year"),
        ({"school_year": "24-25"}, "school_year"),
        ({"evaluated_on": "2024-08-31"}, "evaluated_on"),  # before the year starts
        ({"school_year": "2026-2027", "evaluated_on": (today() + timedelta(days=1)).isoformat()}, "evaluated_on"),
        ({"grade": "good"}, "grade"),
    ],
)
async def test_evaluation_bad_input(client, world: World, over: dict[str, Any], field: str) -> None:
    sid = await insert_staff(world.kg_a["id"])
    r = await client.post(f"{API}/staff/{sid}/ethics/evaluations", json=ev(**over), headers=world.h(HR))
    assert r.status_code == 422, r.text
    assert field in r.text


@pytest.mark.parametrize(
    ("sanctions", "refused", "allowed", "cap"),
    [
        (["warning"], "excellent", "qualified", "qualified"),
        (["demerit"], "qualified", "basically_qualified", "basically_qualified"),
        (["post_grade_lowered"], "basically_qualified", "unqualified", "unqualified"),
        (["warning", "demerit"], "qualified", "basically_qualified", "basically_qualified"),
    ],
)
async def test_grade_cap(client, world: World, sanctions: list[str], refused: str, allowed: str, cap: str) -> None:
    sid = await insert_staff(world.kg_a["id"])
    hr = world.h(HR)
    for i, kind in enumerate(sanctions):
        r = await client.post(
            f"{API}/staff/{sid}/ethics/sanctions", json=sa(sanction=kind, decided_on=f"2025-01-1{i}"), headers=hr
        )
        assert r.status_code == 201, r.text
    url = f"{API}/staff/{sid}/ethics/evaluations"
    no = await client.post(url, json=ev(grade=refused), headers=hr)
    assert no.status_code == 409, no.text
    assert f"将 2024-2025 学年师德考核等次限定为最高{label(EthicsGrade, cap)}" in no.json()["detail"]
    assert no.json()["cap"] == cap and no.json()["code"] == "grade-cap"
    # a sanction of another school year does not cap this one
    assert (
        await client.post(url, json=ev(year="2023-2024", grade="excellent", evaluated_on="2024-06-30"), headers=hr)
    ).status_code == 201
    yes = await client.post(url, json=ev(grade=allowed), headers=hr)
    assert yes.status_code == 201, yes.text


async def test_grade_cap_detail_names_the_sanction(client, world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    hr = world.h(HR)
    await client.post(
        f"{API}/staff/{sid}/ethics/sanctions", json=sa(sanction="demerit", decided_on="2025-01-10"), headers=hr
    )
    url = f"{API}/staff/{sid}/ethics/evaluations"
    r = await client.post(url, json=ev(grade="excellent"), headers=hr)
    assert (r.json()["code"], r.json()["detail"]) == (
        "grade-cap",
        "2025-01-10 决定的记过处分将 2024-2025 学年师德考核等次限定为最高基本合格，不能评为优秀",
    )
    assert r.json()["errors"] == [{"field": "grade", "message": "2024-2025 学年最高为基本合格"}]
    en = await client.post(url, json=ev(grade="excellent"), headers={**hr, "Accept-Language": "en"})
    assert (en.json()["code"], en.json()["title"], en.json()["detail"]) == (
        "grade-cap",
        "Conflict",
        "a demerit decided 2025-01-10 caps the 2024-2025 grade at basically_qualified: excellent is not allowed",
    )
    assert en.json()["errors"] == [{"field": "grade", "message": "at most basically_qualified for 2024-2025"}]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"violation": 0}, "violation"),
        ({"violation": 12}, "violation"),
        ({"violation": None}, "violation"),
        ({"sanction": None}, "sanction"),
        ({"sanction": "fine"}, "sanction"),
        ({"outcome": "lifted"}, "outcome"),  # an appeal outcome without supersedes
        ({"decided_on": (today() + timedelta(days=1)).isoformat()}, "decided_on"),
    ],
)
async def test_sanction_bad_input(client, world: World, over: dict[str, Any], field: str) -> None:
    sid = await insert_staff(world.kg_a["id"])
    r = await client.post(f"{API}/staff/{sid}/ethics/sanctions", json=sa(**over), headers=world.h(HR))
    assert r.status_code == 422, r.text
    assert field in r.text


async def test_sanction_bar_and_veto_today_then_appeal_lifts_it(client, world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    hr = world.h(HR)
    decided = today() - timedelta(days=30)
    r = await client.post(
        f"{API}/staff/{sid}/ethics/sanctions", json=sa(sanction="demerit", decided_on=decided.isoformat()), headers=hr
    )
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["outcome"] == "decided" and s["bar_from"] == decided.isoformat() and s["in_force_today"] is True
    assert s["bar_until"] > today().isoformat()
    shown = (await client.get(f"{API}/staff/{sid}/ethics", headers=hr)).json()
    assert shown["veto_today"]["reason_code"] == "sanction_in_force"
    assert shown["veto_today"]["until"] == s["bar_until"]

    # a changing appeal keeps the original start and replaces the sanction
    changed = await client.post(
        f"{API}/staff/{sid}/ethics/sanctions",
        json=sa(sanction="warning", decided_on=today().isoformat(), supersedes=s["id"], violation=None),
        headers=hr,
    )
    assert changed.status_code == 201, changed.text
    c = changed.json()
    assert (c["outcome"], c["bar_from"], c["violation"]) == ("changed", decided.isoformat(), 6)
    # the original cannot be appealed twice
    twice = await client.post(
        f"{API}/staff/{sid}/ethics/sanctions",
        json=sa(sanction=None, decided_on=today().isoformat(), supersedes=s["id"]),
        headers=hr,
    )
    assert twice.status_code == 409
    lifted = await client.post(
        f"{API}/staff/{sid}/ethics/sanctions",
        json=sa(sanction=None, decided_on=today().isoformat(), supersedes=c["id"], facts="申诉成立"),
        headers=hr,
    )
    assert lifted.status_code == 201, lifted.text
    assert (lifted.json()["outcome"], lifted.json()["bar_until"]) == ("lifted", None)
    shown = (await client.get(f"{API}/staff/{sid}/ethics", headers=hr)).json()
    assert shown["veto_today"] is None
    assert [x["current"] for x in shown["sanctions"]] == [True, False, False]
    # lifted with a sanction, or changed without one, make no sense
    bad = await client.post(
        f"{API}/staff/{sid}/ethics/sanctions",
        json=sa(decided_on=today().isoformat(), supersedes=lifted.json()["id"], outcome="lifted"),
        headers=hr,
    )
    assert bad.status_code == 422
    # an appeal of another person's sanction
    other = await insert_staff(world.kg_a["id"])
    foreign = await client.post(
        f"{API}/staff/{other}/ethics/sanctions", json=sa(sanction=None, supersedes=s["id"]), headers=hr
    )
    assert foreign.status_code == 409


async def test_revocation_ends_dual_certificate_compliance(client, world: World) -> None:
    hr = world.h(HR)
    kg = (await client.post(f"{API}/kindergartens", json=kindergarten_body(), headers=hr)).json()
    sid = await insert_staff(kg["id"])
    url = f"{API}/staff/{sid}"
    tq = {"type": "teacher_qualification", "number": teacher_qualification_number(), "issued_on": "2015-07-01"}
    cert = (await client.post(f"{url}/certificates", json=tq, headers=hr)).json()
    await give_training(sid, "induction")
    post_cert = {"type": "post_certificate", "number": f"SE{sid:08d}", "issued_on": "2024-08-01"}
    assert (await client.post(f"{url}/certificates", json=post_cert, headers=hr)).status_code == 201
    assert (await client.get(f"{url}/dual-certificate", headers=hr)).json()["compliant"] is True

    r = await client.post(
        f"{url}/ethics/sanctions",
        json=sa(sanction="dismissal", violation=6, revoke_qualification=True, decided_on=today().isoformat()),
        headers=hr,
    )
    assert r.status_code == 201, r.text
    assert r.json()["revoked_certificate_id"] == cert["id"] and r.json()["bar_until"] is None
    verdict = (await client.get(f"{url}/dual-certificate", headers=hr)).json()
    assert verdict["compliant"] is False and verdict["missing"] == ["teacher_qualification"]
    certs = (await client.get(f"{url}/certificates", headers=hr)).json()
    revoked = next(c for c in certs if c["id"] == cert["id"])
    assert revoked["status"] == "revoked"
    assert [(e["action"], e["status_after"], e["actor"]) for e in revoked["events"]] == [("revoke", "revoked", "w_hr")]
    assert "撤销教师资格" in revoked["events"][0]["reason"]
    # nothing left to revoke: 409, and nothing is written
    again = await client.post(
        f"{url}/ethics/sanctions", json=sa(revoke_qualification=True, decided_on="2025-01-01"), headers=hr
    )
    assert again.status_code == 409
    assert len((await client.get(f"{url}/ethics", headers=hr)).json()["sanctions"]) == 1


async def test_writes_are_audited(client, world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    hr = world.h(HR)
    e = (await client.post(f"{API}/staff/{sid}/ethics/evaluations", json=ev(), headers=hr)).json()
    s = (await client.post(f"{API}/staff/{sid}/ethics/sanctions", json=sa(), headers=hr)).json()
    for entity, entity_id, action in (
        ("ethics_evaluation", e["id"], "evaluate"),
        ("ethics_sanction", s["id"], "sanction"),
    ):
        items = (await client.get(f"{API}/audit?entity={entity}&entity_id={entity_id}", headers=hr)).json()["items"]
        assert len(items) == 1
        assert (items[0]["action"], items[0]["actor"], items[0]["after"]["staff_id"]) == (action, "w_hr", sid)


async def test_refused_writes_leave_no_audit_event(client, world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    hr = world.h(HR)
    await put_sanction(sid, "post_grade_lowered", date(2025, 1, 1))
    r = await client.post(f"{API}/staff/{sid}/ethics/evaluations", json=ev(grade="qualified"), headers=hr)
    assert r.status_code == 409
    assert (await EthicsEvaluation.count().where(EthicsEvaluation.staff == sid)) == 0


async def test_tables_are_append_only(world: World) -> None:
    sid = await insert_staff(world.kg_a["id"])
    eid = await put_evaluation(sid, "2024-2025", "qualified")
    xid = await put_sanction(sid, "warning", date(2025, 1, 1))
    for table, row_id, change in (
        (EthicsEvaluation, eid, {EthicsEvaluation.grade: "excellent"}),
        (EthicsSanction, xid, {EthicsSanction.sanction: None}),
    ):
        with pytest.raises(Exception, match="append-only"):
            await table.update(change).where(table.id == row_id)  # type: ignore[attr-defined]
        with pytest.raises(Exception, match="append-only"):
            await table.delete().where(table.id == row_id)  # type: ignore[attr-defined]
    assert (await EthicsEvaluation.select().where(EthicsEvaluation.id == eid).first())["grade"] == "qualified"  # type: ignore[index]


async def test_standing_against_hand_made_kindergartens(client, world: World) -> None:
    hr = world.h(HR)
    year = "2024-2025"

    async def kg() -> int:
        return int((await client.post(f"{API}/kindergartens", json=kindergarten_body(), headers=hr)).json()["id"])

    # missing: 4 on-post teaching staff, 3 evaluated (one of them corrected): 1/4 = 25% > 10%
    missing = await kg()
    people = [
        await insert_staff(missing, "teacher"),
        await insert_staff(missing, "teacher"),
        await insert_staff(missing, "principal"),
        await insert_staff(missing, "vice_principal"),
    ]
    await insert_staff(missing, "childcare_worker")  # not a teaching post: not counted
    await insert_staff(missing, "teacher", status="on_leave")  # not on post: not counted
    first = await put_evaluation(people[0], year, "unqualified")
    await put_evaluation(people[0], year, "qualified", supersedes=first)
    await put_evaluation(people[1], year, "excellent")
    await put_evaluation(people[2], year, "qualified")
    await put_evaluation(people[3], "2023-2024", "qualified")  # another year does not count
    # clean: everyone evaluated, a lifted sanction and a sanction of another year
    clean = await kg()
    a = await insert_staff(clean)
    await put_evaluation(a, year, "qualified")
    lifted = await put_sanction(a, "warning", date(2025, 3, 1))
    await put_sanction(a, None, date(2025, 4, 1), supersedes=lifted, outcome="lifted")
    await put_sanction(a, "warning", date(2025, 9, 1))  # 2025-2026
    # sanctioned: everyone evaluated, one sanction of the year (decided 2024-09-01, its first day)
    sanctioned = await kg()
    b = await insert_staff(sanctioned)
    await put_evaluation(b, year, "basically_qualified")
    await put_sanction(b, "demerit", date(2024, 9, 1))
    # hired after the school year ended: not expected to have its evaluation, not counted
    late = await kg()
    await insert_staff(late, "teacher", hired_on=date(2025, 9, 1))
    await insert_staff(late, "teacher", hired_on=date(2025, 8, 31))  # the year's last day: counted
    empty = await kg()

    r = await client.get(f"{API}/ethics/standing?school_year={year}", headers=hr)
    assert r.status_code == 200, r.text
    out = r.json()
    rows = {row["kindergarten_id"]: row for row in out["rows"]}
    m = rows[missing]
    assert (m["on_post"], m["evaluated"], m["missing"], m["sanctions"], m["flagged"]) == (4, 3, 1, 0, True)
    assert m["missing_share"] == pytest.approx(0.25)
    assert m["reasons"] == [f"1/4 名在岗教师缺 {year} 学年师德考核（25%），超过 10%"]
    c = rows[clean]
    assert (c["on_post"], c["evaluated"], c["sanctions"], c["flagged"], c["reasons"]) == (1, 1, 0, False, [])
    s = rows[sanctioned]
    assert (s["on_post"], s["evaluated"], s["sanctions"], s["flagged"]) == (1, 1, 1, True)
    assert s["reasons"] == [f"{year} 学年有 1 起师德处分"]
    english = await client.get(f"{API}/ethics/standing?school_year={year}", headers={**hr, "Accept-Language": "en"})
    by_kg = {row["kindergarten_id"]: row["reasons"] for row in english.json()["rows"]}
    assert by_kg[sanctioned] == [f"1 sanction(s) decided in {year}"]
    assert by_kg[missing] == [f"1 of 4 on-post teaching staff have no {year} evaluation: 25% > 10%"]
    h = rows[late]
    assert (h["on_post"], h["evaluated"], h["missing"], h["flagged"]) == (1, 0, 1, True)
    e = rows[empty]
    assert (e["on_post"], e["flagged"], e["missing_share"]) == (0, False, None)
    d = out["district"]
    assert d["kindergartens"] == len(out["rows"])
    assert d["flagged"] == sum(row["flagged"] for row in out["rows"]) >= 2
    assert d["on_post"] == sum(row["on_post"] for row in out["rows"])
    assert d["missing"] == d["on_post"] - d["evaluated"]
    assert out["threshold"] == 0.1 and out["posts"] == ["teacher", "principal", "vice_principal"]

    # a kindergarten admin sees their own kindergarten only
    own = (await client.get(f"{API}/ethics/standing?school_year={year}", headers=world.h("kindergarten_admin"))).json()
    assert [row["kindergarten_id"] for row in own["rows"]] == [world.kg_a["id"]]
    # default: the latest school year that has ended (the one in progress has no evaluations yet)
    current = (await client.get(f"{API}/ethics/standing", headers=hr)).json()
    this_year = int(school_year_of(today())[:4])
    assert current["school_year"] == f"{this_year - 1}-{this_year}"
    assert (await client.get(f"{API}/ethics/standing?school_year=2024", headers=hr)).status_code == 400
