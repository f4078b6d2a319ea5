"""Run by test_district.py in a subprocess against the scratch database that holds the demo district:
asks a fixed list of GET endpoints (every controller, every role, anonymous too), the pages and
every export, on the demo's day with the clock stopped, and prints one line of JSON: for each
request its status, media type and the SHA-256 of its normalised body.

The answers are recorded once (``--record FILE``) and compared ever after: a change that should
not change behaviour (a move, a split, a new layer) must leave every hash as it was. A change
that does change an answer re-records the file and says why in its commit.

Normalised: CSP nonces and CSRF tokens (new per response), and ISO timestamps with a time of day
(login times, audit times). PDFs carry their issue time and a fresh verification code, so only
their status and media type are kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import re
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import time_machine

from app.factory import create_app
from demo.rows import DEMO_TODAY
from kernel.db import close_pool, start_pool
from kernel.settings import get_settings

STOPPED = datetime(DEMO_TODAY.year, DEMO_TODAY.month, DEMO_TODAY.day, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROLES = ("district_hr", "kindergarten_admin", "teacher", "inspector")
PURPOSES = ("title", "backbone", "award", "promotion", "registration")
_VOLATILE = [
    (re.compile(rb'nonce="[^"]+"'), b'nonce="-"'),
    (re.compile(rb"nonce-[A-Za-z0-9+/=_-]+"), b"nonce--"),
    (re.compile(rb'name="_csrf_token" value="[^"]+"'), b'name="_csrf_token" value="-"'),
    (re.compile(rb'name="csrf-token" content="[^"]+"'), b'name="csrf-token" content="-"'),
    (re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?"), b"<time>"),
    # the demo.load audit event records how long the load took and where the logins were written
    (re.compile(rb'"elapsed_seconds": ?[0-9.]+'), b'"elapsed_seconds":-'),
    (re.compile(rb'"credentials_path": ?"[^"]*"'), b'"credentials_path":"-"'),
]


def digest(r: httpx.Response) -> dict[str, Any]:
    media = r.headers.get("content-type", "").split(";")[0]
    out: dict[str, Any] = {"status": r.status_code, "type": media}
    if media == "application/pdf":
        return out
    body = r.content
    if media == XLSX:  # the cells and styles, not the zip's own entry times
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            body = b"".join(name.encode() + b"\0" + z.read(name) for name in sorted(z.namelist()))
    for pattern, repl in _VOLATILE:
        body = pattern.sub(repl, body)
    out["sha256"] = hashlib.sha256(body).hexdigest()
    out["bytes"] = len(body)
    return out


def credentials() -> dict[str, tuple[str, str]]:
    path = get_settings().var_dir / "demo-credentials.txt"
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        username, role, password = line.split("\t")
        out[role] = (username, password)
    return out


Headers = dict[str, str]


async def api_paths(c: httpx.AsyncClient, hr: Headers, admin: Headers, teacher: Headers) -> list[str]:
    me_admin = (await c.get("/api/v1/me", headers=admin)).json()
    me_teacher = (await c.get("/api/v1/me", headers=teacher)).json()
    kg = me_admin["kindergarten_id"]
    own = me_teacher["staff_id"]
    other = (await c.get(f"/api/v1/staff?kindergarten_id={kg}&limit=3", headers=hr)).json()["items"][-1]["id"]
    candidate = (await c.get("/api/v1/pool/candidates?limit=1", headers=hr)).json()["items"][0]["id"]
    planned = (await c.get("/api/v1/staffing/planned-places?limit=1", headers=hr)).json()["items"][0]["id"]
    course = (await c.get("/api/v1/training/courses?limit=1", headers=hr)).json()["items"][0]["id"]
    session = (await c.get("/api/v1/training/sessions?limit=1", headers=hr)).json()["items"][0]["id"]
    paths = [
        "/health",
        "/api/v1/schema/openapi.json",
        "/api/v1/me",
        "/api/v1/accounts",
        "/api/v1/audit?limit=5",
        "/api/v1/kindergartens",
        "/api/v1/kindergartens?street=望京街道&limit=200",
        f"/api/v1/kindergartens/{kg}",
        f"/api/v1/kindergartens/{kg}/pool-matches?post=teacher",
        f"/api/v1/kindergartens/{kg}/pool-matches?post=health_doctor",
        "/api/v1/staff",
        "/api/v1/staff?search=王&limit=100",
        f"/api/v1/staff?kindergarten_id={kg}&limit=200",
        f"/api/v1/staff/{own}",
        f"/api/v1/staff/{other}",
        f"/api/v1/staff/{own}/certificates",
        f"/api/v1/staff/{own}/dual-certificate",
        f"/api/v1/staff/{own}/training",
        f"/api/v1/staff/{own}/ethics",
        f"/api/v1/staff/{own}/credits",
        f"/api/v1/staff/{other}/credits",
        *(f"/api/v1/staff/{own}/eligibility?purpose={p}" for p in PURPOSES),
        "/api/v1/me/credits",
        "/api/v1/certificates/expiring",
        *(f"/api/v1/compliance/dual-certificate?by={by}" for by in ("kindergarten", "street", "group", "district")),
        "/api/v1/credits/policies",
        *(f"/api/v1/eligibility?purpose={p}" for p in PURPOSES),
        f"/api/v1/eligibility?purpose=title&kindergarten_id={kg}&limit=500",
        "/api/v1/ethics/standing",
        "/api/v1/training/courses",
        f"/api/v1/training/courses/{course}",
        "/api/v1/training/sessions",
        f"/api/v1/training/sessions/{session}",
        f"/api/v1/training/sessions/{session}/enrolments",
        "/api/v1/training/coverage",
        *(f"/api/v1/staffing/gaps?by={by}" for by in ("kindergarten", "street", "group", "ownership", "district")),
        "/api/v1/staffing/planned-places",
        f"/api/v1/staffing/planned-places/{planned}",
        "/api/v1/staffing/projection?on=2020-12-31",
        "/api/v1/plan/progress",
        "/api/v1/pool/candidates",
        f"/api/v1/pool/candidates/{candidate}",
        "/api/v1/imports/runs",
        "/api/v1/reports/me/certificates.pdf",
        f"/api/v1/reports/staff/{own}/credits.pdf",
        f"/api/v1/reports/kindergartens/{kg}/staffing.pdf",
        "/api/v1/reports/ethics/vetoes.pdf",
    ]
    for kind in ("kindergartens", "staff", "certificates", "training-results", "credits", "pool-candidates"):
        paths.append(f"/api/v1/imports/templates/{kind}.xlsx")
    exports = ("kindergartens", "staff", "certificates", "credits", "gaps", "eligibility")
    for kind in exports:
        extra = "purpose=award&" if kind == "eligibility" else ""
        if kind == "credits":
            extra = "year=2025&"  # the whole ledger (214,000 entries) takes 8 s and says nothing more
        paths.append(f"/api/v1/exports/{kind}.csv?{extra}")
        paths.append(f"/api/v1/exports/{kind}.xlsx?{extra}kindergarten_id={kg}")
    paths.append("/api/v1/exports/gaps.csv?by=street")
    page_paths = [
        "/",
        "/login",
        "/me",
        "/dashboard",
        "/expiring",
        "/kindergartens",
        f"/kindergartens/{kg}",
        f"/kindergartens/{kg}/pool-matches?post=teacher",
        "/rounds?purpose=title",
        "/rounds.xlsx?purpose=award",
        f"/staff/{own}",
        f"/staff/{own}/credits",
        f"/staff/{own}/eligibility",
        f"/staff/{other}",
        "/violations",
    ]
    return paths + ["page:" + p for p in page_paths]


async def page_login(c: httpx.AsyncClient, username: str, password: str) -> None:
    form = await c.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
    assert token, "no CSRF field on the login page"
    r = await c.post("/login", data={"username": username, "password": password, "next": "", "_csrf_token": token[1]})
    assert r.status_code in (302, 303), r.text[:500]


async def main() -> dict[str, Any]:
    app = create_app()
    await start_pool(5)
    logins = credentials()
    answers: dict[str, Any] = {}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            headers: dict[str, dict[str, str]] = {"anonymous": {}}
            for role in ROLES:
                username, password = logins[role]
                r = await c.post("/api/v1/auth/token", json={"username": username, "password": password})
                assert r.status_code in (200, 201), r.text
                headers[role] = {"Authorization": f"Bearer {r.json()['access_token']}"}
            paths = await api_paths(c, headers["district_hr"], headers["kindergarten_admin"], headers["teacher"])
            for who in ("anonymous", *ROLES):
                async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as pages:
                    if who != "anonymous":
                        await page_login(pages, *logins[who])
                    for path in paths:
                        t0 = time.perf_counter()
                        if path.startswith("page:"):
                            r = await pages.get(path[5:])
                        else:
                            r = await c.get(path, headers=headers[who])
                        answers[f"{who} GET {path}"] = digest(r)
                        if os.environ.get("SNAPSHOT_TIMES"):
                            print(f"{time.perf_counter() - t0:.2f} {who} {path}", file=sys.stderr)
    finally:
        await close_pool()
    return answers


if __name__ == "__main__":
    with time_machine.travel(STOPPED, tick=False):
        found = asyncio.run(main())
    if len(sys.argv) == 3 and sys.argv[1] == "--record":
        Path(sys.argv[2]).write_text(json.dumps(found, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    print(json.dumps(found, ensure_ascii=False, sort_keys=True))
