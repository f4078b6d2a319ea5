"""Eligibility: the ethics veto first, then dual certificate, credits, title, evaluations; the batch form."""

from __future__ import annotations

from datetime import date
from typing import Any

from eligibility.codes import Purpose
from eligibility.services import eligibilities
from kernel.auth import Principal
from kernel.codes import Role
from tests.credits.helpers import ADMIN, API, HR, INSPECTOR, add_entry
from tests.support import World, give_training, insert_staff, teacher_qualification_number


async def compliant_teacher(
    client: Any, world: World, title: str = "level2", kindergarten_id: int | None = None
) -> int:
    """An on-post teacher holding both certificates (and the induction training the post certificate
    needs), of kindergarten A unless told; the teacher qualification was last registered on 2020-09-01
    (定期注册 period 2020-09-01 .. 2025-09-01: due in 2024-2025)."""
    sid = await insert_staff(kindergarten_id or world.kg_a["id"], title=title)
    await give_training(sid, "induction", completed_on=date(2015, 7, 1))
    ids = []
    for body in (
        {"type": "teacher_qualification", "number": teacher_qualification_number(), "issued_on": "2015-07-01"},
        {"type": "post_certificate", "number": f"SC{sid:08d}", "issued_on": "2015-08-01"},
    ):
        r = await client.post(f"{API}/staff/{sid}/certificates", json=body, headers=world.h(HR))
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    r = await client.post(
        f"{API}/certificates/{ids[0]}/registrations",
        json={"registered_on": "2020-09-01", "result": "passed"},
        headers=world.h(HR),
    )
    assert r.status_code == 201, r.text
    return sid


async def twice_the_requirement(client: Any, world: World, sid: int) -> None:
    """18 credits a year in 2021-2025 (90 in the cycle, 36 by the end of 2022), ethics and family
    included, every year over the minimum."""
    for year in (2021, 2022, 2023, 2024, 2025):
        await add_entry(client, world, sid, date=f"{year}-03-01", category="general", source="training", hours=140)
        await add_entry(client, world, sid, date=f"{year}-04-01", category="ethics", source="training", hours=20)
        await add_entry(client, world, sid, date=f"{year}-05-01", category="family", source="training", hours=20)


async def eligibility(client: Any, world: World, sid: int, purpose: str, on: str, who: str = HR) -> dict[str, Any]:
    r = await client.get(f"{API}/staff/{sid}/eligibility?purpose={purpose}&on={on}", headers=world.h(who))
    assert r.status_code == 200, r.text
    return dict(r.json())


def rule(answer: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in answer["reasons"] if r["rule"] == name)


async def test_a_warning_vetoes_an_award_however_many_credits(client: Any, world: World) -> None:
    sid = await compliant_teacher(client, world)
    await twice_the_requirement(client, world, sid)
    before = await eligibility(client, world, sid, "award", "2024-06-01")
    assert before["eligible"] is True, before
    r = await client.post(
        f"{API}/staff/{sid}/ethics/sanctions",
        json={"violation": 6, "facts": "体罚幼儿", "sanction": "warning", "decided_on": "2024-06-10"},
        headers=world.h(HR),
    )
    assert r.status_code == 201, r.text
    barred = await eligibility(client, world, sid, "award", "2024-09-01")
    assert barred["eligible"] is False
    assert barred["reasons"][0]["rule"] == "ethics_veto" and barred["reasons"][0]["passed"] is False
    assert rule(barred, "credits_yearly_minimum")["passed"] is True  # the credits are there; the veto wins
    # the words name the sanction and the bar, in Chinese
    assert (
        rule(barred, "ethics_veto")["words"]
        == "警告处分 2024-06-10 起至 2024-12-10 期间不得参加评奖评优、职务晋升、职称评定"
    )
    # and the detail in English, whatever language the request reads
    assert rule(barred, "ethics_veto")["detail"] == (
        "warning decided 2024-06-10, in force through 2024-12-10 (through 2024-12-10)"
    )
    for purpose in ("title", "backbone", "promotion", "registration"):
        assert rule(await eligibility(client, world, sid, purpose, "2024-09-01"), "ethics_veto")["passed"] is False
    after = await eligibility(client, world, sid, "award", "2024-12-20")  # the 6-month bar has passed
    assert after["eligible"] is True, after
    assert rule(after, "ethics_veto")["passed"] is True


