"""What a simulation gives: one row per run in columnar arrays, aggregates, a summary table,
files (CSV, a plot), data frames, and any run rebuilt as a real negotiation."""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from negotiations._errors import InvalidType, InvalidValue, need
from negotiations._files import check_path, write_parts_atomically
from negotiations._stages import label
from negotiations._summary import StageSummary, Summary, quantiles

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from negotiations._chunks import Tally
    from negotiations._definition import Definition
    from negotiations._dynamics import Dynamics
    from negotiations._negotiation import Negotiation
    from negotiations._stepping import Chunk
    from negotiations._terms import ExchangeTerms

__all__ = ["Collector", "SimulationResult"]


class SimulationResult:
    """The runs of :func:`negotiations.simulate`, one row per run, in run order.

    With ``keep="summary"`` only the aggregates are kept: :meth:`stage_counts`,
    :meth:`summary`, :meth:`plot` and :meth:`replay` work; the per-run methods
    (:meth:`days_to`, :meth:`to_csv`, ...) say so.
    """

    def __init__(
        self,
        dynamics: Dynamics,
        *,
        terms: ExchangeTerms | None,
        seed: int,
        runs: int,
        keep: str,
        tally: Tally,
        columns: Mapping[str, NDArray[Any]] | None,
    ) -> None:
        #: The dynamics the runs followed (and through it, the process).
        self.dynamics = dynamics
        #: The terms every agreement was made on.
        self.terms = terms
        #: The seed: the same seed gives the same runs.
        self.seed = seed
        #: How many runs.
        self.runs = runs
        #: What was kept: ``"runs"`` or ``"summary"``.
        self.keep = keep
        self._tally = tally
        self._columns = columns

    @property
    def process(self) -> Definition:
        """The process simulated."""
        return self.dynamics.process

    def __repr__(self) -> str:
        counts = self.stage_counts()
        ended = ", ".join(
            f"{stage} {count / self.runs:.1%}" for stage, count in counts.items() if count
        )
        return (
            f"<SimulationResult: {self.runs:,} runs of {self.process.name!r} (seed {self.seed}, "
            f"keep={self.keep!r}); ended in {ended}>"
        )

    # -- aggregates ------------------------------------------------------------------------

    def stage_counts(self) -> dict[str, int]:
        """How many runs ended in each stage (every stage of the process, in its order;
        they add up to :attr:`runs`). A run still going at the horizon counts where it
        stood."""
        return {
            str(stage): int(count)
            for stage, count in zip(self.process.stages, self._tally.final, strict=True)
        }

    def reached(self, stage: str) -> int:
        """How many runs reached ``stage`` at some point."""
        return int(self._tally.reached[self._stage(stage)].sum())

    def summary(self) -> Summary:
        """A table: for each stage, the runs that reached it and their share, the runs that
        ended there, and the 10th, 50th and 90th percentiles of the days to reach it."""
        rows = []
        ended = self._tally.final
        for index, stage in enumerate(self.process.stages):
            days = self._tally.reached[index]
            reached = int(days.sum())
            found = quantiles(days, reached)
            rows.append(
                StageSummary(str(stage), reached, reached / self.runs, int(ended[index]), *found)
            )
        return Summary(self.runs, self.dynamics.horizon, tuple(rows))

    def reached_by_day(self) -> dict[str, NDArray[np.float64]]:
        """For each stage, the share of runs that have reached it by the end of each day
        (day 0 to the horizon)."""
        import numpy as np  # noqa: PLC0415  # optional: the sim extra

        shares = np.cumsum(self._tally.reached, axis=1) / self.runs
        return dict(zip(map(str, self.process.stages), shares, strict=True))

    # -- rows ------------------------------------------------------------------------------

    def _rows(self, what: str) -> Mapping[str, NDArray[Any]]:
        if self._columns is None:
            raise InvalidValue(
                f"{what}: this result kept only the summary (keep='summary'); simulate "
                "with keep='runs' for a row per run",
                path="keep",
            )
        return self._columns

    def _stage(self, stage: object) -> int:
        stages = self.process.stages
        if not isinstance(stage, str):
            raise InvalidType(f"stage must be a string, not {type(stage).__name__}", path="stage")
        if stage not in stages:
            raise InvalidValue(
                f"stage: the process {self.process.name!r} has no stage {stage!r}; its "
                f"stages are {', '.join(stages)}",
                path="stage",
            )
        return stages.index(stage)

    @property
    def final_stage(self) -> NDArray[np.signedinteger[Any]]:
        """Each run's final stage, as its index in ``process.stages``."""
        return self._rows("final_stage")["final_stage"]

    def final_stages(self) -> NDArray[np.str_]:
        """Each run's final stage, by name."""
        import numpy as np  # noqa: PLC0415  # optional: the sim extra

        names = np.array([str(stage) for stage in self.process.stages])
        found: NDArray[np.str_] = names[self._rows("final_stages")["final_stage"]]
        return found

    def days_to(self, stage: str) -> NDArray[np.float64]:
        """For each run, the day it first reached ``stage`` (whole days from day 0; NaN
        where it never did)."""
        import numpy as np  # noqa: PLC0415  # optional: the sim extra

        index = self._stage(stage)
        days = self._rows("days_to")["days_to"][:, index]
        result = days.astype(np.float64)
        result[days < 0] = math.nan
        return result

    def released(self, party: str) -> NDArray[np.int32]:
        """For each run, how many people ``party`` released in all."""
        parties = self.process.parties
        if party not in parties:
            raise InvalidValue(
                f"party: the process {self.process.name!r} has no party {party!r}; its "
                f"parties are {', '.join(parties)}",
                path="party",
            )
        return self._rows("released")["released"][:, parties.index(party)]

    def tranches(self) -> NDArray[np.int32]:
        """For each run, how many handovers."""
        return self._rows("tranches")["tranches"]

    def moves(self) -> NDArray[np.int32]:
        """For each run, how many moves were made (pledged ones included)."""
        return self._rows("moves")["moves"]

    # -- output ----------------------------------------------------------------------------

    def header(self) -> list[str]:
        """The names of the columns of :meth:`to_csv`, :meth:`to_pandas` and
        :meth:`to_arrow`."""
        process = self.process
        return [
            "run",
            "final_stage",
            *(f"days_to_{stage}" for stage in process.stages),
            *(f"released_{party}" for party in process.parties),
            "tranches",
            "moves",
        ]

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """Write one row per run, in run order, under a header row (see :meth:`header`);
        a stage never reached has an empty field. The same seed gives the same bytes.

        The file is written as :meth:`negotiations.Negotiation.save` writes one: whole or
        not at all, a regular file only (never through a symbolic link); a path that
        cannot be written is a :class:`~negotiations.StorageError` saying why.
        """
        check_path(path)
        self._rows("to_csv")
        write_parts_atomically(path, self._csv)

    def _csv(self) -> Iterator[bytes]:
        """The CSV file, a block of rows at a time."""
        columns = self._rows("to_csv")
        names = [str(stage) for stage in self.process.stages]
        # Day d is written as days[d]; -1 (never reached) as days[-1], an empty field.
        days = [*map(str, range(self.dynamics.horizon + 1)), ""]
        yield (",".join(self.header()) + "\n").encode()
        step = 100_000
        for start in range(0, self.runs, step):
            stop = min(start + step, self.runs)
            fields: list[Any] = [
                map(str, range(start, stop)),
                [names[i] for i in columns["final_stage"][start:stop].tolist()],
            ]
            reached = columns["days_to"][start:stop]
            fields += [[days[d] for d in reached[:, i].tolist()] for i in range(reached.shape[1])]
            released = columns["released"][start:stop]
            fields += [map(str, released[:, p].tolist()) for p in range(released.shape[1])]
            fields += [
                map(str, columns[name][start:stop].tolist()) for name in ("tranches", "moves")
            ]
            yield "".join(",".join(row) + "\n" for row in zip(*fields, strict=True)).encode()

    def _table(self, what: str) -> dict[str, NDArray[Any]]:
        import numpy as np  # noqa: PLC0415  # optional: the sim extra

        columns = self._rows(what)
        process = self.process
        table: dict[str, NDArray[Any]] = {
            "run": np.arange(self.runs),
            "final_stage": self.final_stages(),
        }
        for stage in process.stages:
            table[f"days_to_{stage}"] = self.days_to(stage)
        for index, party in enumerate(process.parties):
            table[f"released_{party}"] = columns["released"][:, index]
        table["tranches"] = columns["tranches"]
        table["moves"] = columns["moves"]
        return table

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (the columns of :meth:`header`; days as
        floats with NaN where never reached). Needs pandas."""
        pandas = need("pandas", "to_pandas", "frames")
        return pandas.DataFrame(self._table("to_pandas"))

    def to_arrow(self) -> Any:
        """The rows as a ``pyarrow.Table`` (the columns of :meth:`header`; days as
        floats with NaN where never reached). Needs pyarrow."""
        pyarrow = need("pyarrow", "to_arrow", "frames")
        return pyarrow.table(self._table("to_arrow"))

    def plot(self, path: str | os.PathLike[str]) -> None:
        """Draw, as a PNG at ``path``, the share of runs that have reached each stage by
        each day (written as :meth:`to_csv` writes). Needs matplotlib:
        ``pip install 'negotiations[plot]'``."""
        check_path(path)
        import numpy as np  # noqa: PLC0415  # optional: the sim extra

        need("matplotlib", "plot", "plot")
        import matplotlib as mpl  # noqa: PLC0415  # optional: plots only

        mpl.use("Agg", force=False)  # no display needed
        from matplotlib.figure import Figure  # noqa: PLC0415  # as above

        figure = Figure(figsize=(8, 4.5), dpi=100)
        axes = figure.add_subplot()
        days = np.arange(self.dynamics.horizon + 1)
        for stage, shares in self.reached_by_day().items():
            if shares[-1] > 0:
                axes.step(days, shares, where="post", label=label(stage))
        axes.set_xlabel(f"days from {self.dynamics.first_day.isoformat()}")
        axes.set_ylabel("share of runs that have reached the stage")
        axes.set_ylim(0, 1.02)
        axes.set_xlim(0, self.dynamics.horizon)
        axes.grid(alpha=0.3)
        axes.legend(loc="best", fontsize="small")
        axes.set_title(f"{self.runs:,} runs of {self.process.name!r} (seed {self.seed})")
        figure.tight_layout()
        image = io.BytesIO()
        figure.savefig(image, format="png")
        write_parts_atomically(path, lambda: (image.getvalue(),))

    # -- one run ---------------------------------------------------------------------------

    def replay(self, run: int) -> Negotiation:
        """Run number ``run`` rebuilt as a real, dated :class:`~negotiations.Negotiation`
        from its own events (its chunk is simulated again, tracing it): the same stage,
        ledger and days each stage was reached as the simulation's."""
        if isinstance(run, bool) or not isinstance(run, int):
            raise InvalidType(f"run must be an int, not {type(run).__name__}", path="run")
        if not 0 <= run < self.runs:
            raise InvalidValue(
                f"run: {run} is not one of the runs 0 to {self.runs - 1}", path="run"
            )
        from negotiations._chunks import trace_run  # noqa: PLC0415  # as above
        from negotiations._simreplay import rebuild  # noqa: PLC0415  # one run: on demand

        trace = trace_run(self.dynamics, self.terms, self.seed, run, self.runs)
        return rebuild(trace, self.dynamics, self.terms, run, self.seed)


