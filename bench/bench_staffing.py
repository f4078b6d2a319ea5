"""Staffing gaps for a whole district (or province) and pool matching, each against ONE hand-written SQL
statement in the same run.

    .venv/bin/python bench/bench_staffing.py [--engine sqlite|postgres|both] [--scale district|province]
        [--repeat 11] [--pool 50000]

For each engine, a fresh database:

- ``--scale district``: ``registry migrate`` and ``registry demo load --scale district`` (315
  kindergartens, 11,057 staff, 23,490 certificates, a pool of 3,000);
- ``--scale province``: ``registry migrate``, then 20,000 kindergartens and 600,000 staff with their
  certificates written straight into the tables by this script (``kernel.db.bulk_insert``: COPY on
  PostgreSQL). The demo's own province load also writes training, credit and ethics history (tens of
  millions of rows) that the gaps never read; generating only what they read keeps the run to minutes.

Then the pool is topped up to ``--pool`` candidates (bulk insert, untimed), and in one process on that
database, alternately:

- gaps: the service ``staffing.gaps.gaps(hr, by="district")`` and ``by="kindergarten"`` (every
  kindergarten's requirement from the policy, people and qualified people from one set-wise query, the
  first page of rows), against the baseline: ONE hand-written statement computing each kindergarten's
  requirement with CASE expressions for today's policy numbers, its qualified people with an EXISTS per
  certificate, and the district's gap per post. Both must agree on the district's gap per post (checked).
- matching: ``staffing.matching.matches(hr, kg, "teacher")`` (the first page of 50 with reasons, the
  total, the kindergarten's gap) against the baseline: ONE hand-written ranking query returning the
  same first 50 candidate ids (checked).

Prints medians and service / baseline. Issue 5's targets: gaps for the district under 100 ms; at
province scale under 5 s on PostgreSQL; matching over 50,000 candidates under 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_env, machine, registry_cmd, run, save_results, scratch_postgres, sqlite_url

# --- the baselines --------------------------------------------------------------------------------

VALID = "c.status = 'valid' AND c.issued_on <= {d} AND (c.expires_on IS NULL OR c.expires_on >= {d})"
KG_TQ = " AND SUBSTR(c.number, 10, 1) = '1'"


def has(cert_type: str, extra: str = "", table: str = "certificate", owner: str = "c.staff = s.id") -> str:
    return f"EXISTS (SELECT 1 FROM {table} c WHERE {owner} AND c.type = '{cert_type}' AND {VALID}{extra})"


def gap(post: str) -> str:
    return f"SUM(CASE WHEN r.{post} > COALESCE(q.{post}, 0) THEN r.{post} - COALESCE(q.{post}, 0) ELSE 0 END)"


# Today's policy written out by hand: per class 2+1 (full day), 3+0 (3-teacher), 2+0 (half day),
# 3+2 / 4+1 (boarding), a single class 2+0; principals at least 1; health max(1, ceil(children / 150)).
HAND_WRITTEN_GAPS = f"""
WITH k AS (
  SELECT k.id, k.classes_small + k.classes_middle + k.classes_large + k.classes_mixed + k.classes_nursery AS cl,
         k.children AS ch, k.service_type AS st, k.teacher_model AS tm
  FROM kindergarten k
  WHERE (k.opened_on IS NULL OR k.opened_on <= {{d}}) AND (k.closed_on IS NULL OR k.closed_on > {{d}})
), r AS (
  SELECT id,
    cl * CASE WHEN cl = 1 THEN 2 WHEN st = 'boarding' THEN (CASE WHEN tm = 'three_teacher' THEN 4 ELSE 3 END)
              WHEN st = 'half_day' THEN 2 WHEN tm = 'three_teacher' THEN 3 ELSE 2 END AS teacher,
    cl * CASE WHEN cl = 1 THEN 0 WHEN st = 'boarding' THEN (CASE WHEN tm = 'three_teacher' THEN 1 ELSE 2 END)
              WHEN st = 'half_day' THEN 0 WHEN tm = 'three_teacher' THEN 0 ELSE 1 END AS childcare,
    1 AS principal,
    CASE WHEN ch <= 150 THEN 1 ELSE (ch + 149) / 150 END AS health
  FROM k
), q AS (
  SELECT s.kindergarten AS kg,
    SUM(CASE WHEN s.post = 'teacher' AND {has("teacher_qualification", KG_TQ)} AND {has("post_certificate")}
        THEN 1 ELSE 0 END) AS teacher,
    SUM(CASE WHEN s.post = 'childcare_worker' AND {has("childcare_certificate")} THEN 1 ELSE 0 END) AS childcare,
    SUM(CASE WHEN s.post IN ('principal', 'vice_principal') AND {has("principal_qualification")}
        AND {has("post_certificate")} AND {has("teacher_qualification", KG_TQ)} THEN 1 ELSE 0 END) AS principal,
    SUM(CASE WHEN s.post = 'health_doctor' AND ({has("doctor_licence")} OR {has("nurse_licence")}
        OR {has("health_care_training")}) THEN 1 ELSE 0 END) AS health
  FROM staff s
  WHERE s.status = 'on_post'
  GROUP BY s.kindergarten
)
SELECT {gap("teacher")} AS teacher, {gap("childcare")} AS childcare_worker, {gap("principal")} AS principal,
       {gap("health")} AS health_doctor
