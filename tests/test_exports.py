"""The front door: ``negotiations`` exports exactly its documented names, each documented."""

from __future__ import annotations

import ast
import builtins
import functools
import importlib.metadata
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import negotiations as ng

#: The public API. A name added to or removed from ``__all__`` must be added or removed
#: here too, on purpose.
DOCUMENTED = {
    "ARTICLE_DYNAMICS",
    "FORMAT",
    "ISTANBUL_TERMS",
    "PROCESS",
    "RULES",
    "Blocker",
    "Counts",
    "Definition",
    "DefinitionError",
    "Delay",
    "Dynamics",
    "Event",
    "ExchangeTerms",
    "Handovers",
    "Hazard",
    "History",
    "Interest",
    "InvalidType",
    "InvalidValue",
    "Journal",
    "JournalClosed",
    "JournalCorrupted",
    "JournalError",
    "JournalLocked",
    "JournalReadOnly",
    "Ledger",
    "MissingExtra",
    "Move",
    "Negotiation",
    "NegotiationError",
    "Pledge",
    "Prisoner",
    "Rule",
    "Side",
    "SideCounts",
    "SimulationResult",
    "Source",
    "Stage",
    "StageSummary",
    "State",
    "StorageError",
    "Summary",
    "Tranche",
    "TransitionBlocked",
    "TransitionNotAllowed",
    "UnknownTrigger",
    "read_process",
    "record_2025",
    "simulate",
    "write_process",
}

#: Public API reached as ``negotiations.<name>`` only: left out of ``__all__`` because a
#: star import would shadow the builtin of the same name.
ATTRIBUTE_ONLY = {"open"}

#: The names DESIGN.md's binding "public API" section uses.
DESIGN = {
    "Negotiation",
    "Stage",
    "Side",
    "Tranche",
    "ExchangeTerms",
    "ISTANBUL_TERMS",
    "Blocker",
    "Counts",
    "Event",
    "NegotiationError",
    "TransitionBlocked",
    "TransitionNotAllowed",
    "Prisoner",
}

PACKAGE = Path(ng.__file__).parent
SUBMODULES = {info.name for info in pkgutil.iter_modules([str(PACKAGE)])}


def _ruff_order(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, then Classes, then the rest."""
    if name.isupper():
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def test_all_is_sorted_and_unique() -> None:
    assert ng.__all__ == sorted(set(ng.__all__), key=_ruff_order)


def test_all_is_exactly_the_documented_api() -> None:
    assert set(ng.__all__) == DOCUMENTED


@pytest.mark.parametrize("name", sorted(DESIGN))
def test_every_name_of_the_design_is_exported(name: str) -> None:
    assert name in ng.__all__
    assert getattr(ng, name) is not None


@pytest.mark.parametrize("name", sorted(DOCUMENTED | ATTRIBUTE_ONLY))
def test_every_exported_name_exists(name: str) -> None:
    assert hasattr(ng, name)


@pytest.mark.parametrize("name", sorted(ATTRIBUTE_ONLY))
def test_an_attribute_only_name_is_documented_and_not_star_imported(name: str) -> None:
    assert name not in ng.__all__
    assert (getattr(ng, name).__doc__ or "").strip()


def _own_docstring(obj: object) -> str | None:
    if inspect.isclass(obj):
        return vars(obj).get("__doc__")
    return getattr(obj, "__doc__", None)


@functools.cache
def _modules() -> tuple[tuple[list[str], list[ast.stmt]], ...]:
    """Each module of the package: its lines and its top-level statements."""
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        found.append((text.splitlines(), ast.parse(text).body))
    return tuple(found)


def _documented_in_source(name: str) -> bool:
    """Whether a module-level constant has a ``#:`` comment above it or a string below it."""
    for lines, body in _modules():
        for index, node in enumerate(body):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            if not any(isinstance(t, ast.Name) and t.id == name for t in targets):
                continue
            above = lines[node.lineno - 2].lstrip() if node.lineno > 1 else ""
            after = body[index + 1] if index + 1 < len(body) else None
            below = (
                isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            )
            return above.startswith("#:") or below
    return False


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_every_exported_name_has_a_docstring(name: str) -> None:
    obj = getattr(ng, name)
    if inspect.isclass(obj) or inspect.isroutine(obj):
        doc = _own_docstring(obj)
        assert doc
        assert doc.strip()
    else:
        assert _documented_in_source(name), f"{name} needs a #: comment or a docstring below it"


def test_the_package_has_a_docstring() -> None:
    assert ng.__doc__
    assert ng.__doc__.strip()


def test_nothing_else_public_is_in_the_package_namespace() -> None:
    """Outside ``__all__`` only submodules and ``__version__`` may be reachable by name."""
    public = {name for name in vars(ng) if not name.startswith("_")}
    for name in sorted(public - set(ng.__all__) - ATTRIBUTE_ONLY):
        value = getattr(ng, name)
        assert isinstance(value, ModuleType), f"{name} is public but not in __all__"
        assert value.__name__ == f"negotiations.{name}"
        assert name in SUBMODULES


def test_the_version_is_the_installed_distributions() -> None:
    assert ng.__version__ == importlib.metadata.version("negotiations")


def test_star_import_gives_exactly_the_api() -> None:
    namespace: dict[str, object] = {}
    exec("from negotiations import *", namespace)
    assert set(namespace) - {"__builtins__"} == DOCUMENTED


def test_star_import_shadows_no_builtin() -> None:
    """``from negotiations import *`` leaves ``open`` (and every builtin) as it was, while
    ``negotiations.open`` still opens a journal."""
    namespace: dict[str, object] = {}
    exec("from negotiations import *\nfound = open", namespace)
    assert namespace["found"] is builtins.open
    assert not set(ng.__all__) & set(dir(builtins))
    assert ng.open is not builtins.open
    assert "journal" in (ng.open.__doc__ or "")
