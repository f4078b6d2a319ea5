"""PDF reports: the service against a bare WeasyPrint render of the same HTML, in the same run.

    .venv/bin/python bench/bench_reports.py [--engine sqlite|postgres|both] [--staff 25] [--repeat 5]
        [--kindergartens N] [--workers 2] [--no-batch]

For each engine: a fresh database with the district demo (``registry demo load --scale district``),
then, in one child process on that database:

(a) per-teacher PDFs, for ``--staff`` on-post people spread over the district: the certificate report
    and the credit transcript, each as the service makes it (``reports.services``: the data through the
    other areas' services, the verification code, HTML, the PDF rendered in a worker thread, the code
    recorded), alternated with the baseline: ``weasyprint.HTML(string=<the same HTML>).write_pdf()``;
(b) district PDFs, ``--repeat`` times each: the district staffing report (gaps, plan progress over
    time, three charts) and the district compliance report, each with the same baseline;

and (c), unless ``--no-batch``: ``registry report kindergartens --out <zip> --workers N`` timed as a
child process (start-up, every kindergarten's data, render and record, the zip), against a child
process that renders the very same kindergarten HTML (written out beforehand by the service's own
templates) with bare WeasyPrint over the same number of ``spawn`` worker processes.

Targets (issue 6): per-teacher PDF median under 0.5 s; district PDF under 5 s; the batch of all
kindergarten PDFs reported with its ratio. HTTP is not included in (a) and (b): the endpoints add
routing, JWT and the response around the same service calls (a millisecond or two, see the staff
API benchmark).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    DEFAULT_PG,
    bench_env,
    machine,
    raise_on_sigterm,
    registry_cmd,
    run,
    save_results,
    scratch_postgres,
    sqlite_url,
    timed_child,
)


def _bare(html: str) -> float:
    """The baseline: WeasyPrint alone on the same HTML (same base URL as the service)."""
    return _bare_timed(html)[0]


def _bare_timed(html: str) -> tuple[float, float]:
    """Wall and CPU time (the process's, every thread) of the baseline."""
    from weasyprint import HTML

    from reports.render import TEMPLATES

    started, cpu = time.perf_counter(), time.process_time()
    HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return time.perf_counter() - started, time.process_time() - cpu


async def measure(staff: int, repeat: int, html_dir: str | None) -> dict[str, Any]:
    from kernel.auth import Principal
    from kernel.codes import Role
    from kernel.db import close_pool, start_pool
    from registry.staff.tables import Staff
    from reports import render, services

    await start_pool(4)
    hr = Principal(account_id=0, username="bench", role=Role.district_hr)
    ids = [r["id"] for r in await Staff.select(Staff.id).where(Staff.status == "on_post").order_by(Staff.id)]
    picked = ids[:: max(1, len(ids) // staff)][:staff]

    async def one(build: Any) -> tuple[float, float, float, float, int, int]:
        """Wall and CPU time of the service, then of the baseline on the same HTML."""
        started, cpu = time.perf_counter(), time.process_time()
        issued = await services.issue(hr, await build())
        took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
        bare, bare_cpu = _bare_timed(issued.html)
        return took, bare, took_cpu, bare_cpu, issued.pages, len(issued.pdf)

    # warm-up: fonts, matplotlib, templates (the first document of a process pays for them once)
    await one(lambda: services.staff_certificates(hr, picked[0]))
    await one(lambda: services.district_compliance(hr, None))
    out: dict[str, Any] = {"staff": len(picked)}
    per: dict[str, dict[str, list[float]]] = {}
    for sid in picked:
        for kind, build in (
            ("certificates", lambda sid=sid: services.staff_certificates(hr, sid)),
            ("transcript", lambda sid=sid: services.credit_transcript(hr, sid, None)),
        ):
            _record(per, kind, await one(build))
    for _ in range(repeat):
        for kind, build in (
            ("district_staffing", lambda: services.district_staffing(hr, None)),
            ("district_compliance", lambda: services.district_compliance(hr, None)),
        ):
            _record(per, kind, await one(build))
    for kind, rows in per.items():
        service, bare = statistics.median(rows["service"]), statistics.median(rows["bare"])
        out[kind] = {
            "n": len(rows["service"]),
            "service_median_s": service,
            "service_max_s": max(rows["service"]),
            "bare_median_s": bare,
            "ratio": service / bare,
            "service_cpu_median_s": statistics.median(rows["service_cpu"]),
            "bare_cpu_median_s": statistics.median(rows["bare_cpu"]),
            "pages_median": statistics.median(rows["pages"]),
            "kib_median": statistics.median(rows["bytes"]) / 1024,
        }
    if html_dir:  # the batch baseline's input: every kindergarten's HTML, from the service's templates
        from kernel.common.time import utcnow
        from reports.batch import kindergartens

        pages: dict[str, str] = {}
        for kg in await kindergartens():
            doc = await services.kindergarten_staffing(hr, kg.id)
            page = services.page_of(doc, "0" * 16, utcnow())
            pages[kg.code] = render.render_html(doc.template, page, doc.data, doc.charts)
        for code, html in pages.items():
            (Path(html_dir) / f"{code}.html").write_text(html, encoding="utf-8")
    await close_pool()
    return out


def _record(per: dict[str, dict[str, list[float]]], kind: str, sample: tuple[float, ...]) -> None:
    rows = per.setdefault(kind, {k: [] for k in ("service", "bare", "service_cpu", "bare_cpu", "pages", "bytes")})
    for key, value in zip(("service", "bare", "service_cpu", "bare_cpu", "pages", "bytes"), sample, strict=True):
        rows[key].append(value)


def bare_batch(html_dir: str, workers: int) -> dict[str, Any]:
    """The batch baseline, in its own process: the same HTML files, bare WeasyPrint, ``workers`` processes."""
    files = sorted(Path(html_dir).glob("*.html"))
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        took = list(pool.map(_bare_file, [str(f) for f in files]))
    return {"files": len(files), "wall_s": time.perf_counter() - started, "render_s_sum": sum(took)}


def _bare_file(path: str) -> float:
    return _bare(Path(path).read_text(encoding="utf-8"))


def one_engine(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        work = Path(tmp)
        var = work / "var"

        def go(url: str) -> dict[str, Any]:
            env = bench_env(url, var)
            print(f"[{engine}] migrate + demo load (district) ...", flush=True)
            run(registry_cmd("migrate"), env)
            run(registry_cmd("demo", "load", "--scale", "district"), env, timeout=1800)
            html_dir = work / "html"
            html_dir.mkdir()
            cmd = [sys.executable, __file__, "--measure", "--staff", str(args.staff), "--repeat", str(args.repeat)]
            if not args.no_batch:
                cmd += ["--html-dir", str(html_dir)]
            print(f"[{engine}] per-teacher and district PDFs ...", flush=True)
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"measure failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
            result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
            if args.no_batch:
                return result
            files = sorted(html_dir.glob("*.html"))
            if args.kindergartens:
                for extra in files[args.kindergartens :]:
                    extra.unlink()
                files = files[: args.kindergartens]
            codes = [f.stem for f in files]
            batch_cmd = registry_cmd("report", "kindergartens", "--out", str(work / "all.zip"))
            batch_cmd += ["--workers", str(args.workers)]
            if args.kindergartens:
                for code in codes:
                    batch_cmd += ["--kindergarten", code]
            print(f"[{engine}] batch of {len(codes)} kindergarten PDFs, {args.workers} workers ...", flush=True)
            service = timed_child(batch_cmd, env, timeout=3600, workdir=work)
            base = timed_child(
                [sys.executable, __file__, "--bare-batch", str(html_dir), "--workers", str(args.workers)],
                env,
                timeout=3600,
                workdir=work,
            )
            bare = json.loads(base.stdout.strip().splitlines()[-1])
            if bare["files"] != len(codes):
                raise RuntimeError(f"the baseline rendered {bare['files']} files for {len(codes)} kindergartens")
            import zipfile

            with zipfile.ZipFile(work / "all.zip") as z:
                written = [n for n in z.namelist() if n.endswith(".pdf")]
                zip_mib = sum(i.file_size for i in z.infolist()) / 2**20
            if len(written) != len(codes):
                raise RuntimeError(f"the batch wrote {len(written)} PDFs for {len(codes)} kindergartens")
            result["batch"] = {
                "kindergartens": len(codes),
                "workers": args.workers,
                "service_wall_s": service.wall_s,
                "service_cpu_s": service.user_s + service.sys_s,
                "bare_wall_s": base.wall_s,
                "bare_cpu_s": base.user_s + base.sys_s,
                "ratio": service.wall_s / base.wall_s,
                "zip_mib": zip_mib,
            }
            return result

        if engine == "postgres":
            with scratch_postgres(args.pg, label="reports") as url:
                return go(url)
        return go(sqlite_url(work / "bench.db"))


def _print(engine: str, r: dict[str, Any]) -> None:
    targets = {"certificates": 0.5, "transcript": 0.5, "district_staffing": 5.0, "district_compliance": 5.0}
    for kind, limit in targets.items():
        m = r[kind]
        verdict = "met" if m["service_median_s"] < limit else "NOT met"
        print(
            f"[{engine}] {kind:<20} n={m['n']:<3} service median {m['service_median_s'] * 1e3:7.1f} ms "
            f"(max {m['service_max_s'] * 1e3:7.1f}), bare WeasyPrint {m['bare_median_s'] * 1e3:7.1f} ms, "
            f"ratio {m['ratio']:.2f}; CPU {m['service_cpu_median_s'] * 1e3:.0f} / "
            f"{m['bare_cpu_median_s'] * 1e3:.0f} ms; "
            f"{m['pages_median']:g} page(s), {m['kib_median']:.0f} KiB; "
            f"target < {limit:g} s: {verdict}"
        )
    b = r.get("batch")
    if b:
        print(
            f"[{engine}] batch: {b['kindergartens']} kindergarten PDFs, {b['workers']} workers: "
            f"{b['service_wall_s']:.1f} s wall ({b['service_cpu_s']:.1f} s CPU), bare WeasyPrint "
            f"{b['bare_wall_s']:.1f} s wall ({b['bare_cpu_s']:.1f} s CPU), ratio {b['ratio']:.2f}; "
            f"zip {b['zip_mib']:.0f} MiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--staff", type=int, default=25, help="people for the per-teacher PDFs")
    parser.add_argument("--repeat", type=int, default=5, help="repeats of each district PDF")
    parser.add_argument("--kindergartens", type=int, default=0, help="batch: only the first N (0: all)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="batch worker processes")
    parser.add_argument("--no-batch", action="store_true", help="skip (c), the batch")
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL for the scratch database")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--html-dir", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--bare-batch", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.staff, args.repeat, args.html_dir)), default=str))
        return
    if args.bare_batch:
        print(json.dumps(bare_batch(args.bare_batch, args.workers)))
        return
    raise_on_sigterm()
    from reports.render import harfbuzz_subset_available

    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    print(
        f"reports benchmark, district; {machine()}; HarfBuzz subsetting: "
        f"{'yes' if harfbuzz_subset_available() else 'NO (fontTools fallback: seconds per PDF)'}",
        flush=True,
    )
    results: dict[str, Any] = {"machine": machine(), "args": vars(args)}
    for engine in engines:
        r = one_engine(engine, args)
        results[engine] = r
        _print(engine, r)
    print(f"raw figures: {save_results('reports', results)}")


if __name__ == "__main__":
    main()
