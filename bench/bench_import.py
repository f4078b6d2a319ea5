"""An import of 60,000 staff rows (issue 6: under 60 s), time and peak memory, against a plain pandas read.

    .venv/bin/python bench/bench_import.py [--engine sqlite|postgres|both] [--rows 60000] [--repeat 3]
        [--format xlsx|csv|both] [--pg postgresql://postgres@127.0.0.1:5432]

Once per run: a staff file of ``--rows`` valid, distinct people over 315 kindergartens, written as
.xlsx (openpyxl, ID numbers as text cells) and as UTF-8 CSV, and a kindergarten file of those 315.
Then per engine and repeat, a fresh database (``registry migrate``; a temporary SQLite file, or a
scratch PostgreSQL database dropped afterwards) with the kindergartens imported (untimed), and
these child processes, each measured from outside (wall time, CPU, peak RSS by ``os.wait4``):

1. **service**: ``bulk.services.run_import(hr, "staff", file)`` — reading, every row through
   ``StaffCreate`` and the staff rules, the existence checks, the bulk insert of staff, assignments and
   audit events in one transaction; the child also reports the in-process time of the call alone;
2. **baseline**: a plain ``pandas.read_excel(file, engine="calamine", dtype=str)`` (or
   ``pandas.read_csv(file, dtype=str)``) of the same file, in the same kind of fresh process.

Why this baseline: reading the file is the floor any pandas-based import pays; the ratio shows what
validating by the API's rules and writing to the database cost on top. Both children start the same
interpreter, so start-up and imports are in both peak-memory figures. The service child checks that
every row was imported (``imported == rows``, no errors).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    DEFAULT_PG,
    bench_env,
    machine,
    median,
    raise_on_sigterm,
    registry_cmd,
    run,
    save_results,
    scratch_postgres,
    sqlite_url,
    timed_child,
)

KINDERGARTENS = 315
AREAS = [f"1101{n:02d}" for n in (1, 2, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17)]
POSTS = ["专任教师"] * 6 + ["保育员"] * 2 + ["保健医", "园长", "副园长", "其他"]
EMPLOYMENT = ["在编", "编外合同", "劳务派遣", "政府购买服务", "退休返聘"]
TITLES = ["未定级", "三级", "二级", "一级", "高级"]
EDUCATION = ["大专", "本科", "本科", "硕士", "中专/高中"]
STATUS = ["在岗"] * 8 + ["待岗培训", "离岗/休假"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "芳静丽敏燕艳娟霞婷雪琳颖慧晶欣怡佳悦"
HEADERS = ["身份证号", "姓名", "园所代码", "岗位", "用工形式", "职称", "荣誉称号", "学历", "入职日期", "在岗状态"]


def staff_rows(n: int) -> list[list[Any]]:
    from registry.staff.rules import make_id_number

    rows = []
    first_born = date(1965, 1, 1)
    for i in range(n):
        area = AREAS[i % len(AREAS)]
        born = first_born + timedelta(days=(i // len(AREAS)) % 12_000)
        sequence = (i // (len(AREAS) * 12_000)) % 1000
        id_number = make_id_number(area, born, sequence)
        hired = date(max(born.year + 20, 1990), 9, 1)
        rows.append(
            [
                id_number,
                SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)],
                f"BK{i % KINDERGARTENS + 1:04d}",
                POSTS[i % len(POSTS)],
                EMPLOYMENT[i % len(EMPLOYMENT)],
                TITLES[i % len(TITLES)],
                "区级骨干教师" if i % 37 == 0 else "",
                EDUCATION[i % len(EDUCATION)],
                hired,
                STATUS[i % len(STATUS)],
            ]
        )
    return rows


def write_files(workdir: Path, n: int) -> dict[str, Path]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    rows = staff_rows(n)
    paths = {"xlsx": workdir / f"staff-{n}.xlsx", "csv": workdir / f"staff-{n}.csv"}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("教职工")
    ws.append(HEADERS)
    for row in rows:
        cell = WriteOnlyCell(ws, value=row[0])
        cell.number_format = "@"
        date_cell = WriteOnlyCell(ws, value=row[8])
        date_cell.number_format = "yyyy-mm-dd"
        ws.append([cell, *row[1:8], date_cell, row[9]])
    wb.save(paths["xlsx"])
    with paths["csv"].open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow([*row[:8], row[8].isoformat(), row[9]])
    kg = workdir / "kindergartens.csv"
    with kg.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["园所代码", "园所名称", "街乡", "协作组", "办园性质", "小班数", "中班数", "大班数"])
        for k in range(KINDERGARTENS):
            writer.writerow([f"BK{k + 1:04d}", f"基准第{k + 1}幼儿园", "望京街道", k % 15 + 1, "公办", 2, 2, 2])
    paths["kindergartens"] = kg
    return paths


def _hr() -> Any:
    from kernel.auth import Principal
    from kernel.codes import Role

    return Principal(account_id=0, username="bench", role=Role.district_hr)


async def child_import(kind: str, content: bytes, name: str) -> dict[str, Any]:
    from bulk.services import run_import
    from kernel.db import close_pool, start_pool

    await start_pool(2)
    try:
        started = time.perf_counter()
        out = await run_import(_hr(), kind, name, content)
        seconds = time.perf_counter() - started
    finally:
        await close_pool()
    return {"seconds": seconds, "rows": out.rows, "imported": out.imported, "errors": len(out.errors)}


def child_read(path: Path) -> dict[str, Any]:
    import pandas as pd

    started = time.perf_counter()
    if path.suffix == ".xlsx":
        frame = pd.read_excel(path, engine="calamine", dtype=str)
    else:
        frame = pd.read_csv(path, dtype=str)
    return {"seconds": time.perf_counter() - started, "rows": len(frame)}


def _child(args: list[str], env: dict[str, str], workdir: Path, timeout: float) -> tuple[Any, dict[str, Any]]:
    measured = timed_child([sys.executable, __file__, *args], env, timeout, workdir)
    return measured, json.loads(measured.stdout.strip().splitlines()[-1])


def one_engine(engine: str, files: dict[str, Path], args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for fmt in ["xlsx", "csv"] if args.format == "both" else [args.format]:
        runs = []
        for i in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
                tmp_path = Path(tmp)
                if engine == "postgres":
                    ctx = scratch_postgres(args.pg, "import")
                    url = ctx.__enter__()
                else:
                    ctx, url = None, sqlite_url(tmp_path / "registry.db")
                try:
                    env = bench_env(url, tmp_path / "var")
                    run(registry_cmd("migrate"), env=env, timeout=300)
                    _child(["--child", "import", "--kind", "kindergartens", "--file", str(files["kindergartens"])],
                           env, workdir, 300)  # fmt: skip
                    order = ("service", "baseline") if i % 2 == 0 else ("baseline", "service")
                    one: dict[str, Any] = {}
                    for which in order:
                        if which == "service":
                            child_args = ["--child", "import", "--kind", "staff", "--file", str(files[fmt])]
                        else:
                            child_args = ["--child", "read", "--file", str(files[fmt])]
                        measured, reported = _child(child_args, env, workdir, 600)
                        one[which] = {
                            "wall_s": measured.wall_s,
                            "cpu_s": measured.user_s + measured.sys_s,
                            "maxrss_mib": measured.maxrss_mib,
                            **reported,
                        }
                    service = one["service"]
                    if service["errors"] or service["imported"] != args.rows:
                        raise RuntimeError(f"the import did not take every row: {service}")
                    runs.append(one)
                    print(
                        f"[{engine} {fmt} #{i + 1}] service {service['seconds']:.1f} s in-process "
                        f"({service['wall_s']:.1f} s wall, {service['maxrss_mib']:.0f} MiB peak); baseline "
                        f"{one['baseline']['seconds']:.2f} s ({one['baseline']['wall_s']:.1f} s wall, "
                        f"{one['baseline']['maxrss_mib']:.0f} MiB peak)",
                        flush=True,
                    )
                finally:
                    if ctx is not None:
                        ctx.__exit__(None, None, None)
        summary = {
            key: median([r[who][field] for r in runs])
            for key, who, field in (
                ("service_s", "service", "seconds"),
                ("service_wall_s", "service", "wall_s"),
                ("service_rss_mib", "service", "maxrss_mib"),
                ("baseline_s", "baseline", "seconds"),
                ("baseline_wall_s", "baseline", "wall_s"),
                ("baseline_rss_mib", "baseline", "maxrss_mib"),
            )
        }
        summary["ratio_time"] = summary["service_s"] / summary["baseline_s"]
        summary["ratio_wall"] = summary["service_wall_s"] / summary["baseline_wall_s"]
        summary["ratio_rss"] = summary["service_rss_mib"] / summary["baseline_rss_mib"]
        summary["rows_per_s"] = args.rows / summary["service_s"]
        results[fmt] = {"runs": runs, "median": summary}
        print(
            f"[{engine} {fmt}] median: import {summary['service_s']:.1f} s ({summary['rows_per_s']:,.0f} rows/s; "
            f"{summary['service_wall_s']:.1f} s wall), peak {summary['service_rss_mib']:.0f} MiB; plain read "
            f"{summary['baseline_s']:.2f} s, peak {summary['baseline_rss_mib']:.0f} MiB; ratio time "
            f"{summary['ratio_time']:.1f}× (wall {summary['ratio_wall']:.1f}×), memory {summary['ratio_rss']:.2f}×; "
            f"target < 60 s: {'met' if summary['service_wall_s'] < 60 else 'NOT met'}",
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", choices=["xlsx", "csv", "both"], default="both")
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--child", choices=["import", "read"], help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="staff", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "import":
        print(json.dumps(asyncio.run(child_import(args.kind, args.file.read_bytes(), args.file.name))))
        return
    if args.child == "read":
        print(json.dumps(child_read(args.file)))
        return
    raise_on_sigterm()
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    print(f"import benchmark: {args.rows:,} staff rows, {args.repeat} repeats; {machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-import-files-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        files = write_files(workdir, args.rows)
        sizes = {k: p.stat().st_size for k, p in files.items()}
        print(f"files written in {time.perf_counter() - started:.1f} s: {sizes}", flush=True)
        results = {engine: one_engine(engine, files, args, workdir) for engine in engines}
    path = save_results("import", {"rows": args.rows, "sizes": sizes, "results": results, "machine": machine()})
    print(f"raw figures: {path}")


if __name__ == "__main__":
    main()
