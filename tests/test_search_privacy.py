"""Search terms are literal text, and a search tells nobody an ID-number digit that is masked to them
(issue 14: ``search=110112________2221`` gave an inspector a teacher's full ID number).

The property: for every caller but district HR, the people a staff or pool search finds are exactly
those whose name, or whose ID number *as the caller sees it* (``mask_id_number``), contains the term
as written, ``%``, ``_`` and ``\\`` included. So two people whose numbers differ only in the masked
digits (the "twins" below: same area, same last four, born on other days of the same year) are found
or missed together, whatever the term.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel.common.privacy import mask_id_number
from registry.staff.rules import make_id_number
from tests.staffing.helpers import candidate_body
from tests.support import World, kindergarten_body, login, make_account, staff_body

API = "/api/v1"


def _twins(area: str, year: int, sequence: int, count: int) -> list[str]:
    """``count`` valid ID numbers that show the same to anyone but HR: one area, one birth year (shown
    as ``birth_year``), one sequence and check character; only the masked birth day differs."""
    by_check: dict[str, list[str]] = {}
    day = date(year, 1, 1)
    while day.year == year:
        number = make_id_number(area, day, sequence)
        by_check.setdefault(number[-1], []).append(number)
        day += timedelta(days=1)
    group = max(by_check.values(), key=len)
    return group[:: max(1, len(group) // count)][:count]


# Areas the other tests' builders never use (tests.support.new_id_number: 110105-110107).
STAFF_IDS = [
    *_twins("110112", 1988, 222, 4),
    *_twins("110228", 1979, 41, 3),
    make_id_number("120103", date(1990, 2, 3), 7),
]
POOL_IDS = [*_twins("110112", 1995, 222, 3), make_id_number("110229", date(1999, 9, 9), 13)]
NAMES = ["张_丽", "李%静", "王\\芳", "赵丽", "110112"]  # a name may hold the characters LIKE treats specially
ALPHABET = "0123456789X*_%\\张丽静"


@st.composite
def search_terms(draw: Any) -> str:
    """Terms a prober would try: pieces of the people's ID numbers or names with characters swapped for
    wildcards or the mask's stars, and arbitrary strings of digits, X, stars and wildcards."""
    how = draw(st.sampled_from(("id", "id", "name", "any")))
    if how == "any":
        return str(draw(st.text(alphabet=ALPHABET, min_size=1, max_size=20)))
    source = draw(st.sampled_from(STAFF_IDS + POOL_IDS if how == "id" else NAMES))
    start = draw(st.integers(0, len(source) - 1))
    end = draw(st.integers(start + 1, len(source)))
    chars = [draw(st.sampled_from((c, c, c, "_", "%", "*"))) for c in source[start:end]]
    edges = draw(st.sampled_from(("", "%")))
    return edges + "".join(chars) + edges


def expected(term: str, people: list[dict[str, Any]]) -> set[int]:
    """The model: the name or the ID number as shown to a caller who is not HR contains the term."""
    term = term.strip()
    if term[:1].isdigit():
        term = term.upper()
    return {p["id"] for p in people if term in p["name"] or term in mask_id_number(p["id_number"])}


class Population:
    def __init__(self) -> None:
        self.staff: list[dict[str, Any]] = []
        self.pool: list[dict[str, Any]] = []
        self.kg_id = 0
        self.street = ""
        self.headers: dict[str, dict[str, str]] = {}


@pytest.fixture(scope="module")
async def population(client: Any, world: World) -> Population:
    hr = world.h("district_hr")
    pop = Population()
    kg = (await client.post(f"{API}/kindergartens", json=kindergarten_body(name="搜索幼儿园"), headers=hr)).json()
    pop.kg_id = kg["id"]
    for number, name in zip(STAFF_IDS, itertools.cycle(NAMES), strict=False):
        r = await client.post(f"{API}/staff", json=staff_body(kg["id"], id_number=number, name=name), headers=hr)
        assert r.status_code == 201, r.text
        pop.staff.append({"id": r.json()["id"], "id_number": number, "name": name})
    pop.street = f"搜索街道{uuid.uuid4().hex[:6]}"
    for number, name in zip(POOL_IDS, itertools.cycle(NAMES), strict=False):
        body = candidate_body(id_number=number, name=name, streets=[pop.street])
        r = await client.post(f"{API}/pool/candidates", json=body, headers=hr)
        assert r.status_code == 201, r.text
        pop.pool.append({"id": r.json()["id"], "id_number": number, "name": name})
    suffix = uuid.uuid4().hex[:6]
    await make_account("kindergarten_admin", f"search_admin_{suffix}", kindergarten_code=kg["code"])
    pop.headers = {
        "district_hr": hr,
        "inspector": world.h("inspector"),
        "kindergarten_admin": {"Authorization": f"Bearer {await login(client, f'search_admin_{suffix}')}"},
    }
    return pop


