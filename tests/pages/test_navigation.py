"""Search, the kindergarten list sorted by a post's gap, the PDFs linked from their pages, a person's
record over time and a pool candidate's page (issue 15), through the app (httpx, no browser).

The search is checked as a role matrix: for each role and each kind of hit, what it must find and
what it must not (the API's scoping and masking); the sort order against the staffing figures the API
answers; each PDF route for each role (the API's guards: 403 for the role, 404 out of scope)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from certificates.tables import Certificate
from kernel.common.privacy import mask_id_number
from staffing.pool import candidate_row
from tests.pages.helpers import ROLE_USERS, log_in, page_client
from tests.staffing.helpers import candidate_body, people
from tests.support import World, give_training, insert_staff, kindergarten_body, new_id_number

ANON = "anonymous"
HR, ADMIN, TEACHER, INSPECTOR = "district_hr", "kindergarten_admin", "teacher", "inspector"
ROLES = (HR, ADMIN, TEACHER, INSPECTOR)
API = "/api/v1"


@pytest.fixture(scope="module")
async def clients(app: Any, world: World) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """A logged-in page client per role, and one for nobody."""
    async with AsyncExitStack() as stack:
        out: dict[str, httpx.AsyncClient] = {}
        for role, username in ROLE_USERS.items():
            c = await stack.enter_async_context(page_client(app))
            assert (await log_in(c, username)).status_code == 303
            out[role] = c
        anon = await stack.enter_async_context(page_client(app))
        await anon.get("/login")
        out[ANON] = anon
        yield out


# --- search ------------------------------------------------------------------------------------------------


async def _certificate(staff_id: int, number: str) -> int:
    rows = await Certificate.insert(
        Certificate(
            staff=staff_id,
            type="childcare_certificate",
            number=number,
            issuer="测试",
            issued_on=date(2021, 7, 1),
            expires_on=None,
            status="valid",
        )
    ).returning(Certificate.id)
    return int(rows[0]["id"])


@pytest.fixture(scope="module")
async def findable(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """One thing of each kind to find, in kindergarten A (the admin's, the teacher's) and in B, all
    sharing a tag no other test uses: a person in each (and the teacher's own record), a certificate
    of each, a kindergarten of each tag, a pool candidate."""
    tag = uuid.uuid4().hex[:6]
    idn_a, idn_b = new_id_number(), new_id_number()
    person_a = await insert_staff(world.kg_a["id"], name=f"寻{tag}甲", id_number=idn_a)
    person_b = await insert_staff(world.kg_b["id"], name=f"寻{tag}乙", id_number=idn_b)
    cert = f"SR{tag}".upper()
    certificates = {
        "a": await _certificate(person_a, f"{cert}-A"),
        "b": await _certificate(person_b, f"{cert}-B"),
        "own": await _certificate(world.staff_a["id"], f"{cert}-OWN"),
    }
    body = candidate_body(name=f"寻{tag}候选", id_number=new_id_number(born=date(1997, 3, 3)))
    r = await client.post(f"{API}/pool/candidates", json=body, headers=world.h(HR))
    assert r.status_code == 201, r.text
    return {
        "tag": tag,
        "cert": cert,
        "people": {"a": person_a, "b": person_b},
        "id_numbers": {"a": idn_a, "b": idn_b},
        "certificates": certificates,
        "candidate": r.json(),
    }


def _ids(html: str, attribute: str) -> set[int]:
    return {int(v) for v in re.findall(rf'data-{attribute}="(\d+)"', html)}


async def _search(c: httpx.AsyncClient, term: str) -> str:
    r = await c.get("/search", params={"q": term})
    assert r.status_code == 200, r.text[:2000]
    return r.text


# role → (people of A, people of B) found by name
PEOPLE = {HR: {"a", "b"}, INSPECTOR: {"a", "b"}, ADMIN: {"a"}, TEACHER: set()}
CERTIFICATES = {HR: {"a", "b", "own"}, INSPECTOR: {"a", "b", "own"}, ADMIN: {"a", "own"}, TEACHER: {"own"}}
KINDERGARTENS = {HR: {"a", "b"}, INSPECTOR: {"a", "b"}, ADMIN: {"a"}, TEACHER: None}  # None: not searched
CANDIDATES = {HR: True, INSPECTOR: True, ADMIN: None, TEACHER: None}


@pytest.mark.parametrize("role", ROLES)
async def test_search_finds_people_by_name_within_the_role_s_scope(
    clients: dict[str, httpx.AsyncClient], findable: dict[str, Any], role: str
) -> None:
    html = await _search(clients[role], f"寻{findable['tag']}")
    expected = {findable["people"][k] for k in PEOPLE[role]}
    assert _ids(html, "staff") == expected
    for key, staff_id in findable["people"].items():
        assert (f'href="/staff/{staff_id}"' in html) is (key in PEOPLE[role])


@pytest.mark.parametrize("role", ROLES)
async def test_search_finds_certificates_by_number_within_the_role_s_scope(
    clients: dict[str, httpx.AsyncClient], findable: dict[str, Any], role: str
) -> None:
    html = await _search(clients[role], findable["cert"].lower())
    assert _ids(html, "certificate") == {findable["certificates"][k] for k in CERTIFICATES[role]}
    if "own" in CERTIFICATES[role]:  # each hit links to its holder's page, at the certificate
        cid = findable["certificates"]["own"]
        assert re.search(rf'href="/staff/\d+#certificate-{cid}"', html)


@pytest.mark.parametrize("role", ROLES)
async def test_search_finds_kindergartens_by_code_or_name_within_the_role_s_scope(
    clients: dict[str, httpx.AsyncClient], world: World, role: str
) -> None:
    expected = KINDERGARTENS[role]
    for key, kg in (("a", world.kg_a), ("b", world.kg_b)):
        html = await _search(clients[role], kg["code"])
        found = _ids(html, "kindergarten")
        if expected is None:
            assert 'id="hits-kindergartens"' not in html and found == set()
        else:
            assert (kg["id"] in found) is (key in expected), (key, found)
            if key in expected:
                assert f'href="/kindergartens/{kg["id"]}"' in html


@pytest.mark.parametrize("role", ROLES)
async def test_search_finds_pool_candidates_only_with_pool_read(
    clients: dict[str, httpx.AsyncClient], findable: dict[str, Any], role: str
) -> None:
    candidate = findable["candidate"]
    html = await _search(clients[role], candidate["name"])
    if CANDIDATES[role]:
        assert _ids(html, "candidate") == {candidate["id"]}
        assert f'href="/pool/candidates/{candidate["id"]}"' in html
    else:
        assert 'id="hits-candidates"' not in html and _ids(html, "candidate") == set()
    full = (await _full_candidate(findable))["id_number"]
    assert (full in html) is (role == HR)  # the ID number masked but for district HR, as the API
    if CANDIDATES[role] and role != HR:
        assert mask_id_number(full) in html


async def _full_candidate(findable: dict[str, Any]) -> dict[str, Any]:
    return await candidate_row(findable["candidate"]["id"])


async def test_search_by_id_number_as_the_api_masks_it(
    clients: dict[str, httpx.AsyncClient], findable: dict[str, Any]
) -> None:
    """District HR finds a person by the whole number (or its start) and sees it; anyone else matches
    only what they see of it (area code, last four) and sees it masked."""
    idn_a, idn_b = findable["id_numbers"]["a"], findable["id_numbers"]["b"]
    pa, pb = findable["people"]["a"], findable["people"]["b"]
    hr = await _search(clients[HR], idn_a)
    assert pa in _ids(hr, "staff") and idn_a in hr
    assert pa in _ids(await _search(clients[HR], idn_a[:10]), "staff")
    for role in (INSPECTOR, ADMIN):
        assert pa not in _ids(await _search(clients[role], idn_a), "staff")  # the hidden digits tell nothing
        assert pa not in _ids(await _search(clients[role], idn_a[:10]), "staff")
        html = await _search(clients[role], mask_id_number(idn_a))
        assert pa in _ids(html, "staff")
        assert idn_a not in html and mask_id_number(idn_a) in html
    assert pb in _ids(await _search(clients[INSPECTOR], mask_id_number(idn_b)), "staff")
    assert pb not in _ids(await _search(clients[ADMIN], mask_id_number(idn_b)), "staff")  # not their kindergarten
    assert _ids(await _search(clients[TEACHER], mask_id_number(idn_a)), "staff") == set()


async def test_a_teacher_finds_only_themself(clients: dict[str, httpx.AsyncClient], world: World) -> None:
    html = await _search(clients[TEACHER], world.staff_a["name"])
    assert _ids(html, "staff") == {world.staff_a["id"]}
    assert world.staff_a["id_number"] in html  # their own number, in full (as GET /staff/{own})
    assert 'id="hits-kindergartens"' not in html and 'id="hits-candidates"' not in html


async def test_search_terms_are_literal_and_bounded(clients: dict[str, httpx.AsyncClient]) -> None:
    for term in ("%", "_", "\\"):
        html = await _search(clients[HR], term)
        assert _ids(html, "staff") == set(), term  # no name or number holds these
    r = await clients[HR].get("/search", params={"q": "x" * 101})
    assert r.status_code == 400
    empty = await _search(clients[HR], "   ")
    assert "在页面顶部的查找框输入" in empty and 'id="search-summary"' not in empty


async def test_the_search_box_is_on_every_logged_in_page(clients: dict[str, httpx.AsyncClient], world: World) -> None:
    for role, path in (
        (HR, "/dashboard"),
        (HR, "/kindergartens"),
        (ADMIN, f"/kindergartens/{world.kg_a['id']}"),
        (TEACHER, f"/staff/{world.staff_a['id']}"),
        (INSPECTOR, "/violations"),
        (TEACHER, "/staff/999999999"),  # an error page too
    ):
        html = (await clients[role].get(path)).text
        assert 'action="/search"' in html and 'id="site-q"' in html, (role, path)
        assert '<label for="site-q"' in html
    assert 'action="/search"' not in (await clients[ANON].get("/login")).text
    teacher = (await clients[TEACHER].get("/search")).text
    assert '<label for="site-q" class="visually-hidden">查找姓名、身份证号、证书编号</label>' in teacher
    hr = (await clients[HR].get("/search")).text
    everything = "查找姓名、身份证号、证书编号、园名、园所代码、储备库候选人"
    assert f'<label for="site-q" class="visually-hidden">{everything}</label>' in hr
    r = await clients[ANON].get("/search", params={"q": "张"})
    assert r.status_code == 303 and urlsplit(r.headers["location"]).path == "/login"


# --- kindergartens sorted by a post's gap ----------------------------------------------------------------------


@pytest.fixture(scope="module")
async def sort_street(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """Three kindergartens of a street of their own with different gaps per post."""
    street = f"排序街道{uuid.uuid4().hex[:8]}"
    kgs = []
    shapes = (("排序甲园", {"small": 3}), ("排序乙园", {"small": 1, "middle": 1}), ("排序丙园", {"large": 4}))
    for name, classes in shapes:
        body = kindergarten_body(name=name, street=street, classes=classes, children=25 * sum(classes.values()))
        r = await client.post(API + "/kindergartens", json=body, headers=world.h(HR))
        assert r.status_code == 201, r.text
        kgs.append(r.json())
    await people(kgs[0]["id"], "teacher", qualified=5)
    await people(kgs[1]["id"], "childcare_worker", qualified=2)
    await people(kgs[2]["id"], "teacher", qualified=1)
    await people(kgs[2]["id"], "health_doctor", qualified=1)
    return {"street": street, "kgs": kgs}


def _rows(html: str) -> list[tuple[int, dict[str, int | None]]]:
    """The list's rows in order: (kindergarten id, gap per post and 'total')."""
    out = []
    for m in re.finditer(r'<tr data-kindergarten="(\d+)"[^>]*>(.*?)</tr>', html, re.S):
        cells = re.findall(r'data-post="([a-z_]+)" data-gap="(\d*)"', m.group(2))
        gaps = {post: (int(v) if v else None) for post, v in cells}
        out.append((int(m.group(1)), gaps))
    return out


async def _api_gaps(client: httpx.AsyncClient, world: World, street: str, who: str = HR) -> dict[str, dict[str, Any]]:
    r = await client.get(
        f"{API}/staffing/gaps", params={"by": "kindergarten", "street": street, "limit": 500}, headers=world.h(who)
    )
    assert r.status_code == 200, r.text
    return {row["key"]: row for row in r.json()["rows"]}


POSTS = ("teacher", "childcare_worker", "health_doctor", "principal")


@pytest.mark.parametrize("sort", [*POSTS, "gap"])
@pytest.mark.parametrize("order", ["desc", "asc"])
async def test_kindergartens_sorted_by_a_post_s_gap(
    client: httpx.AsyncClient,
    clients: dict[str, httpx.AsyncClient],
    world: World,
    sort_street: dict[str, Any],
    sort: str,
    order: str,
) -> None:
    street = sort_street["street"]
    api = await _api_gaps(client, world, street)
    by_id = {kg["id"]: api[kg["code"]] for kg in sort_street["kgs"]}

    def gap(row: dict[str, Any]) -> int:
        return int(row["gap"]) if sort == "gap" else next(p["gap"] for p in row["posts"] if p["post"] == sort)

    # largest (or smallest) first, ties in code order: from the API's figures
    expected = sorted(by_id, key=lambda i: ((-gap(by_id[i]) if order == "desc" else gap(by_id[i])), by_id[i]["key"]))
    html = (await clients[HR].get("/kindergartens", params={"street": street, "sort": sort, "order": order})).text
    rows = _rows(html)
    assert [i for i, _ in rows] == expected
    for kg_id, gaps in rows:
        row = by_id[kg_id]
        assert gaps["total"] == row["gap"]
        assert all(gaps[p["post"]] == p["gap"] for p in row["posts"])
    # the sorted column says so, and its link turns the order round, keeping the street
    header = re.search(r'<th scope="col" class="[a-z -]+" aria-sort="([a-z]+)">\s*<a class="sort" href="([^"]+)"', html)
    assert header and header.group(1) == ("descending" if order == "desc" else "ascending")
    query = parse_qs(urlsplit(header.group(2).replace("&amp;", "&")).query)
    assert query == {"street": [street], "sort": [sort], "order": ["asc" if order == "desc" else "desc"]}
    assert html.count("aria-sort=") == 1


async def test_sorting_keeps_filters_and_paging(
    clients: dict[str, httpx.AsyncClient], sort_street: dict[str, Any]
) -> None:
    street = sort_street["street"]
    params = {"street": street, "sort": "teacher", "order": "desc"}
    whole = _rows((await clients[HR].get("/kindergartens", params=params)).text)
    first = await clients[HR].get("/kindergartens", params={**params, "limit": 2})
    second = await clients[HR].get("/kindergartens", params={**params, "limit": 2, "offset": 2})
    assert [i for i, _ in _rows(first.text) + _rows(second.text)] == [i for i, _ in whole]
    nxt = re.search(r'href="(/kindergartens\?[^"]*offset=2[^"]*)"', first.text)
    assert nxt, "no next-page link"
    query = parse_qs(urlsplit(nxt.group(1).replace("&amp;", "&")).query)
    assert query["sort"] == ["teacher"] and query["order"] == ["desc"] and query["street"] == [street]
    # a search narrows the sorted list; the filter form keeps the order
    named = (await clients[HR].get("/kindergartens", params={**params, "search": "排序乙"})).text
    assert [i for i, _ in _rows(named)] == [sort_street["kgs"][1]["id"]]
    assert '<input type="hidden" name="sort" value="teacher">' in named
    # every column header but the sorted one sorts largest first, keeping the filters
    for post in ("childcare_worker", "gap"):
        link = re.search(rf'href="(/kindergartens\?[^"]*sort={post}[^"]*)"', named)
        assert link
        q = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
        assert q == {"search": ["排序乙"], "street": [street], "sort": [post], "order": ["desc"]}


async def test_the_default_order_shows_each_post_s_gap_too(
    client: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], world: World, sort_street: dict[str, Any]
) -> None:
    api = await _api_gaps(client, world, sort_street["street"])
    html = (await clients[HR].get("/kindergartens", params={"street": sort_street["street"]})).text
    rows = _rows(html)
    codes = {kg["id"]: kg["code"] for kg in sort_street["kgs"]}
    assert [i for i, _ in rows] == sorted(codes, key=lambda i: codes[i])  # the register's order
    for kg_id, gaps in rows:
        assert gaps["total"] == api[codes[kg_id]]["gap"]
    assert 'aria-sort="ascending"' in html  # the code column
    # the admin's list: their kindergarten only, with its figures
    admin = _rows((await clients[ADMIN].get("/kindergartens", params={"sort": "teacher"})).text)
    own = await _api_gaps(client, world, world.kg_a["street"], ADMIN)
    assert [i for i, _ in admin] == [world.kg_a["id"]]
    assert admin[0][1]["teacher"] == next(p["gap"] for p in own[world.kg_a["code"]]["posts"] if p["post"] == "teacher")


