"""Screenshots of every page at phone (390×844) and desktop (1280×900) width, for the README.

    .venv/bin/python -m pages.screenshots [--out docs/screenshots] [--scale district]

Loads the demo district into a temporary SQLite database (``registry demo load``), serves it with
uvicorn on a free port, logs in through the login form as each demo role in headless Chromium
(``/usr/bin/chromium``; ``apt-get install chromium``) and saves full-page PNGs (and their first screen
under ``preview/``, for the README). The temporary
database, server and browser are gone afterwards.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from pages.devserver import (
    CHROMIUM,
    DESKTOP,
    PHONE,
    ROOT,
    chromium_available,
    launch_chromium,
    log_in,
    read_credentials,
    registry_command,
    running_server,
)

VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


def _api(base: str, path: str, token: str) -> Any:
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


def _token(base: str, username: str, password: str) -> str:
    body = json.dumps({"username": username, "password": password}).encode()
    req = urllib.request.Request(
        base + "/api/v1/auth/token", data=body, headers={"content-type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        return str(json.load(r)["access_token"])


def _pick(db: Path) -> dict[str, int | None]:
    """Interesting rows of the demo to show: a person with an ethics veto in force, and the
    kindergarten (with a teacher gap) that pool candidates match."""
    with sqlite3.connect(db) as conn:
        vetoed = conn.execute(
            "SELECT s.staff FROM ethics_sanction s JOIN staff p ON p.id = s.staff "
            "WHERE s.sanction IS NOT NULL AND p.status != 'left' "
            "AND NOT EXISTS (SELECT 1 FROM ethics_sanction n WHERE n.supersedes = s.id) "
            "ORDER BY s.decided_on DESC LIMIT 1"
        ).fetchone()
    return {"vetoed": int(vetoed[0]) if vetoed else None}


def _save_small(png: bytes, target: Path, first_screen: int) -> None:
    """A 256-colour PNG (a third of the size; the pages are flat colours and text), and its first
    screen (``first_screen`` pixels high) under ``preview/`` for the README's gallery."""
    # heavy optional dependency: imported on first use, not at start-up
    from PIL import Image

    preview = target.parent / "preview" / target.name
    preview.parent.mkdir(exist_ok=True)
    with Image.open(io.BytesIO(png)) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        small.save(target, optimize=True)
        small.crop((0, 0, small.width, min(small.height, first_screen))).save(preview, optimize=True)


def shoot(out: Path, scale: str, keep: Path | None = None) -> list[Path]:
    tmp = keep or Path(tempfile.mkdtemp(prefix="registry-screens-"))
    try:
        return _shoot(out, scale, tmp, load=not (tmp / "demo.db").exists())
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