async def found(client: Any, url: str, params: dict[str, Any], headers: dict[str, str]) -> set[int]:
    r = await client.get(url, params={**params, "limit": 500}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return {item["id"] for item in body["items"]}


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(term=search_terms())
async def test_no_search_finds_a_person_through_masked_digits(client: Any, population: Population, term: str) -> None:
    pop = population
    staff = f"{API}/staff"
    in_kg = {"kindergarten_id": pop.kg_id, "search": term}
    for role in ("inspector", "kindergarten_admin"):
        assert await found(client, staff, in_kg, pop.headers[role]) == expected(term, pop.staff), role
    pool = f"{API}/pool/candidates"
    in_street = {"street": pop.street, "search": term}
    assert await found(client, pool, in_street, pop.headers["inspector"]) == expected(term, pop.pool)


async def test_the_reported_probe_finds_nobody(client: Any, population: Population) -> None:
    """The issue's reproduction: hidden digits as ``_``, and the whole number, for every role but HR."""
    for people, url, where in (
        (population.staff, f"{API}/staff", {"kindergarten_id": population.kg_id}),
        (population.pool, f"{API}/pool/candidates", {"street": population.street}),
    ):
        person = people[0]
        number = person["id_number"]
        for term in (number[:6] + "_" * 8 + number[14:], number[:6] + "%" + number[14:], number, number[:10]):
            assert await found(client, url, {**where, "search": term}, population.headers["inspector"]) == set()
        shown = mask_id_number(number)
        twins = {p["id"] for p in people if mask_id_number(p["id_number"]) == shown}
        assert len(twins) >= 2 and person["id"] in twins
        assert await found(client, url, {**where, "search": shown}, population.headers["inspector"]) == twins
        assert await found(client, url, {**where, "search": number[14:]}, population.headers["inspector"]) >= twins


async def test_hr_searches_the_number_by_its_start_literally(client: Any, population: Population) -> None:
    hr = population.headers["district_hr"]
    for people, url, where in (
        (population.staff, f"{API}/staff", {"kindergarten_id": population.kg_id}),
        (population.pool, f"{API}/pool/candidates", {"street": population.street}),
    ):
        person = people[0]
        number = person["id_number"]
        assert await found(client, url, {**where, "search": number[:14]}, hr) == {person["id"]}
        assert await found(client, url, {**where, "search": number}, hr) == {person["id"]}
        assert await found(client, url, {**where, "search": number[:6] + "_" * 8 + number[14:]}, hr) == set()
        assert await found(client, url, {**where, "search": "%" + number[14:]}, hr) == set()
        names = {p["id"] for p in people if "_" in p["name"]}
        assert await found(client, url, {**where, "search": "_"}, hr) == names


async def test_kindergarten_course_and_account_searches_are_literal(client: Any, world: World) -> None:
    hr = world.h("district_hr")
    code = f"Q{uuid.uuid4().hex[:6].upper()}"
    kg = await client.post(f"{API}/kindergartens", json=kindergarten_body(code=code, name="百分%幼儿园"), headers=hr)
    assert kg.status_code == 201, kg.text
    kindergartens = f"{API}/kindergartens"
    assert await found(client, kindergartens, {"search": "百分%"}, hr) == {kg.json()["id"]}
    assert await found(client, kindergartens, {"search": "百_%"}, hr) == set()
    assert await found(client, kindergartens, {"search": code[:1] + "_" + code[2:]}, hr) == set()
    assert await found(client, kindergartens, {"search": code}, hr) == {kg.json()["id"]}
    course = {
        "code": f"LIT{uuid.uuid4().hex[:6].upper()}",
        "title": "安全_培训",
        "category": "safety",
        "level": "district",
        "mode": "in_person",
        "hours": 8,
    }
    r = await client.post(f"{API}/training/courses", json=course, headers=hr)
    assert r.status_code == 201, r.text
    courses = f"{API}/training/courses"
    assert await found(client, courses, {"search": "安全_"}, hr) == {r.json()["id"]}
    assert await found(client, courses, {"search": "安全%培训"}, hr) == set()
    assert await found(client, courses, {"search": course["code"][:3] + "_"}, hr) == set()
