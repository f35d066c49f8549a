"""Pure graph functions over a :class:`Definition`: soundness checks, edges and paths."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

from attrs import frozen

from negotiations._checks import shorten
from negotiations._parameters import PARAMETERS
from negotiations._records import PLEDGE_TRIGGERS
from negotiations.conditions import AllOf, AtStage, Resolved
from negotiations.effects import Suspend

if TYPE_CHECKING:
    from negotiations._definition import Definition, Move, Rule

__all__ = ["Edge", "Node", "edges", "problems", "shortest_path", "simple_paths", "walks"]


@frozen(order=True)
class Node:
    """A stage, and for a stage that a move returns from, the stage it was entered from."""

    stage: str
    origin: str | None = None

    def __str__(self) -> str:
        if self.origin is None:
            return str(self.stage)
        return f"{self.stage} (from {self.origin})"


@frozen(order=True)
class Edge:
    """One way a trigger moves the process from one node to another (or to itself)."""

    source: Node
    trigger: str
    dest: Node

    def __str__(self) -> str:
        return f"{self.source} --{self.trigger}--> {self.dest}"


def _remembers(definition: Definition) -> frozenset[str]:
    return frozenset(s for move in definition.moves if move.returns for s in move.sources)


def nodes(definition: Definition) -> tuple[Node, ...]:
    """Every node: one per stage, a remembering stage once per stage it can be entered from."""
    remembers = _remembers(definition)
    found: list[Node] = []
    for stage in definition.stages:
        if stage in remembers:
            found.extend(Node(stage, origin) for origin in definition.entered_from(stage))
        else:
            found.append(Node(stage))
    return tuple(found)


def _dest(definition: Definition, move: Move, node: Node) -> Node | None:
    remembers = _remembers(definition)
    if move.returns:
        return None if node.origin is None else Node(node.origin)
    if move.dest is None:
        return node
    if move.dest in remembers:
        return Node(move.dest, node.stage)
    return Node(move.dest)


def edges(definition: Definition) -> tuple[Edge, ...]:
    """Every edge of the process, internal moves (self-loops) included, in definition order."""
    found: list[Edge] = []
    every = nodes(definition)
    for move in definition.moves:
        for node in every:
            if node.stage in move.sources:
                dest = _dest(definition, move, node)
                if dest is not None:
                    found.append(Edge(node, move.trigger, dest))
    return tuple(found)


def _outgoing(definition: Definition) -> dict[Node, list[Edge]]:
    out: dict[Node, list[Edge]] = {node: [] for node in nodes(definition)}
    for edge in edges(definition):
        if edge.dest in out:  # a move into an undefined stage is reported on its own
            out[edge.source].append(edge)
    return out


def _reachable(start: Node, out: dict[Node, list[Edge]]) -> set[Node]:
    seen = {start}
    queue = deque([start])
    while queue:
        for edge in out[queue.popleft()]:
            if edge.dest not in seen:
                seen.add(edge.dest)
                queue.append(edge.dest)
    return seen


def problems(definition: Definition) -> list[str]:
    """Everything wrong with ``definition``, all at once (empty when it is sound)."""
    found = _shape_problems(definition)
    for move in definition.moves:
        found.extend(_move_problems(definition, move))
    for rule in definition.rules:
        found.extend(quoted(definition, rule))
        found.extend(_condition_problems(definition, rule))
    if definition.initial in definition.stages:
        found.extend(_graph_problems(definition))
    return found


def quoted(definition: Definition, rule: Rule) -> list[str]:
    """Problems with a rule's provenance: its quote must stand on its line of the source."""
    source = definition.source
    try:
        text = source.line(rule.line)
    except IndexError as error:
        return [f"rule {rule.id}: {error}"]
    if rule.quote not in text:
        return [
            f"rule {rule.id}: quote not found on {source.name} line {rule.line}: "
            f"{shorten(rule.quote, 200)}"  # a quote is a sentence: room for one
        ]
    return []


def _shape_problems(definition: Definition) -> list[str]:
    found: list[str] = []
    parties = definition.parties
    if len(set(parties)) < 2:  # a negotiation has two parties at least
        found.append(f"a process has at least two parties, not {len(set(parties))}")
    folded = [party.lower() for party in parties]
    found.extend(
        f"party {party} is listed more than once"
        for party in sorted(set(parties), key=str)
        if folded.count(party.lower()) > 1
    )
    found.extend(
        f"labels name {shorten(party)}, which is not a party"
        for party in definition.labels
        if party not in parties
    )
    stages = set(definition.stages)
    found.extend(
        f"stage {stage} is listed more than once"
        for stage in sorted(stages)
        if definition.stages.count(stage) > 1
    )
    signatures: dict[str, tuple[str, ...]] = {}
    found.extend(
        f"move {trigger}: the name is kept for the events of pledges"
        for trigger in definition.triggers
        if trigger in PLEDGE_TRIGGERS
    )
    for move in definition.moves:
        found.extend(
            f"move {move.trigger}: unknown parameter {shorten(name)}"
            for name in move.parameters
            if name not in PARAMETERS
        )
        if signatures.setdefault(move.trigger, move.parameters) != move.parameters:
            found.append(f"move {move.trigger} is defined with different parameters")
    rule_ids = [rule.id for rule in definition.rules]
    found.extend(
        f"rule {rule_id} is defined more than once"
        for rule_id in sorted({r for r in rule_ids if rule_ids.count(r) > 1})
    )
    if definition.initial not in stages:
        found.append(f"initial stage {definition.initial} is not a stage of the process")
    found.extend(
        f"final stage {final} is not a stage of the process"
        for final in sorted(definition.finals - stages)
    )
    if definition.order_rule not in rule_ids:
        found.append(f"order rule {definition.order_rule} is not defined")
    pairs = [(move.trigger, source) for move in definition.moves for source in move.sources]
    found.extend(
        f"move {trigger} is defined twice from {source}"
        for trigger, source in sorted(set(pairs))
        if pairs.count((trigger, source)) > 1
    )
    return found


