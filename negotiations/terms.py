"""The agreed terms of an exchange, and the article's: ``ISTANBUL_TERMS``."""

from __future__ import annotations

from typing import Any

from attrs import field, frozen

from negotiations._fields import check_bool, check_count, reader
from negotiations.counts import ZERO, SideCounts
from negotiations.errors import InvalidValue

__all__ = ["ISTANBUL_TERMS", "ExchangeTerms"]


def _quota(value: object) -> int:
    return check_count(value, "quota")


def _civilians_separate(value: object) -> bool:
    return check_bool(value, "civilians_separate")


def _seriously_ill_held(value: object) -> SideCounts:
    return SideCounts.of(value, "seriously_ill_held")


def _young_held(value: object) -> SideCounts:
    return SideCounts.of(value, "young_held")


def _age_limit(value: object) -> int:
    limit = check_count(value, "age_limit")
    if limit < 1:
        raise InvalidValue(f"age_limit must be at least 1, got {limit}")
    return limit


@frozen
class ExchangeTerms:
    """What the parties agreed the exchange must achieve before it is complete.

    ``quota`` people each side at least; every seriously ill and every young
    prisoner (under ``age_limit``) each side *holds* — as declared in
    ``seriously_ill_held`` and ``young_held``, a missing side counting 0.

    >>> ExchangeTerms(quota=10, young_held={"russia": 3})
    ExchangeTerms(quota=10, age_limit=25, civilians_separate=True, \
seriously_ill_held=SideCounts(russia=0, ukraine=0), young_held=SideCounts(russia=3, ukraine=0))
    """

    quota: int = field(default=1000, converter=_quota)
    age_limit: int = field(default=25, converter=_age_limit)
    civilians_separate: bool = field(default=True, converter=_civilians_separate)
    seriously_ill_held: SideCounts = field(default=ZERO, converter=_seriously_ill_held)
    young_held: SideCounts = field(default=ZERO, converter=_young_held)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "quota": self.quota,
            "age_limit": self.age_limit,
            "civilians_separate": self.civilians_separate,
            "seriously_ill_held": self.seriously_ill_held.to_dict(),
            "young_held": self.young_held.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: object, where: str = "terms") -> ExchangeTerms:
        """Rebuild from :meth:`to_dict`; a bad or missing field is an error naming it."""
        read = reader(data, where, _FIELDS)
        return read.build(
            cls,
            quota=read.count("quota"),
            age_limit=read.count("age_limit"),
            civilians_separate=read.flag("civilians_separate"),
            seriously_ill_held=read.counts("seriously_ill_held"),
            young_held=read.counts("young_held"),
        )


_FIELDS = frozenset(
    {"quota", "age_limit", "civilians_separate", "seriously_ill_held", "young_held"}
)

#: The article's terms (line 5): "thousand for a thousand", a minimum of 1,000
#: people each side, every seriously ill and young (under 25) prisoner returned,
#: civilians handed over separately (line 3). The article gives no count of the
#: priority prisoners each side holds, so none are declared here: pass
#: ``seriously_ill_held`` / ``young_held`` to model them.
ISTANBUL_TERMS = ExchangeTerms(quota=1000, age_limit=25, civilians_separate=True)