FROM r LEFT JOIN q ON q.kg = r.id
"""

POOL = "c.candidate = cand.id"
HAND_WRITTEN_MATCHES = f"""
SELECT cand.id, COUNT(*) OVER () AS total
FROM pool_candidate cand
WHERE cand.status = 'available' AND CAST(cand.posts AS TEXT) LIKE '%"teacher"%'
  AND (cand.available_to IS NULL OR cand.available_to >= {{d}})
ORDER BY
  CASE WHEN {has("teacher_qualification", KG_TQ, "pool_certificate", POOL)}
       AND {has("post_certificate", "", "pool_certificate", POOL)} THEN 1 ELSE 0 END DESC,
  CASE WHEN CAST(cand.streets AS TEXT) LIKE {{street}} THEN 2 WHEN CAST(cand.streets AS TEXT) = '[]' THEN 1
       ELSE 0 END DESC,
  CASE WHEN cand.available_from <= {{d}} THEN 1 ELSE 0 END DESC, cand.available_from, cand.id
LIMIT 50
"""


# --- synthetic rows (province scale, and the pool top-up) ---------------------------------------------

STREETS = 160  # per province-scale synthetic district


def _id_number(n: int) -> str:
    """A valid, unique ID number for synthetic person n (GB 11643 check character)."""
    from registry.staff.rules import make_id_number

    born = date(1960, 1, 1) + timedelta(days=n % 14_000)
    area = f"4{(n // 14_000) % 10}0{(n // 140_000) % 10}99"  # 4x0y99: no area the demo uses
    return make_id_number(area, born, (n // 7) % 1000)


def _number(cert_type: str, year: int, n: int) -> str:
    """Unique numbers: a 17-digit kindergarten teacher qualification (type digit 1), ``S`` + 9 digits else."""
    if cert_type == "teacher_qualification":
        return f"{year}11{n // 1_000_000:03d}12{n % 1_000_000:06d}"
    return f"S{n:09d}"


async def synthetic_province(kindergartens: int, staff_target: int, seed: int = 5) -> dict[str, int]:
    """Kindergartens, staff and certificates straight into the tables (COPY on PostgreSQL)."""
    from kernel.db import bulk_insert, write_transaction

    rng = random.Random(seed)
    now = time.time()
    kg_rows, staff_rows, cert_rows = [], [], []
    per_kg = staff_target / kindergartens
    sid = cid = 0
    for k in range(1, kindergartens + 1):
        classes = rng.randint(3, 15)
        service = rng.choices(["full_day", "half_day", "boarding"], [94, 4, 2])[0]
        model = "three_teacher" if rng.random() < 0.1 else "two_plus_one"
        children = classes * rng.randint(22, 31)
        kg_rows.append(
            (k, f"PV{k:06d}", f"合成幼儿园{k}", f"第{k % STREETS + 1}街道", k % 15 + 1, "public", "none", "none",
             service, model, classes // 3, classes // 3, classes - 2 * (classes // 3), 0, 0, children,
             children + rng.randint(0, 20), None, None, date.today(), date.today())
        )  # fmt: skip
        n = max(4, round(per_kg * rng.uniform(0.8, 1.2)))
        posts = ["principal"] + ["teacher"] * round(n * 0.62) + ["childcare_worker"] * round(n * 0.22)
        posts += ["health_doctor"] * max(0, round(n * 0.03)) + ["vice_principal"] * (classes >= 6)
        posts += ["other"] * max(0, n - len(posts))
        for post in posts[:n]:
            sid += 1
            idn = _id_number(sid)
            status = "on_post" if rng.random() < 0.95 else rng.choice(["on_leave", "pending_induction", "left"])
            staff_rows.append(
                (sid, idn, "合成", "female", date(1990, 1, 1), k, post, "contract", "none", "[]", None,
                 date(2015, 9, 1), status, None, date.today(), date.today())
            )  # fmt: skip
            ok = rng.random() < 0.95
            needs = {
                "teacher": ["teacher_qualification", "post_certificate"],
                "principal": ["teacher_qualification", "post_certificate", "principal_qualification"],
                "vice_principal": ["teacher_qualification", "post_certificate", "principal_qualification"],
                "childcare_worker": ["childcare_certificate"],
                "health_doctor": ["nurse_licence"],
                "other": [],
            }[post]
            for t in needs if ok else needs[:-1]:
                cid += 1
                cert_rows.append((cid, sid, t, _number(t, 2010, cid), "合成", date(2012, 7, 1), None, "valid", "",
                                  date.today(), date.today()))  # fmt: skip
    kg_cols = (
        "id", "code", "name", "street", "collab_group", "ownership", "grade", "demonstration", "service_type",
        "teacher_model", "classes_small", "classes_middle", "classes_large", "classes_mixed", "classes_nursery",
        "children", "places", "opened_on", "closed_on", "created_at", "updated_at",
    )  # fmt: skip
    staff_cols = (
        "id", "id_number", "name", "sex", "birth_date", "kindergarten", "post", "employment", "title", "honours",
        "education", "hired_on", "status", "left_on", "created_at", "updated_at",
    )  # fmt: skip
    cert_cols = (
        "id", "staff", "type", "number", "issuer", "issued_on", "expires_on", "status", "reason", "created_at",
        "updated_at",
    )  # fmt: skip
    async with write_transaction():
        for table, cols, rows in (
            ("kindergarten", kg_cols, kg_rows),
            ("staff", staff_cols, staff_rows),
            ("certificate", cert_cols, cert_rows),
        ):
            for i in range(0, len(rows), 50_000):
                await bulk_insert(table, cols, rows[i : i + 50_000])
    print(f"synthetic province written in {time.time() - now:.1f} s", file=sys.stderr)
    return {"kindergartens": len(kg_rows), "staff": len(staff_rows), "certificates": len(cert_rows)}


async def top_up_pool(size: int, streets: list[str], seed: int = 7) -> int:
    """Candidates (and their certificates) up to ``size`` in the pool; 60% hold a teacher's certificates."""
    import json as _json

    from kernel.db import bulk_insert, fetch_all, write_transaction

    have = int((await fetch_all("SELECT COUNT(*) AS n, MAX(id) AS m FROM pool_candidate"))[0]["n"])
    first = int((await fetch_all("SELECT COALESCE(MAX(id), 0) AS m FROM pool_candidate"))[0]["m"])
    cert_first = int((await fetch_all("SELECT COALESCE(MAX(id), 0) AS m FROM pool_certificate"))[0]["m"])
    rng = random.Random(seed)
    rows, certs = [], []
    today = date.today()
    for i in range(1, size - have + 1):
        cid = first + i
        idn = _id_number(2_000_000 + cid)
        posts = rng.choice([["teacher"], ["teacher"], ["teacher", "childcare_worker"], ["health_doctor"]])
        pref = [] if rng.random() < 0.45 else [rng.choice(streets)]
        start = today + timedelta(days=rng.randint(-400, 300))
        end = None if rng.random() < 0.55 else start + timedelta(days=rng.randint(180, 1000))
        rows.append(
            (cid, idn, "候选", "female", date(1995, 1, 1), "university", _json.dumps(posts),
             _json.dumps(pref, ensure_ascii=False), "bachelor", start, end, "available", None, "", today, today)
        )  # fmt: skip
        if rng.random() < 0.6:
            for t in ("teacher_qualification", "post_certificate"):
                cert_first += 1
                certs.append(
                    (cert_first, cid, t, _number(t, 2019, cert_first), "合成", date(2019, 7, 1), None, "valid")
                )
    cand_cols = (
        "id", "id_number", "name", "sex", "birth_date", "source", "posts", "streets", "education", "available_from",
        "available_to", "status", "staff", "note", "created_at", "updated_at",
    )  # fmt: skip
    cert_cols = ("id", "candidate", "type", "number", "issuer", "issued_on", "expires_on", "status")
    async with write_transaction():
        for i in range(0, len(rows), 20_000):
            await bulk_insert("pool_candidate", cand_cols, rows[i : i + 20_000])
        for i in range(0, len(certs), 20_000):
            await bulk_insert("pool_certificate", cert_cols, certs[i : i + 20_000])
    return have + len(rows)


