"""The web pages through the app (httpx, no browser): every page route for every role and for
nobody logged in, the session cookie's flags, CSRF on forms (and not on the JSON API), the security
headers, logging in and out, and figures that match the API's."""

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

from tests.pages.helpers import (
    CSRF_COOKIE,
    ROLE_USERS,
    SESSION_COOKIE,
    csrf_of,
    log_in,
    page_client,
    set_cookie_headers,
    token_of,
)
from tests.support import PASSWORD, World, insert_staff, kindergarten_body, login, make_account, new_id_number

ANON = "anonymous"
HR, ADMIN, TEACHER, INSPECTOR = "district_hr", "kindergarten_admin", "teacher", "inspector"
ROLES = (HR, ADMIN, TEACHER, INSPECTOR)
API = "/api/v1"
LOGIN = "login"  # expected: a redirect to the login page


@pytest.fixture(scope="session")
async def clients(app: Any, world: World) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """A logged-in page client per role, and one for nobody (holding a CSRF cookie, as a browser
    that opened the login page does)."""
    async with AsyncExitStack() as stack:
        out: dict[str, httpx.AsyncClient] = {}
        for role, username in ROLE_USERS.items():
            c = await stack.enter_async_context(page_client(app))
            r = await log_in(c, username)
            assert r.status_code == 303, r.text
            out[role] = c
        anon = await stack.enter_async_context(page_client(app))
        await anon.get("/login")
        out[ANON] = anon
        yield out


@pytest.fixture(scope="session")
async def own_kg(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """A kindergarten of these tests' own (in a street of its own), so the rows they add (people on
    post, credits, a sanction, a placement) change no figure another test reads."""
    body = kindergarten_body(name="页面测试幼儿园", street=f"页面测试街道{uuid.uuid4().hex[:8]}")
    r = await client.post(API + "/kindergartens", json=body, headers=world.h(HR))
    assert r.status_code == 201, r.text
    return dict(r.json())


def _case(method: str, path: str, expected: dict[str, int | str]) -> list[Any]:
    return [pytest.param(method, path, role, code, id=f"{method} {path} as {role}") for role, code in expected.items()]


def _all(code: int | str) -> dict[str, int | str]:
    return {HR: code, ADMIN: code, TEACHER: code, INSPECTOR: code, ANON: LOGIN}


# {A}/{B}: kindergartens A and B; {sa}/{sb}: the teacher of A (the teacher account's own record) and of B.
MATRIX = [
    *_case("GET", "/me", {HR: 404, ADMIN: 404, TEACHER: 303, INSPECTOR: 404, ANON: LOGIN}),
    *_case("GET", "/staff/{sa}", _all(200)),
    *_case("GET", "/staff/{sb}", {HR: 200, ADMIN: 404, TEACHER: 404, INSPECTOR: 200, ANON: LOGIN}),
    *_case("GET", "/staff/{sa}/credits", _all(200)),
    *_case("GET", "/staff/{sb}/credits", {HR: 200, ADMIN: 404, TEACHER: 404, INSPECTOR: 200, ANON: LOGIN}),
    *_case("GET", "/staff/{sa}/eligibility", _all(200)),
    *_case("GET", "/staff/{sb}/eligibility", {HR: 200, ADMIN: 404, TEACHER: 404, INSPECTOR: 200, ANON: LOGIN}),
    *_case("GET", "/staff/{sa}/transcript.pdf", {TEACHER: 200, HR: 200, ANON: LOGIN}),
    *_case("GET", "/staff/{sb}/transcript.pdf", {ADMIN: 404, TEACHER: 404}),
    *_case("GET", "/dashboard", {HR: 200, ADMIN: 403, TEACHER: 403, INSPECTOR: 200, ANON: LOGIN}),
    *_case("GET", "/violations", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: LOGIN}),
    *_case("GET", "/expiring", _all(200)),
    *_case("GET", "/rounds", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: LOGIN}),
    *_case(
        "GET", "/rounds?purpose=award&on=2024-12-20", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: LOGIN}
    ),
    *_case("GET", "/rounds.xlsx?purpose=title", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: LOGIN}),
    *_case("GET", "/kindergartens", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: LOGIN}),
    *_case("GET", "/kindergartens/{A}", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: LOGIN}),
    *_case("GET", "/kindergartens/{B}", {HR: 200, ADMIN: 404, TEACHER: 403, INSPECTOR: 200, ANON: LOGIN}),
    *_case(
        "GET",
        "/kindergartens/{A}/pool-matches?post=teacher",
        {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: LOGIN},
    ),
    *_case(
        "GET",
        "/kindergartens/{B}/pool-matches?post=teacher",
        {HR: 200, ADMIN: 404, TEACHER: 403, INSPECTOR: 200, ANON: LOGIN},
    ),
    # no such candidate: district HR passes the guard and is sent back with a message (303)
    *_case(
        "POST", "/pool/candidates/999999999/placement", {HR: 303, ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: LOGIN}
    ),
]


