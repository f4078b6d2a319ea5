"""What two-level review costs a write (issue 15).

    .venv/bin/python bench/bench_review.py [--n 200] [--engine sqlite|postgres] [--rounds 3]

A scratch database (a temporary SQLite file, or a scratch PostgreSQL database), the app in this process
through httpx's ASGI transport (no network: the figures are the service's own work), a kindergarten,
a district HR and a kindergarten admin account. Per round:

- baseline: district HR adds ``--n`` people (``POST /api/v1/staff``, applied at once: 201);
- submit: the admin adds ``--n`` people (the same write checked in a rolled-back transaction, then
  kept as a change request: 202);
- approve: HR approves those ``--n`` changes (``POST /api/v1/changes/{id}/approve``: the snapshot
  compared, the write applied, the change's audit event).

It prints the mean per request of each and the ratios submit/baseline and approve/baseline: an admin's
write costs about two writes (its check and its change), the approval about one write and its queue
update. The figures go to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
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

PASSWORD = "bench-password-review"


async def _measure(n: int, rounds: int) -> dict[str, Any]:
    # the app's modules bind the engine on first use: imported after the environment is set
    import httpx

    from app.cli import _migrate
    from app.factory import create_app
    from kernel.codes import Role
    from kernel.db import close_pool, start_pool
    from registry.accounts.schemas import AccountCreate
    from registry.accounts.services import SYSTEM, create_account
    from tests.support import kindergarten_body, staff_body

    await _migrate()
    app = create_app()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    await start_pool(5)
    figures: dict[str, list[float]] = {"baseline": [], "submit": [], "approve": []}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await create_account(SYSTEM, AccountCreate(username="b_hr", password=PASSWORD, role=Role.district_hr))

            async def token(username: str) -> dict[str, str]:
                r = await client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
                return {"Authorization": f"Bearer {r.json()['access_token']}"}

            hr = await token("b_hr")
            kg = (await client.post("/api/v1/kindergartens", json=kindergarten_body(), headers=hr)).json()
            await create_account(
                SYSTEM,
                AccountCreate(
                    username="b_admin", password=PASSWORD, role=Role.kindergarten_admin, kindergarten_code=kg["code"]
                ),
            )
            admin = await token("b_admin")

            async def timed(label: str, calls: list[Any], expected: int) -> list[Any]:
                answers = []
                start = time.perf_counter()
                for call in calls:
                    r = await call()
                    assert r.status_code == expected, r.text
                    answers.append(r.json())
                figures[label].append((time.perf_counter() - start) / len(calls))
                return answers

            for _round in range(rounds):
                await timed(
                    "baseline",
                    [lambda: client.post("/api/v1/staff", json=staff_body(kg["id"]), headers=hr) for _i in range(n)],
                    201,
                )
                changes = await timed(
                    "submit",
                    [lambda: client.post("/api/v1/staff", json=staff_body(kg["id"]), headers=admin) for _i in range(n)],
                    202,
                )
                await timed(
                    "approve",
                    [(lambda cid=c["id"]: client.post(f"/api/v1/changes/{cid}/approve", headers=hr)) for c in changes],
                    200,
                )
    finally:
        await close_pool()
    means = {k: statistics.median(v) for k, v in figures.items()}
    return {
        "per_request_ms": {k: round(v * 1000, 2) for k, v in means.items()},
        "submit_over_baseline": round(means["submit"] / means["baseline"], 2),
        "approve_over_baseline": round(means["approve"] / means["baseline"], 2),
        "rounds": {k: [round(x * 1000, 2) for x in v] for k, v in figures.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="writes per phase and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg", default=DEFAULT_PG)
    args = parser.parse_args()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-review-")))
        if args.engine == "postgres":
            url = stack.enter_context(scratch_postgres(args.pg, "review"))
        else:
            url = f"sqlite:///{tmp / 'review.db'}"
        os.environ["REGISTRY_DATABASE_URL"] = url
        os.environ["REGISTRY_VAR_DIR"] = str(tmp / "var")
        os.environ.setdefault("REGISTRY_SECRET_KEY", "bench-" + uuid.uuid4().hex)
        result = asyncio.run(_measure(args.n, args.rounds))
    ms = result["per_request_ms"]
    print(f"engine {args.engine}, {args.n} writes per phase, {args.rounds} rounds (median of rounds)")
    print(f"  HR's write, applied at once (baseline): {ms['baseline']:.2f} ms")
    print(f"  an admin's write, checked and kept:     {ms['submit']:.2f} ms  ({result['submit_over_baseline']}×)")
    print(f"  HR's approval, applied:                 {ms['approve']:.2f} ms  ({result['approve_over_baseline']}×)")
    path = save_results("review", {"engine": args.engine, "n": args.n, "machine": machine(), **result})
    print(f"  saved {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
