"""The layout's promises (issue 12): small modules and no import cycle at module level."""

import ast
from pathlib import Path

from conftest import ROOT

MAX_LINES = 600


def _modules(root: Path) -> dict[str, Path]:
    names = {}
    for path in sorted((root / "cascade").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules ``name`` imports when it is itself imported (its top-level
    statements, ``if``/``try`` blocks included, ``if TYPE_CHECKING:`` left out)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for statement in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(statement, ast.If) and "TYPE_CHECKING" in ast.unparse(statement.test):
            continue
        nodes = ast.walk(statement) if isinstance(statement, (ast.If, ast.Try)) else [statement]
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                # `from pkg import submodule` needs the submodule, not pkg's own names.
                found.update(
                    f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source
                    for a in node.names
                )
    return {m for m in found if m in modules and m != name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, path)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return found


def test_no_module_is_over_600_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in _modules(ROOT).values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_import_cycle_at_module_level():
    modules = _modules(ROOT)
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle(tmp_path):
    """The checker itself: a two-module cycle and a `from . import` one are found."""
    package = tmp_path / "cascade"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("from cascade import a\n")
    (package / "a.py").write_text("import numpy\nfrom cascade.b import thing\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cascade import sub\n"
        "def f():\n    import cascade.sub\nfrom .a import x\n"
    )
    (package / "sub" / "__init__.py").write_text("from . import c\n")
    (package / "sub" / "c.py").write_text("from .. import sub\n")
    modules = _modules(tmp_path)
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert graph == {
        "cascade": {"cascade.a"},
        "cascade.a": {"cascade.b"},
        "cascade.b": {"cascade.a"},
        "cascade.sub": {"cascade.sub.c"},
        "cascade.sub.c": {"cascade.sub"},
    }
    assert _cycles(graph) == [
        ["cascade.a", "cascade.b", "cascade.a"],
        ["cascade.sub", "cascade.sub.c", "cascade.sub"],
    ]
