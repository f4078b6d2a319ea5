"""定期注册 per person: the period from the person's last registration (or the qualification's issue),
and not_due / eligible / deferred / refused on a day; single and batch answers agree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from eligibility.registration import Period, answer, period_of, school_years_in
from kernel.policy import policy_on
from tests.credits.helpers import add_entry
from tests.credits.test_eligibility_api import compliant_teacher, eligibility, rule
from tests.support import World

API = "/api/v1"
HR = "district_hr"
P = policy_on(date(2026, 12, 5))


def cert(issued: date, last_passed: date | None = None, status: str = "valid") -> dict[str, Any]:
    return {"issued_on": issued, "last_passed": last_passed, "status": status}


def test_the_period_runs_five_years_from_the_last_registration_or_the_issue() -> None:
    assert period_of([cert(date(2019, 2, 28))], 5) == Period(date(2019, 2, 28), date(2024, 2, 28), False)
    assert period_of([cert(date(2015, 7, 1), date(2021, 1, 10))], 5) == Period(
        date(2021, 1, 10), date(2026, 1, 10), False
    )
    assert period_of([cert(date(2020, 2, 29))], 5).period_to == date(2025, 2, 28)  # type: ignore[union-attr]
    revoked = period_of([cert(date(2015, 7, 1), status="revoked")], 5)
    assert revoked is not None and revoked.revoked
    assert period_of([], 5) is None


def test_school_years_of_the_period() -> None:
    assert school_years_in(date(2020, 9, 1), date(2024, 12, 20)) == ["2020-2021", "2021-2022", "2022-2023", "2023-2024"]
    assert school_years_in(date(2020, 8, 31), date(2021, 8, 30)) == ["2019-2020"]
    assert school_years_in(date(2026, 1, 10), date(2026, 8, 30)) == []


PERIOD = Period(date(2021, 9, 1), date(2026, 9, 1), False)


OK = {sy: "qualified" for sy in ("2021-2022", "2022-2023", "2023-2024", "2024-2025")}


@pytest.mark.parametrize(
    ("on", "hours", "grades", "serious", "status"),
    [
        (date(2025, 9, 1), Decimal(360), OK, [], "eligible"),  # due from 12 months before the period ends
        (date(2025, 8, 31), Decimal(360), OK, [], "not_due"),
        (date(2025, 12, 1), Decimal("359.5"), OK, [], "deferred"),  # hours short
        (date(2025, 12, 1), Decimal(400), {**OK, "2023-2024": "unqualified"}, [], "deferred"),  # a 不合格 year
        (date(2025, 12, 1), Decimal(400), {k: v for k, v in OK.items() if k != "2022-2023"}, [], "deferred"),
        (date(2025, 12, 1), Decimal(400), {**OK, "2022-2023": "basically_qualified"}, [], "deferred"),
        (
            date(2025, 12, 1),
            Decimal(400),
            {**OK, "2022-2023": "unqualified", "2023-2024": "unqualified"},
            [],
            "refused",
        ),
        (
            date(2025, 12, 1),
            Decimal(400),
            {**OK, "2022-2023": "unqualified", "2024-2025": "unqualified"},
            [],
            "deferred",
        ),
        (date(2025, 12, 1), Decimal(400), OK, ["dismissal"], "refused"),
        (date(2023, 1, 1), Decimal(0), {}, ["removal"], "refused"),  # refused even before it is due
    ],
)
def test_the_answer_on_a_day(on: date, hours: Decimal, grades: dict[str, str], serious: list[str], status: str) -> None:
    assert answer(PERIOD, on, hours, grades, serious, P).status == status


def test_a_revoked_qualification_is_refused() -> None:
    revoked = Period(PERIOD.period_from, PERIOD.period_to, True)
    a = answer(revoked, date(2025, 12, 1), Decimal(400), {}, [], P)
    assert a.status == "refused" and "教师资格已被撤销" in a.words


async def registered(client: Any, world: World, sid: int, on: str) -> None:
    certs = (await client.get(f"{API}/staff/{sid}/certificates", headers=world.h(HR))).json()
    tq = next(c for c in certs if c["type"] == "teacher_qualification")
    r = await client.post(
        f"{API}/certificates/{tq['id']}/registrations",
        json={"registered_on": on, "result": "passed"},
        headers=world.h(HR),
    )
    assert r.status_code == 201, r.text


async def test_a_teacher_registered_in_january_is_not_due(client: Any, world: World) -> None:
    """The issue's case: registered in January 2026, asked in December 2026: not due (not 暂不符合)."""
    sid = await compliant_teacher(client, world)
    await registered(client, world, sid, "2026-01-10")
    answer_ = await eligibility(client, world, sid, "registration", "2026-12-05")
    assert answer_["registration"] == {
        "period_from": "2026-01-10",
        "period_to": "2031-01-10",
        "status": "not_due",
        "words": "注册周期 2026-01-10 至 2031-01-10：未到注册期",
    }
    assert answer_["eligible"] is False and rule(answer_, "registration_period")["passed"] is False