def _shoot(out: Path, scale: str, tmp: Path, load: bool) -> list[Path]:
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": f"sqlite:///{tmp / 'demo.db'}",
        "REGISTRY_VAR_DIR": str(tmp / "var"),
        "REGISTRY_SECRET_KEY": os.environ.get("REGISTRY_SECRET_KEY") or secrets.token_urlsafe(48),
        "REGISTRY_LOG_LEVEL": "WARNING",
    }
    (tmp / "var").mkdir(exist_ok=True)
    if load:
        started = time.monotonic()
        print(f"loading the demo ({scale}) into {tmp} ...", flush=True)
        registry_command(env, "migrate")
        registry_command(env, "demo", "load", "--scale", scale)
        print(f"  loaded in {time.monotonic() - started:.0f} s", flush=True)
    creds = read_credentials(tmp / "var")
    picks = _pick(tmp / "demo.db")
    saved: list[Path] = []
    out.mkdir(parents=True, exist_ok=True)

    # heavy optional dependency: imported on first use, not at start-up
    from playwright.sync_api import sync_playwright

    with running_server(env) as base, sync_playwright() as pw:
        hr_token = _token(base, *creds["district_hr"])
        teacher_token = _token(base, *creds["teacher"])
        me = _api(base, "/api/v1/me", teacher_token)
        gaps = _api(base, "/api/v1/staffing/gaps?by=kindergarten&post=teacher&sort=gap&limit=1", hr_token)
        top = gaps["rows"][0]["key"] if gaps["rows"] else None
        kgs = _api(base, f"/api/v1/kindergartens?search={top}&limit=1", hr_token)["items"] if top else []
        kg_id = kgs[0]["id"] if kgs else 1
        teacher = f"/staff/{me['staff_id']}"
        name = _api(base, f"/api/v1/staff/{me['staff_id']}", hr_token)["name"]
        shots: list[tuple[str | None, str, str]] = [
            (None, "login", "/login"),
            ("teacher", "teacher-record", teacher),
            ("teacher", "teacher-credits", f"{teacher}/credits"),
            ("teacher", "teacher-eligibility", f"{teacher}/eligibility"),
            ("district_hr", "hr-dashboard", "/dashboard"),
            ("district_hr", "hr-violations", "/violations?limit=15"),
            ("district_hr", "hr-expiring", "/expiring?limit=15"),
            ("district_hr", "hr-kindergartens", "/kindergartens?limit=15"),
            ("district_hr", "hr-kindergartens-by-gap", "/kindergartens?sort=teacher&order=desc&limit=15"),
            ("district_hr", "hr-search", f"/search?q={urllib.parse.quote(name[:1])}"),
            ("district_hr", "hr-kindergarten", f"/kindergartens/{kg_id}"),
            ("district_hr", "hr-pool-matches", f"/kindergartens/{kg_id}/pool-matches?post=teacher"),
            ("district_hr", "hr-rounds", "/rounds?purpose=title&on=2025-12-31&limit=15"),
        ]
        # credit claims (issue 16): the demo teacher's three, one in each queue
        checked = _api(base, "/api/v1/credit-claims?status=checked&limit=1", hr_token)["items"]
        shots += [
            ("teacher", "teacher-claim-form", "/my/claims/new"),
            ("teacher", "teacher-claims", "/my/claims"),
            ("teacher", "teacher-notifications", "/notifications"),
            ("kindergarten_admin", "admin-claims", "/claims"),
            ("district_hr", "hr-claims", "/claims"),
        ]
        if checked:
            shots.append(("district_hr", "hr-claim", f"/claims/{checked[0]['id']}"))
        if picks["vetoed"] is not None:
            shots.append(("district_hr", "hr-eligibility-veto", f"/staff/{picks['vetoed']}/eligibility"))
            shots.append(("district_hr", "hr-person", f"/staff/{picks['vetoed']}"))
        browser = launch_chromium(pw, ("--lang=zh-CN",))  # Chinese date fields, as on a phone in Beijing
        try:
            for size, viewport in VIEWPORTS.items():
                contexts: dict[str | None, Any] = {}
                for role, name, path in shots:
                    if role not in contexts:
                        ctx = browser.new_context(viewport=viewport, device_scale_factor=1, locale="zh-CN")
                        if role is not None:
                            log_in(ctx.new_page(), base, *creds[role])
                        contexts[role] = ctx
                    page = contexts[role].new_page()
                    response = page.goto(base + path)
                    if response is None or response.status != 200:
                        raise RuntimeError(f"{path} as {role}: {response.status if response else 'no answer'}")
                    target = out / f"{name}-{size}.png"
                    _save_small(page.screenshot(full_page=True), target, viewport["height"])
                    page.close()
                    saved.append(target)
                    print(f"  {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}", flush=True)
                for ctx in contexts.values():
                    ctx.close()
        finally:
            browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--scale", default="district", choices=["district", "city", "province"])
    parser.add_argument(
        "--keep", type=Path, default=None, help="work in this directory and keep it (a second run reuses its demo)"
    )
    args = parser.parse_args(argv)
    if not chromium_available():
        print(f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set REGISTRY_CHROMIUM)", file=sys.stderr)
        return 1
    saved = shoot(args.out, args.scale, args.keep)
    print(f"{len(saved)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
