"""The article's stages and parties as enums, and how any stage or party name reads in prose."""

from __future__ import annotations

import enum

from negotiations._text import shorten

__all__ = ["Side", "Stage", "label"]


class Stage(enum.StrEnum):
    """A stage of the article's process; values are the lower-case names.

    >>> Stage.THIRD_ROUND
    <Stage.THIRD_ROUND: 'third_round'>
    >>> Stage("exchange") is Stage.EXCHANGE
    True
    """

    TALKS = "talks"
    EXCHANGE = "exchange"
    THIRD_ROUND = "third_round"
    LEADERS_MEETING = "leaders_meeting"
    SETTLEMENT = "settlement"
    SUSPENDED = "suspended"
    COLLAPSED = "collapsed"

    # Equal to its value, so hashed as its value (Enum hashes the name, in Python code):
    # a dict keyed by stages finds them by value too, and every lookup is cheaper.
    __hash__ = str.__hash__

    @property
    def label(self) -> str:
        """The stage in words, for sentences: ``"third round"``."""
        return self.value.replace("_", " ")


class Side(enum.StrEnum):
    """One of the two parties of the article's process.

    >>> Side.RUSSIA.label
    'Russia'
    >>> Side.RUSSIA.other
    <Side.UKRAINE: 'ukraine'>
    """

    RUSSIA = "russia"
    UKRAINE = "ukraine"

    __hash__ = str.__hash__  # as for Stage

    @property
    def label(self) -> str:
        """The side's name as written in prose: ``"Russia"``."""
        return _LABELS[self]

    @property
    def other(self) -> Side:
        """The opposite side."""
        return Side.UKRAINE if self is Side.RUSSIA else Side.RUSSIA


_LABELS = {Side.RUSSIA: "Russia", Side.UKRAINE: "Ukraine"}


def label(name: str) -> str:
    """A stage's or party's name as it reads in a sentence.

    >>> label(Stage.THIRD_ROUND), label("first_phase"), label(Side.UKRAINE)
    ('third round', 'first phase', 'Ukraine')
    """
    if isinstance(name, (Stage, Side)):
        return name.label
    if len(name) > _LONG:  # a name a user gave, as a message quotes it: shortened
        return shorten(name.replace("_", " "), quoted=False)
    return name.replace("_", " ")


#: A label longer than this is shortened (see :func:`negotiations._checks.shorten`).
_LONG = 80
