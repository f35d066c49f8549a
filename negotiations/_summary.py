"""A simulation in one table: for each stage, the runs that reached it, those that ended
there, and the days it took (quantiles read off the day histograms every result keeps)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from attrs import frozen

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["QUANTILES", "StageSummary", "Summary", "quantiles"]

#: The quantiles of days to each stage a summary gives.
QUANTILES = (0.1, 0.5, 0.9)


@frozen
class StageSummary:
    """One stage in a :class:`Summary`: how many runs reached it (and the share of all
    runs), how many ended there, and the days it took to reach it (10th, 50th and 90th
    percentiles, whole days; ``None`` where no run reached it)."""

    stage: str
    reached: int
    share: float
    ended: int
    p10: int | None
    p50: int | None
    p90: int | None


@frozen
class Summary:
    """A simulation in one table: a row per stage (see :class:`StageSummary`)."""

    runs: int
    horizon: int
    rows: tuple[StageSummary, ...]

    def __str__(self) -> str:
        header = ("stage", "reached", "share", "ended", "p10 days", "median days", "p90 days")
        body = [
            (
                str(row.stage),
                f"{row.reached:,}",
                f"{row.share:.1%}",
                f"{row.ended:,}",
                *("-" if q is None else str(q) for q in (row.p10, row.p50, row.p90)),
            )
            for row in self.rows
        ]
        widths = [max(len(line[i]) for line in (header, *body)) for i in range(len(header))]
        lines = [
            f"{self.runs:,} runs over {self.horizon} days",
            "  ".join(
                h.ljust(w) if i == 0 else h.rjust(w)
                for i, (h, w) in enumerate(zip(header, widths, strict=True))
            ),
        ]
        lines += [
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            )
            for line in body
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def quantiles(days: NDArray[np.int64], reached: int) -> tuple[int | None, ...]:
    """The days at :data:`QUANTILES` of the runs counted in ``days`` (a count per day): the
    first day by which at least that share of them had reached the stage."""
    import numpy as np  # noqa: PLC0415  # optional: the sim extra

    if not reached:
        return (None,) * len(QUANTILES)
    cumulative = np.cumsum(days)
    return tuple(
        int(np.searchsorted(cumulative, max(1, math.ceil(q * reached)))) for q in QUANTILES
    )