async def test_a_period_straddling_two_cycles_counts_its_hours_and_the_batch_agrees(client: Any, world: World) -> None:
    sid = await compliant_teacher(client, world)
    await registered(client, world, sid, "2022-03-01")  # period 2022-03-01 .. 2027-03-01
    for sy in ("2021-2022", "2022-2023", "2023-2024", "2024-2025", "2025-2026"):  # ended in the period
        r = await client.post(
            f"{API}/staff/{sid}/ethics/evaluations",
            json={"school_year": sy, "grade": "qualified", "evaluated_on": f"{sy[-4:]}-07-01"},
            headers=world.h(HR),
        )
        assert r.status_code == 201, r.text
    await add_entry(client, world, sid, date="2022-02-28", category="general", source="training", hours=100)  # before
    await add_entry(client, world, sid, date="2024-05-01", category="general", source="training", hours=200)
    await add_entry(client, world, sid, date="2026-04-01", category="general", source="training", hours=150)
    short = await eligibility(client, world, sid, "registration", "2026-12-05")
    assert short["registration"]["status"] == "deferred" and "350/360" in short["registration"]["words"]
    await add_entry(client, world, sid, date="2026-05-01", category="general", source="training", hours=10)
    ok = await eligibility(client, world, sid, "registration", "2026-12-05")
    assert ok["registration"]["status"] == "eligible", ok
    assert ok["eligible"] is True, [r for r in ok["reasons"] if not r["passed"]]
    batch = await client.get(
        f"{API}/eligibility?purpose=registration&kindergarten_id={world.kg_a['id']}&on=2026-12-05&limit=500",
        headers=world.h(HR),
    )
    row = next(x for x in batch.json()["items"] if x["staff_id"] == sid)
    assert row["registration"] == ok["registration"] and row["eligible"] is True


async def evaluated(
    client: Any, world: World, sid: int, sy: str, grade: str, on: str, supersedes: int | None = None
) -> int:
    body: dict[str, Any] = {"school_year": sy, "grade": grade, "evaluated_on": on}
    if supersedes is not None:
        body["supersedes"] = supersedes
    r = await client.post(f"{API}/staff/{sid}/ethics/evaluations", json=body, headers=world.h(HR))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def test_a_past_day_reads_the_record_as_it_stood_then(client: Any, world: World) -> None:
    """Grades made after the day asked about are not read: an evaluation entered late leaves its year
    without an appraisal before it was made, and a correction counts from the day it was made."""
    sid = await compliant_teacher(client, world)
    await registered(client, world, sid, "2021-09-01")  # period 2021-09-01 .. 2026-09-01, due from 2025-09-01
    first = {}
    for sy in ("2021-2022", "2022-2023", "2023-2024"):
        first[sy] = await evaluated(client, world, sid, sy, "qualified", f"{sy[-4:]}-07-01")
    await evaluated(client, world, sid, "2024-2025", "qualified", "2025-10-15")  # entered late
    await evaluated(client, world, sid, "2023-2024", "unqualified", "2025-11-01", supersedes=first["2023-2024"])
    await add_entry(client, world, sid, date="2023-05-01", category="general", source="training", hours=360)

    async def status(on: str) -> tuple[str, str]:
        one = await eligibility(client, world, sid, "registration", on)
        batch = await client.get(
            f"{API}/eligibility?purpose=registration&kindergarten_id={world.kg_a['id']}&on={on}&limit=500",
            headers=world.h(HR),
        )
        row = next(x for x in batch.json()["items"] if x["staff_id"] == sid)
        assert row["registration"] == one["registration"], on
        return one["registration"]["status"], one["registration"]["words"]

    assert await status("2025-10-14") == (
        "deferred",
        "注册周期 2021-09-01 至 2026-09-01：暂缓注册（2024-2025 学年无合格及以上的考核）",
    )
    assert (await status("2025-10-15"))[0] == "eligible"  # the day the late evaluation was made
    assert (await status("2025-10-31"))[0] == "eligible"  # the correction is not made yet
    late = await status("2025-11-01")
    assert late[0] == "deferred" and "2023-2024 学年考核不合格" in late[1], late
