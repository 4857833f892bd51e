"""Layers one way: no import circle between jobdash's modules, and no layer importing one
above it. Every import statement counts, wherever it stands (module level, inside a
function, under ``if TYPE_CHECKING``), read from the source with ast."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import jobdash

ROOT = Path(jobdash.__file__).parent
PACKAGE = "jobdash"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.Module, name: str, is_package: bool, known: set[str]) -> Iterator[str]:
    """The jobdash modules a module's import statements name (``from a import b`` names
    ``a.b`` when that is a module, else ``a``)."""
    here = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield sub if sub in known else base


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in ROOT.rglob("*.py")}
    known = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        targets = imported(tree, name, path.name == "__init__.py", known)
        graph[name] = {t for t in targets if t in known and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


GRAPH = import_graph()


def test_the_graph_sees_the_imports_it_should():
    # A reader that saw nothing would pass every rule below: check it on known edges.
    assert "jobdash.service" in GRAPH["jobdash.opening"]
    assert "jobdash.runner" in GRAPH["jobdash.opening"]
    assert "jobdash.store.analytics" in GRAPH["jobdash.service"]
    assert "jobdash.service" in GRAPH["jobdash.runner.queue"]  # under TYPE_CHECKING
    assert "jobdash.export" in GRAPH["jobdash.service"]  # inside a method


def test_cycles_are_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    assert cycles(GRAPH) == []


@pytest.mark.parametrize(
    ("lower", "above"),
    [
        # The service is given its runner; it knows nothing of the UI or of who opened it.
        (
            ("jobdash.service",),
            ("jobdash.runner", "jobdash.ui", "jobdash.opening", "jobdash.analysis", "jobdash.cli"),
        ),
        # The store is the bottom: it never calls back up.
        (
            ("jobdash.store",),
            (
                "jobdash.service",
                "jobdash.contract",
                "jobdash.opening",
                "jobdash.runner",
                "jobdash.ui",
                "jobdash.analysis",
                "jobdash.cli",
            ),
        ),
        # The contract and its records stand alone, so a remote client can satisfy them.
        (
            ("jobdash.contract", "jobdash.records"),
            ("jobdash.service", "jobdash.store", "jobdash.runner", "jobdash.ui", "jobdash.opening"),
        ),
        (("jobdash.runner",), ("jobdash.ui", "jobdash.opening", "jobdash.cli")),
        # The API's operations, their wire form and the client know only the contract.
        (
            ("jobdash.api", "jobdash.wire", "jobdash.client"),
            (
                "jobdash.server",
                "jobdash.ui",
                "jobdash.service",
                "jobdash.store",
                "jobdash.runner",
                "jobdash.opening",
            ),
        ),
        # The server composes pages, images and login over a history; only the CLI is above.
        (
            ("jobdash.ui", "jobdash.service", "jobdash.store", "jobdash.runner"),
            ("jobdash.server", "jobdash.cli"),
        ),
        # The analysis reads through the backend contract and draws with the shared tokens.
        (
            ("jobdash.analysis", "jobdash.tokens"),
            ("jobdash.ui", "jobdash.service", "jobdash.store", "jobdash.opening", "jobdash.runner"),
        ),
    ],
)
def test_no_layer_imports_one_above_it(lower, above):
    upward = sorted(
        f"{name} -> {target}"
        for name, targets in GRAPH.items()
        if within(name, *lower)
        for target in targets
        if within(target, *above)
    )
    assert upward == []


def test_the_ui_reaches_the_data_through_the_service_only():
    # jobdash.ui.app composes the served process (it opens histories): the one exception.
    skipping = sorted(
        f"{name} -> {target}"
        for name, targets in GRAPH.items()
        if within(name, "jobdash.ui") and name != "jobdash.ui.app"
        for target in targets
        if within(target, "jobdash.store", "jobdash.runner", "jobdash.opening")
    )
    assert skipping == []


# UI modules that hold state and so may call the backend; every other UI module is a
# viewer (widgets only) or a helper. jobdash.ui.app composes the served process.
UI_STATE = {
    "jobdash.ui.page.state",
    "jobdash.ui.page.operations",
    "jobdash.ui.page.preset_state",
    "jobdash.ui.job.state",
    "jobdash.ui.failures.state",
    "jobdash.ui.dashboard.state",
    "jobdash.ui.shared.feed",
    "jobdash.ui.app",
}


def backend_calls(path: Path) -> list[str]:
    """``service.x(...)`` / ``self.service.x(...)`` / ``backend.x(...)`` calls in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name in ("service", "backend"):
                found.append(f"{path.name}:{node.lineno} {name}.{node.func.attr}()")
    return found


def test_only_ui_state_classes_call_the_backend():
    calls = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        if module_name(path) not in UI_STATE:
            calls += backend_calls(path)
    assert calls == []
    # the check sees calls where they are
    assert backend_calls(ROOT / "ui" / "page" / "operations.py")


def test_the_ui_imports_the_service_only_where_it_opens_histories():
    importing = sorted(
        name
        for name, targets in GRAPH.items()
        if within(name, "jobdash.ui") and name != "jobdash.ui.app" and "jobdash.service" in targets
    )
    assert importing == []
