"""The source text the rules cite: the news article, line by line."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

__all__ = ["article_line", "article_lines"]


@cache
def article_lines() -> tuple[str, ...]:
    """The article's lines; line 1 is ``article_lines()[0]``."""
    text = files("negotiations").joinpath("data/article.txt").read_text(encoding="utf-8")
    return tuple(text.splitlines())


def article_line(number: int) -> str:
    """Line ``number`` of the article, counted from 1.

    >>> article_line(3)
    'The civilians were returned separately.'
    """
    lines = article_lines()
    if not 1 <= number <= len(lines):
        raise IndexError(f"the article has lines 1 to {len(lines)}, not {number}")
    return lines[number - 1]