@pytest.mark.parametrize("query", ["sort=name", "sort=teacher&order=up", "sort=-gap"])
async def test_an_unknown_sort_is_a_400(clients: dict[str, httpx.AsyncClient], query: str) -> None:
    assert (await clients[HR].get(f"/kindergartens?{query}")).status_code == 400


# --- the PDFs linked from their pages ----------------------------------------------------------------------------

PDF_MATRIX = {
    "/staff/{sa}/certificates.pdf": {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200},
    "/staff/{sb}/certificates.pdf": {ADMIN: 404, TEACHER: 404},
    "/kindergartens/{A}/staffing.pdf": {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200},
    "/kindergartens/{B}/staffing.pdf": {ADMIN: 404, TEACHER: 403},
    "/district/staffing.pdf": {HR: 200, ADMIN: 403, TEACHER: 403, INSPECTOR: 200},
    "/district/compliance.pdf": {HR: 200, ADMIN: 403, TEACHER: 403, INSPECTOR: 200},
    "/district/vetoes.pdf": {HR: 200, ADMIN: 403, TEACHER: 403, INSPECTOR: 403},
}


def _fill(path: str, world: World) -> str:
    return (
        path.replace("{A}", str(world.kg_a["id"]))
        .replace("{B}", str(world.kg_b["id"]))
        .replace("{sa}", str(world.staff_a["id"]))
        .replace("{sb}", str(world.staff_b["id"]))
    )


