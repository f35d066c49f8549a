"""How a negotiation looks at the prompt and in notebooks: its one-line repr, the numbered
timeline of its history, and its text, Markdown and HTML reports.

Nothing here needs IPython or any other package: the notebook hooks
(``_repr_html_``, ``_repr_markdown_``, ``_repr_pretty_``) are plain methods that return
text, and Jupyter finds them by name. Every text a user gave (a name, a reason, a
citation) is shortened where it is quoted, and escaped in HTML.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from negotiations._article import PROCESS
from negotiations._checks import shorten
from negotiations.diagram import mermaid

if TYPE_CHECKING:
    from negotiations._definition import Definition
    from negotiations._negotiation import Negotiation
    from negotiations._records import Blocker, Event

__all__ = ["Printer", "html_report", "markdown_report", "pretty", "summary", "timeline"]

#: A history longer than this is shortened in its repr (``str()`` shows every event).
TIMELINE_LIMIT = 20
#: How many events a shortened timeline shows at each end.
TIMELINE_ENDS = 5
#: How many open items a one-line repr names before it says how many more there are.
ITEMS_SHOWN = 5
#: How long a citation may be in a line of the timeline.
CITATION_LIMIT = 100


class Printer(Protocol):
    """What :func:`pretty` needs of IPython's pretty printer: only ``text``."""

    def text(self, obj: str) -> Any:
        """Write ``obj``."""


# -- the timeline -------------------------------------------------------------------------


def _line(index: int, event: Event, width: int, dated: bool) -> str:
    day, citation = event.date, event.citation
    line = f"{index:>{width}}  "
    if dated:
        line += f"{day.isoformat() if day is not None else '':<10}  "
    line += event._said()  # what happened, without the date and citation given columns here
    if citation is not None:
        line += f"  [{shorten(citation, CITATION_LIMIT, quoted=False)}]"
    return line


def timeline(events: Sequence[Event], *, limit: int | None = None) -> str:
    """``events`` as numbered lines, numbered from 0 as they are indexed, one per event.

    A date column is shown when some event has a date, and each cited event ends with
    its citation in brackets. With ``limit``, a longer history shows its first and last
    few events around a line saying how many are left out.

    >>> from negotiations import Negotiation
    >>> talks = Negotiation()
    >>> _ = talks.agree_exchange()
    >>> print(timeline(talks.history))
      0  agree_exchange(terms=quota 1000, under 25): talks -> exchange
    """
    count = len(events)
    if not count:
        return "(no events yet)"
    width = max(3, len(str(count - 1)))
    dated = any(event.date is not None for event in events)
    if limit is None or count <= limit:
        return "\n".join(_line(at, event, width, dated) for at, event in enumerate(events))
    tail = count - TIMELINE_ENDS
    lines = [_line(at, events[at], width, dated) for at in range(TIMELINE_ENDS)]
    lines.append(f"{'':>{width}}  … {tail - TIMELINE_ENDS} more …")
    lines.extend(_line(at, events[at], width, dated) for at in range(tail, count))
    return "\n".join(lines)


# -- the one-line repr --------------------------------------------------------------------


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(map(shorten, names[:ITEMS_SHOWN]))
    more = len(names) - ITEMS_SHOWN
    return f"{shown}, … {more} more" if more > 0 else shown


def _journal(negotiation: Negotiation) -> str | None:
    journal = negotiation.journal
    if journal is None:
        return None
    path = shorten(os.fspath(journal.path))
    return f"journal {path} closed" if journal.closed else f"journal {path}"


def _progress(negotiation: Negotiation) -> str | None:
    terms, process = negotiation.terms, negotiation.process
    if terms is None:
        return None
    released = negotiation.ledger.released
    shown = ", ".join(
        f"{process.label(party)} {released.get(party, 0)}/{terms.quota_for(party)}"
        for party in process.parties
    )
    return f"exchange: {shown}" + (" (complete)" if negotiation.exchange_complete else "")