async def analyze() -> None:
    from kernel.db import get_engine, is_sqlite

    engine = get_engine()
    if is_sqlite():
        await engine.run_ddl("ANALYZE")
        return
    for table in ("kindergarten", "staff", "certificate", "pool_candidate", "pool_certificate"):
        await engine.run_ddl(f'ANALYZE "{table}"')
    for table in ("kindergarten", "staff", "certificate", "pool_candidate", "pool_certificate"):  # sequences on
        await engine.run_ddl(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
        )


# --- measuring ------------------------------------------------------------------------------------------


async def measure(repeat: int, synthetic: str | None, pool: int) -> dict[str, Any]:
    from piccolo.querystring import QueryString

    from kernel.auth import Principal
    from kernel.codes import Role
    from kernel.common.like import json_item as _like
    from kernel.common.time import today
    from kernel.db import close_pool, fetch_all, get_engine, start_pool
    from staffing.gaps import gaps
    from staffing.matching import matches

    await start_pool(4)
    setup: dict[str, Any] = {}
    if synthetic == "province":
        setup["synthetic"] = await synthetic_province(20_000, 600_000)
    streets = [r["street"] for r in await fetch_all("SELECT DISTINCT street FROM kindergarten")]
    setup["pool"] = await top_up_pool(pool, streets)
    await analyze()
    hr = Principal(account_id=0, username="bench", role=Role.district_hr)
    day = today()
    engine = get_engine()
    gaps_sql = HAND_WRITTEN_GAPS.replace("{d}", "{}")
    n_gaps = gaps_sql.count("{}")
    kg = (await fetch_all("SELECT id, street FROM kindergarten ORDER BY id LIMIT 1"))[0]
    # the day and the street, in the order their placeholders appear
    match_args = [
        _like(kg["street"]) if name == "street" else day for name in re.findall(r"\{(d|street)\}", HAND_WRITTEN_MATCHES)
    ]
    match_sql = re.sub(r"\{(d|street)\}", "{}", HAND_WRITTEN_MATCHES)

    async def base_gaps() -> dict[str, int]:
        rows = await engine.run_querystring(QueryString(gaps_sql, *([day] * n_gaps)))
        return {k: int(v or 0) for k, v in rows[0].items()}

    async def base_matches() -> list[int]:
        rows = await engine.run_querystring(QueryString(match_sql, *match_args))
        return [r["id"] for r in rows]

    async def service_gaps(by: str) -> Any:
        return await gaps(hr, by=by, on=day)  # type: ignore[arg-type]

    async def service_matches() -> Any:
        return await matches(hr, kg["id"], "teacher", day, 50, 0)

    # warm up, and check both agree
    base = await base_gaps()
    out = await service_gaps("district")
    got = {p.post.value: p.gap for p in out.total.posts}
    assert got == base, (got, base)
    ranked = await base_matches()
    m = await service_matches()
    assert [i.candidate_id for i in m.items] == ranked, "the baseline ranks differently"
    calls = {
        "gaps_baseline": base_gaps,
        "gaps_district": lambda: service_gaps("district"),
        "gaps_kindergarten": lambda: service_gaps("kindergarten"),
        "matches_baseline": base_matches,
        "matches": service_matches,
    }
    times: dict[str, list[float]] = {k: [] for k in calls}
    for _ in range(repeat):
        for name, call in calls.items():
            t0 = time.perf_counter()
            await call()
            times[name].append(time.perf_counter() - t0)
    await close_pool()
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "setup": setup,
        "kindergartens": out.total.kindergartens,
        "on_post": sum(p.on_post for p in out.total.posts),
        "gaps": got,
        "pool_candidates": setup["pool"],
        "matches_total": m.total,
        "median_s": med,
        "ratio_gaps_district": med["gaps_district"] / med["gaps_baseline"],
        "ratio_gaps_kindergarten": med["gaps_kindergarten"] / med["gaps_baseline"],
        "ratio_matches": med["matches"] / med["matches_baseline"],
    }