@pytest.mark.parametrize(
    ("path", "role", "expected"),
    [
        pytest.param(path, role, code, id=f"{path} as {role}")
        for path, codes in PDF_MATRIX.items()
        for role, code in [*codes.items(), (ANON, 303)]
    ],
)
async def test_pdf_routes_answer_a_pdf_with_the_api_s_guard(
    clients: dict[str, httpx.AsyncClient], world: World, path: str, role: str, expected: int
) -> None:
    url = _fill(path, world)
    r = await clients[role].get(url)
    assert r.status_code == expected, r.text[:1000]
    if expected == 200:
        assert r.headers["content-type"] == "application/pdf"
        assert r.content.startswith(b"%PDF")
        assert r.headers["content-disposition"].startswith("attachment;")
        assert r.headers["cache-control"] == "no-store"
        assert re.fullmatch(r"[0-9A-Z-]+", r.headers["x-verification-code"])
    elif expected == 303:
        assert urlsplit(r.headers["location"]).path == "/login"
    else:
        assert r.headers["content-type"].startswith("text/html")


async def test_each_pdf_is_linked_from_its_page(clients: dict[str, httpx.AsyncClient], world: World) -> None:
    sa, kg = world.staff_a["id"], world.kg_a["id"]
    for role in ROLES:
        person = (await clients[role].get(f"/staff/{sa}")).text
        assert f'href="/staff/{sa}/certificates.pdf"' in person and f'href="/staff/{sa}/transcript.pdf"' in person
    for role in (HR, ADMIN, INSPECTOR):
        assert f'href="/kindergartens/{kg}/staffing.pdf"' in (await clients[role].get(f"/kindergartens/{kg}")).text
    hr = (await clients[HR].get("/dashboard")).text
    inspector = (await clients[INSPECTOR].get("/dashboard")).text
    for html in (hr, inspector):
        assert 'href="/district/staffing.pdf"' in html and 'href="/district/compliance.pdf"' in html
    assert 'href="/district/vetoes.pdf"' in hr
    assert "vetoes.pdf" not in inspector  # district HR only, as the API's report.ethics