def _waiting(negotiation: Negotiation) -> list[str]:
    """What is open and waiting: items, interests to acknowledge, pledges."""
    process, state = negotiation.process, negotiation.state
    found = []
    kinds = process.items
    for kind in kinds:
        opened = state.open_items(kind)
        if opened:
            title = "open issues" if len(kinds) == 1 else f"open {kind} items"
            found.append(f"{title}: {_listed(opened)}")
    if state.pending_count:
        found.append(f"{state.pending_count} interest(s) awaiting acknowledgement")
    if state.pledges:
        found.append(
            f"{len(state.pledges)} pledge(s) waiting: "
            + ", ".join(f"{process.label(p.side)} {p.trigger}" for p in state.pledges)
        )
    return found


def summary(negotiation: Negotiation) -> str:
    """The negotiation in one line (its ``repr``): stage, exchange, what is open and waiting,
    the moves allowed, how many events, and its journal if it has one."""
    process, state = negotiation.process, negotiation.state
    parts = [f"stage={state.stage}"]
    if process is not PROCESS:
        parts.insert(0, f"process={process.name}")
    if state.suspended_from is not None:
        parts.append(f"suspended from {state.suspended_from}")
    progress = _progress(negotiation)
    if progress is not None:
        parts.append(progress)
    parts.extend(_waiting(negotiation))
    allowed = negotiation.allowed()
    parts.append("allowed: " + (", ".join(allowed) if allowed else "nothing (final)"))
    parts.append(f"{len(negotiation.history)} event(s)")
    journal = _journal(negotiation)
    if journal is not None:
        parts.append(journal)
    return f"<Negotiation {'; '.join(parts)}>"


# -- the reports ----------------------------------------------------------------------------


class _Report:
    """What every report shows, worked out once: the views below only lay it out."""

    def __init__(self, negotiation: Negotiation) -> None:
        process = negotiation.process
        stage = negotiation.stage
        self.process: Definition = process
        self.stage = str(stage)
        self.title = f"Negotiation: {shorten(process.name, quoted=False)}, stage {stage}"
        if negotiation.suspended_from is not None:
            self.title += f" (suspended from {negotiation.suspended_from})"
        notes = [f"{len(negotiation.history)} event(s)", *_waiting(negotiation)]
        journal = _journal(negotiation)
        if journal is not None:
            notes.append(journal)
        self.notes = "; ".join(notes)
        self.exchange = _exchange_rows(negotiation)
        self.allowed = negotiation.allowed()
        self.blocked: list[tuple[str, tuple[Blocker, ...]]] = []
        self.elsewhere: list[str] = []
        for trigger in process.triggers:
            if trigger in self.allowed:
                continue
            if process.move(trigger, stage) is None:
                self.elsewhere.append(trigger)
            else:
                self.blocked.append((trigger, negotiation.blockers(trigger)))
        self.stages = process.stages

    def diagram(self) -> str:
        """The process's Mermaid diagram, the current stage marked with the class ``current``."""
        return (
            f"{mermaid(self.process)}\n"
            "    classDef current fill:#fde68a,stroke:#b45309,stroke-width:3px\n"
            f"    class {self.stage} current"
        )


def _exchange_rows(negotiation: Negotiation) -> list[tuple[str, ...]] | None:
    """Per party: name, released of quota, seriously ill and young released of held, civilians."""
    terms, process = negotiation.terms, negotiation.process
    if terms is None:
        return None
    ledger = negotiation.ledger
    rows: list[tuple[str, ...]] = []
    for party in process.parties:
        rows.append(
            (
                process.label(party),
                f"{ledger.released.get(party, 0)} / {terms.quota_for(party)}",
                f"{ledger.seriously_ill.get(party, 0)} / {terms.seriously_ill_held.get(party, 0)}",
                f"{ledger.young.get(party, 0)} / {terms.young_held.get(party, 0)}",
                str(ledger.civilians.get(party, 0)),
            )
        )
    return rows


#: The columns of the exchange table.
_EXCHANGE_HEADINGS = ("party", "released / quota", "seriously ill", "young", "civilians")


def _blocker_text(blocker: Blocker) -> str:
    return f"{blocker.rule}: {shorten(blocker.message, 300, quoted=False)}"


def pretty(negotiation: Negotiation, printer: Printer, cycle: bool) -> None:
    """Write the negotiation's text report to IPython's pretty ``printer`` (any object with
    ``text``), as ``_repr_pretty_`` does."""
    if cycle:
        printer.text("<Negotiation ...>")
        return
    printer.text(text_report(negotiation))


