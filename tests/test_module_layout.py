"""The layout rules the code keeps: no import cycle between modules (imports that run when a module is
loaded), the read side (answering, retrieval, recaps, the use cases) never reaching into the indexer,
and no module much over 300 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "desktop")
MAX_LINES = 320
READ_SIDE = (
    "core.retrieval",
    "core.recap",
    "core.answering",
    "core.question",
    "core.evidence",
    "core.picture",
    "core.session",
    "core.film_state",
    "core.answer_worker",
)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(path: Path, known: set[str], top_level_only: bool) -> set[str]:
    """The project modules ``path`` imports (at load time only, or anywhere in it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def test_no_import_cycle():
    found = modules()
    graph = {m: imports(p, set(found), top_level_only=True) - {m} for m, p in found.items()}
    # a package's __init__ importing its own submodules is how packages export names, not a cycle
    graph = {
        m: {d for d in deps if not (d.startswith(m + ".") and found[m].name == "__init__.py")}
        for m, deps in graph.items()
    }
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(m: str) -> None:  # Tarjan's strongly connected components
        index[m] = low[m] = len(index)
        stack.append(m)
        on_stack.add(m)
        for d in graph[m]:
            if d not in index:
                visit(d)
                low[m] = min(low[m], low[d])
            elif d in on_stack:
                low[m] = min(low[m], index[d])
        if low[m] == index[m]:
            component = []
            while True:
                d = stack.pop()
                on_stack.discard(d)
                component.append(d)
                if d == m:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for m in graph:
        if m not in index:
            visit(m)
    assert cycles == []


def test_the_read_side_does_not_import_the_indexer():
    found = modules()
    offenders = {
        m: sorted(d for d in imports(p, set(found), top_level_only=False) if d == "core.indexing")
        for m, p in found.items()
        if m.startswith(READ_SIDE)
    }
    assert {m: d for m, d in offenders.items() if d} == {}


def test_modules_stay_small():
    lengths = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in modules().items()}
    too_long = {m: n for m, n in lengths.items() if n > MAX_LINES}
    assert too_long == {}
