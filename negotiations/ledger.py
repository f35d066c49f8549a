"""The running account of an exchange: who has released how many, and whom."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from attrs import field, frozen

from negotiations._fields import check_count, check_text, reader
from negotiations._slots import slot_setters
from negotiations.counts import ZERO, SideCounts, _plus
from negotiations.tranche import Tranche

__all__ = ["Ledger"]


def _ids(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _released(value: object) -> SideCounts:
    return SideCounts.of(value, "released")


def _seriously_ill(value: object) -> SideCounts:
    return SideCounts.of(value, "seriously_ill")


def _young(value: object) -> SideCounts:
    return SideCounts.of(value, "young")


def _civilians(value: object) -> SideCounts:
    return SideCounts.of(value, "civilians")


def _tranches(value: object) -> int:
    return check_count(value, "tranches")


@frozen
class Ledger:
    """The exchange so far, counted by releasing side.

    ``released`` includes civilians; ``seriously_ill`` and ``young`` are the
    priority people among them; ``tranches`` counts the handovers;
    ``prisoner_ids`` are the named people already released (none twice).

    >>> Ledger().add(Tranche.even(2, civilians=True)).add(Tranche.even(390)).released
    SideCounts(russia=392, ukraine=392)
    """

    released: SideCounts = field(default=ZERO, converter=_released)
    seriously_ill: SideCounts = field(default=ZERO, converter=_seriously_ill)
    young: SideCounts = field(default=ZERO, converter=_young)
    civilians: SideCounts = field(default=ZERO, converter=_civilians)
    tranches: int = field(default=0, converter=_tranches)
    prisoner_ids: frozenset[str] = field(default=frozenset(), converter=_ids, repr=False)

    def add(self, tranche: Tranche) -> Ledger:
        """The ledger after ``tranche`` (a new value; this one is unchanged)."""
        ids = self.prisoner_ids
        if tranche.prisoners:
            ids = ids | {person.id for person in tranche.prisoners}
        # The hot path of every simulation: the sums of valid counts are valid, so the
        # new value is built without running the converters again.
        made = _new(Ledger)
        _SET_RELEASED(made, _plus(self.released, tranche.released))
        ill = tranche.seriously_ill
        _SET_SERIOUSLY_ILL(
            made,
            (_plus(self.seriously_ill, ill) if ill.russia or ill.ukraine else self.seriously_ill),
        )
        young = tranche.young
        _SET_YOUNG(made, _plus(self.young, young) if young.russia or young.ukraine else self.young)
        if tranche.civilians or tranche.prisoners:
            _SET_CIVILIANS(made, _plus(self.civilians, tranche.civilians_released))
        else:
            _SET_CIVILIANS(made, self.civilians)
        _SET_TRANCHES(made, self.tranches + 1)
        _SET_PRISONER_IDS(made, ids)
        return made

    def __str__(self) -> str:
        return (
            f"{self.released.russia} released by Russia, {self.released.ukraine} by Ukraine "
            f"in {self.tranches} tranche(s)"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (derived data: saved files keep events, not ledgers)."""
        return {
            "released": self.released.to_dict(),
            "seriously_ill": self.seriously_ill.to_dict(),
            "young": self.young.to_dict(),
            "civilians": self.civilians.to_dict(),
            "tranches": self.tranches,
            "prisoner_ids": sorted(self.prisoner_ids),
        }

    @classmethod
    def from_dict(cls, data: object, where: str = "ledger") -> Ledger:
        """Rebuild from :meth:`to_dict`; a bad or missing field is an error naming it."""
        read = reader(data, where, _FIELDS)
        return read.build(
            cls,
            read.counts("released"),
            read.counts("seriously_ill"),
            read.counts("young"),
            read.counts("civilians"),
            read.count("tranches"),
            read.each("prisoner_ids", check_text),
        )


_FIELDS = frozenset({"released", "seriously_ill", "young", "civilians", "tranches", "prisoner_ids"})

_new = object.__new__
(
    _SET_RELEASED,
    _SET_SERIOUSLY_ILL,
    _SET_YOUNG,
    _SET_CIVILIANS,
    _SET_TRANCHES,
    _SET_PRISONER_IDS,
) = slot_setters(
    Ledger, "released", "seriously_ill", "young", "civilians", "tranches", "prisoner_ids"
)
