"""The house rules that keep the packages easy to live in (docs/architecture.md), checked on the
source itself: no import cycle between modules, the project's own imports at module level, and
no application module much over 600 lines. (The layer order between packages is import-linter's
contract in pyproject.toml, run by bin/test as ``lint-imports``.)"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "kernel", "registry", "credits", "training", "certificates", "ethics", "eligibility",
    "staffing", "reports", "bulk", "pages", "demo", "app",
)  # fmt: skip
MAX_LINES = 620  # "about 600": a module past this is two subjects
# A function-local import of the project's own code hides a cycle; the only local imports allowed
# are of heavy optional third-party libraries, each with a comment saying so.
LOCAL_IMPORT_MARK = "heavy"


def sources() -> list[Path]:
    return sorted(
        p for package in PACKAGES for p in (ROOT / package).rglob("*.py") if "piccolo_migrations" not in p.parts
    )


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that import each other in a ring."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_no_import_cycle_between_modules() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    # a package's __init__ is imported by all its modules: only real modules form rings
    assert strongly_connected(edges) == []


def test_the_ring_finder_finds_rings() -> None:
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def _local_project_imports(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.ImportFrom):
                names = [sub.module or ""] if sub.level == 0 else ["."]
            elif isinstance(sub, ast.Import):
                names = [a.name for a in sub.names]
            else:
                continue
            ours = any(n == "." or n.split(".")[0] in PACKAGES for n in names)
            # the comment stands on the import's line or above its block of consecutive imports
            above = sub.lineno - 2
            while above >= 0 and lines[above].lstrip().startswith(("import ", "from ")):
                above -= 1
            marked = LOCAL_IMPORT_MARK in lines[sub.lineno - 1] or (above >= 0 and LOCAL_IMPORT_MARK in lines[above])
            if ours or not marked:
                found.append(f"{path.relative_to(ROOT)}:{sub.lineno} {', '.join(names)}")
    return found


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_at_module_level(path: Path) -> None:
    assert _local_project_imports(path) == []


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_of_one_subject(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{lines} lines: split it by subject"