async def test_purposes_apply_their_own_rules(client: Any, world: World) -> None:
    sid = await compliant_teacher(client, world, title="level2")
    await twice_the_requirement(client, world, sid)
    # a round in 2026 reads the completed 2021-2025 cycle (no year of 2026-2030 has ended yet)
    title = await eligibility(client, world, sid, "title", "2026-03-01")
    assert rule(title, "credits_cycle")["passed"] is True and title["eligible"] is True
    assert title["window"] == {"cycle": "2021-2025", "years": [], "words": "读取 2021-2025 周期的学分"}
    # on 2024-12-20 the last completed cycle is 2016-2020, with nothing recorded: not eligible,
    # whatever 2021-2024 holds (those ended years are each held to the yearly minimum)
    early = await eligibility(client, world, sid, "title", "2024-12-20")
    assert early["window"]["cycle"] == "2016-2020" and early["window"]["years"] == [2021, 2022, 2023]
    assert rule(early, "credits_cycle")["passed"] is False and early["eligible"] is False
    assert rule(early, "credits_cycle")["words"] == (
        "2016-2020 周期已认定 0 学分，要求 36 学分，还差 36 学分；"
        "必修类别未修满：师德培训还差 1 学分、家园共育还差 1 学分；2016、2017、2018、2019、2020 年未达年度最低学分"
    )
    backbone = await eligibility(client, world, sid, "backbone", "2026-03-01")
    assert rule(backbone, "credits_cycle")["passed"] is True
    assert rule(backbone, "title_minimum")["passed"] is False and backbone["eligible"] is False
    assert rule(backbone, "title_minimum")["words"] == "职称二级；骨干评选要求一级及以上"
    registration = await eligibility(client, world, sid, "registration", "2024-12-20")
    assert rule(registration, "ethics_evaluations")["passed"] is False  # no evaluations recorded
    assert rule(registration, "ethics_evaluations")["words"] == (
        "未达合格及以上：2020-2021 学年无考核；2021-2022 学年无考核；2022-2023 学年无考核；2023-2024 学年无考核"
    )
    assert rule(title, "credits_cycle")["words"] == "2021-2025 周期已认定 90 学分，要求 36 学分"
    assert rule(title, "credits_yearly_minimum")["passed"] is True  # no year of the current cycle has ended
    # nobody with no credits and no certificates
    bare = await insert_staff(world.kg_a["id"])
    answer = await eligibility(client, world, bare, "award", "2024-12-20")
    assert answer["eligible"] is False
    assert not rule(answer, "dual_certificate")["passed"] and not rule(answer, "credits_yearly_minimum")["passed"]


async def qualified_every_year(client: Any, world: World, sid: int) -> None:
    """A `qualified` evaluation in every school year of the 2021-2025 cycle that has ended."""
    for sy in ("2020-2021", "2021-2022", "2022-2023", "2023-2024"):
        r = await client.post(
            f"{API}/staff/{sid}/ethics/evaluations",
            json={"school_year": sy, "grade": "qualified", "evaluated_on": f"{sy[-4:]}-07-01"},
            headers=world.h(HR),
        )
        assert r.status_code == 201, r.text


async def test_registration_needs_qualified_evaluations(client: Any, world: World) -> None:
    sid = await compliant_teacher(client, world)
    await twice_the_requirement(client, world, sid)
    await qualified_every_year(client, world, sid)
    answer = await eligibility(client, world, sid, "registration", "2024-12-20")
    assert rule(answer, "ethics_evaluations")["passed"] is True and answer["eligible"] is True


