"""Staff list and staff detail through the real server, against a bare Litestar app running the same SQL.

    .venv/bin/python bench/bench_staff_api.py [--engine sqlite|postgres|both] [--seconds 10]
        [--warmup 3] [--rounds 1] [--connections 8] [--loadgen auto|wrk|httpx]

For each engine: a fresh database (a temporary SQLite file, or a scratch PostgreSQL database that
is dropped afterwards), ``registry migrate`` and ``registry demo load --scale district``; then two
servers on free loopback ports, both uvicorn with one worker on the same database:

* service: ``registry serve`` (the real app: JWT auth, query-parameter check, guards, services,
  pydantic), called with a token of the demo ``hr`` account;
* bare: ``bench/bare_app.py`` (no auth, no validation), two handlers that run the service's SQL
  through the same Piccolo engine and return the rows as JSON.

Each endpoint is loaded with a fixed number of connections for ``--seconds`` per app, after a
warm-up, alternating which app goes first from round to round; figures are the median over the
rounds. Target (issue 2): service throughput >= 0.5 x bare.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

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
    median,
    raise_on_sigterm,
    registry_cmd,
    run,
    save_results,
    scratch_postgres,
    sqlite_url,
)

TARGET = 0.5
DETAIL_IDS = 200  # staff ids spread over the whole district, taken round-robin

WRK_SCRIPT = """\
local paths = {%(paths)s}
local n = #paths
local i = 0
request = function()
  i = i %% n + 1
  return wrk.format(nil, paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format(
    'BENCHJSON {"requests": %%d, "duration_us": %%d, "errors_connect": %%d, "errors_read": %%d, ' ..
    '"errors_write": %%d, "errors_status": %%d, "errors_timeout": %%d, "p50_us": %%d, "p90_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "mean_us": %%f}\\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


@dataclass
class Endpoint:
    name: str
    paths: list[str]
    note: str = ""


@dataclass
class Load:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    non_2xx: int


class LoadGenerator:
    def __init__(self, kind: str, connections: int, workdir: Path) -> None:
        self.kind = kind
        self.connections = connections
        self.workdir = workdir

    @staticmethod
    def choose(wanted: str) -> str:
        if wanted in ("auto", "wrk") and shutil.which("wrk"):
            return "wrk"
        if wanted == "wrk":
            raise SystemExit("wrk is not installed: apt-get update && apt-get install -y wrk (or use --loadgen httpx)")
        if wanted == "auto":
            print(
                "note: wrk not found (install: apt-get update && apt-get install -y wrk); "
                "falling back to the asyncio httpx load generator (bench/httpx_loadgen.py)",
                file=sys.stderr,
            )
        return "httpx"

    def run(self, base_url: str, endpoint: Endpoint, token: str | None, seconds: float) -> Load:
        header = [] if token is None else [f"Authorization: Bearer {token}"]
        slug = "".join(c if c.isalnum() else "_" for c in endpoint.name)
        if self.kind == "wrk":
            script = self.workdir / f"{slug}.lua"
            script.write_text(WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in endpoint.paths)})
            cmd = ["wrk", "-t1", f"-c{self.connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
            cmd += ["-s", str(script)]
            for h in header:
                cmd += ["-H", h]
            cmd.append(base_url)
        else:
            paths = self.workdir / f"{slug}.json"
            paths.write_text(json.dumps(endpoint.paths))
            cmd = [sys.executable, str(BENCH_DIR / "httpx_loadgen.py"), "--base-url", base_url, "--paths", str(paths)]
            cmd += ["--connections", str(self.connections), "--seconds", str(seconds)]
            for h in header:
                cmd += ["--header", h]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"load generator timed out: {' '.join(cmd[:6])} ...") from exc
        lines = [line for line in done.stdout.splitlines() if line.startswith("BENCHJSON ")]
        if done.returncode != 0 or not lines:
            raise RuntimeError(
                f"load generator failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            )
        raw = json.loads(lines[-1].removeprefix("BENCHJSON "))
        duration = raw["duration_us"] / 1e6
        errors = raw["errors_connect"] + raw["errors_read"] + raw["errors_write"] + raw["errors_timeout"]
        return Load(
            requests=raw["requests"],
            seconds=round(duration, 3),
            rps=raw["requests"] / duration if duration else 0.0,
            p50_ms=raw["p50_us"] / 1000,
            p99_ms=raw["p99_us"] / 1000,
            errors=errors,
            non_2xx=raw["errors_status"],
        )


@contextmanager
def database(engine: str, pg_server: str, workdir: Path) -> Iterator[str]:
    if engine == "sqlite":
        yield sqlite_url(workdir / "registry.db")
    else:
        with scratch_postgres(pg_server, "bench_api") as url:
            yield url


def endpoints(service_url: str, token: str, street: str, surname: str) -> list[Endpoint]:
    total = http_json("GET", f"{service_url}/api/v1/staff?limit=1", token=token)["total"]
    step = max(1, total // DETAIL_IDS)
    ids = list(range(1, total + 1, step))[:DETAIL_IDS]
    return [
        Endpoint(
            f"list street={street} status=on_post", [f"/api/v1/staff?street={quote(street)}&status=on_post&limit=50"]
        ),
        Endpoint(f"list search={surname}", [f"/api/v1/staff?search={quote(surname)}&limit=50"]),
        Endpoint("detail", [f"/api/v1/staff/{i}" for i in ids], f"{len(ids)} ids over 1..{total}"),
    ]


def check_same_answers(service: Server, bare: Server, token: str, endpoint: Endpoint) -> None:
    """Both apps answer 200 with the same rows: proof that the baseline runs the same queries."""
    for path in endpoint.paths[:: max(1, len(endpoint.paths) // 5)]:
        ours = http_json("GET", service.base_url + path, token=token)
        theirs = http_json("GET", bare.base_url + path)
        if "items" in ours:
            same = [r["id"] for r in ours["items"]] == [r["id"] for r in theirs["items"]]
            same = same and ours["total"] == theirs["total"]
            endpoint.note = endpoint.note or f"{len(ours['items'])} of {ours['total']}"
        else:
            same = ours["id"] == theirs["id"] and len(ours["assignments"]) == len(theirs["assignments"])
        if not same:
            raise RuntimeError(f"service and bare app disagree on {path}")


def measure(gen: LoadGenerator, server: Server, endpoint: Endpoint, token: str | None, seconds: float) -> Load:
    try:
        load = gen.run(server.base_url, endpoint, token, seconds)
    except RuntimeError:
        server.check_alive()  # a dead server is the better explanation
        raise
    server.check_alive()
    return load


@dataclass
class Setup:
    workdir: Path
    service: Server
    bare: Server
    token: str
    endpoints: list[Endpoint]


def set_up(stack: ExitStack, engine: str, args: argparse.Namespace) -> Setup:
    """Fresh demo database, both servers up (stopped by ``stack``), a token, the checked endpoints."""
    workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-api-{engine}-")))
    url = stack.enter_context(database(engine, args.pg, workdir))
    env = bench_env(url, workdir)
    print(f"[{engine}] migrate + demo load (district) ...", flush=True)
    run(registry_cmd("migrate"), env, timeout=300)
    run(registry_cmd("demo", "load", "--scale", "district", "--seed", str(args.seed)), env, timeout=600)
    service_port, bare_port = free_port(), free_port()
    service = Server(
        "service",
        registry_cmd("serve", "--host", LOOPBACK, "--port", str(service_port)),
        env,
        service_port,
        workdir,
    )
    bare = Server(
        "bare",
        [
            *(sys.executable, "-m", "uvicorn", "bare_app:create_app", "--factory", "--app-dir", str(BENCH_DIR)),
            *("--host", LOOPBACK, "--port", str(bare_port), "--log-level", "warning", "--proxy-headers"),
        ],
        env,
        bare_port,
        workdir,
    )
    stack.enter_context(service)
    stack.enter_context(bare)
    login = {"username": "hr", "password": demo_password(workdir)}
    token = http_json("POST", f"{service.base_url}/api/v1/auth/token", login)["access_token"]
    eps = endpoints(service.base_url, token, args.street, args.surname)
    for ep in eps:
        check_same_answers(service, bare, token, ep)
    return Setup(workdir, service, bare, token, eps)


def bench_engine(engine: str, args: argparse.Namespace, loadgen_kind: str) -> dict[str, Any]:
    with ExitStack() as stack:
        setup = set_up(stack, engine, args)
        workdir, service, bare, token, eps = setup.workdir, setup.service, setup.bare, setup.token, setup.endpoints
        gen = LoadGenerator(loadgen_kind, args.connections, workdir)
        apps = {"service": (service, token), "bare": (bare, None)}
        print(f"[{engine}] warm-up {args.warmup:g} s per endpoint and app ...", flush=True)
        for ep in eps:
            for server, tok in apps.values():
                measure(gen, server, ep, tok, args.warmup)
        runs: dict[str, dict[str, list[Load]]] = {ep.name: {"service": [], "bare": []} for ep in eps}
        for rnd in range(args.rounds):
            for ep in eps:
                order = ["service", "bare"] if rnd % 2 == 0 else ["bare", "service"]
                for app in order:
                    server, tok = apps[app]
                    load = measure(gen, server, ep, tok, args.seconds)
                    runs[ep.name][app].append(load)
                    print(
                        f"[{engine}] round {rnd + 1}/{args.rounds} {ep.name:<40} {app:<8} "
                        f"{load.rps:8.1f} req/s  p50 {load.p50_ms:6.2f} ms  p99 {load.p99_ms:7.2f} ms"
                        + (f"  errors {load.errors} non-2xx {load.non_2xx}" if load.errors or load.non_2xx else ""),
                        flush=True,
                    )
                    if load.non_2xx:
                        raise RuntimeError(f"{app} answered {load.non_2xx} non-2xx responses on {ep.name}")
        rows = []
        for ep in eps:
            s, b = runs[ep.name]["service"], runs[ep.name]["bare"]
            row = {
                "endpoint": ep.name,
                "page": ep.note,
                "service_rps": median([x.rps for x in s]),
                "service_p50_ms": median([x.p50_ms for x in s]),
                "service_p99_ms": median([x.p99_ms for x in s]),
                "bare_rps": median([x.rps for x in b]),
                "bare_p50_ms": median([x.p50_ms for x in b]),
                "bare_p99_ms": median([x.p99_ms for x in b]),
                "runs": {k: [asdict(x) for x in v] for k, v in runs[ep.name].items()},
            }
            row["ratio"] = row["service_rps"] / row["bare_rps"] if row["bare_rps"] else 0.0
            rows.append(row)
        return {"engine": engine, "rows": rows}


def print_table(result: dict[str, Any]) -> None:
    print(f"\n### {result['engine']}\n")
    print("| endpoint | service req/s | p50 ms | p99 ms | bare req/s | p50 ms | p99 ms | service/bare | target ≥ 0.5 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in result["rows"]:
        print(
            f"| {r['endpoint']} ({r['page']}) "
            f"| {r['service_rps']:.0f} | {r['service_p50_ms']:.2f} | {r['service_p99_ms']:.2f} "
            f"| {r['bare_rps']:.0f} | {r['bare_p50_ms']:.2f} | {r['bare_p99_ms']:.2f} | {r['ratio']:.2f} "
            f"| {'met' if r['ratio'] >= TARGET else 'NOT met'} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per endpoint and app")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per endpoint and app")
    parser.add_argument("--rounds", type=int, default=1, help="measured rounds (median reported)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--loadgen", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--street", default="常营地区", help="a street of the demo district (list filter)")
    parser.add_argument("--surname", default="王", help="a surname (list search)")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server for scratch databases ({DEFAULT_PG})")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 10 or not 1 <= args.seconds <= 120 or not 0 <= args.warmup <= 60:
        parser.error("bounded runs only: rounds 1-10, seconds 1-120, warmup 0-60")
    raise_on_sigterm()
    kind = LoadGenerator.choose(args.loadgen)
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    info = machine() | {"loadgen": kind, "connections": str(args.connections), "seconds": str(args.seconds)}
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    results = [bench_engine(engine, args, kind) for engine in engines]
    for result in results:
        print_table(result)
    path = save_results("staff_api", {"machine": info, "args": vars(args), "results": results})
    met = all(r["ratio"] >= TARGET for res in results for r in res["rows"])
    print(f"\ntarget service >= {TARGET} x bare throughput: {'met' if met else 'NOT met'} (raw figures: {path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