# --- a person's record over time ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def history(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """A person in B who moved to A, with a suspended certificate, two training results, credits, an
    ethics evaluation and a sanction; made through the API where it has a route."""
    sid = await insert_staff(world.kg_b["id"], name="履历者", id_number=new_id_number())
    h = world.h(HR)
    moved_on = date.today() - timedelta(days=30)
    r = await client.post(
        f"{API}/staff/{sid}/transfer",
        json={"kindergarten_id": world.kg_a["id"], "on": moved_on.isoformat(), "reason": "轮岗交流"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    cid = await _certificate(sid, f"HIS{uuid.uuid4().hex[:8]}".upper())
    r = await client.patch(f"{API}/certificates/{cid}", json={"status": "suspended", "reason": "暂停核查"}, headers=h)
    assert r.status_code == 200, r.text
    await give_training(sid, "ethics", completed_on=date.today() - timedelta(days=60))
    await give_training(sid, "safety", passed=False, completed_on=date.today() - timedelta(days=50))
    entry = {
        "staff_id": sid,
        "date": date.today().isoformat(),
        "category": "general",
        "source": "research",
        "hours": 20,
        "reason": "课题",
    }
    r = await client.post(f"{API}/credits/entries", json=entry, headers=h)
    assert r.status_code == 201, r.text
    year = date.today().year if date.today().month >= 9 else date.today().year - 1
    evaluation = {"school_year": f"{year - 1}-{year}", "grade": "excellent", "evaluated_on": f"{year}-07-01"}
    r = await client.post(f"{API}/staff/{sid}/ethics/evaluations", json=evaluation, headers=h)
    assert r.status_code == 201, r.text
    sanction = {"violation": 3, "facts": "体罚幼儿", "sanction": "warning", "decided_on": date.today().isoformat()}
    r = await client.post(f"{API}/staff/{sid}/ethics/sanctions", json=sanction, headers=h)
    assert r.status_code == 201, r.text
    return {"id": sid, "certificate": cid, "moved_on": moved_on}


async def test_the_person_page_shows_the_record_over_time(
    client: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], world: World, history: dict[str, Any]
) -> None:
    sid = history["id"]
    h = world.h(HR)
    staff = (await client.get(f"{API}/staff/{sid}", headers=h)).json()
    training = (await client.get(f"{API}/staff/{sid}/training", headers=h)).json()
    transcript = (await client.get(f"{API}/staff/{sid}/credits", headers=h)).json()
    ethics = (await client.get(f"{API}/staff/{sid}/ethics", headers=h)).json()
    for role in (HR, INSPECTOR, ADMIN):  # the admin: the person works in their kindergarten now
        html = (await clients[role].get(f"/staff/{sid}")).text
        # posts over time: both kindergartens, newest first, the current one marked
        posts = re.findall(r'<li(?: class="current")? data-kindergarten="(\d+)" data-post="([a-z_]+)"', html)
        assert posts == [(str(a["kindergarten_id"]), a["post"]) for a in staff["assignments"]]
        assert [int(k) for k, _ in posts] == [world.kg_a["id"], world.kg_b["id"]]
        assert "轮岗交流" in html and history["moved_on"].isoformat() in html and "现任" in html
        # the certificate with its event
        assert f'id="certificate-{history["certificate"]}"' in html
        assert 'data-status="suspended"' in html and "暂停核查" in html
        # training results as the API's, passed and failed
        results = re.findall(r'data-enrolment="(\d+)" data-result="([a-z]+)"', html)
        outcomes = {None: "none", True: "passed", False: "failed"}
        assert results == [
            (str(t["enrolment_id"]), outcomes[None if t["result"] is None else t["result"]["passed"]])
            for t in training["records"]
        ]
        assert {r for _, r in results} == {"passed", "failed"}
        # credits: this cycle per year (and the cycle before)
        assert f'data-cycle="{transcript["cycle"]}" data-counted="{transcript["counted"]}"' in html
        for y in transcript["by_year"]:
            assert f'<tr data-year="{y["year"]}">' in html
        # ethics: the evaluation and the sanction in force, the veto named
        assert len(re.findall(r"data-evaluation=", html)) == len(ethics["evaluations"]) == 1
        assert "优秀" in html and "警告" in html and 'data-in-force="yes"' in html
        assert 'id="veto"' in html
        # ID number masked as the API shows it to this role
        assert (staff["id_number"] in html) is (role == HR)
    assert (await clients[TEACHER].get(f"/staff/{sid}")).status_code == 404


async def test_a_teacher_s_own_page(clients: dict[str, httpx.AsyncClient], world: World) -> None:
    html = (await clients[TEACHER].get(f"/staff/{world.staff_a['id']}")).text
    for section in ('id="posts"', 'id="training"', 'id="credits"', 'id="ethics"', "我的证书"):
        assert section in html
    assert 'id="veto"' not in html and 'id="sanctions-none"' in html


# --- a pool candidate's page ----------------------------------------------------------------------------------------


async def test_the_candidate_page_masks_as_the_api(
    clients: dict[str, httpx.AsyncClient], findable: dict[str, Any]
) -> None:
    full = (await _full_candidate(findable))["id_number"]
    url = f"/pool/candidates/{findable['candidate']['id']}"
    hr = await clients[HR].get(url)
    assert hr.status_code == 200 and full in hr.text and findable["candidate"]["name"] in hr.text
    inspector = await clients[INSPECTOR].get(url)
    assert inspector.status_code == 200 and full not in inspector.text and mask_id_number(full) in inspector.text
    for role in (ADMIN, TEACHER):
        assert (await clients[role].get(url)).status_code == 403
    assert (await clients[HR].get("/pool/candidates/999999999")).status_code == 404