def one_engine(engine: str, scale: str, repeat: int, pool: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-staffing-") as tmp:
        var = Path(tmp) / "var"

        def go(url: str) -> dict[str, Any]:
            env = bench_env(url, var)
            run(registry_cmd("migrate"), env)
            args = ["--measure", "--repeat", str(repeat), "--pool", str(pool)]
            if scale == "district":
                run(registry_cmd("demo", "load", "--scale", "district"), env, timeout=1800)
            else:
                args += ["--synthetic", scale]
            out = subprocess.run(
                [sys.executable, __file__, *args], env=env, capture_output=True, text=True, timeout=3600, check=False
            )
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-4000:])
            return dict(json.loads(out.stdout.strip().splitlines()[-1]))

        if engine == "postgres":
            with scratch_postgres(label="staffing") as url:
                return go(url)
        return go(sqlite_url(Path(tmp) / "bench.db"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", choices=["district", "province"], default="district")
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--pool", type=int, default=50_000, help="candidates in the pool for matching")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--synthetic", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.repeat, args.synthetic, args.pool)), default=str))
        return
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    print(f"staffing benchmark, scale {args.scale}, pool {args.pool:,}, {args.repeat} repeats; {machine()}")
    head = (
        f"{'engine':<10} {'kgs':>6} {'on post':>8} {'gaps base ms':>12} {'district ms':>11} {'ratio':>6} "
        f"{'by kg ms':>9} {'ratio':>6} {'match base ms':>13} {'match ms':>9} {'ratio':>6}"
    )
    print(head)
    results = {}
    for engine in engines:
        r = one_engine(engine, args.scale, args.repeat, args.pool)
        results[engine] = r
        m = r["median_s"]
        print(
            f"{engine:<10} {r['kindergartens']:>6} {r['on_post']:>8} {m['gaps_baseline'] * 1e3:>12.1f} "
            f"{m['gaps_district'] * 1e3:>11.1f} {r['ratio_gaps_district']:>6.2f} {m['gaps_kindergarten'] * 1e3:>9.1f} "
            f"{r['ratio_gaps_kindergarten']:>6.2f} {m['matches_baseline'] * 1e3:>13.1f} {m['matches'] * 1e3:>9.1f} "
            f"{r['ratio_matches']:>6.2f}"
        )
        print(f"{'':<10} gaps per post {r['gaps']}; pool {r['pool_candidates']:,}, {r['matches_total']:,} match")
    path = save_results(
        f"staffing-{args.scale}",
        {"scale": args.scale, "repeat": args.repeat, "pool": args.pool, "results": results, "machine": machine()},
    )
    print(f"raw figures: {path}")


if __name__ == "__main__":
    main()
