"""The demo's reserve pool and planned places (demo.pool): deterministic, the plan's
figures, ID numbers and certificates that pass the registry's own checks and never collide with the
staff register's."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest

from certificates.rules import teacher_qualification_problem
from demo.generator import DemoData, generate
from demo.pool import PLACED, POOL_CANDIDATES, DemoPool, make_pool
from registry.staff.rules import parse_id_number


@pytest.fixture(scope="module")
def demo() -> tuple[DemoData, Any, DemoPool]:
    data = generate("district", 2017)
    chunk = next(iter(data.iter_chunks()))
    return data, chunk, make_pool(data, chunk, 2017)


def test_the_same_seed_gives_the_same_pool(demo: tuple[DemoData, Any, DemoPool]) -> None:
    data, chunk, pool = demo
    again = make_pool(data, chunk, 2017)
    assert [c.id_number for c in again.candidates] == [c.id_number for c in pool.candidates]
    assert [(p.name, p.places) for p in again.planned] == [(p.name, p.places) for p in pool.planned]


def test_the_plans_planned_places(demo: tuple[DemoData, Any, DemoPool]) -> None:
    _, _, pool = demo
    by_item = Counter()
    for p in pool.planned:
        by_item[p.plan_item] += p.places
    # 9,130 + 2,220 + 750 + 7,740 + 630 + 4,680 (DOMAIN.md)
    assert sorted(by_item.values()) == sorted([9_130, 2_220, 750, 7_740, 630, 4_680])
    assert sum(by_item.values()) == 25_150
    assert sum(1 for p in pool.planned if p.kind == "new_kindergarten") == 26 + 6 + 43 + 3 + 26
    assert sum(1 for p in pool.planned if p.kind == "expansion") == 5
    assert len({p.street for p in pool.planned if "街乡" in p.plan_item}) == 43  # one per street
    assert all(date(2018, 1, 1) <= p.opens_on <= date(2020, 12, 31) for p in pool.planned)


def test_candidates(demo: tuple[DemoData, Any, DemoPool]) -> None:
    _, chunk, pool = demo
    assert len(pool.candidates) == POOL_CANDIDATES
    status = Counter(c.status for c in pool.candidates)
    assert status["placed"] == PLACED and status["withdrawn"] > 0 and status["available"] > 2_000
    assert len({c.id_number for c in pool.candidates}) == POOL_CANDIDATES
    staff = {s.index: s for s in chunk.staff}
    staff_ids = {s.id_number for s in chunk.staff}
    for c in pool.candidates:
        assert parse_id_number(c.id_number).birth_date == c.birth_date
        if c.status == "placed":
            assert c.staff is not None and staff[c.staff].id_number == c.id_number
        else:
            assert c.id_number not in staff_ids and c.staff is None
    assert {c.source for c in pool.candidates} == {
        "purchased_service",
        "university",
        "retired_teacher",
        "non_establishment",
    }


def test_placements_are_dated_hires_since_the_plans_start(demo: tuple[DemoData, Any, DemoPool]) -> None:
    _, chunk, pool = demo
    staff = {s.index: s for s in chunk.staff}
    assert len(pool.placements) == PLACED
    for p in pool.placements:
        s = staff[p.staff]
        assert p.starts_on == s.hired_on >= date(2018, 1, 1) and s.status != "left" and p.post == s.post


def test_certificates_pass_the_registers_checks(demo: tuple[DemoData, Any, DemoPool], tmp_path: Any) -> None:
    data, _, pool = demo
    numbers = Counter((c.type, c.number) for c in pool.certificates)
    assert max(numbers.values()) == 1
    for c in pool.certificates:
        if c.type == "teacher_qualification":
            assert teacher_qualification_problem(c.number, date(2026, 11, 29)) is None
        assert c.issued_on < date(2026, 11, 29)
    # never a number of the staff register's certificates (a placement copies them onto the record)
    staff_numbers = {(c.type, c.number) for _, history in data.iter_history() for c in history.certificates}
    assert not staff_numbers & set(numbers)
    ready = {c.candidate for c in pool.certificates if c.type == "post_certificate"}
    assert 0.2 < len(ready) / len(pool.candidates) < 0.5  # some can go on post, most need induction
