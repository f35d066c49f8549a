"""The columns :meth:`negotiations.conditions.Condition.evaluate` reads: many negotiations'
states as numpy arrays, one row each."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from negotiations._definition import Definition
    from negotiations._state import State

__all__ = ["Columns", "evaluated", "state_arrays"]


class Columns(dict[str, "NDArray[Any]"]):
    """Columns of many negotiations (as :func:`state_arrays` gives them), with a memo of the
    conditions evaluated on them: a condition asked twice — on its own and as part of
    another — is evaluated once. Whoever changes the columns clears :attr:`memo`."""

    __slots__ = ("memo",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Each condition evaluated on the columns as they are, and its answer.
        self.memo: dict[Any, NDArray[Any]] = {}


def evaluated(condition: Any, arrays: Mapping[str, NDArray[Any]], process: Any) -> NDArray[Any]:
    """``condition.evaluate(arrays, process)``, asked of the memo first when ``arrays`` keeps
    one (:class:`Columns`)."""
    memo = getattr(arrays, "memo", None)
    if memo is None:
        return condition.evaluate(arrays, process)  # type: ignore[no-any-return]  # a Mask
    found: NDArray[Any] | None = memo.get(condition)
    if found is None:
        found = memo[condition] = condition.evaluate(arrays, process)
    return found


def state_arrays(
    process: Definition,
    states: Sequence[State],
    arguments: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, NDArray[Any]]:
    """The columns :meth:`Condition.evaluate` reads, one row per state (numpy arrays).

    ``stage`` (the stage's index in ``process.stages``), ``agreed`` (terms agreed),
    per-party columns in the order of ``process.parties`` (``quota``, ``released``,
    ``seriously_ill``, ``young``, ``seriously_ill_held``, ``young_held``, ``share``),
    ``civilians_separate``, ``open.<item>`` for each kind of item the process opens,
    ``pending_interests``; with ``arguments`` (one mapping per state), the columns of
    a ``tranche`` argument (``tranche.given``, ``tranche.released``, ``tranche.mixed``).
    """
    try:
        import numpy as np  # noqa: PLC0415  # optional: only arrays need numpy
    except ImportError:  # pragma: no cover - numpy comes with the test extra
        raise ImportError(
            "evaluating conditions on arrays needs numpy: pip install 'negotiations[test]'"
        ) from None
    parties = process.parties
    rows = len(states)

    def per_party(read: Callable[[State], Mapping[str, int] | None]) -> NDArray[Any]:
        table = np.zeros((rows, len(parties)), dtype=np.int64)
        for row, state in enumerate(states):
            counts = read(state)
            if counts is not None:
                table[row] = [counts.get(p, 0) for p in parties]
        return table

    def from_terms(name: str) -> Callable[[State], Mapping[str, int] | None]:
        return lambda s: None if s.terms is None else getattr(s.terms, name)

    columns: dict[str, NDArray[Any]] = {
        "stage": np.array([process.stages.index(s.stage) for s in states], dtype=np.int64),
        "agreed": np.array([s.terms is not None for s in states], dtype=bool),
        "quota": per_party(
            lambda s: None if s.terms is None else {p: s.terms.quota_for(p) for p in parties}
        ),
        "share": per_party(
            lambda s: None if s.terms is None else {p: s.terms.share(p) for p in parties}
        ),
        "released": per_party(lambda s: s.ledger.released),
        "seriously_ill": per_party(lambda s: s.ledger.seriously_ill),
        "young": per_party(lambda s: s.ledger.young),
        "seriously_ill_held": per_party(from_terms("seriously_ill_held")),
        "young_held": per_party(from_terms("young_held")),
        "civilians_separate": np.array(
            [s.terms is not None and s.terms.civilians_separate for s in states], dtype=bool
        ),
        "pending_interests": np.array([s.pending_count for s in states], dtype=np.int64),
    }
    for item in process.items:
        columns[f"open.{item}"] = np.array([s.open_count(item) for s in states], dtype=np.int64)
    if arguments is not None:
        tranches = [given.get("tranche") for given in arguments]
        columns["tranche.released"] = per_party(
            lambda s: None  # filled below, by row
        )
        for row, tranche in enumerate(tranches):
            if tranche is not None:
                columns["tranche.released"][row] = [tranche.released.get(p, 0) for p in parties]
        columns["tranche.given"] = np.array([t is not None for t in tranches], dtype=bool)
        columns["tranche.mixed"] = np.array(
            [tranche is not None and tranche.mixed for tranche in tranches], dtype=bool
        )
    return columns
