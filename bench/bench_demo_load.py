"""Time and peak memory of ``registry demo load`` against plain-generation and plain-insert baselines.

    .venv/bin/python bench/bench_demo_load.py [--engine sqlite|postgres|both] [--scale district|city]
        [--repeat 3]

Each repeat, for each engine, runs four child processes, each timed with its own rusage from
``os.wait4`` (wall time, CPU time, peak RSS):

1. ``registry demo load --scale S`` into a fresh, migrated database (a temporary SQLite file, or a
   scratch PostgreSQL database dropped afterwards): the thing measured;
2. baseline: ``bench/plain_load.py generate``: the pure generation alone (``generate`` and the
   demo's training/certificate history, ``DemoData.iter_history()``);
3. baseline: ``bench/plain_load.py copy``: exactly the rows the load wrote, copied into another
   fresh database with a plain sqlite3 ``executemany`` / asyncpg ``COPY`` in one transaction
   (only the insert is timed);
4. ``python -c 'import app.cli, demo.loader'``: interpreter start and imports only.

The plain load is (2) + the insert time of (3): start, imports, generation, plain insert. Figures
are medians over the repeats. Target (issue 2): the district demo loads well under a minute.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import (
    BENCH_DIR,
    DEFAULT_PG,
    Child,
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

TARGET_SECONDS = 60.0
LOADED_IN = re.compile(r"loaded in ([0-9.]+) s")


@dataclass
class Step:
    name: str
    wall_s: list[float]
    cpu_s: list[float]
    maxrss_mib: list[float]
    inner_s: list[float]

    def add(self, child: Child, inner: float | None) -> None:
        self.wall_s.append(child.wall_s)
        self.cpu_s.append(child.user_s + child.sys_s)
        self.maxrss_mib.append(child.maxrss_mib)
        if inner is not None:
            self.inner_s.append(inner)

    def summary(self) -> dict[str, Any]:
        return {
            "step": self.name,
            "wall_s": median(self.wall_s),
            "cpu_s": median(self.cpu_s),
            "maxrss_mib": median(self.maxrss_mib),
            "inner_s": median(self.inner_s) if self.inner_s else None,
            "runs_wall_s": [round(x, 3) for x in self.wall_s],
        }


@contextmanager
def fresh_database(engine: str, pg: str, workdir: Path, label: str) -> Iterator[str]:
    """A migrated, empty database; yields its REGISTRY_DATABASE_URL."""
    if engine == "sqlite":
        path = workdir / f"{label}.db"
        url = sqlite_url(path)
        run(registry_cmd("migrate"), bench_env(url, workdir), timeout=300)
        try:
            yield url
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        with scratch_postgres(pg, f"bench_{label}") as url:
            run(registry_cmd("migrate"), bench_env(url, workdir), timeout=300)
            yield url


def inner(child: Child) -> dict[str, Any]:
    lines = [line for line in child.stdout.splitlines() if line.startswith("BENCHJSON ")]
    if not lines:
        raise RuntimeError(f"no figures from {' '.join(child.cmd)}:\n{child.stdout[-2000:]}\n{child.stderr[-2000:]}")
    return dict(json.loads(lines[-1].removeprefix("BENCHJSON ")))


def bench_engine(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    insert_name = "plain sqlite3 executemany" if engine == "sqlite" else "plain asyncpg COPY"
    steps = {
        "load": Step(f"registry demo load --scale {args.scale}", [], [], [], []),
        "generate": Step("baseline: pure generation only, with history (process)", [], [], [], []),
        "copy": Step(f"baseline: the same rows, {insert_name}, one transaction (insert only)", [], [], [], []),
        "imports": Step("python start + imports only (process)", [], [], [], []),
    }
    written: dict[str, int] = {}
    timeout = 600.0 if args.scale == "district" else 1800.0
    plain = str(BENCH_DIR / "plain_load.py")
    with tempfile.TemporaryDirectory(prefix=f"bench-load-{engine}-") as tmp:
        workdir = Path(tmp)
        for rep in range(args.repeat):
            print(f"[{engine}] repeat {rep + 1}/{args.repeat} ...", flush=True)
            with fresh_database(engine, args.pg, workdir, "load") as loaded:
                cmd = registry_cmd("demo", "load", "--scale", args.scale, "--seed", str(args.seed))
                child = timed_child(cmd, bench_env(loaded, workdir), timeout, workdir)
                found = LOADED_IN.search(child.stdout)
                steps["load"].add(child, float(found.group(1)) if found else None)
                with fresh_database(engine, args.pg, workdir, "copy") as target:
                    cmd = [sys.executable, plain, "copy", "--source", loaded, "--target", target]
                    child = timed_child(cmd, bench_env(target, workdir), timeout, workdir)
                    figures = inner(child)
                    steps["copy"].add(child, figures["insert_s"])
                    if written and figures["rows"] != written:
                        raise RuntimeError(f"the loads wrote different rows: {written} vs {figures['rows']}")
                    written = figures["rows"]
            child = timed_child(
                [sys.executable, plain, "generate", "--scale", args.scale, "--seed", str(args.seed)],
                bench_env(sqlite_url(workdir / "unused.db"), workdir),
                timeout,
                workdir,
            )
            steps["generate"].add(child, inner(child)["total_s"])
            child = timed_child(
                [sys.executable, "-c", "import app.cli, demo.loader"],
                bench_env(sqlite_url(workdir / "unused.db"), workdir),
                120,
                workdir,
            )
            steps["imports"].add(child, None)
    summary = {key: step.summary() for key, step in steps.items()}
    load = summary["load"]["wall_s"]
    plain_load = summary["generate"]["wall_s"] + summary["copy"]["inner_s"]
    return {
        "engine": engine,
        "scale": args.scale,
        "rows": written,
        "steps": summary,
        "plain_load_s": plain_load,
        "ratio_load_vs_plain": load / plain_load,
        "ratio_load_vs_generate": load / summary["generate"]["wall_s"],
        "ratio_rss_load_vs_generate": summary["load"]["maxrss_mib"] / summary["generate"]["maxrss_mib"],
    }


def print_table(result: dict[str, Any]) -> None:
    rows = result["rows"]
    print(f"\n### {result['engine']}, scale {result['scale']}: {sum(rows.values()):,} rows in {len(rows)} tables\n")
    print("| step | wall s | CPU s | peak RSS MiB | in-process s |")
    print("|---|---:|---:|---:|---:|")
    for step in result["steps"].values():
        inner_s = "-" if step["inner_s"] is None else f"{step['inner_s']:.2f}"
        print(f"| {step['step']} | {step['wall_s']:.2f} | {step['cpu_s']:.2f} | {step['maxrss_mib']:.0f} | {inner_s} |")
    load_wall = result["steps"]["load"]["wall_s"]
    print(
        f"\nplain load (generate process + plain insert) = {result['plain_load_s']:.2f} s; "
        f"ratios (wall): load / plain load = {result['ratio_load_vs_plain']:.2f}, "
        f"load / generate only = {result['ratio_load_vs_generate']:.2f}; "
        f"peak RSS load / generate only = {result['ratio_rss_load_vs_generate']:.2f}; "
        f"target < {TARGET_SECONDS:.0f} s: {'met' if load_wall < TARGET_SECONDS else 'NOT met'} ({load_wall:.1f} s)"
    )
    print("rows written: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--scale", choices=["district", "city"], default="district")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--repeat", type=int, default=3, help="repeats (median reported), 1-10")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server for scratch databases ({DEFAULT_PG})")
    args = parser.parse_args()
    if not 1 <= args.repeat <= 10:
        parser.error("--repeat must be 1-10")
    raise_on_sigterm()
    info = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    results = [bench_engine(engine, args) for engine in engines]
    for result in results:
        print_table(result)
    path = save_results("demo_load", {"machine": info, "args": vars(args), "results": results})
    print(f"\n(raw figures: {path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
