"""District-wide batch eligibility: the service against one hand-written SQL count; transcript latency.

    .venv/bin/python bench/bench_eligibility.py [--engine sqlite|postgres|both] [--purposes award,title]
        [--when today,cycle-end] [--repeat 9] [--seconds 10] [--connections 8] [--no-http]

For each engine: a fresh database with the district demo loaded (``registry demo load --scale
district``), then for each case (purpose @ day; by default award and title, each today and on
the last day of the previous cycle, when five years of entries are read), in one process on that
database, alternately:

- the service: ``eligibility.services.eligibility_batch(hr, purpose, None, day)`` for the whole
  district, once with a limit covering everyone (every row built) and once for the first page of 50
  (the counts are always the whole selection's);
- the baseline (every purpose but backbone): ONE hand-written query counting the eligible people
  of the district: no veto (a sanction in force, or an unqualified current evaluation of the school
  year), the dual-certificate rule written out as ``EXISTS`` per certificate (the style of
  ``bench_compliance.HAND_WRITTEN``), and the plain ``SUM`` of the credits entered in the window up
  to the day at least the requirement: the calendar year against the yearly minimum (award,
  promotion), the cycle against the cycle requirement (title, registration). It is a baseline,
  not the rule: no recognition caps, no reversal pairing, no required categories, hours or
  evaluations, so its count may differ from the service's (both are printed).

(c), unless ``--no-http``: ``GET /api/v1/staff/{id}/credits`` (the transcript) through the real
server (``registry serve``, token of the demo ``hr``) under wrk, for ids spread over the district,
against a bare Litestar app (this file's ``create_bare_app``) answering the same path with the rows
of ``SELECT ... FROM credit_entry WHERE staff = $1`` and nothing else.

The demo may have no credit entries; the entry count found is printed. Issue 4's target: eligibility
for every staff member of the district in one request under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncGenerator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    BENCH_DIR,
    DEFAULT_PG,
    LOOPBACK,
    Server,
    bench_env,
    demo_password,
    free_port,
    http_json,
    machine,
    raise_on_sigterm,
    registry_cmd,
    run,
    save_results,
    scratch_postgres,
    sqlite_url,
)
from bench_compliance import KG_TQ, has

TRANSCRIPT_IDS = 200  # staff ids spread over the whole district, taken round-robin

DUAL = f"""CASE
    WHEN s.post = 'teacher' THEN CASE WHEN {has("teacher_qualification", KG_TQ)} AND {has("post_certificate")}
         THEN 1 ELSE 0 END
    WHEN s.post IN ('principal', 'vice_principal') THEN CASE WHEN {has("principal_qualification")}
         AND {has("post_certificate")} AND {has("teacher_qualification", KG_TQ)} THEN 1 ELSE 0 END
    WHEN s.post = 'health_doctor' THEN CASE WHEN ({has("doctor_licence")} OR {has("nurse_licence")}
         OR {has("health_care_training")}) THEN 1 ELSE 0 END
    WHEN s.post = 'childcare_worker' THEN CASE WHEN {has("childcare_certificate")} THEN 1 ELSE 0 END
    ELSE 1 END"""

HAND_WRITTEN = f"""
SELECT COUNT(*) AS on_post, COALESCE(SUM(ok), 0) AS eligible FROM (
  SELECT CASE WHEN
    NOT EXISTS (SELECT 1 FROM ethics_sanction x WHERE x.staff = s.id AND x.sanction IS NOT NULL
                AND x.outcome <> 'lifted' AND x.bar_from <= {{d}} AND (x.bar_until IS NULL OR x.bar_until >= {{d}})
                AND NOT EXISTS (SELECT 1 FROM ethics_sanction n WHERE n.supersedes = x.id))
    AND NOT EXISTS (SELECT 1 FROM ethics_evaluation e WHERE e.staff = s.id AND e.evaluated_on <= {{d}}
                AND e.evaluated_on >= {{veto_from}}
                AND e.grade = {{worst}} AND NOT EXISTS (SELECT 1 FROM ethics_evaluation n WHERE n.supersedes = e.id))
    AND {DUAL} = 1
    AND COALESCE((SELECT SUM(ce.credits) FROM credit_entry ce WHERE ce.staff = s.id
                  AND ce.entry_date >= {{y0}} AND ce.entry_date <= {{y1}}), 0) >= {{minimum}}
  THEN 1 ELSE 0 END AS ok
  FROM staff s
  WHERE ROSTER
) t
"""

ENTRY_SQL = (
    "SELECT ce.id, ce.staff, ce.entry_date, ce.school_year, ce.category, ce.source, ce.hours, ce.credits, "
    "ce.reference, ce.reason, ce.recorded_by, ce.reverses, ce.created_at FROM credit_entry ce "
    "WHERE ce.staff = {} ORDER BY ce.entry_date, ce.id"
)


def _bind(sql: str, values: dict[str, Any]) -> tuple[str, list[Any]]:
    """Turn the named ``{name}`` slots into Piccolo's ``{}`` placeholders, in order."""
    out, args, rest = [], [], sql
    while "{" in rest:
        before, _, tail = rest.partition("{")
        name, _, rest = tail.partition("}")
        out.append(before + "{}")
        args.append(values[name])
    out.append(rest)
    return "".join(out), args


