"""The running account of an exchange: who has released how many, and whom."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from attrs import Attribute, Converter, field, frozen

from negotiations._checks import COUNT, check_text, reader
from negotiations._counts import ZERO, Counts, check_counted
from negotiations._fast import trusted
from negotiations._stages import label
from negotiations._tranche import Tranche

__all__ = ["Ledger"]


def _ids(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _counts(value: object, attribute: Attribute[Any]) -> Counts:
    return Counts.of(value, (attribute.alias or attribute.name))


_COUNTS = Converter(_counts, takes_field=True)


@frozen
class Ledger:
    """The exchange so far, counted by releasing party.

    ``released`` includes civilians; ``seriously_ill`` and ``young`` are the
    priority people among them; ``tranches`` counts the handovers;
    ``prisoner_ids`` are the named people already released (none twice).

    >>> Ledger().add(Tranche.even(2, civilians=True)).add(Tranche.even(390)).released
    SideCounts(russia=392, ukraine=392)
    """

    released: Counts = field(default=ZERO, converter=_COUNTS)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    seriously_ill: Counts = field(default=ZERO, converter=_COUNTS)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    young: Counts = field(default=ZERO, converter=_COUNTS)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    civilians: Counts = field(default=ZERO, converter=_COUNTS)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    tranches: int = field(default=0, converter=COUNT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    prisoner_ids: frozenset[str] = field(default=frozenset(), converter=_ids, repr=False)

    def __attrs_post_init__(self) -> None:
        for name in ("seriously_ill", "young", "civilians"):
            check_counted(getattr(self, name), self.released, name)

    @classmethod
    def empty(cls, parties: Iterable[str]) -> Ledger:
        """Nothing released yet by any of ``parties``."""
        zero = Counts.zero(parties)
        return cls(zero, zero, zero, zero)

    def add(self, tranche: Tranche) -> Ledger:
        """The ledger after ``tranche`` (a new value; this one is unchanged)."""
        ids = self.prisoner_ids
        if tranche.prisoners:
            ids = ids | {person.id for person in tranche.prisoners}
        ill, young = tranche.seriously_ill, tranche.young
        civilians = tranche.civilians or bool(tranche.prisoners)
        # Sums of counts already checked, of the parties already checked: the constructor's
        # checks could only agree, so the ledger is built as trusted (see negotiations._fast).
        return _LEDGER(
            self.released + tranche.released,
            self.seriously_ill + ill if ill.any else self.seriously_ill,
            self.young + young if young.any else self.young,
            self.civilians + tranche.civilians_released if civilians else self.civilians,
            self.tranches + 1,
            ids,
        )

    def __repr__(self) -> str:
        """The counts that say something: priority people and civilians only when there
        are some; the named prisoners released are counted, not listed."""
        parts = [f"released={self.released!r}"]
        for name in ("seriously_ill", "young", "civilians"):
            counts: Counts = getattr(self, name)
            if counts.any:
                parts.append(f"{name}={counts!r}")
        parts.append(f"tranches={self.tranches}")
        if self.prisoner_ids:
            parts.append(f"prisoner_ids=<{len(self.prisoner_ids)} named>")
        return f"Ledger({', '.join(parts)})"

    def __str__(self) -> str:
        (first, number), *others = self.released.items() or [("nobody", 0)]
        shown = "".join(f", {n} by {label(party)}" for party, n in others)
        return f"{number} released by {label(first)}{shown} in {self.tranches} tranche(s)"

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
            read.get("released"),
            read.get("seriously_ill"),
            read.get("young"),
            read.get("civilians"),
            read.get("tranches"),
            read.each("prisoner_ids", check_text),
        )


_FIELDS = frozenset({"released", "seriously_ill", "young", "civilians", "tranches", "prisoner_ids"})

_LEDGER = trusted(Ledger)