def _fill(path: str, world: World) -> str:
    return (
        path.replace("{A}", str(world.kg_a["id"]))
        .replace("{B}", str(world.kg_b["id"]))
        .replace("{sa}", str(world.staff_a["id"]))
        .replace("{sb}", str(world.staff_b["id"]))
    )


@pytest.mark.parametrize(("method", "path", "role", "expected"), MATRIX)
async def test_role_matrix(
    clients: dict[str, httpx.AsyncClient], world: World, method: str, path: str, role: str, expected: int | str
) -> None:
    c = clients[role]
    url = _fill(path, world)
    if method == "GET":
        r = await c.get(url)
    else:
        data = {"_csrf_token": c.cookies[CSRF_COOKIE], "kindergarten_id": str(world.kg_a["id"]), "post": "teacher"}
        r = await c.post(url, data=data)
    if expected == LOGIN:
        assert r.status_code == 303, r.text
        assert urlsplit(r.headers["location"]).path == "/login"
        if method == "GET":  # back to the page after logging in
            assert parse_qs(urlsplit(r.headers["location"]).query)["next"] == [url]
        return
    assert r.status_code == expected, r.text[:2000]
    if expected == 200 and url.endswith(".pdf"):
        assert r.headers["content-type"] == "application/pdf"
        assert r.content.startswith(b"%PDF")
        assert r.headers["content-disposition"].startswith("attachment;")
    elif expected == 200 and ".xlsx" in url:
        assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
        assert r.content.startswith(b"PK")  # a zip: the workbook
        assert r.headers["content-disposition"].startswith("attachment;")
    elif expected in (200, 403, 404):
        assert r.headers["content-type"].startswith("text/html")
        assert '<html lang="zh-CN">' in r.text


@pytest.mark.parametrize(
    ("role", "home"),
    [(HR, "/dashboard"), (ADMIN, "/kindergartens/{A}"), (TEACHER, "/staff/{sa}"), (INSPECTOR, "/dashboard")],
)
async def test_home_is_the_role_s_first_page(
    clients: dict[str, httpx.AsyncClient], world: World, role: str, home: str
) -> None:
    r = await clients[role].get("/")
    assert r.status_code == 303
    assert r.headers["location"] == _fill(home, world)
    assert (await clients[ANON].get("/")).headers["location"] == "/login"


# --- session cookie, CSRF, headers -------------------------------------------------------------------


async def test_session_cookie_flags_over_http_and_https(app: Any) -> None:
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        async with page_client(app, base) as c:
            form = await c.get("/login")
            csrf_cookie = set_cookie_headers(form, CSRF_COOKIE)[0]
            r = await c.post(
                "/login",
                data={"username": "w_teacher", "password": PASSWORD, "_csrf_token": csrf_of(form.text)},
            )
            assert r.status_code == 303, r.text
            [session] = set_cookie_headers(r, SESSION_COOKIE)
            for cookie in (session, csrf_cookie):
                flags = [part.strip().lower() for part in cookie.split(";")]
                assert "httponly" in flags
                assert "samesite=lax" in flags
                assert "path=/" in flags
                assert ("secure" in flags) is secure, cookie  # REGISTRY_COOKIE_SECURE=auto


