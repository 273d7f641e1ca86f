"""The package's layout follows the data flow: folders, sizes and the direction of imports.

The imports are read from the source with :mod:`ast` (nothing is imported), so
the same facts can be checked by hand with ``python -m pytest tests/test_architecture.py -v``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "fiscal_analysis"

#: What each top-level part may import (besides itself): the data flow, top to bottom.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "money": set(),
    "files": {"errors"},
    "schema": {"errors", "money"},
    "dataset": {"schema", "errors", "money", "files"},
    "testing": {"schema"},
    "metrics": {"dataset", "schema", "money", "errors"},
    "narrative": {"metrics", "dataset", "schema", "money", "errors"},
    "charts": {"money", "errors", "files"},
    "extract": {"dataset", "schema", "money", "errors", "files"},
    "checks": {"extract", "metrics", "dataset", "schema", "money", "errors", "files"},
    "report": {"checks", "narrative", "charts", "metrics", "dataset", "schema", "money", "errors"},
    "render": {"report", "charts", "dataset", "schema", "money", "errors", "files"},
    "cli": {
        "render",
        "report",
        "checks",
        "extract",
        "narrative",
        "charts",
        "metrics",
        "dataset",
        "schema",
        "money",
        "errors",
        "files",
    },
    "__init__": {"dataset", "errors", "files", "metrics", "checks", "extract", "render", "report"},
}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports() -> dict[str, set[tuple[str, str | None]]]:
    """Module → the (module, name) pairs it imports from the package (name None: whole module)."""
    out: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        me = module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] == "fiscal_analysis":
                    for alias in node.names:
                        out[me].add((node.module, alias.name))
            elif isinstance(node, ast.ImportFrom) and node.level:
                raise AssertionError(f"{me}: relative import; use absolute imports")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "fiscal_analysis":
                        out[me].add((alias.name, None))
        out.setdefault(me, set())
    return out


def part(module: str) -> str:
    """The top-level part of a module: ``fiscal_analysis.metrics.view`` → ``metrics``."""
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1].removesuffix(".py")


def resolve(graph: dict, module: str, name: str | None) -> str:
    """``from pkg import mod`` names a module: resolve it to that module."""
    if name and f"{module}.{name}" in graph:
        return f"{module}.{name}"
    return module


def test_top_level_has_at_most_16_entries():
    entries = [p.name for p in PACKAGE.iterdir() if p.name != "__pycache__"]
    assert len(entries) <= 16, sorted(entries)


def test_no_module_is_over_400_lines():
    long = {
        module_name(p): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}


def test_every_folder_says_what_it_holds_and_may_import():
    for init in PACKAGE.rglob("__init__.py"):
        if init.parent == PACKAGE:
            continue
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert len(doc) > 80, f"{init.parent.name}/__init__.py needs a docstring"
        assert "import" in doc, f"{init.parent.name}/__init__.py: say what it may import"


def test_imports_point_down_the_data_flow():
    graph = imports()
    wrong = sorted(
        f"{me} -> {target}"
        for me, targets in graph.items()
        for mod, name in targets
        if (target := resolve(graph, mod, name))
        and part(target) != part(me)
        and part(target) not in ALLOWED[part(me)]
    )
    assert wrong == []


def test_no_private_names_are_imported_from_another_module():
    graph = imports()
    leaks = sorted(
        f"{me} imports {name} from {mod}"
        for me, targets in graph.items()
        for mod, name in targets
        if name and name.startswith("_") and not name.startswith("__")
    )
    assert leaks == []


#: Modules whose purpose is to gather names for the notebooks (besides package ``__init__``s).
FACADES = {"fiscal_analysis.report.sections"}


def test_every_public_name_has_one_home():
    """A module's ``__all__`` lists what it defines: no module re-exports another's names."""
    again = []
    for path in PACKAGE.rglob("*.py"):
        me = module_name(path)
        if path.name == "__init__.py" or me in FACADES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined, public = set(), []
        body = [*tree.body]
        for node in tree.body:  # names bound in a top-level try (e.g. a version fallback)
            if isinstance(node, ast.Try):
                body += node.body + [s for h in node.handlers for s in h.body]
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        defined.add(t.id)
                        if t.id == "__all__" and isinstance(node.value, ast.List | ast.Tuple):
                            public += [e.value for e in node.value.elts]
        again += [f"{me}.{name}" for name in public if name not in defined]
    assert again == []


def test_no_import_cycles():
    graph = imports()
    edges = {
        me: {resolve(graph, mod, name) for mod, name in targets} - {me}
        for me, targets in graph.items()
    }
    # A package's __init__ re-exports its modules; an arrow into an __init__ from its own
    # modules would be a cycle, so these are kept. Find cycles with a depth-first search.
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in edges:
                continue
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    assert cycles == []


@pytest.mark.parametrize("name", ["papermill", "nbconvert", "nbclient", "jupyter_client"])
def test_heavy_machinery_stays_in_render(name):
    users = sorted(
        module_name(p)
        for p in PACKAGE.rglob("*.py")
        if f"import {name}" in (text := p.read_text(encoding="utf-8")) or f"from {name}" in text
    )
    assert all(u.startswith(("fiscal_analysis.render", "fiscal_analysis.cli")) for u in users), (
        users
    )
