"""The notifications sweep on the district demo: the service against plain SQL doing the same reads and
writing the same number of rows.

    .venv/bin/python bench/bench_notifications.py [--engine sqlite|postgres|both] [--on 2026-11-30]

For each engine: a fresh database with the demo loaded (``registry demo load --scale district``), then
an account for every member of staff (the demo has four accounts; a district where every teacher logs
in is the sweep's real load) and an admin account per kindergarten, written straight to the table.
Then, in one process on that database:

- the service: ``app.notifications.sweep(day)`` on a checkpoint day (certificates expiring and
  registrations due in the 90/30/7 windows, to the person and the admins; credits behind pace, to the
  person), timed on its first run (everything new) and on a second run (nothing new: every occasion
  exists);
- the baseline: plain SQL in the same process: the same three reads written by hand (expiring
  certificates with their holders, teacher qualifications with their last passed registration, the
  on-post people's credits of the cycle summed without caps) and one bulk insert (``kernel.db.
  bulk_insert``: COPY / executemany) of as many rows as the sweep wrote into a scratch table of the
  same shape with the same unique index, in one transaction.

Prints the times and service / baseline. Target: the first sweep within a few times the baseline, a
few seconds at most on the district.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_env, machine, registry_cmd, run, save_results, scratch_postgres, sqlite_url

SCRATCH = "bench_notification"


async def measure(day: date) -> dict[str, object]:
    from app.notifications import sweep
    from kernel.common.time import utcnow
    from kernel.db import bulk_insert, close_pool, fetch_all, get_engine, is_sqlite, start_pool, write_transaction

    await start_pool(4)
    engine = get_engine()

    async def ddl(sql: str) -> None:
        await engine.run_ddl(sql)

    # every member of staff gets an account, every kindergarten an admin (the demo has four accounts)
    async with write_transaction():
        await fetch_all(
            "INSERT INTO account (username, password_hash, role, staff, active, session_epoch, created_at) "
            "SELECT 'bench_t' || s.id, 'x', 'teacher', s.id, TRUE, 0, CURRENT_TIMESTAMP FROM staff s"
        )
        await fetch_all(
            "INSERT INTO account (username, password_hash, role, kindergarten, active, session_epoch, created_at) "
            "SELECT 'bench_a' || k.id, 'x', 'kindergarten_admin', k.id, TRUE, 0, CURRENT_TIMESTAMP FROM kindergarten k"
        )
    accounts = int((await fetch_all("SELECT COUNT(*) AS n FROM account"))[0]["n"])

    t0 = time.perf_counter()
    first = await sweep(day)
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = await sweep(day)
    second_s = time.perf_counter() - t0
    assert sum(second.values()) == 0, second
    written = sum(first.values())

    # the baseline: the same reads by hand, and as many rows written in bulk
    await ddl(
        f"CREATE TABLE {SCRATCH} (id {'INTEGER PRIMARY KEY' if is_sqlite() else 'SERIAL PRIMARY KEY'}, "
        "account INTEGER NOT NULL, kind VARCHAR(32), occasion VARCHAR(160), message TEXT, params TEXT, "
        "link VARCHAR(255), created_at TIMESTAMPTZ)"
    )
    await ddl(f"CREATE UNIQUE INDEX {SCRATCH}_occasion ON {SCRATCH} (account, occasion)")
    reads = [
        "SELECT c.id, c.type, c.number, c.expires_on, c.staff, s.name, s.kindergarten FROM certificate c "
        "JOIN staff s ON s.id = c.staff WHERE c.status = 'valid' AND c.expires_on >= {} AND c.expires_on <= {} "
        "AND s.status <> 'left'",
        "SELECT q.id, q.staff, q.issued_on, s.kindergarten, (SELECT MAX(r.registered_on) FROM "
        "certificate_registration r WHERE r.certificate = q.id AND r.result = 'passed') AS last_passed "
        "FROM certificate q JOIN staff s ON s.id = q.staff WHERE q.type = 'teacher_qualification' "
        "AND q.status <> 'revoked' AND s.status <> 'left'",
        "SELECT s.id, SUM(ce.credits) AS credits FROM staff s LEFT JOIN credit_entry ce ON ce.staff = s.id "
        "AND ce.entry_date >= {} AND ce.entry_date <= {} WHERE s.status = 'on_post' GROUP BY s.id",
    ]
    cycle_start = date(day.year - (day.year - 2021) % 5, 1, 1)
    args = [[day, date.fromordinal(day.toordinal() + 90)], [], [cycle_start, day]]
    now = utcnow()
    kind, message, params = "certificate.expiring", "message {n}", '{"n": 1}'
    rows = [(i + 1, f"bench:{i}", kind, message, params, "/me", now) for i in range(written)]
    t0 = time.perf_counter()
    for sql, a in zip(reads, args, strict=True):
        await fetch_all(sql, *a)
    async with write_transaction():
        await bulk_insert(SCRATCH, ["account", "occasion", "kind", "message", "params", "link", "created_at"], rows)
    baseline_s = time.perf_counter() - t0
    await close_pool()
    return {
        "day": day.isoformat(),
        "accounts": accounts,
        "written": first,
        "first_s": first_s,
        "second_s": second_s,
        "baseline_s": baseline_s,
        "ratio_first": first_s / baseline_s,
        "ratio_second": second_s / baseline_s,
    }


def one_engine(engine: str, day: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-notifications-") as tmp:
        var = Path(tmp) / "var"

        def go(url: str) -> dict[str, object]:
            env = bench_env(url, var)
            run(registry_cmd("migrate"), env)
            run(registry_cmd("demo", "load", "--scale", "district"), env, timeout=1800)
            out = subprocess.run(
                [sys.executable, __file__, "--measure", "--on", day],
                env=env,
                capture_output=True,
                text=True,
                timeout=1800,
            )
            if out.returncode != 0:
                raise SystemExit(f"measuring failed:\n{out.stderr[-4000:]}")
            return json.loads(out.stdout.strip().splitlines()[-1])

        if engine == "postgres":
            with scratch_postgres(label="notifications") as url:
                return go(url)
        return go(sqlite_url(Path(tmp) / "bench.db"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--on", default="2026-11-30", help="the day swept (a credits checkpoint by default)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(date.fromisoformat(args.on))), default=str))
        return
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    results = {}
    print(f"notifications sweep benchmark, district demo, on {args.on}; {machine()}")
    print(
        f"{'engine':<10} {'accounts':>8} {'written':>8} {'first s':>8} {'again s':>8} {'baseline s':>10} "
        f"{'first/base':>10} {'again/base':>10}  per kind"
    )
    for engine in engines:
        r = one_engine(engine, args.on)
        results[engine] = r
        written = r["written"]
        assert isinstance(written, dict)
        print(
            f"{engine:<10} {r['accounts']:>8} {sum(written.values()):>8} {r['first_s']:>8.2f} {r['second_s']:>8.2f} "
            f"{r['baseline_s']:>10.2f} {r['ratio_first']:>10.2f} {r['ratio_second']:>10.2f}  {written}"
        )
    path = save_results("notifications", {"on": args.on, "results": results, "machine": machine()})
    print(f"raw figures: {path}")


if __name__ == "__main__":
    main()