async def test_registration_needs_360_hours_of_study_in_the_cycle(client: Any, world: World) -> None:
    """定期注册: 360 hours in the five-year cycle (the policy's registration_hours). 350 hours on
    record fail the rule; a further 10 make 360 and pass it; a reversed entry's hours do not count."""
    sid = await compliant_teacher(client, world)
    await qualified_every_year(client, world, sid)
    for year, category in ((2021, "ethics"), (2022, "family"), (2023, "general")):
        await add_entry(client, world, sid, date=f"{year}-03-01", category=category, source="training", hours=100)
    await add_entry(client, world, sid, date="2024-03-01", category="general", source="training", hours=50)
    wrong = await add_entry(client, world, sid, date="2024-04-01", category="general", source="training", hours=10)
    r = await client.post(
        f"{API}/credits/entries/{wrong['id']}/reversal", json={"reason": "recorded twice"}, headers=world.h(HR)
    )
    assert r.status_code == 201, r.text
    short = rule(await eligibility(client, world, sid, "registration", "2024-12-20"), "training_hours")
    assert short["passed"] is False and "350" in short["detail"] and "360" in short["detail"]
    assert short["words"] == "2020-09-01 起已记录 350 学时，定期注册要求 360 学时"
    await add_entry(client, world, sid, date="2024-05-01", category="general", source="training", hours=10)
    enough = await eligibility(client, world, sid, "registration", "2024-12-20")
    assert rule(enough, "training_hours")["passed"] is True
    assert enough["eligible"] is True, enough  # 36 credits at 10 h each, categories met, qualified every year


async def test_bad_purpose_is_rejected(client: Any, world: World) -> None:
    r = await client.get(f"{API}/staff/{world.staff_a['id']}/eligibility?purpose=lottery", headers=world.h(HR))
    assert r.status_code == 400


async def test_batch_lists_every_on_post_person_of_the_kindergarten(client: Any, world: World) -> None:
    good = await compliant_teacher(client, world)
    await twice_the_requirement(client, world, good)
    bare = await insert_staff(world.kg_a["id"])
    url = f"{API}/eligibility?purpose=award&kindergarten_id={world.kg_a['id']}&on=2024-12-20&limit=500"
    r = await client.get(url, headers=world.h(INSPECTOR))  # every row: the module's tests add people to A
    assert r.status_code == 200, r.text
    rows = {x["staff_id"]: x for x in r.json()["items"]}
    assert rows[good]["eligible"] is True and rows[good]["failing"] == []
    assert {f["rule"] for f in rows[bare]["failing"]} == {"dual_certificate", "credits_yearly_minimum"}
    assert all(x["kindergarten_id"] == world.kg_a["id"] for x in rows.values())
    assert {(x["kindergarten_code"], x["kindergarten_name"]) for x in rows.values()} == {
        (world.kg_a["code"], world.kg_a["name"])
    }
    # the single answer agrees with the batch
    for sid in (good, bare):
        assert (await eligibility(client, world, sid, "award", "2024-12-20"))["eligible"] is rows[sid]["eligible"]
    mine = await client.get(f"{API}/eligibility?purpose=award&on=2024-12-20", headers=world.h(ADMIN))
    assert {x["kindergarten_id"] for x in mine.json()["items"]} <= {world.kg_a["id"]}


async def test_batch_pages_count_the_whole_selection(client: Any, world: World) -> None:
    good = await compliant_teacher(client, world)
    await twice_the_requirement(client, world, good)
    for _ in range(4):
        await insert_staff(world.kg_a["id"])
    base = f"{API}/eligibility?purpose=award&kindergarten_id={world.kg_a['id']}&on=2024-12-20"
    whole = (await client.get(base + "&limit=500", headers=world.h(HR))).json()
    assert whole["limit"] == 500 and whole["offset"] == 0
    assert whole["total"] == len(whole["items"]) >= 5
    assert whole["eligible"] == sum(1 for x in whole["items"] if x["eligible"]) >= 1
    default = (await client.get(base, headers=world.h(HR))).json()
    assert default["limit"] == 50 and default["offset"] == 0
    seen: list[dict[str, Any]] = []
    for offset in range(0, whole["total"] + 2, 2):
        page = (await client.get(base + f"&limit=2&offset={offset}", headers=world.h(HR))).json()
        # the counts are the whole selection's on every page; the items are the page
        assert (page["total"], page["eligible"]) == (whole["total"], whole["eligible"])
        assert (page["limit"], page["offset"]) == (2, offset)
        assert len(page["items"]) <= 2
        seen += page["items"]
    assert seen == whole["items"]  # the pages, in order, are the whole list once
    past = (await client.get(base + f"&offset={whole['total']}", headers=world.h(HR))).json()
    assert past["items"] == [] and past["total"] == whole["total"]
    # every row agrees with the single answer
    for row in whole["items"]:
        single = await eligibility(client, world, row["staff_id"], "award", "2024-12-20")
        assert single["eligible"] is row["eligible"], (row, single)
        assert [r for r in single["reasons"] if not r["passed"]] == row["failing"]
    for bad in ("limit=0", "limit=501", "offset=-1", "limit=x"):
        r = await client.get(base + f"&{bad}", headers=world.h(HR))
        assert r.status_code == 400, (bad, r.text)


