"""District-wide dual-certificate compliance: the service against one hand-written SQL aggregate.

    .venv/bin/python bench/bench_compliance.py [--engine sqlite|postgres|both] [--scale district|city]
        [--repeat 15]

For each engine: a fresh database with the demo loaded (``registry demo load --scale S``), then, in
one process on that database, alternately:

- the service: ``certificates.services.compliance(hr, by=...)`` for ``by=district`` and
  ``by=kindergarten`` (the policy compiled to SQL, grouped figures plus the first page of
  violations: two statements);
- the baseline: ONE hand-written aggregate of the same rule (``EXISTS`` per required certificate,
  written out by hand for today's policy), returning on-post and compliant counts for the district.

Both must agree on the district figures (checked). Prints medians and service / baseline.
Issue 3's targets: within 2x of the baseline; under 1 s at city scale.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_env, machine, registry_cmd, run, save_results, scratch_postgres, sqlite_url

VALID = "c.status = 'valid' AND c.issued_on <= {d} AND (c.expires_on IS NULL OR c.expires_on >= {d})"


def has(cert_type: str, extra: str = "") -> str:
    return f"EXISTS (SELECT 1 FROM certificate c WHERE c.staff = s.id AND c.type = '{cert_type}' AND {VALID}{extra})"


KG_TQ = " AND SUBSTR(c.number, 10, 1) = '1'"
HAND_WRITTEN = f"""
SELECT COUNT(*) AS on_post, SUM(ok) AS compliant FROM (
  SELECT CASE
    WHEN s.post = 'teacher' AND {has("teacher_qualification", KG_TQ)} AND {has("post_certificate")} THEN 1
    WHEN s.post IN ('principal', 'vice_principal') AND {has("principal_qualification")}
         AND {has("post_certificate")} AND {has("teacher_qualification", KG_TQ)} THEN 1
    WHEN s.post = 'health_doctor' AND ({has("doctor_licence")} OR {has("nurse_licence")}
         OR {has("health_care_training")}) THEN 1
    WHEN s.post = 'childcare_worker' AND {has("childcare_certificate")} THEN 1
    ELSE 0 END AS ok
  FROM staff s
  WHERE s.status = 'on_post'
    AND s.post IN ('teacher', 'principal', 'vice_principal', 'health_doctor', 'childcare_worker')
) t
"""


async def measure(repeat: int) -> dict[str, object]:
    from piccolo.querystring import QueryString

    from certificates.services import compliance
    from kernel.auth import Principal
    from kernel.codes import Role
    from kernel.common.time import today
    from kernel.db import close_pool, get_engine, start_pool

    await start_pool(4)
    hr = Principal(account_id=0, username="bench", role=Role.district_hr)
    day = today()
    engine = get_engine()
    sql = HAND_WRITTEN.replace("{d}", "{}")
    n_params = sql.count("{}")

    async def baseline() -> dict[str, int]:
        rows = await engine.run_querystring(QueryString(sql, *([day] * n_params)))
        return {"on_post": int(rows[0]["on_post"]), "compliant": int(rows[0]["compliant"] or 0)}

    async def service(by: str):
        return await compliance(
            hr, by=by, on=day, kindergarten_id=None, street=None, group=None, post=None, limit=50, offset=0
        )

    # warm up, and check both agree
    base = await baseline()
    out = await service("district")
    assert (out.total.on_post, out.total.compliant) == (base["on_post"], base["compliant"]), (out.total, base)
    times: dict[str, list[float]] = {"baseline": [], "service_district": [], "service_kindergarten": []}
    for _ in range(repeat):
        for name, call in (
            ("baseline", baseline),
            ("service_district", lambda: service("district")),
            ("service_kindergarten", lambda: service("kindergarten")),
        ):
            t0 = time.perf_counter()
            await call()
            times[name].append(time.perf_counter() - t0)
    await close_pool()
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "figures": base,
        "rate": out.total.rate,
        "violations": out.violations_total,
        "median_s": med,
        "ratio_district": med["service_district"] / med["baseline"],
        "ratio_kindergarten": med["service_kindergarten"] / med["baseline"],
    }


def one_engine(engine: str, scale: str, repeat: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-compliance-") as tmp:
        var = Path(tmp) / "var"

        def go(url: str) -> dict[str, object]:
            env = bench_env(url, var)
            run(registry_cmd("migrate"), env)
            run(registry_cmd("demo", "load", "--scale", scale), env, timeout=1800)
            out = subprocess.run(
                [sys.executable, __file__, "--measure", "--repeat", str(repeat)],
                env=env,
                capture_output=True,
                text=True,
                timeout=1800,
                check=True,
            )
            return json.loads(out.stdout.strip().splitlines()[-1])

        if engine == "postgres":
            with scratch_postgres(label="compliance") as url:
                return go(url)
        return go(sqlite_url(Path(tmp) / "bench.db"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", choices=["district", "city"], default="district")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.repeat)), default=str))
        return
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    results = {}
    print(f"compliance benchmark, scale {args.scale}, {args.repeat} repeats; {machine()}")
    print(
        f"{'engine':<10} {'on post':>8} {'compliant':>9} {'rate':>7} {'baseline ms':>12} "
        f"{'service ms (district)':>22} {'ratio':>6} {'service ms (by kg)':>19} {'ratio':>6}"
    )
    for engine in engines:
        r = one_engine(engine, args.scale, args.repeat)
        results[engine] = r
        m = r["median_s"]
        f = r["figures"]
        print(
            f"{engine:<10} {f['on_post']:>8} {f['compliant']:>9} {r['rate']:>7} {m['baseline'] * 1e3:>12.1f} "
            f"{m['service_district'] * 1e3:>22.1f} {r['ratio_district']:>6.2f} "
            f"{m['service_kindergarten'] * 1e3:>19.1f} {r['ratio_kindergarten']:>6.2f}"
        )
    path = save_results(
        f"compliance-{args.scale}",
        {"scale": args.scale, "repeat": args.repeat, "results": results, "machine": machine()},
    )
    print(f"raw figures: {path}")


if __name__ == "__main__":
    main()