def _move_problems(definition: Definition, move: Move) -> list[str]:
    found: list[str] = []
    rules = {rule.id: rule for rule in definition.rules}
    for stage in (*move.sources, *((move.dest,) if move.dest else ())):
        if stage not in definition.stages:
            found.append(f"move {move.trigger}: {stage} is not a stage of the process")
    found.extend(
        f"final stage {source} has an exit: {move.trigger}"
        for source in move.sources
        if source in definition.finals
    )
    for rule_id in move.guard:
        rule = rules.get(rule_id)
        if rule is None:
            found.append(f"move {move.trigger}: guard names unknown rule {rule_id}")
        elif rule.condition is None:
            found.append(f"move {move.trigger}: rule {rule_id} has no condition")
        elif rule.condition.on_arguments:
            found.append(
                f"move {move.trigger}: rule {rule_id} checks an argument; list it in checks"
            )
    for rule_id in move.checks:
        rule = rules.get(rule_id)
        if rule is None:
            found.append(f"move {move.trigger}: checks name unknown rule {rule_id}")
        elif rule.condition is None or not rule.condition.on_arguments:
            found.append(
                f"move {move.trigger}: rule {rule_id} does not check an argument; "
                "list it in the guard"
            )
        elif "tranche" not in move.parameters:
            found.append(f"move {move.trigger}: rule {rule_id} checks a tranche it does not take")
    if move.returns and move.dest is not None:
        found.append(f"move {move.trigger}: a returning move has no fixed dest")
    held = _remembers(definition)
    if move.dest in held and not isinstance(move.effect, Suspend):
        found.append(
            f"move {move.trigger}: leads into {move.dest}, which is left by returning to where "
            "the process was suspended from; only a suspending move may lead there"
        )
    return found


def _condition_problems(definition: Definition, rule: Rule) -> list[str]:
    """Problems with what a rule's condition names: stages and kinds of item."""
    found: list[str] = []
    pending = [rule.condition]
    while pending:
        condition = pending.pop()
        if isinstance(condition, AllOf):
            pending.extend(condition.conditions)
        elif isinstance(condition, AtStage) and condition.stage not in definition.stages:
            found.append(f"rule {rule.id}: {condition.stage} is not a stage of the process")
        elif isinstance(condition, Resolved) and condition.item not in definition.items:
            found.append(f"rule {rule.id}: no move opens or closes items of {condition.item!r}")
    return found


def _graph_problems(definition: Definition) -> list[str]:
    found: list[str] = []
    out = _outgoing(definition)
    reached = _reachable(Node(definition.initial), out)
    found.extend(
        f"stage {stage} cannot be reached from {definition.initial}"
        for stage in definition.stages
        if not any(node.stage == stage for node in reached)
    )
    found.extend(
        f"stage {node} cannot reach a final stage"
        for node in sorted(reached)
        if node.stage not in definition.finals
        and not any(n.stage in definition.finals for n in _reachable(node, out))
    )
    return found


def shortest_path(definition: Definition, start: Node, goal: Node) -> tuple[Edge, ...] | None:
    """The fewest edges from ``start`` to ``goal`` (breadth-first), or ``None`` if unreachable."""
    out = _outgoing(definition)
    came: dict[Node, Edge | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path: list[Edge] = []
            while (edge := came[node]) is not None:
                path.append(edge)
                node = edge.source
            return tuple(reversed(path))
        for edge in out[node]:
            if edge.dest not in came:
                came[edge.dest] = edge
                queue.append(edge.dest)
    return None


def simple_paths(definition: Definition) -> Iterator[tuple[Edge, ...]]:
    """Every path from the initial stage to a final one that visits no node twice.

    Self-loops (internal moves) are left out: they never reach a new node.
    """
    out = _outgoing(definition)
    start = Node(definition.initial)

    def extend(
        node: Node, visited: frozenset[Node], path: tuple[Edge, ...]
    ) -> Iterator[tuple[Edge, ...]]:
        if node.stage in definition.finals:
            yield path
            return
        for edge in out[node]:
            if edge.dest not in visited:
                yield from extend(edge.dest, visited | {edge.dest}, (*path, edge))

    yield from extend(start, frozenset({start}), ())


def walks(definition: Definition) -> tuple[tuple[Edge, ...], ...]:
    """For every edge, a shortest walk from the start through it to a final stage.

    Together with :func:`simple_paths` these exercise every edge, self-loops and
    returns included.
    """
    start = Node(definition.initial)
    found: list[tuple[Edge, ...]] = []
    finals = [node for node in nodes(definition) if node.stage in definition.finals]
    for edge in edges(definition):
        before = shortest_path(definition, start, edge.source)
        after = min(
            (p for f in finals if (p := shortest_path(definition, edge.dest, f)) is not None),
            key=len,
        )
        assert before is not None  # problems() proved every node reachable
        found.append((*before, edge, *after))
    return tuple(found)