async def measure(purpose: str, repeat: int, when: str) -> dict[str, Any]:
    from piccolo.querystring import QueryString

    from credits import rules
    from credits.policies import policy_versions
    from eligibility.codes import Purpose
    from eligibility.rosters import roster_of
    from eligibility.services import eligibility_batch
    from kernel.auth import Principal
    from kernel.codes import Role
    from kernel.common.time import today
    from kernel.db import close_pool, get_engine, start_pool
    from kernel.policy import policy_on

    await start_pool(4)
    hr = Principal(account_id=0, username="bench", role=Role.district_hr)
    versions = await policy_versions()
    day = today()
    if when == "cycle-end":  # the last day of the previous cycle: five years of entries to read
        day = rules.cycle_of(day, rules.policy_for(day, versions).recognition).starts - timedelta(days=1)
    engine = get_engine()
    entries = int((await engine.run_querystring(QueryString("SELECT COUNT(*) AS n FROM credit_entry")))[0]["n"])
    rec = rules.policy_for(day, versions).recognition
    yearly = purpose in ("award", "promotion")
    # the baseline's line, in the windows the rules read: the last ended year's credits against the
    # yearly minimum (award, promotion), the last completed cycle's against the cycle requirement
    # (title; the ended years of the current cycle left out), plainly summed; a failed evaluation of
    # the last 12 months vetoes
    minimum = rec.yearly_minimum if yearly else rec.credits_per_cycle
    current = rules.cycle_of(day, rec)
    if yearly:
        last_year = day.year if day.month == 12 and day.day == 31 else day.year - 1
        window = (date(last_year, 1, 1), date(last_year, 12, 31))
    elif day >= current.ends:
        window = (current.starts, current.ends)
    else:
        previous = rules.cycle_of(current.starts - timedelta(days=1), rec)
        window = (previous.starts, previous.ends)
    sql, args = _bind(
        HAND_WRITTEN.replace("{minimum}", str(minimum)),
        {
            "d": day,
            "y0": window[0],
            "y1": window[1],
            "veto_from": date(day.year - 1, day.month, min(day.day, 28)),
            "worst": policy_on(day).ethics.grade_order[0],
        },
    )
    # the round's roster on the day (eligibility.rosters: the people on post then, in the purpose's
    # posts), the last condition of the query text, so its arguments come last
    roster_sql, roster_args = roster_of(day, Purpose(purpose), None)
    sql, args = sql.replace("ROSTER", roster_sql), [*args, *roster_args]

    async def baseline() -> dict[str, int]:
        rows = await engine.run_querystring(QueryString(sql, *args))
        return {"on_post": int(rows[0]["on_post"]), "eligible": int(rows[0]["eligible"] or 0)}

    async def service(limit: int) -> Any:
        return await eligibility_batch(hr, purpose, None, day, limit, 0)

    with_baseline = purpose != "backbone"
    base = await baseline() if with_baseline else None
    out = await service(10**9)
    assert len(out.items) == out.total, (len(out.items), out.total)
    if base is not None:
        assert base["on_post"] == out.total, (base, out.total)
    calls: dict[str, Any] = {"service_all": lambda: service(10**9), "service_page50": lambda: service(50)}
    if with_baseline:
        calls["baseline"] = baseline
    times: dict[str, list[float]] = {k: [] for k in calls}
    for _ in range(repeat):
        for name, call in calls.items():
            t0 = time.perf_counter()
            await call()
            times[name].append(time.perf_counter() - t0)
    await close_pool()
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "on": day.isoformat(),
        "when": when,
        "purpose": purpose,
        "credit_entries": entries,
        "baseline_minimum": str(minimum),
        "on_post": out.total,
        "service_eligible": out.eligible,
        "baseline_eligible": None if base is None else base["eligible"],
        "median_s": med,
        "ratio_all": med["service_all"] / med["baseline"] if with_baseline else None,
        "ratio_page50": med["service_page50"] / med["baseline"] if with_baseline else None,
    }