def test_cookie_secure_setting() -> None:
    from litestar.datastructures import MutableScopeHeaders

    from pages.security import add_security_headers

    def flags(setting: str, scheme: str) -> list[str]:
        message: dict[str, Any] = {"type": "http.response.start", "headers": []}
        headers = MutableScopeHeaders.from_message(message)  # type: ignore[arg-type]
        headers.add("set-cookie", "registry_session=x; HttpOnly; Path=/; SameSite=lax")
        headers.add("set-cookie", "registry_csrf=y; HttpOnly; Path=/; SameSite=lax; Secure")
        add_security_headers(headers, {"type": "http", "scheme": scheme}, setting)  # type: ignore[arg-type]
        return headers.getall("set-cookie")

    assert all(c.endswith("Secure") for c in flags("true", "http"))
    assert all(c.endswith("Secure") for c in flags("auto", "https"))
    assert flags("auto", "http")[0].endswith("SameSite=lax")
    assert flags("false", "https")[0].endswith("SameSite=lax")
    assert all(c.count("Secure") == 1 for c in flags("true", "https"))


async def test_form_post_without_csrf_token_is_refused(app: Any, clients: dict[str, httpx.AsyncClient]) -> None:
    async with page_client(app) as c:
        await c.get("/login")  # has the cookie, but the form lacks the field
        r = await c.post("/login", data={"username": "w_teacher", "password": PASSWORD})
        assert r.status_code == 403
        assert "CSRF" in r.text
        assert SESSION_COOKIE not in c.cookies
        r = await c.post(
            "/login",
            data={"username": "w_teacher", "password": PASSWORD, "_csrf_token": "0" * 128},
        )
        assert r.status_code == 403
    async with page_client(app) as fresh:  # no cookie at all (a forged cross-site form)
        r = await fresh.post("/login", data={"username": "w_teacher", "password": "x", "_csrf_token": "abc"})
        assert r.status_code == 403
    # a logged-in teacher's logout without the token is refused and leaves the session alone
    teacher = clients[TEACHER]
    assert (await teacher.post("/logout")).status_code == 403
    assert (await teacher.get("/")).headers["location"].startswith("/staff/")