async def test_registration_batch_counts_evaluations_of_the_whole_selection(client: Any, world: World) -> None:
    sid = await compliant_teacher(client, world)
    await twice_the_requirement(client, world, sid)
    await qualified_every_year(client, world, sid)
    base = f"{API}/eligibility?purpose=registration&kindergarten_id={world.kg_a['id']}&on=2024-12-20"
    whole = (await client.get(base + "&limit=500", headers=world.h(HR))).json()
    assert {x["staff_id"]: x["eligible"] for x in whole["items"]}[sid] is True
    assert whole["eligible"] == sum(1 for x in whole["items"] if x["eligible"]) >= 1
    for offset in range(whole["total"]):
        page = (await client.get(base + f"&limit=1&offset={offset}", headers=world.h(HR))).json()
        assert page["eligible"] == whole["eligible"] and page["items"] == whole["items"][offset : offset + 1]
    district = (await client.get(base.replace(f"&kindergarten_id={world.kg_a['id']}", ""), headers=world.h(HR))).json()
    assert district["total"] >= whole["total"] and district["eligible"] >= whole["eligible"]


async def test_all_purposes_at_once_equal_each_alone(client: Any, world: World) -> None:
    """The transcript PDF and the eligibility page ask for the five purposes in one call (one read of
    the cycle's entries, each purpose taking its own window): the answers are those of five calls."""

    sid = await compliant_teacher(client, world, title="level1")
    await twice_the_requirement(client, world, sid)
    await qualified_every_year(client, world, sid)
    # research over its cap of 4 in 2024, and a reversal: windows and caps both matter
    for hours in (60, 60):
        await add_entry(client, world, sid, date="2024-06-01", category="key", source="research", hours=hours)
    extra = await add_entry(client, world, sid, date="2024-07-01", category="general", source="training", hours=30)
    r = await client.post(f"{API}/credits/entries/{extra['id']}/reversal", json={"reason": "重复"}, headers=world.h(HR))
    assert r.status_code == 201, r.text
    hr = Principal(account_id=0, username="t", role=Role.district_hr)
    for on in ("2022-02-01", "2024-06-30", "2024-12-20", "2025-12-31"):
        together = await eligibilities(hr, sid, None, date.fromisoformat(on))
        assert [a.purpose for a in together] == list(Purpose)
        alone = [await eligibility(client, world, sid, p.value, on) for p in Purpose]
        assert [a.model_dump(mode="json") for a in together] == alone, on
    award = (await eligibilities(hr, sid, [Purpose.award], date(2025, 1, 10)))[0]  # reads 2024, the last ended year
    # 2024: training 14 + 2 + 2, research 3 + 3 capped at 4, the reversed 3 and its reversal nothing
    assert rule(award.model_dump(), "credits_yearly_minimum")["detail"] == "credits per year: 2024: 22 of 4"
    assert award.window.years == [2024] and award.window.cycle is None


async def exactly_the_requirement(client: Any, world: World, sid: int) -> None:
    """36 credits in 2021-2025 exactly (ethics and family 1 each), every year at least the minimum 4."""
    for year in range(2021, 2026):
        await add_entry(client, world, sid, date=f"{year}-03-01", category="general", source="training", hours=40)
    await add_entry(client, world, sid, date="2023-05-01", category="general", source="training", hours=140)
    await add_entry(client, world, sid, date="2023-06-01", category="ethics", source="training", hours=10)
    await add_entry(client, world, sid, date="2023-07-01", category="family", source="training", hours=10)