def text_report(negotiation: Negotiation) -> str:
    """The report as plain text: stage, exchange per party, moves now, what blocks the rest."""
    report = _Report(negotiation)
    lines = [report.title, f"  {report.notes}"]
    marked = ", ".join(f"[{s}]" if str(s) == report.stage else str(s) for s in report.stages)
    lines.append(f"  stages: {marked}")
    if report.exchange is not None:
        lines.append("exchange (released / agreed; priority released / held):")
        for party, released, ill, young, civilians in report.exchange:
            lines.append(
                f"  {party}: {released}; seriously ill {ill}; young {young}; civilians {civilians}"
            )
    lines.append("moves now: " + (", ".join(report.allowed) or "none (final)"))
    for trigger, blockers in report.blocked:
        lines.append(f"  {trigger} is blocked:")
        lines.extend(f"    {_blocker_text(blocker)}" for blocker in blockers)
    if report.elsewhere:
        lines.append("not moves from this stage: " + ", ".join(report.elsewhere))
    return "\n".join(lines)


def markdown_report(negotiation: Negotiation) -> str:
    """The report as Markdown, with the diagram in a ``mermaid`` code block."""
    report = _Report(negotiation)
    lines = [f"**{_md(report.title)}** — {_md(report.notes)}", ""]
    if report.exchange is not None:
        lines.append("| " + " | ".join(_EXCHANGE_HEADINGS) + " |")
        lines.append("|" + "---|" * len(_EXCHANGE_HEADINGS))
        lines.extend("| " + " | ".join(map(_md, row)) + " |" for row in report.exchange)
        lines.append("")
    moves = ", ".join(f"`{trigger}`" for trigger in report.allowed) or "none (final)"
    lines.append(f"Moves now: {moves}")
    lines.append("")
    for trigger, blockers in report.blocked:
        lines.append(f"- `{trigger}` is blocked by:")
        lines.extend(
            f"  - `{blocker.rule}`: {_md(shorten(blocker.message, 300, quoted=False))}"
            for blocker in blockers
        )
    if report.elsewhere:
        lines.append(
            "- not moves from this stage: " + ", ".join(f"`{t}`" for t in report.elsewhere)
        )
    lines += ["", "```mermaid", report.diagram(), "```"]
    return "\n".join(lines)


def _md(text: str) -> str:
    """``text`` safe in a Markdown table cell or line: no markup, no HTML."""
    escaped = html.escape(text, quote=False)
    for mark in "\\`*_[]|#<>":
        escaped = escaped.replace(mark, f"\\{mark}")
    return escaped.replace("\n", " ")


def html_report(negotiation: Negotiation) -> str:
    """The report as HTML; every text is escaped, the diagram is a ``<pre class="mermaid">``."""
    report = _Report(negotiation)
    e = html.escape
    parts = [
        '<div class="negotiation">',
        f"<p><strong>{e(report.title)}</strong> — {e(report.notes)}</p>",
    ]
    if report.exchange is not None:
        parts.append("<table>")
        parts.append(_html_row("th", _EXCHANGE_HEADINGS))
        parts.extend(_html_row("td", row) for row in report.exchange)
        parts.append("</table>")
    moves = ", ".join(f"<code>{e(trigger)}</code>" for trigger in report.allowed)
    parts.append(f"<p>Moves now: {moves or 'none (final)'}</p>")
    if report.blocked or report.elsewhere:
        parts.append("<ul>")
        for trigger, blockers in report.blocked:
            reasons = "".join(
                f"<li><code>{e(blocker.rule)}</code>: "
                f"{e(shorten(blocker.message, 300, quoted=False))}</li>"
                for blocker in blockers
            )
            parts.append(f"<li><code>{e(trigger)}</code> is blocked by:<ul>{reasons}</ul></li>")
        if report.elsewhere:
            elsewhere = ", ".join(f"<code>{e(t)}</code>" for t in report.elsewhere)
            parts.append(f"<li>not moves from this stage: {elsewhere}</li>")
        parts.append("</ul>")
    parts.append(f'<pre class="mermaid">\n{e(report.diagram())}\n</pre>')
    parts.append("</div>")
    return "\n".join(parts)


def _html_row(cell: str, values: Iterable[str]) -> str:
    return "<tr>" + "".join(f"<{cell}>{html.escape(v)}</{cell}>" for v in values) + "</tr>"