class Collector:
    """Gathers chunks, in any order, into one :class:`SimulationResult`: rows into arrays
    allocated once, tallies added up."""

    def __init__(
        self, dynamics: Dynamics, terms: ExchangeTerms | None, seed: int, runs: int, keep: str
    ) -> None:
        import numpy as np  # noqa: PLC0415  # optional: the sim extra

        process = dynamics.process
        self.dynamics, self.terms, self.seed, self.runs, self.keep = (
            dynamics,
            terms,
            seed,
            runs,
            keep,
        )
        self.tally: Tally | None = None
        self.columns: dict[str, NDArray[Any]] | None = None
        if keep == "runs":
            stages, parties = len(process.stages), len(process.parties)
            self.columns = {
                "final_stage": np.zeros(runs, dtype=np.int8 if stages < 128 else np.int16),
                "days_to": np.zeros((runs, stages), dtype=np.int32),
                "released": np.zeros((runs, parties), dtype=np.int32),
                "tranches": np.zeros(runs, dtype=np.int32),
                "moves": np.zeros(runs, dtype=np.int32),
            }

    def add(self, first: int, chunk: Chunk | None, tally: Tally) -> None:
        """The chunk whose first run is number ``first``."""
        self.tally = tally if self.tally is None else self.tally + tally
        if chunk is not None and self.columns is not None:
            rows = slice(first, first + len(chunk.final_stage))
            for name, column in self.columns.items():
                column[rows] = getattr(chunk, name)

    def result(self) -> SimulationResult:
        assert self.tally is not None  # runs >= 1: one chunk at least
        return SimulationResult(
            self.dynamics,
            terms=self.terms,
            seed=self.seed,
            runs=self.runs,
            keep=self.keep,
            tally=self.tally,
            columns=self.columns,
        )
