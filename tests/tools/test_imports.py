"""What imports what: no circle among the tools, and bot/ never imports tools.

Read from the source (ast), not by importing: tools/load/locustfile.py imports Locust, which
would monkey-patch this process with gevent.
"""

from __future__ import annotations

import ast
from pathlib import Path

from bot.settings import PROJECT_ROOT


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Return every module ``path`` imports, and ``module.name`` for each name it imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def import_graph(package: str) -> dict[str, set[str]]:
    modules = {module_name(p): p for p in (PROJECT_ROOT / package).rglob("*.py")}
    return {
        name: {dep for dep in imported(path) if dep in modules and dep != name}
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the import circles of ``graph`` (each as the path that closes it)."""
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            found.append([*path[path.index(name) :], name])
            return
        if name in done:
            return
        for dep in sorted(graph[name]):
            visit(dep, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    return found


def test_the_cycle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_among_the_tools() -> None:
    graph = import_graph("tools")
    assert "tools.load.benchmark" in graph  # the graph is read at all
    assert cycles(graph) == []


def test_bot_never_imports_tools() -> None:
    offenders = {
        module_name(path): sorted(n for n in imported(path) if n.split(".")[0] == "tools")
        for path in (PROJECT_ROOT / "bot").rglob("*.py")
    }
    assert {name: found for name, found in offenders.items() if found} == {}
