"""SQLite under mixed load: do writers queue fairly, and do reads keep their speed?

    .venv/bin/python bench/bench_sqlite_writes.py [--clients 32] [--write-share 0.1] [--seconds 20]
        [--repeat 1] [--database sqlite:////tmp/x.db --var-dir /tmp/xvar]

A fresh SQLite database with the district demo (or the one given, already loaded), the real server
(``registry serve``, one process), and ``--clients`` concurrent clients (asyncio + httpx, in this
process) logged in as the demo's district HR, for ``--seconds`` each phase:

- baseline: every request a read (``GET /api/v1/staff/{id}``, ids spread over the district);
- mixed: the same, but each request is a write with probability ``--write-share``: ``PATCH
  /api/v1/staff/{id}`` changing the person's name (one UPDATE and one audit event in one
  transaction), the rest reads as above.

It prints, per phase, the requests, errors and p50/p99 latencies of reads and writes, and the ratio
of the mixed phase's read p99 to the baseline's (reads unchanged: about 1). Issue 14's target: at 32
clients with 10 % writes, the writes' p99 under 0.5 s. Without the writers' queue in
``kernel.db.write_transaction`` (the tree before it) the writes' p99 was seconds: every writer polled
SQLite's busy handler with growing sleeps.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
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
    sqlite_url,
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def phase(
    base: str, token: str, ids: list[int], clients: int, seconds: float, write_share: float
) -> dict[str, Any]:
    reads: list[float] = []
    writes: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    async def client(n: int) -> None:
        rng = random.Random(n)
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
            k = 0
            while time.perf_counter() < deadline:
                sid = ids[rng.randrange(len(ids))]
                write = rng.random() < write_share
                started = time.perf_counter()
                if write:
                    k += 1
                    r = await http.patch(f"/api/v1/staff/{sid}", json={"name": f"压测{n}-{k}"})
                else:
                    r = await http.get(f"/api/v1/staff/{sid}")
                took = time.perf_counter() - started
                if r.status_code >= 400:
                    key = f"{'write' if write else 'read'} {r.status_code}"
                    errors[key] = errors.get(key, 0) + 1
                    continue
                (writes if write else reads).append(took)

    await asyncio.gather(*(client(n) for n in range(clients)))

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "n": len(values),
            "p50_ms": round(percentile(values, 50) * 1000, 1),
            "p99_ms": round(percentile(values, 99) * 1000, 1),
            "max_ms": round(max(values, default=0) * 1000, 1),
        }

    return {"reads": summary(reads), "writes": summary(writes), "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--write-share", type=float, default=0.1)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--database", help="an SQLite URL with the district demo loaded already")
    parser.add_argument("--var-dir", help="its var directory (demo-credentials.txt)")
    args = parser.parse_args()
    raise_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="bench-writes-") as tmp:
        work = Path(tmp)
        if args.database:
            url, var_dir = args.database, Path(args.var_dir)
        else:
            url, var_dir = sqlite_url(work / "registry.db"), work / "var"
        env = bench_env(url, var_dir)
        if not args.database:
            run(registry_cmd("migrate"), env)
            run(registry_cmd("demo", "load", "--scale", "district"), env, timeout=900)
        port = free_port()
        with Server("service", registry_cmd("serve", "--host", LOOPBACK, "--port", str(port)), env, port, work) as srv:
            token = http_json(
                "POST",
                f"{srv.base_url}/api/v1/auth/token",
                {"username": "hr", "password": demo_password(var_dir)},
            )["access_token"]
            page = http_json("GET", f"{srv.base_url}/api/v1/staff?limit=500&status=on_post", token=token)
            ids = [row["id"] for row in page["items"]]
            results = []
            for _ in range(args.repeat):
                base = asyncio.run(phase(srv.base_url, token, ids, args.clients, args.seconds, 0.0))
                mixed = asyncio.run(phase(srv.base_url, token, ids, args.clients, args.seconds, args.write_share))
                srv.check_alive()
                ratio = mixed["reads"]["p99_ms"] / base["reads"]["p99_ms"] if base["reads"]["p99_ms"] else None
                results.append({"baseline": base, "mixed": mixed, "read_p99_ratio": ratio})
                print(f"baseline (reads only): {base}")
                print(f"mixed ({args.write_share:.0%} writes): {mixed}")
                print(
                    f"read p99 mixed / reads only: {ratio:.2f}; write p99 {mixed['writes']['p99_ms']} ms "
                    f"(target < 500 ms: {'met' if mixed['writes']['p99_ms'] < 500 else 'NOT met'})"
                )
    path = save_results(
        "sqlite-writes",
        {"machine": machine(), "clients": args.clients, "write_share": args.write_share, "runs": results},
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