async def test_csrf_does_not_apply_to_the_json_api(app: Any, world: World) -> None:
    async with page_client(app) as c:
        r = await c.post(API + "/auth/token", json={"username": "w_hr", "password": PASSWORD})
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
        r = await c.get(API + "/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        assert not set_cookie_headers(r, CSRF_COOKIE)  # the API sets no page cookies
        assert "default-src 'none'" in r.headers["content-security-policy"]  # the API's policy, not the pages'
        body = kindergarten_body(name="接口新园")
        r = await c.post(API + "/kindergartens", json=body, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201, r.text
        # a page session is no API credential
        await c.get("/login")
        assert (await c.get(API + "/me")).status_code == 401


async def test_security_headers_on_pages_errors_redirects_and_static(clients: dict[str, httpx.AsyncClient]) -> None:
    teacher = clients[TEACHER]
    responses = [
        await teacher.get("/"),
        await teacher.get("/expiring"),
        await teacher.get("/dashboard"),  # 403 page
        await teacher.get("/staff/999999999"),  # 404 page
        await clients[ANON].get("/login"),
        await clients[ANON].get("/static/app.css"),
    ]
    for r in responses:
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
    assert responses[1].headers["cache-control"] == "no-store"


async def test_pages_need_no_inline_script_or_style(clients: dict[str, httpx.AsyncClient], world: World) -> None:
    """The CSP forbids inline script and style: the pages must not rely on them."""
    pages = [
        (TEACHER, f"/staff/{world.staff_a['id']}"),
        (TEACHER, f"/staff/{world.staff_a['id']}/credits"),
        (TEACHER, f"/staff/{world.staff_a['id']}/eligibility"),
        (HR, "/dashboard"),
        (HR, "/violations"),
        (HR, "/rounds"),
        (HR, f"/kindergartens/{world.kg_a['id']}"),
        (HR, f"/kindergartens/{world.kg_a['id']}/pool-matches"),
        (ANON, "/login"),
    ]
    for role, path in pages:
        html = (await clients[role].get(path)).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"<style\b", html), path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        # every input has a label
        for input_id in re.findall(r'<input[^>]*type="(?:text|password|search|date)"[^>]*id="([^"]+)"', html):
            assert f'for="{input_id}"' in html, (path, input_id)


# --- logging in and out ----------------------------------------------------------------------------------


async def test_login_then_logout_ends_the_session_everywhere(app: Any, world: World) -> None:
    """A logout ends the account's sessions on every device and the session cookie copied before it:
    the session carries the account's session epoch, which the logout moves on. Other accounts'
    sessions stay. (An account of its own: the shared per-role clients must stay logged in.)"""
    username = f"out_{uuid.uuid4().hex[:8]}"
    await make_account("inspector", username)
    async with page_client(app) as c, page_client(app) as phone, page_client(app) as thief:
        target = "/dashboard"
        r = await c.get(target)
        assert r.status_code == 303
        r = await log_in(c, username, nxt=target)
        assert r.status_code == 303
        assert r.headers["location"] == target  # back where they wanted to go
        assert (await c.get(target)).status_code == 200
        assert (await log_in(phone, username)).status_code == 303  # the same account on another device
        assert (await phone.get(target)).status_code == 200
        thief.cookies.set(SESSION_COOKIE, c.cookies[SESSION_COOKIE])  # a copy of the cookie
        assert (await thief.get(target)).status_code == 200
        token = await token_of(c, target)
        r = await c.post("/logout", data={"_csrf_token": token})
        assert r.status_code == 303
        assert r.headers["location"] == "/login"
        for browser in (c, phone, thief):
            r = await browser.get(target)
            assert r.status_code == 303  # logged out: back to the login page
            assert urlsplit(r.headers["location"]).path == "/login"
        assert "您已安全退出" in (await c.get("/login")).text
        assert (await log_in(c, username)).status_code == 303  # a new login works
        assert (await c.get(target)).status_code == 200


async def test_deactivation_ends_the_page_session_at_once(app: Any, client: httpx.AsyncClient, world: World) -> None:
    from registry.accounts.tables import Account

    username = f"off_{uuid.uuid4().hex[:8]}"
    await make_account("inspector", username)
    async with page_client(app) as c:
        assert (await log_in(c, username)).status_code == 303
        assert (await c.get("/dashboard")).status_code == 200  # its standing is cached
        row = await Account.select(Account.id).where(Account.username == username).first()
        assert row is not None
        r = await client.post(f"{API}/accounts/{row['id']}/deactivate", headers=world.h(HR))
        assert r.status_code == 200, r.text
        r = await c.get("/dashboard")
        assert r.status_code == 303 and urlsplit(r.headers["location"]).path == "/login"
        assert (await log_in(c, username)).status_code == 401  # and no new login


async def test_login_refuses_wrong_passwords_and_shows_the_lockout(app: Any, world: World) -> None:
    await make_account("teacher", "w_locked", staff_id_number=world.staff_a["id_number"])
    async with page_client(app) as c:
        r = await log_in(c, "w_locked", password="wrong-password-1")
        assert r.status_code == 401
        assert "用户名或密码错误" in r.text
        assert 'value="w_locked"' in r.text  # the username stays filled in
        for _ in range(10):
            r = await log_in(c, "w_locked", password="wrong-password-1")
            if r.status_code == 429:
                break
        assert r.status_code == 429
        assert "账户已暂时锁定" in r.text
        assert int(r.headers["retry-after"]) > 0
        r = await log_in(c, "w_locked")  # the right password does not get in while locked
        assert r.status_code == 429
        assert SESSION_COOKIE not in c.cookies


async def test_a_nul_character_in_a_form_is_refused_alike_on_both_engines(app: Any) -> None:
    """Issue 14: a NUL in a form field is a 4xx naming the field (the API's input models refuse it too);
    before, the login form passed it to the database: a 400 from PostgreSQL's driver, stored by SQLite."""
    async with page_client(app) as c:
        r = await log_in(c, "w_teacher\x00")
        assert r.status_code in (400, 422), r.status_code
        assert "username" in r.text
        assert SESSION_COOKIE not in c.cookies


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/login"])
async def test_login_never_redirects_off_site(app: Any, world: World, target: str) -> None:
    async with page_client(app) as c:
        r = await log_in(c, "w_teacher", nxt=target)
        assert r.status_code == 303
        assert r.headers["location"] == f"/staff/{world.staff_a['id']}"


async def test_unknown_query_parameter_is_a_400_page(clients: dict[str, httpx.AsyncClient]) -> None:
    r = await clients[HR].get("/violations?pots=teacher")
    assert r.status_code == 400
    assert "请求有误" in r.text


# --- what the pages show ---------------------------------------------------------------------------------------


def _progress(html: str, key: str) -> tuple[float, float]:
    m = re.search(rf'<progress[^>]*data-key="{re.escape(key)}" data-value="([^"]+)" data-max="([^"]+)"', html)
    assert m, f"no bar {key}"
    return float(m.group(1)), float(m.group(2))


async def test_teacher_credit_bars_match_the_api(
    app: Any, client: httpx.AsyncClient, world: World, own_kg: dict[str, Any]
) -> None:
    idn = new_id_number()
    sid = await insert_staff(own_kg["id"], name="学分者", id_number=idn)
    await make_account("teacher", "p_credits", staff_id_number=idn)
    for category, hours in (("family", 10), ("general", 30)):
        body = {
            "staff_id": sid,
            "date": date.today().isoformat(),
            "category": category,
            "source": "training",
            "hours": hours,
            "reason": "页面测试",
        }
        r = await client.post(API + "/credits/entries", json=body, headers=world.h(HR))
        assert r.status_code == 201, r.text
    token = await login(client, "p_credits")
    api = (await client.get(API + "/me/credits", headers={"Authorization": f"Bearer {token}"})).json()
    async with page_client(app) as teacher:
        assert (await log_in(teacher, "p_credits")).headers["location"] == f"/staff/{sid}"
        html = (await teacher.get(f"/staff/{sid}/credits")).text
    assert api["counted"] > 0
    assert _progress(html, "overall") == (api["counted"], api["required"]["credits"])
    for cat in api["by_category"]:
        value, maximum = _progress(html, cat["category"])
        assert value == cat["counted"]
        assert maximum == (cat["required"] if cat["required"] > 0 else api["required"]["credits"])
    assert f'data-status="{api["status"]}"' in html
    assert api["cycle"] in html


async def test_eligibility_names_the_ethics_veto(
    client: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], world: World, own_kg: dict[str, Any]
) -> None:
    sid = await insert_staff(own_kg["id"], name="否决者", id_number=new_id_number())
    sanction = {"violation": 6, "facts": "测试", "sanction": "demerit", "decided_on": date.today().isoformat()}
    r = await client.post(f"{API}/staff/{sid}/ethics/sanctions", json=sanction, headers=world.h(HR))
    assert r.status_code == 201, r.text
    assert (await clients[ADMIN].get(f"/staff/{sid}/eligibility")).status_code == 404  # not their kindergarten
    html = (await clients[HR].get(f"/staff/{sid}/eligibility")).text
    assert 'id="veto"' in html
    assert "师德一票否决" in html
    assert "记过处分" in html
    assert 'data-eligible="yes"' not in html.split('id="card-registration"')[0]  # every vetoed purpose says no
    assert html.count('class="fail veto"') >= 4
    # other measures (取消资格) veto as well, named as no 处分
    measured = await insert_staff(own_kg["id"], name="诫勉者", id_number=new_id_number())
    other = {**sanction, "sanction": "other_measures"}
    r = await client.post(f"{API}/staff/{measured}/ethics/sanctions", json=other, headers=world.h(HR))
    assert r.status_code == 201, r.text
    html = (await clients[HR].get(f"/staff/{measured}/eligibility")).text
    assert (
        'id="veto"' in html
        and "其他处理（取消评优评先等资格）" in html
        and "其他处理（取消评优评先等资格）处分" not in html
    )
    assert html.count('class="fail veto"') >= 4
    # the teacher without a veto: no veto box
    ok = (await clients[TEACHER].get(f"/staff/{world.staff_a['id']}/eligibility")).text
    assert 'id="veto"' not in ok
    assert "职称评定" in ok and "评优评先" in ok


