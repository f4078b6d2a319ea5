"""Where the service's time goes under the load of bench_staff_api.py (py-spy, sampled).

    .venv/bin/pip install py-spy      # once; needs ptrace (root, or kernel.yama.ptrace_scope=0)
    .venv/bin/python bench/profile_staff_api.py [--engine sqlite|postgres] [--seconds 15]
        [--app service|bare|both] [--endpoint detail] [--top 25]

Same set-up as bench_staff_api.py (fresh demo database, both servers, a token); for each endpoint
(or those whose name contains ``--endpoint``) and app, wrk loads the server while ``py-spy record``
samples it (non-blocking, active threads only). Prints, per run, the functions with the largest
share of the sampled time: inclusive (the function and what it calls) and self (the function's
own lines). Shares are of the server's busy samples, all threads.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from _common import DEFAULT_PG, RESULTS_DIR, Server, raise_on_sigterm
from bench_staff_api import Endpoint, Load, LoadGenerator, set_up

FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*)\)$")

# Where a sample's time goes. First the stack-wide rules (any frame), then the leaf-most frame
# that starts with one of the prefixes; frames of the standard library are passed over.
ANYWHERE = (
    ("sync guard run in a worker thread (litestar AsyncCallable -> sync_to_thread)", ("litestar/concurrency.py:",)),
    ("thread-pool worker threads", ("concurrent/futures/thread.py:_worker",)),
    ("asyncpg pool release (connection reset)", ("asyncpg/pool.py:PoolConnectionHolder.release",)),
    (
        "piccolo: Select/Count compiled to SQL per request (Query.querystrings)",
        ("piccolo/query/base.py:Query.querystrings",),
    ),
    (
        "response encoding (litestar encode_json; for pydantic models: model_dump via the plugin)",
        ("litestar/serialization/",),
    ),
)
LEAF = (
    ("piccolo: result processing", ("piccolo/query/base.py:Query._process_results",)),
    ("piccolo: engine (run_querystring, pool)", ("piccolo/engine/",)),
    ("piccolo: query objects built per request (select, where, columns)", ("piccolo/",)),
    ("database driver (asyncpg / aiosqlite / sqlite3)", ("asyncpg/", "aiosqlite/", "sqlite3/")),
    ("pydantic: building the response models (StaffOut, StaffDetail, Page)", ("pydantic/", "pydantic_core/")),
    ("JWT decode (pyjwt, litestar.security)", ("jwt/", "litestar/security/")),
    ("registry code (bare app: bare_app.py)", ("registry/", "bare_app.py")),
    ("litestar (routing, middleware, parameters, responses)", ("litestar/",)),
    ("uvicorn + httptools (HTTP)", ("uvicorn/protocols/", "uvicorn/middleware/", "httptools/")),
    ("event loop (uvloop: I/O, scheduling)", ("asyncio/runners.py:Runner.run",)),
)


def py_spy() -> str:
    found = Path(sys.executable).with_name("py-spy")
    if found.exists():
        return str(found)
    which = shutil.which("py-spy")
    if which is None:
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy")
    return which


def frame_key(frame: str) -> str:
    m = FRAME.match(frame)
    return f"{m['file']}:{m['func']}" if m else frame


def bucket(frames: list[str]) -> str:
    for name, markers in ANYWHERE:
        if any(f.startswith(markers) for f in frames):
            return name
    for frame in reversed(frames):
        for name, prefixes in LEAF:
            if frame.startswith(prefixes):
                return name
    return "other"


def aggregate(raw: Path) -> tuple[int, Counter[str], Counter[str], Counter[str]]:
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    buckets: Counter[str] = Counter()
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [frame_key(f) for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += n
        for key in set(frames):
            inclusive[key] += n
        own[frames[-1]] += n
        buckets[bucket(frames)] += n
    return total, inclusive, own, buckets


@dataclass
class Profile:
    app: str
    rps: float
    total: int
    buckets: Counter[str]
    seconds: float
    rate: int

    def ms_per_request(self, samples: int) -> float:
        """Sampled busy time (all threads) per request, in ms."""
        return 1000 * samples / self.rate / (self.rps * self.seconds) if self.rps else 0.0


def profile(gen: LoadGenerator, server: Server, ep: Endpoint, token: str | None, args: argparse.Namespace) -> Profile:
    assert server.proc is not None
    raw = gen.workdir / f"{server.name}-{ep.name.split()[0]}-{time.monotonic_ns()}.txt"
    cmd = [py_spy(), "record", "--pid", str(server.proc.pid), "--duration", str(int(args.seconds))]
    cmd += ["--rate", str(args.rate), "--format", "raw", "--nolineno", "--nonblocking", "--output", str(raw)]
    spy = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        time.sleep(0.5)  # py-spy attaches; the load runs a little longer than the sampling
        load: Load = gen.run(server.base_url, ep, token, int(args.seconds) + 1)
        out, _ = spy.communicate(timeout=args.seconds + 60)
    finally:
        if spy.poll() is None:
            spy.kill()
            spy.wait(timeout=10)
    server.check_alive()
    if spy.returncode != 0 or not raw.exists():
        raise RuntimeError(f"py-spy failed ({spy.returncode}):\n{out.decode(errors='replace')[-2000:]}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    kept = RESULTS_DIR / f"py-spy-{args.engine}-{raw.name}"
    shutil.copyfile(raw, kept)
    total, inclusive, own, buckets = aggregate(raw)
    result = Profile(server.name, load.rps, total, buckets, int(args.seconds), args.rate)
    print(f"\n## {server.name}: {ep.name} ({ep.note}) - {load.rps:.0f} req/s under the profiler, {total} samples\n")
    print("| share % | ms/request | where |")
    print("|---:|---:|---|")
    for name, n in buckets.most_common():
        print(f"| {100 * n / total:.1f} | {result.ms_per_request(n):.2f} | {name} |")
    print(f"\ntop {args.top} functions (inclusive = with what they call; self = own lines):\n")
    print("| inclusive % | self % | function |")
    print("|---:|---:|---|")
    for key, n in inclusive.most_common(args.top):
        print(f"| {100 * n / total:.1f} | {100 * own.get(key, 0) / total:.1f} | `{key}` |")
    print(f"\nlargest self time (py-spy raw stacks: {kept}):\n")
    for key, n in own.most_common(args.top):
        print(f"- {100 * n / total:.1f} % `{key}`")
    return result


def compare(ep: Endpoint, service: Profile, bare: Profile) -> None:
    """Per request: which parts make the service slower than the bare app."""
    names = sorted(set(service.buckets) | set(bare.buckets), key=lambda k: -service.buckets.get(k, 0))
    ours_total = service.ms_per_request(service.total)
    theirs_total = bare.ms_per_request(bare.total)
    extra_total = ours_total - theirs_total
    print(f"\n## {ep.name}: service vs bare, sampled busy ms per request\n")
    print("| where | service ms/req | bare ms/req | extra ms/req | share of the extra |")
    print("|---|---:|---:|---:|---:|")
    for name in names:
        ours = service.ms_per_request(service.buckets.get(name, 0))
        theirs = bare.ms_per_request(bare.buckets.get(name, 0))
        share = 100 * (ours - theirs) / extra_total if extra_total > 0 else 0.0
        print(f"| {name} | {ours:.2f} | {theirs:.2f} | {ours - theirs:+.2f} | {share:.0f} % |")
    print(f"| **total** | {ours_total:.2f} | {theirs_total:.2f} | {extra_total:+.2f} | 100 % |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--app", choices=["service", "bare", "both"], default="service")
    parser.add_argument("--endpoint", default="", help="only endpoints whose name contains this")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--street", default="常营地区")
    parser.add_argument("--surname", default="王")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--pg", default=DEFAULT_PG)
    args = parser.parse_args()
    if not 1 <= args.seconds <= 120:
        parser.error("--seconds must be 1-120")
    raise_on_sigterm()
    py_spy()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get update && apt-get install -y wrk")
    with ExitStack() as stack:
        setup = set_up(stack, args.engine, args)
        gen = LoadGenerator("wrk", args.connections, setup.workdir)
        apps = {"service": (setup.service, setup.token), "bare": (setup.bare, None)}
        chosen = ["service", "bare"] if args.app == "both" else [args.app]
        for ep in setup.endpoints:
            if args.endpoint not in ep.name:
                continue
            done = {}
            for app in chosen:
                server, token = apps[app]
                gen.run(server.base_url, ep, token, 3)  # warm-up
                done[app] = profile(gen, server, ep, token, args)
            if len(done) == 2:
                compare(ep, done["service"], done["bare"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
