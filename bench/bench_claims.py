"""What a credit claim costs (issue 16): a teacher's phone photo through the API, against the bare work
on its file.

    .venv/bin/python bench/bench_claims.py [--n 20] [--engine sqlite|postgres] [--rounds 3]

A scratch database (a temporary SQLite file, or a scratch PostgreSQL database), the app in this process
through httpx's ASGI transport (no network), a kindergarten with a teacher and an admin. The evidence is a
12-megapixel JPEG as a phone camera makes it (4032×3024; each claim's file differs by its last bytes, so
none is a duplicate). Per round:

- baseline: the file's own work, called directly: SHA-256, decoding every pixel (Pillow), and writing it
  content-addressed (``credits.evidence.judge_and_keep``);
- submit: ``POST /api/v1/me/credit-claims`` with the same kind of file (multipart parsing, the same work in
  a worker thread, the claim's row and audit event);
- check + approve: the admin's check and HR's approval of each claim (the ledger entry written), against
- hand entry: HR's ``POST /api/v1/credits/entries`` of the same hours (a ledger entry and its audit event).

It prints the mean per request and the ratios submit/baseline and (check + approve)/hand entry. The
figures go to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import DEFAULT_PG, machine, save_results, scratch_postgres
from PIL import Image

PASSWORD = "bench-password-claims"
FIELDS = {
    "title": "市级学前教育研修班",
    "provider": "北京教育学院",
    "date_from": "2026-10-12",
    "date_to": "2026-10-14",
    "hours": "24",
    "category": "general",
    "source": "training",
}


def phone_photo() -> bytes:
    """A 12-megapixel JPEG with a photo's detail (smooth noise), about as large as a phone's."""
    noise = Image.effect_noise((504, 378), 64).convert("RGB")
    image = noise.resize((4032, 3024), Image.Resampling.BICUBIC)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


async def _measure(n: int, rounds: int, photo: bytes) -> dict[str, Any]:
    # the app's modules bind the engine on first use: imported after the environment is set
    import httpx

    from app.cli import _migrate
    from app.factory import create_app
    from credits import evidence
    from kernel.codes import Role
    from kernel.db import close_pool, start_pool
    from kernel.settings import get_settings
    from kernel.workers import run_in_thread
    from registry.accounts.schemas import AccountCreate
    from registry.accounts.services import SYSTEM, create_account
    from tests.support import kindergarten_body, staff_body

    await _migrate()
    app = create_app()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    await start_pool(5)
    serial = iter(range(1, 1_000_000))

    def unique() -> bytes:  # bytes after the JPEG's end: decoded the same, hashed differently
        return photo + f"bench {next(serial)}".encode()

    figures: dict[str, list[float]] = {"baseline": [], "submit": [], "review": [], "hand_entry": []}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as client:
            await create_account(SYSTEM, AccountCreate(username="b_hr", password=PASSWORD, role=Role.district_hr))

            async def token(username: str) -> dict[str, str]:
                r = await client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
                return {"Authorization": f"Bearer {r.json()['access_token']}"}

            hr = await token("b_hr")
            kg = (await client.post("/api/v1/kindergartens", json=kindergarten_body(), headers=hr)).json()
            person = (await client.post("/api/v1/staff", json=staff_body(kg["id"]), headers=hr)).json()
            await create_account(
                SYSTEM,
                AccountCreate(
                    username="b_admin", password=PASSWORD, role=Role.kindergarten_admin, kindergarten_code=kg["code"]
                ),
            )
            await create_account(
                SYSTEM,
                AccountCreate(
                    username="b_teacher", password=PASSWORD, role=Role.teacher, staff_id_number=person["id_number"]
                ),
            )
            admin, teacher = await token("b_admin"), await token("b_teacher")
            root, limit = get_settings().evidence_path, get_settings().evidence_max_bytes

            for _round in range(rounds):
                files = [unique() for _i in range(n)]
                start = time.perf_counter()
                for content in files:
                    await run_in_thread(evidence.judge_and_keep, root, content, limit)
                figures["baseline"].append((time.perf_counter() - start) / n)

                files = [unique() for _i in range(n)]
                claims = []
                start = time.perf_counter()
                for content in files:
                    r = await client.post(
                        "/api/v1/me/credit-claims",
                        data=FIELDS,
                        files={"file": ("IMG_0001.JPG", content, "image/jpeg")},
                        headers=teacher,
                    )
                    assert r.status_code == 201, r.text
                    claims.append(r.json()["id"])
                figures["submit"].append((time.perf_counter() - start) / n)

                start = time.perf_counter()
                for cid in claims:
                    r = await client.post(
                        f"/api/v1/credit-claims/{cid}/review", json={"decision": "approve"}, headers=admin
                    )
                    assert r.status_code == 200, r.text
                    r = await client.post(
                        f"/api/v1/credit-claims/{cid}/review", json={"decision": "approve"}, headers=hr
                    )
                    assert r.status_code == 200 and r.json()["entry_id"], r.text
                figures["review"].append((time.perf_counter() - start) / n)

                start = time.perf_counter()
                for i in range(n):
                    body = {
                        "staff_id": person["id"],
                        "date": "2026-10-14",
                        "category": "general",
                        "source": "training",
                        "hours": 24,
                        "reference": f"bench-{_round}-{i}",
                    }
                    r = await client.post("/api/v1/credits/entries", json=body, headers=hr)
                    assert r.status_code == 201, r.text
                figures["hand_entry"].append((time.perf_counter() - start) / n)
    finally:
        await close_pool()
    means = {k: statistics.median(v) for k, v in figures.items()}
    return {
        "photo_bytes": len(photo),
        "per_request_ms": {k: round(v * 1000, 2) for k, v in means.items()},
        "submit_over_baseline": round(means["submit"] / means["baseline"], 2),
        "review_over_hand_entry": round(means["review"] / means["hand_entry"], 2),
        "rounds": {k: [round(x * 1000, 2) for x in v] for k, v in figures.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20, help="claims per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg", default=DEFAULT_PG)
    args = parser.parse_args()
    photo = phone_photo()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-claims-")))
        if args.engine == "postgres":
            url = stack.enter_context(scratch_postgres(args.pg, "claims"))
        else:
            url = f"sqlite:///{tmp / 'claims.db'}"
        os.environ["REGISTRY_DATABASE_URL"] = url
        os.environ["REGISTRY_VAR_DIR"] = str(tmp / "var")
        os.environ.setdefault("REGISTRY_SECRET_KEY", "bench-" + uuid.uuid4().hex)
        result = asyncio.run(_measure(args.n, args.rounds, photo))
    ms = result["per_request_ms"]
    print(
        f"engine {args.engine}, {args.n} claims per round, {args.rounds} rounds (median of rounds), "
        f"a {result['photo_bytes'] / 1e6:.1f} MB 12-megapixel JPEG"
    )
    print(f"  the file's own work (baseline):       {ms['baseline']:.1f} ms")
    print(f"  a claim through the API:              {ms['submit']:.1f} ms  ({result['submit_over_baseline']}×)")
    print(f"  HR's hand entry (baseline):           {ms['hand_entry']:.1f} ms")
    print(f"  the admin's check and HR's approval:  {ms['review']:.1f} ms  ({result['review_over_hand_entry']}×)")
    path = save_results("claims", {"engine": args.engine, "n": args.n, "machine": machine(), **result})
    print(f"  saved {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
