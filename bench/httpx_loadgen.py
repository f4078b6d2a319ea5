"""Fallback load generator (when ``wrk`` is not installed): asyncio + httpx, in its own process.

    python bench/httpx_loadgen.py --base-url http://127.0.0.1:PORT --paths paths.json \\
        --connections 8 --seconds 10 [--header "Authorization: Bearer ..."]

``paths.json`` is a JSON list of paths, taken round-robin. Prints one JSON line with the same
fields as the wrk script of bench_staff_api.py. A Python client is far slower than wrk: on a
small machine it takes CPU from the server, so compare its figures only with each other.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from pathlib import Path

import httpx


async def _worker(
    client: httpx.AsyncClient,
    paths: itertools.cycle[str],
    deadline: float,
    latencies: list[float],
    errors: dict[str, int],
) -> None:
    while time.perf_counter() < deadline:
        path = next(paths)
        started = time.perf_counter()
        try:
            response = await client.get(path)
            await response.aread()
        except httpx.TimeoutException:
            errors["timeout"] += 1
            continue
        except httpx.HTTPError:
            errors["connect"] += 1
            continue
        latencies.append(time.perf_counter() - started)
        if response.status_code >= 400:
            errors["status"] += 1


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def main(args: argparse.Namespace, path_list: list[str]) -> dict[str, float]:
    paths = itertools.cycle(path_list)
    headers = dict(h.split(": ", 1) for h in args.header)
    limits = httpx.Limits(max_connections=args.connections, max_keepalive_connections=args.connections)
    latencies: list[float] = []
    errors = {"connect": 0, "timeout": 0, "status": 0}
    async with httpx.AsyncClient(base_url=args.base_url, headers=headers, limits=limits, timeout=10.0) as client:
        started = time.perf_counter()
        deadline = started + args.seconds
        await asyncio.gather(*(_worker(client, paths, deadline, latencies, errors) for _ in range(args.connections)))
        duration = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "duration_us": duration * 1e6,
        "errors_connect": errors["connect"],
        "errors_read": 0,
        "errors_write": 0,
        "errors_status": errors["status"],
        "errors_timeout": errors["timeout"],
        "p50_us": _percentile(ordered, 50) * 1e6,
        "p90_us": _percentile(ordered, 90) * 1e6,
        "p99_us": _percentile(ordered, 99) * 1e6,
        "max_us": (ordered[-1] if ordered else 0.0) * 1e6,
        "mean_us": (sum(ordered) / len(ordered) if ordered else 0.0) * 1e6,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--paths", required=True, help="JSON file: a list of paths")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--header", action="append", default=[], help='"Name: value", repeatable')
    arguments = parser.parse_args()
    path_list = json.loads(Path(arguments.paths).read_text())
    print("BENCHJSON " + json.dumps(asyncio.run(main(arguments, path_list))))