# --- (c) the bare app: the transcript path answered with the ledger rows only ------------------------


def create_bare_app() -> Any:
    from litestar import Litestar, get
    from piccolo.querystring import QueryString

    from kernel.db import close_pool, get_engine, start_pool
    from kernel.settings import get_settings

    @get("/api/v1/staff/{staff_id:int}/credits")
    async def credits(staff_id: int) -> dict[str, Any]:
        rows = await get_engine().run_querystring(QueryString(ENTRY_SQL, staff_id))
        return {"staff_id": staff_id, "entries": [dict(r) for r in rows]}

    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @asynccontextmanager
    async def db_pool(_: Litestar) -> AsyncGenerator[None, None]:
        await start_pool(get_settings().pg_pool_max)
        try:
            yield
        finally:
            await close_pool()

    return Litestar(route_handlers=[credits, health], lifespan=[db_pool], debug=False)


def transcript_load(env: dict[str, str], workdir: Path, args: argparse.Namespace, engine: str) -> dict[str, Any]:
    from bench_staff_api import Endpoint, LoadGenerator
    from bench_staff_api import measure as load

    kind = LoadGenerator.choose("wrk" if args.loadgen == "wrk" else "auto")
    with ExitStack() as stack:
        sport, bport = free_port(), free_port()
        serve = registry_cmd("serve", "--host", LOOPBACK, "--port", str(sport))
        service = Server("service", serve, env, sport, workdir)
        bare = Server(
            "bare",
            [
                *(sys.executable, "-m", "uvicorn", "bench_eligibility:create_bare_app", "--factory"),
                *("--app-dir", str(BENCH_DIR), "--host", LOOPBACK, "--port", str(bport), "--log-level", "warning"),
            ],
            env,
            bport,
            workdir,
        )
        stack.enter_context(service)
        stack.enter_context(bare)
        token = http_json(
            "POST", f"{service.base_url}/api/v1/auth/token", {"username": "hr", "password": demo_password(workdir)}
        )["access_token"]
        total = http_json("GET", f"{service.base_url}/api/v1/staff?limit=1", token=token)["total"]
        step = max(1, total // TRANSCRIPT_IDS)
        ids = list(range(1, total + 1, step))[:TRANSCRIPT_IDS]
        ep = Endpoint("transcript", [f"/api/v1/staff/{i}/credits" for i in ids], f"{len(ids)} ids over 1..{total}")
        # the bare app returns at least the transcript's entries (it ignores the cycle)
        for i in ids[:: max(1, len(ids) // 5)]:
            ours = http_json("GET", f"{service.base_url}/api/v1/staff/{i}/credits", token=token)
            theirs = http_json("GET", f"{bare.base_url}/api/v1/staff/{i}/credits")
            if not {e["id"] for e in ours["entries"]} <= {e["id"] for e in theirs["entries"]}:
                raise RuntimeError(f"service and bare app disagree on staff {i}")
        gen = LoadGenerator(kind, args.connections, workdir)
        apps = {"service": (service, token), "bare": (bare, None)}
        for server, tok in apps.values():
            load(gen, server, ep, tok, args.warmup)
        out: dict[str, Any] = {"ids": ep.note, "loadgen": kind}
        for name, (server, tok) in apps.items():
            r = load(gen, server, ep, tok, args.seconds)
            if r.non_2xx or r.errors:
                raise RuntimeError(f"{name}: {r.non_2xx} non-2xx, {r.errors} errors")
            out[name] = asdict(r)
            print(
                f"[{engine}] transcript {name:<8} {r.rps:8.1f} req/s  p50 {r.p50_ms:6.2f} ms  p99 {r.p99_ms:7.2f} ms",
                flush=True,
            )
        out["ratio_rps"] = out["service"]["rps"] / out["bare"]["rps"]
        return out


def one_engine(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-eligibility-") as tmp:
        var = Path(tmp) / "var"

        def go(url: str) -> dict[str, Any]:
            env = bench_env(url, var)
            print(f"[{engine}] migrate + demo load (district) ...", flush=True)
            run(registry_cmd("migrate"), env)
            run(registry_cmd("demo", "load", "--scale", "district"), env, timeout=1800)
            result: dict[str, Any] = {"cases": {}}
            repeat = ("--repeat", str(args.repeat))
            for purpose, when in cases(args):
                done = subprocess.run(
                    [sys.executable, __file__, "--measure", *("--purposes", purpose), *("--when", when), *repeat],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=1800,
                    check=False,
                )
                if done.returncode != 0:
                    raise RuntimeError(f"measure failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
                r = json.loads(done.stdout.strip().splitlines()[-1])
                result["cases"][f"{purpose}@{when}"] = r
                report(engine, r)
            if not args.no_http:
                result["transcript"] = transcript_load(env, var, args, engine)
                t = result["transcript"]
                print(f"[{engine}] transcript ({t['ids']}, {t['loadgen']}): service / bare req/s {t['ratio_rps']:.2f}")
            return result

        if engine == "postgres":
            with scratch_postgres(args.pg, label="eligibility") as url:
                return go(url)
        return go(sqlite_url(Path(tmp) / "bench.db"))


def cases(args: argparse.Namespace) -> list[tuple[str, str]]:
    return [(p, w) for p in args.purposes.split(",") for w in args.when.split(",")]


def report(engine: str, r: dict[str, Any]) -> None:
    m = r["median_s"]
    base = m.get("baseline")
    print(
        f"[{engine}] {r['purpose']} on {r['on']} ({r['when']}): {r['on_post']} on post, "
        f"{r['credit_entries']} credit entries, eligible: service {r['service_eligible']}, "
        f"baseline {r['baseline_eligible']} (baseline: plain sum >= {r['baseline_minimum']}, no caps)"
    )
    print(
        f"[{engine}] {r['purpose']}@{r['when']}: service, everyone {m['service_all'] * 1e3:.1f} ms; first page "
        f"of 50 {m['service_page50'] * 1e3:.1f} ms; baseline "
        + (f"{base * 1e3:.1f} ms; ratio {r['ratio_all']:.1f} / {r['ratio_page50']:.1f}" if base else "n/a")
        + f"; target < 1000 ms: {'met' if m['service_all'] < 1 else 'NOT met'}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--purposes", default="award,title", help="comma-separated: title, backbone, award, promotion, registration"
    )
    parser.add_argument(
        "--when",
        default="today,cycle-end",
        help="comma-separated: today, cycle-end (the last day of the previous cycle: five years of entries)",
    )
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--loadgen", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL for the scratch database")
    parser.add_argument("--no-http", action="store_true", help="skip (c), the transcript under load")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    known = {"title", "backbone", "award", "promotion", "registration"}
    for purpose, when in cases(args):
        if purpose not in known or when not in ("today", "cycle-end"):
            parser.error(f"unknown case {purpose}@{when}")
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.purposes, args.repeat, args.when)), default=str))
        return
    raise_on_sigterm()
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    results = {}
    print(f"eligibility benchmark, district, cases {cases(args)}, {args.repeat} repeats; {machine()}")
    for engine in engines:
        results[engine] = one_engine(engine, args)
    path = save_results("eligibility", {"cases": cases(args), "results": results, "machine": machine()})
    print(f"raw figures: {path}")


if __name__ == "__main__":
    main()