async def test_dashboard_figures_match_the_api(
    client: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], world: World
) -> None:
    progress = (await client.get(API + "/plan/progress", headers=world.h(HR))).json()
    html = (await clients[HR].get("/dashboard")).text
    for t in progress["targets"]:
        value, maximum = _progress(html, t["code"])
        assert value == (t["achieved"] or 0)
        assert maximum == (t["target"] if t["target"] is not None else 1.0)
        if t["unit"] == "people":  # every addition in the period, and those of them still on the roll
            assert f"其中仍在职 {t['still_on_roll']:,} 人" in html
    gaps = (await client.get(API + "/staffing/gaps?by=street&limit=500", headers=world.h(HR))).json()
    for row in gaps["rows"]:
        if row["gap"] > 0:
            assert re.search(rf'data-street="{re.escape(row["key"])}"', html)
    assert f'<strong id="gap-total">{gaps["total"]["gap"]:,}</strong>' in html


async def test_rounds_page_counts_and_download_match_the_api(
    client: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], world: World
) -> None:
    """评审名单: the counts are the batch answer's; the admin sees their kindergarten only; the
    download is the eligibility export of the same purpose and day."""
    from tests.bulk.helpers import read_xlsx

    params = {"purpose": "award", "on": "2024-12-20"}
    for role in (HR, ADMIN):
        batch = (await client.get(f"{API}/eligibility", params={**params, "limit": 1}, headers=world.h(role))).json()
        html = (await clients[role].get("/rounds", params=params)).text
        assert f"在岗 <strong>{batch['total']:,}</strong> 人" in html
        assert f'<strong id="eligible-count">{batch["eligible"]:,}</strong>' in html
        assert '<option value="award" selected>' in html and 'value="2024-12-20"' in html
        sheet = read_xlsx((await clients[role].get("/rounds.xlsx", params=params)).content)
        assert len(sheet) - 1 == batch["total"]
        assert sum(1 for row in sheet[1:] if row[6] == "是") == batch["eligible"]
    admin = (await clients[ADMIN].get("/rounds", params={**params, "limit": 200})).text
    assert f'/kindergartens/{world.kg_b["id"]}"' not in admin
    bad = await clients[HR].get("/rounds", params={"purpose": "lottery"})
    assert bad.status_code == 400 and "purpose" in bad.text


