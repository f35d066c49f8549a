"""The package's shape: no import cycles, private modules private, one module for ``transitions``.

These read the source with :mod:`ast`, so they hold for every module whether or not a
test happens to import it. Imports under ``if TYPE_CHECKING:`` are not made at run time
and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "negotiations"
#: The public modules: the package itself and the vocabularies and tools users import.
PUBLIC = {"__init__", "__main__", "conditions", "effects", "graph", "diagram", "testing"}


def modules() -> dict[str, ast.Module]:
    return {
        path.stem: ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.glob("*.py"))
    }


def _type_checking_blocks(tree: ast.Module) -> set[int]:
    """The ids of the import nodes under ``if TYPE_CHECKING:``."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for child in ast.walk(inner):
                    found.add(id(child))
    return found


def imports(tree: ast.Module) -> list[ast.ImportFrom | ast.Import]:
    """The imports a module makes when it runs (anywhere in it, not for type checking)."""
    skipped = _type_checking_blocks(tree)
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skipped
    ]


def _target(node: ast.ImportFrom | ast.Import) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        return [module.removeprefix("negotiations.")] if module.startswith("negotiations.") else []
    return [
        alias.name.removeprefix("negotiations.")
        for alias in node.names
        if alias.name.startswith("negotiations.")
    ]


def test_no_module_imports_itself_back_through_others() -> None:
    """The run-time import graph of the package's modules has no cycle."""
    graph = {
        name: {target for node in imports(tree) for target in _target(node)}
        for name, tree in modules().items()
    }
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " -> ".join((*path, name))
        if name in done:
            return
        for target in sorted(graph.get(name, ())):
            visit(target, (*path, name))
        done.add(name)

    for name in graph:
        visit(name, ())


def test_modules_that_are_not_public_api_are_private() -> None:
    names = set(modules())
    assert {name for name in names if not name.startswith("_")} <= PUBLIC


def test_no_module_imports_another_modules_private_names() -> None:
    """``from negotiations._state import State`` is fine; ``... import _helper`` is not."""
    found = [
        f"{name}: from {node.module} import {alias.name}"
        for name, tree in modules().items()
        for node in imports(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("negotiations")
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]
    assert found == []


def test_one_module_imports_transitions() -> None:
    """``transitions`` stays private behind ``negotiations._machine``."""
    importing = {
        name
        for name, tree in modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        and any(
            (alias.name if isinstance(node, ast.Import) else node.module or "").startswith(
                "transitions"
            )
            for alias in node.names
        )
    }
    assert importing == {"_machine"}
