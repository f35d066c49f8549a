"""The agreed terms of an exchange, and the article's: ``ISTANBUL_TERMS``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from attrs import Attribute, Converter, field, frozen

from negotiations._checks import FLAG, check_count, reader
from negotiations._counts import ZERO, Counts
from negotiations._errors import InvalidValue

__all__ = ["ISTANBUL_TERMS", "ExchangeTerms", "combined"]


def _quota(value: object, attribute: Attribute[Any]) -> int | Counts:
    if isinstance(value, Counts):
        return Counts.of(value, (attribute.alias or attribute.name))
    if isinstance(value, int) or hasattr(type(value), "__index__"):
        return check_count(value, (attribute.alias or attribute.name))
    return Counts.of(value, (attribute.alias or attribute.name))


def _counts(value: object, attribute: Attribute[Any]) -> Counts:
    return Counts.of(value, (attribute.alias or attribute.name))


def _ratio(value: object, attribute: Attribute[Any]) -> Counts | None:
    if value is None:
        return None
    ratio = Counts.of(value, (attribute.alias or attribute.name))
    if len(ratio) < 2 or 0 in ratio.values():  # an exchange is between two or more
        raise InvalidValue(
            f"ratio: every party of the exchange gives at least 1, got {ratio.to_dict()}",
            path="ratio",
        )
    return ratio


def _age_limit(value: object, attribute: Attribute[Any]) -> int:
    limit = check_count(value, "age_limit")
    if limit < 1:
        raise InvalidValue(f"age_limit must be at least 1, got {limit}", path="age_limit")
    return limit


_QUOTA = Converter(_quota, takes_field=True)
_COUNTS = Converter(_counts, takes_field=True)
_RATIO = Converter(_ratio, takes_field=True)
_AGE_LIMIT = Converter(_age_limit, takes_field=True)


@frozen(repr=False)
class ExchangeTerms:
    """What the parties agreed the exchange must achieve before it is complete.

    ``quota`` people at least from each party (a number for every party, or a
    mapping of party to number); every seriously ill and every young prisoner
    (under ``age_limit``) each party *holds* — as declared in
    ``seriously_ill_held`` and ``young_held``, a missing party counting 0. An
    exchange at a ``ratio`` (``{"hamas": 1, "israel": 30}``: thirty released for
    each one) hands over tranches in that proportion; without one, it is one for
    one.

    >>> ExchangeTerms(quota=10, young_held={"russia": 3})
    ExchangeTerms(quota=10, age_limit=25, civilians_separate=True, \
young_held=SideCounts(russia=3, ukraine=0))
    """

    quota: int | Counts = field(default=1000, converter=_QUOTA)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    age_limit: int = field(default=25, converter=_AGE_LIMIT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    civilians_separate: bool = field(default=True, converter=FLAG)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    seriously_ill_held: Counts = field(default=ZERO, converter=_COUNTS)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    young_held: Counts = field(default=ZERO, converter=_COUNTS)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    ratio: Counts | None = field(default=None, converter=_RATIO, kw_only=True)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects

    def quota_for(self, party: str) -> int:
        """How many ``party`` must release at least."""
        quota = self.quota
        return quota if isinstance(quota, int) else quota.get(party, 0)

    def quotas(self, parties: tuple[str, ...]) -> tuple[int, ...]:
        """How many each of ``parties`` must release at least, in their order."""
        quota = self.quota
        return (quota,) * len(parties) if isinstance(quota, int) else quota.over(parties)

    def share(self, party: str) -> int:
        """``party``'s part of the ratio (1 when the exchange is one for one)."""
        return 1 if self.ratio is None else self.ratio.get(party, 0)

    def __repr__(self) -> str:
        """The quota, age limit and civilians' rule, then only the priority holdings that
        are declared (not zero) and the ratio if there is one."""
        shown = (
            f"ExchangeTerms(quota={self.quota!r}, age_limit={self.age_limit!r}, "
            f"civilians_separate={self.civilians_separate!r}"
        )
        if self.seriously_ill_held.any:
            shown += f", seriously_ill_held={self.seriously_ill_held!r}"
        if self.young_held.any:
            shown += f", young_held={self.young_held!r}"
        if self.ratio is not None:
            shown += f", ratio={self.ratio!r}"
        return shown + ")"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        quota = self.quota
        data: dict[str, Any] = {
            "quota": quota if isinstance(quota, int) else quota.to_dict(),
            "age_limit": self.age_limit,
            "civilians_separate": self.civilians_separate,
            "seriously_ill_held": self.seriously_ill_held.to_dict(),
            "young_held": self.young_held.to_dict(),
        }
        if self.ratio is not None:
            data["ratio"] = self.ratio.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: object, where: str = "terms") -> ExchangeTerms:
        """Rebuild from :meth:`to_dict`; a bad or missing field is an error naming it."""
        read = reader(data, where, _FIELDS)
        return read.build(
            cls,
            quota=read.get("quota"),
            age_limit=read.get("age_limit"),
            civilians_separate=read.get("civilians_separate"),
            seriously_ill_held=read.get("seriously_ill_held"),
            young_held=read.get("young_held"),
            ratio=read.get("ratio", None),
        )


_FIELDS = frozenset(
    {"quota", "age_limit", "civilians_separate", "seriously_ill_held", "young_held", "ratio"}
)

#: The article's terms (line 5): "thousand for a thousand", a minimum of 1,000
#: people each side, every seriously ill and young (under 25) prisoner returned,
#: civilians handed over separately (line 3). The article gives no count of the
#: priority prisoners each side holds, so none are declared here: pass
#: ``seriously_ill_held`` / ``young_held`` to model them.
ISTANBUL_TERMS = ExchangeTerms(quota=1000, age_limit=25, civilians_separate=True)


def combined(agreements: Sequence[ExchangeTerms], parties: tuple[str, ...]) -> ExchangeTerms:
    """What every one of ``agreements`` (in the order agreed) adds up to, for ``parties``.

    The numbers add up: each party's quota, and the seriously ill and young prisoners
    each party declared holding, are the sums over the agreements. The rules of a
    handover — the age limit, whether civilians go separately, the ratio — are the
    latest agreement's: tranches are handed over by the terms agreed last. One
    agreement adds up to itself.

    >>> combined([ExchangeTerms(quota=1000), ExchangeTerms(quota=1200)], ("russia", "ukraine"))
    ExchangeTerms(quota=2200, age_limit=25, civilians_separate=True)
    """
    latest = agreements[-1]
    if len(agreements) == 1:
        return latest
    quota: int | Counts
    if all(isinstance(terms.quota, int) for terms in agreements):
        quota = sum(terms.quota_for(parties[0]) for terms in agreements)
    else:
        quota = Counts.of(
            {party: sum(terms.quota_for(party) for terms in agreements) for party in parties},
            "quota",
        )
    ill, young = latest.seriously_ill_held, latest.young_held
    for terms in agreements[:-1]:
        ill, young = terms.seriously_ill_held + ill, terms.young_held + young
    return ExchangeTerms(
        quota=quota,
        age_limit=latest.age_limit,
        civilians_separate=latest.civilians_separate,
        seriously_ill_held=ill,
        young_held=young,
        ratio=latest.ratio,
    )