async def test_rounds_read_the_last_completed_cycle_and_the_ended_years(client: Any, world: World) -> None:
    """STANDARDS (the calendar): a title round on D reads the last five-year cycle that ended on or
    before D (complete), and each ended calendar year of the current cycle (the yearly minimum); an
    award reads the last ended year. Edges: the cycle's last day, the first day of the next, a year
    of the new cycle with nothing recorded. The batch gives the same answers."""
    sid = await compliant_teacher(client, world)
    await exactly_the_requirement(client, world, sid)
    cases = {
        # day: (eligible, window cycle, window years)
        "2025-12-30": (False, "2016-2020", [2021, 2022, 2023, 2024]),  # 2021-2025 has not ended
        "2025-12-31": (True, "2021-2025", []),  # it ends that day
        "2026-01-01": (True, "2021-2025", []),  # the first day of 2026-2030
        "2026-12-05": (True, "2021-2025", []),  # the autumn round
        "2027-01-05": (False, "2021-2025", [2026]),  # 2026 ended with nothing recorded
    }
    for on, (eligible, cycle, years) in cases.items():
        answer = await eligibility(client, world, sid, "title", on)
        assert (answer["eligible"], answer["window"]["cycle"], answer["window"]["years"]) == (eligible, cycle, years), (
            on
        )
        batch = await client.get(
            f"{API}/eligibility?purpose=title&kindergarten_id={world.kg_a['id']}&on={on}&limit=500",
            headers=world.h(HR),
        )
        assert batch.status_code == 200, batch.text
        assert batch.json()["window"] == answer["window"]
        row = next(x for x in batch.json()["items"] if x["staff_id"] == sid)
        assert row["eligible"] is eligible
        assert row["failing"] == [r for r in answer["reasons"] if not r["passed"]], on
    short = rule(await eligibility(client, world, sid, "title", "2027-01-05"), "credits_yearly_minimum")
    assert short["words"] == "2026 年已认定 0 学分，年度最低 4 学分，还差 4 学分"
    # an award on 2026-12-05 reads 2025 (4 credits: the minimum), not 2026 so far
    award = await eligibility(client, world, sid, "award", "2026-12-05")
    assert award["window"]["years"] == [2025] and award["eligible"] is True
    assert rule(award, "credits_yearly_minimum")["words"] == "2025 年已认定 4 学分，年度最低 4 学分"


async def test_a_cycle_with_a_year_under_the_minimum_is_not_complete(client: Any, world: World) -> None:
    """Policy complete_needs_yearly_minimum: 40 credits in 2021-2025 with 2022 at 3.8 (under the yearly
    4) do not complete the cycle; the transcript says the same (not complete)."""
    sid = await compliant_teacher(client, world)
    for year, hours in ((2021, 120), (2022, 38), (2023, 80), (2024, 80), (2025, 82)):
        await add_entry(client, world, sid, date=f"{year}-03-01", category="general", source="training", hours=hours)
    await add_entry(client, world, sid, date="2023-06-01", category="ethics", source="training", hours=10)
    await add_entry(client, world, sid, date="2023-07-01", category="family", source="training", hours=10)
    answer = await eligibility(client, world, sid, "title", "2026-03-01")
    cycle = rule(answer, "credits_cycle")
    assert cycle["passed"] is False and answer["eligible"] is False
    assert cycle["words"] == "2021-2025 周期已认定 42 学分，要求 36 学分；2022 年未达年度最低学分"
    t = (await client.get(f"{API}/staff/{sid}/credits?cycle=2021-2025", headers=world.h(HR))).json()
    assert t["status"] != "complete" and float(t["counted"]) == 42
    # one more hour of study in 2022 makes it 3.9: still short; 2 more make 4.0: complete
    await add_entry(client, world, sid, date="2022-09-01", category="general", source="training", hours=2)
    assert rule(await eligibility(client, world, sid, "title", "2026-03-01"), "credits_cycle")["passed"] is True
    t = (await client.get(f"{API}/staff/{sid}/credits?cycle=2021-2025", headers=world.h(HR))).json()
    assert t["status"] == "complete"
