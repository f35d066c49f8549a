"""Views derived from a definition: the Mermaid diagram and the Markdown tables of the docs."""

from __future__ import annotations

from negotiations._article import PROCESS
from negotiations._definition import Definition
from negotiations.graph import edges

__all__ = ["mermaid", "rules_table", "stages_table"]


def mermaid(definition: Definition = PROCESS) -> str:
    """The process as Mermaid ``stateDiagram-v2`` text (no graphviz, no binary needed).

    Moves between the same two stages share one arrow; a guarded move lists
    its rules in brackets; ``resume`` arrows say which suspension they end.

    >>> print(mermaid().splitlines()[2])
        talks --> exchange: agree_exchange
    """
    labels: dict[tuple[str, str], list[str]] = {}
    for edge in edges(definition):
        move = definition.move(edge.trigger, edge.source.stage)
        assert move is not None  # every edge comes from a move
        label = edge.trigger
        if move.guard:
            label += f" [{', '.join(move.guard)}]"
        if move.returns and edge.source.origin is not None:
            label += f" (if suspended from {edge.source.origin})"
        key = (str(edge.source.stage), str(edge.dest.stage))
        if label not in labels.setdefault(key, []):
            labels[key].append(label)
    lines = ["stateDiagram-v2", f"    [*] --> {definition.initial}"]
    lines.extend(
        f"    {source} --> {dest}: {'<br/>'.join(names)}"
        for (source, dest), names in labels.items()
    )
    lines.extend(
        f"    {stage} --> [*]" for stage in definition.stages if stage in definition.finals
    )
    return "\n".join(lines)


def rules_table(definition: Definition = PROCESS) -> str:
    """The rules as a Markdown table: id, statement, source line and quote."""
    rows = ["| id | rule | source |", "|---|---|---|"]
    rows.extend(
        f"| `{rule.id}` | {rule.statement} | line {rule.line}: “{rule.quote}” |"
        for rule in definition.rules
    )
    return "\n".join(rows)


def stages_table(definition: Definition = PROCESS) -> str:
    """The stages as a Markdown table: each stage and the moves that can be made from it."""
    rows = ["| stage | moves from here |", "|---|---|"]
    for stage in definition.stages:
        moves = []
        for move in definition.moves:
            if stage not in move.sources:
                continue
            if move.returns:
                where = "back to the stage suspended from"
            elif move.dest is None:
                where = "stays"
            else:
                where = f"→ {move.dest}"
            guard = f" if {', '.join(f'`{g}`' for g in move.guard)}" if move.guard else ""
            moves.append(f"`{move.trigger}` ({where}){guard}")
        shown = "; ".join(moves) if moves else "none: final"
        rows.append(f"| `{stage}` | {shown} |")
    return "\n".join(rows)