async def test_hr_places_a_pool_candidate_from_the_page(
    client: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], world: World, own_kg: dict[str, Any]
) -> None:
    from tests.staffing.helpers import candidate_body, teacher_certificates

    body = candidate_body(name="安置测试", certificates=teacher_certificates(), streets=[own_kg["street"]])
    r = await client.post(API + "/pool/candidates", json=body, headers=world.h(HR))
    assert r.status_code == 201, r.text
    candidate = r.json()
    hr = clients[HR]
    matches = await hr.get(f"/kindergartens/{own_kg['id']}/pool-matches?post=teacher&limit=200")
    assert f'data-candidate="{candidate["id"]}"' in matches.text
    assert f'action="/pool/candidates/{candidate["id"]}/placement"' in matches.text
    # inspectors see the matches but no place action (nor does an admin, on their own kindergarten)
    seen = await clients[INSPECTOR].get(f"/kindergartens/{own_kg['id']}/pool-matches?post=teacher&limit=200")
    assert seen.status_code == 200
    assert f'data-candidate="{candidate["id"]}"' in seen.text
    assert "/placement" not in seen.text
    seen = await clients[ADMIN].get(f"/kindergartens/{world.kg_a['id']}/pool-matches?post=teacher")
    assert seen.status_code == 200
    assert "/placement" not in seen.text
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    form = {
        "_csrf_token": csrf_of(matches.text),
        "kindergarten_id": str(own_kg["id"]),
        "post": "teacher",
        "starts_on": yesterday,
        "name": "安置测试",
    }
    r = await hr.post(f"/pool/candidates/{candidate['id']}/placement", data=form)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/kindergartens/{own_kg['id']}"
    page = (await hr.get(r.headers["location"])).text
    assert "已安置安置测试" in page
    placed = (await client.get(f"{API}/pool/candidates/{candidate['id']}", headers=world.h(HR))).json()
    assert placed["status"] == "placed"
    # a second placement is refused (409 from the service) and said so on the page, in the service's words;
    # the pages are Chinese whatever language the browser asks for (issue 15: the API follows it)
    for headers in ({}, {"Accept-Language": "en-US,en;q=0.9"}):
        r = await hr.post(f"/pool/candidates/{candidate['id']}/placement", data=form, headers=headers)
        assert r.status_code == 303
        page = (await hr.get(r.headers["location"], headers=headers)).text
        assert f"未能安置：候选人 {candidate['id']} 已安置（教职工 {placed['staff_id']}）" in page
