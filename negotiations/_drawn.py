"""Hypothesis strategies for processes the library was never written for: random *valid*
definitions drawn from the vocabulary, and random arguments for any process's moves.

:func:`definitions` draws a whole process — 2 to 4 parties, a sound stage graph
(every stage reachable from the initial one, every stage able to reach a final
one), rules whose conditions name only stages and kinds of item that exist, and
moves carrying every kind of effect — that always constructs without
:class:`~negotiations.DefinitionError`. It draws *live* processes too: every guard
can be passed and every guard rule can be left unmet from each stage its move is
made from, so that a test can walk every edge both ways (see ``test_any_process``).
The recipe that makes that so is in :func:`definitions`' docstring.

:func:`arguments` draws arguments for a move of any process from its parameter
names (``terms``, ``tranche``, ``side``, ``name``, ``reason``, ``note``): mostly
values the move accepts, some it refuses (a stranger as side, a blank reason, a
tranche off the agreed ratio, a missing argument).

:mod:`negotiations.testing` offers them as ``processes()`` and as the arguments its
``negotiations(process=...)`` draws; this module needs Hypothesis, and only that module
imports it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hypothesis import strategies as st

import negotiations as ng
from negotiations import Definition, ExchangeTerms, Move, Prisoner, Rule, Source, Tranche
from negotiations.conditions import (
    Acknowledged,
    AllOf,
    AtStage,
    Condition,
    ExchangeComplete,
    Priority,
    Proportion,
    Quota,
    Resolved,
    Separate,
)
from negotiations.effects import (
    Acknowledge,
    Agree,
    Close,
    Declare,
    Effect,
    End,
    Open,
    Record,
    Resume,
    Suspend,
    Transfer,
)

__all__ = [
    "ITEM_POOL",
    "NAMES",
    "PARTY_POOL",
    "STAGE_POOL",
    "arguments",
    "definitions",
    "exchange_terms",
    "tranches",
    "walk_conditions",
]

#: Party names a drawn process takes its parties from (plain strings, never the article's).
PARTY_POOL = ("north", "south", "east_bank", "west_bank", "islands", "guarantor", "observer")
#: Stage names; ``talks`` and ``exchange`` are also values of the article's ``Stage``.
STAGE_POOL = ("talks", "opening", "truce", "exchange", "review", "phase_two", "accord", "treaty")
#: Finals and the holding stage come from their own pools, so names never clash.
FINAL_POOL = ("settled", "concluded", "abandoned", "expired")
HOLD_POOL = ("on_hold", "paused", "suspended")
#: Kinds of item a drawn process opens and closes.
ITEM_POOL = ("incident", "grievance", "dispute")
#: The names items and interests are given.
NAMES = ("n1", "n2")
_REASONS = ("talks stalled", "a delegation walked out")


def walk_conditions(condition: Condition | None) -> list[Condition]:
    """``condition`` and every condition inside it (the children of an ``AllOf``)."""
    found: list[Condition] = []
    pending = [] if condition is None else [condition]
    while pending:
        current = pending.pop(0)
        found.append(current)
        if isinstance(current, AllOf):
            pending.extend(current.conditions)
    return found


# -- terms and tranches for any process ----------------------------------------------------


@st.composite
def exchange_terms(draw: st.DrawFn, parties: Sequence[str]) -> ExchangeTerms:
    """Terms for ``parties``: a quota (one for all, or per party), priority prisoners held,
    and sometimes a ratio among two or more of them (the others release nobody)."""
    exchanging = list(parties)
    ratio: dict[str, int] | None = None
    if draw(st.booleans()):
        exchanging = draw(
            st.lists(st.sampled_from(parties), min_size=2, max_size=len(parties), unique=True)
        )
        ratio = {party: draw(st.integers(1, 4)) for party in exchanging}
    counts = st.integers(0, 6)
    quota: int | dict[str, int]
    if ratio is None and draw(st.booleans()):
        quota = draw(counts)
    else:
        quota = {party: draw(counts) for party in exchanging}
    return ExchangeTerms(
        quota=quota,
        age_limit=draw(st.integers(10, 30)),
        civilians_separate=draw(st.booleans()),
        seriously_ill_held={party: draw(st.integers(0, 2)) for party in exchanging},
        young_held={party: draw(st.integers(0, 2)) for party in exchanging},
        ratio=ratio,
    )


def _named(
    draw: st.DrawFn, released: Mapping[str, int], terms: ExchangeTerms | None
) -> tuple[Prisoner, ...]:
    """Named people for ``released`` (ids from a small pool: sometimes one released before)."""
    people = []
    for party, number in released.items():
        for at in range(number):
            people.append(
                Prisoner(
                    f"{party[:2].upper()}-{at}-{draw(st.integers(0, 2))}",
                    party,
                    draw(st.none() | st.integers(5, 70)),
                    seriously_ill=draw(st.booleans()),
                    civilian=draw(st.booleans()),
                )
            )
    return tuple(people)


@st.composite
def tranches(draw: st.DrawFn, parties: Sequence[str], terms: ExchangeTerms | None) -> Tranche:
    """A tranche for ``parties``: mostly at the ratio of ``terms`` (or one for one), sometimes
    not (one for one against a ratio, or a subset of the parties), sometimes of named
    people who may mix civilians and soldiers or have been released before."""
    ratio = None if terms is None else terms.ratio
    kind = draw(st.sampled_from(("agreed", "agreed", "agreed", "even", "some", "named")))
    size = draw(st.integers(1, 4))
    if kind == "agreed" and ratio is not None:
        released = {party: size * share for party, share in ratio.items()}
    elif kind == "some":
        some = draw(st.lists(st.sampled_from(parties), min_size=1, unique=True))
        released = dict.fromkeys(some, size)
    else:
        released = dict.fromkeys(parties, size)
        ratio = None
    if kind == "named" and sum(released.values()) <= 12:  # a few people only
        people = _named(draw, released, terms)
        try:
            return Tranche.from_prisoners(
                people,
                ExchangeTerms(
                    quota=0,
                    age_limit=terms.age_limit if terms else 25,
                    civilians_separate=False,
                    ratio=ratio,
                ),
            )
        except ng.InvalidValue:  # an id drawn twice: fall back to counts
            pass
    priority = st.fixed_dictionaries(
        {party: st.integers(0, number) for party, number in released.items()}
    )
    try:
        return Tranche(
            released=released,
            civilians=draw(st.booleans()),
            seriously_ill=draw(priority),
            young=draw(priority),
            ratio=ratio if kind == "agreed" else None,
        )
    except ng.InvalidValue:  # the article's sides are always both counted: one alone is uneven
        return Tranche(released=dict.fromkeys(parties, size))


def _names_in(negotiation: ng.Negotiation) -> list[str]:
    process = negotiation.process
    found = [name for kind in process.items for name in negotiation.open_items(kind)]
    found += [interest.name for interest in negotiation.interests]
    return found


@st.composite
def arguments(draw: st.DrawFn, negotiation: ng.Negotiation, trigger: str) -> dict[str, object]:
    """Arguments for ``trigger`` of ``negotiation``'s process, built from the move's parameter
    names: mostly accepted values, some refused ones (about one call in eight)."""
    process = negotiation.process
    parties = process.parties
    parameters = process.engine.parameters[trigger]
    bad = draw(st.integers(0, 7)) == 0
    names = list(NAMES) + _names_in(negotiation)
    makers: dict[str, st.SearchStrategy[object]] = {
        "terms": st.none() | exchange_terms(parties),
        "tranche": tranches(parties, negotiation.terms),
        "side": st.sampled_from(parties),
        "name": st.sampled_from(names),
        "reason": st.sampled_from(_REASONS),
        "note": st.sampled_from(_REASONS),
    }
    wrong: dict[str, st.SearchStrategy[object]] = {
        "terms": st.just("1000 for 1000"),
        "tranche": st.just(3),
        "side": st.sampled_from(("nobody", parties[0].upper())),  # a stranger; another case
        "name": st.just("  "),
        "reason": st.just(""),
        "note": st.just(" "),
    }
    given = {name: draw(makers[name]) for name in parameters}
    if bad:
        choice = draw(st.integers(0, len(parameters)))
        if choice == len(parameters):
            given["unexpected"] = "argument"
        else:
            name = parameters[choice]
            if draw(st.booleans()):
                del given[name]
            else:
                given[name] = draw(wrong[name])
    return given


# -- definitions ----------------------------------------------------------------------------

_STATEMENTS: Mapping[str, str] = {
    "quota": "each party releases at least its quota",
    "priority": "each party releases every {category} prisoner it holds",
    "exchange": "the exchange is agreed and complete",
    "resolved": "no {item} remains open",
    "resolved+exchange": "no {item} remains open and the exchange is complete",
    "acknowledged": "every declared interest is acknowledged by every other party",
    "at_stage": "this is done only from the {stage} and when {rest}",
    "all": "{first} and {second}",
    "proportion": "every handover keeps the agreed proportion",
    "separate": "civilians are handed over on their own",
}


def _statement(condition: Condition) -> str:
    if isinstance(condition, Priority):
        return _STATEMENTS["priority"].format(category=condition.category.replace("_", " "))
    if isinstance(condition, Resolved):
        key = "resolved+exchange" if condition.exchange else "resolved"
        return _STATEMENTS[key].format(item=condition.item)
    if isinstance(condition, AllOf):
        first, second = condition.conditions
        if isinstance(first, AtStage):
            return _STATEMENTS["at_stage"].format(stage=first.stage, rest=_statement(second))
        return _STATEMENTS["all"].format(first=_statement(first), second=_statement(second))
    return _STATEMENTS[condition.kind]


class _Builder:
    """The parts of a process as they are drawn, and the rules that keep it live."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.moves: list[Move] = []
        self.conditions: list[tuple[str, Condition]] = []  # rule id, condition
        self.used: set[str] = set()

    def trigger(self, verb: str) -> str:
        name, number = verb, 1
        while name in self.used:
            number += 1
            name = f"{verb}_{number}"
        self.used.add(name)
        return name

    def rule(self, key: str, condition: Condition) -> str:
        rule_id = f"{key}.{len(self.conditions) + 1}"
        self.conditions.append((rule_id, condition))
        return rule_id


@st.composite
def definitions(  # noqa: PLR0912, PLR0915  # one recipe, read top to bottom
    draw: st.DrawFn, *, max_stages: int = 4, guarded_returns: bool = True
) -> Definition:
    """A random valid process, live in every edge.

    The recipe:

    - parties: 2 to 4 names; stages: an initial one, 0 to ``max_stages - 1`` more, 1 or
      2 finals, and sometimes a holding stage that ``suspend`` moves lead into and
      ``resume`` (a returning move) leads out of;
    - stage-changing moves: each stage is entered from an earlier non-final one, each
      non-final stage leads to a later one, plus a few extra edges (backwards too);
      their effects are ``Record`` (keeping a reason or a note), ``Agree``, ``Transfer``
      or, into a final stage, ``End``; some share a trigger with another move;
    - internal moves: with an exchange, ``agree`` and ``transfer`` from the initial stage
      (and others); for each kind of item an ``open_*`` and a ``close_*`` from the same
      stages or fewer; with interests, ``declare`` and ``acknowledge`` likewise;
    - rules: a condition of every kind the process can meet (exchange ones only with an
      exchange), ``AllOf`` pairs, ``AtStage`` paired with another condition for a move
      made from that one stage only; argument rules (``Proportion``, ``Separate``) as
      the checks of transfers;
    - liveness: ``agree``, ``open_*`` and ``declare`` are never guarded, and each is also
      made from every stage a guarded move needs it from to leave a rule unmet there
      (an exchange condition needs ``agree``, which never runs while held; a
      ``Resolved`` needs its ``open_*``; ``Acknowledged`` needs ``declare``); a move
      never needs what its own effect undoes (``close_x`` is not guarded by "no x
      open"); ``transfer`` is never guarded by an exchange condition.
    """
    build = _Builder(draw)
    parties = tuple(
        draw(st.lists(st.sampled_from(PARTY_POOL), min_size=2, max_size=4, unique=True))
    )
    inner = draw(
        st.lists(st.sampled_from(STAGE_POOL), min_size=1, max_size=max_stages, unique=True)
    )
    finals = draw(st.lists(st.sampled_from(FINAL_POOL), min_size=1, max_size=2, unique=True))
    hold = draw(st.none() | st.sampled_from(HOLD_POOL))
    stages = (*inner, *finals)
    initial = inner[0]
    exchange = draw(st.booleans())
    items = tuple(draw(st.lists(st.sampled_from(ITEM_POOL), max_size=2, unique=True)))
    interests = draw(st.booleans())
    # Where the unguarded helpers are made from; widened below as guards need them.
    active = tuple(inner)
    helper_sources: dict[str, set[str]] = {}
    if exchange:
        helper_sources["agree"] = {initial} | set(draw(st.lists(st.sampled_from(active))))
    for item in items:
        helper_sources[f"open_{item}"] = set(draw(st.lists(st.sampled_from(active), min_size=1)))
    if interests:
        helper_sources["declare"] = set(draw(st.lists(st.sampled_from(active), min_size=1)))

    # -- rules -------------------------------------------------------------------------------
    state_rules: list[str] = []
    if exchange:
        state_rules += [
            build.rule("exchange.quota", Quota()),
            build.rule("exchange.ill", Priority("seriously_ill")),
            build.rule("exchange.young", Priority("young")),
            build.rule("exchange.complete", ExchangeComplete()),
        ]
    for item in items:
        state_rules.append(build.rule(f"{item}.resolved", Resolved(item, f"{item}(s)")))
        if exchange and draw(st.booleans()):
            state_rules.append(
                build.rule(f"{item}.and_exchange", Resolved(item, f"{item}(s)", exchange=True))
            )
    if interests:
        state_rules.append(build.rule("interests.acknowledged", Acknowledged()))
    if len(state_rules) >= 2 and draw(st.booleans()):  # a pair to join
        first, second = draw(
            st.lists(st.sampled_from(state_rules), min_size=2, max_size=2, unique=True)
        )
        conditions = dict(build.conditions)
        state_rules.append(build.rule("both", AllOf((conditions[first], conditions[second]))))
    argument_rules: list[str] = []
    if exchange:
        argument_rules = [
            build.rule("handover.proportion", Proportion()),
            build.rule("handover.separate", Separate()),
        ]
        if draw(st.booleans()):
            argument_rules.append(build.rule("handover.both", AllOf((Proportion(), Separate()))))

    def condition_of(rule_id: str) -> Condition:
        return dict(build.conditions)[rule_id]

    def needs(condition: Condition) -> list[str]:
        """The helpers that can leave ``condition`` unmet, one of which must be at hand."""
        if isinstance(condition, (Quota, Priority, ExchangeComplete)):
            return ["agree"]
        if isinstance(condition, Resolved):
            return [f"open_{condition.item}"] + (["agree"] if condition.exchange else [])
        if isinstance(condition, Acknowledged):
            return ["declare"]
        if isinstance(condition, AllOf):
            return [need for part in condition.conditions for need in needs(part)]
        return []

    def undone_by(effect: Effect) -> set[str]:
        """Kinds of condition a move with ``effect`` cannot be guarded by (it needs them unmet)."""
        if isinstance(effect, Close):
            return {f"resolved:{effect.item}"}
        if isinstance(effect, Acknowledge):
            return {"acknowledged"}
        if isinstance(effect, Transfer):
            return {"exchange"}
        return set()

    def kinds(condition: Condition) -> set[str]:
        found = set()
        for part in walk_conditions(condition):
            if isinstance(part, (Quota, Priority, ExchangeComplete)):
                found.add("exchange")
            elif isinstance(part, Resolved):
                found.add(f"resolved:{part.item}")
                if part.exchange:
                    found.add("exchange")
            elif isinstance(part, Acknowledged):
                found.add("acknowledged")
        return found

    def guard_for(sources: tuple[str, ...], effect: Effect) -> tuple[str, ...]:
        """Guard rules for a move made from ``sources`` with ``effect``, their helpers widened."""
        if not state_rules or draw(st.integers(0, 2)) == 0:
            return ()
        if isinstance(effect, Resume) and not guarded_returns:
            return ()
        held = hold is not None and hold in sources
        allowed = []
        for rule_id in state_rules:
            condition = condition_of(rule_id)
            if kinds(condition) & undone_by(effect):
                continue
            usable = [n for n in needs(condition) if not (held and n == "agree")]
            if usable:
                allowed.append((rule_id, usable))
        if not allowed:
            return ()
        chosen = draw(
            st.lists(st.sampled_from(allowed), min_size=1, max_size=2, unique_by=lambda a: a[0])
        )
        guard = []
        for rule_id, usable in chosen:
            helper = draw(st.sampled_from(usable))
            helper_sources[helper].update(sources)
            if len(sources) == 1 and draw(st.booleans()):  # only from there, and ...
                (stage,) = sources
                rule_id = build.rule(  # noqa: PLW2901  # the rule drawn replaces the one named
                    f"only_from_{stage}",
                    AllOf((AtStage(stage, "this move is made"), condition_of(rule_id))),
                )
            guard.append(rule_id)
        return tuple(guard)

    def stage_effect(dest: str) -> Effect:
        choices: list[Effect] = [
            Record(),
            Record(parameters=("reason",)),
            Record(parameters=("note",)),
        ]
        if dest in finals:
            choices.append(End())
        elif exchange:
            choices += [Agree(), Transfer()]
        return draw(st.sampled_from(choices))

    def checks_for(effect: Effect) -> tuple[str, ...]:
        if not isinstance(effect, Transfer) or not argument_rules:
            return ()
        return tuple(draw(st.lists(st.sampled_from(argument_rules), max_size=2, unique=True)))

    # -- stage-changing moves ----------------------------------------------------------------
    edges: list[tuple[str, str]] = []
    for at, stage in enumerate(stages[1:], start=1):
        earlier = [s for s in stages[:at] if s not in finals]
        edges.append((draw(st.sampled_from(earlier)), stage))
    for at, stage in enumerate(inner):
        if not any(a == stage and stages.index(b) > at for a, b in edges):
            edges.append((stage, draw(st.sampled_from(stages[at + 1 :]))))
    for _ in range(draw(st.integers(0, 3))):
        edges.append((draw(st.sampled_from(inner)), draw(st.sampled_from(stages))))
    seen: set[tuple[str, str]] = set()
    made: list[tuple[Move, str]] = []  # the move and its first source
    for source, dest in edges:
        if (source, dest) in seen or source == dest:
            continue
        seen.add((source, dest))
        effect = stage_effect(dest)

        def sources_of(trigger: str) -> set[str]:
            return {s for move, _ in made if move.trigger == trigger for s in move.sources}

        sharing = [
            move
            for move, _ in made
            if move.parameters == effect.parameters
            and type(move.effect) is type(effect)
            and source not in sources_of(move.trigger)
        ]
        if sharing and draw(st.integers(0, 3)) == 0:
            trigger = draw(st.sampled_from(sharing)).trigger
        else:
            trigger = build.trigger(f"to_{dest}")
        sources: tuple[str, ...] = (source,)
        more = [s for s in inner if s not in (source, dest)]
        if more and draw(st.integers(0, 3)) == 0:
            taken = sources_of(trigger)
            extra = [
                s
                for s in draw(st.lists(st.sampled_from(more), max_size=2, unique=True))
                if s not in taken
            ]
            sources = (source, *extra)
        move = Move(
            trigger,
            sources,
            dest,
            guard=guard_for(sources, effect),
            effect=effect,
            checks=checks_for(effect),
        )
        made.append((move, source))
    build.moves += [move for move, _ in made]

    # -- holding -----------------------------------------------------------------------------
    if hold is not None:
        held_from = tuple(draw(st.lists(st.sampled_from(inner), min_size=1, unique=True)))
        build.moves.append(Move("suspend", held_from, hold, effect=Suspend()))
        resume = Resume()
        build.moves.append(Move("resume", (hold,), effect=resume, guard=guard_for((hold,), resume)))
        if draw(st.booleans()):
            end = End()
            build.moves.append(
                Move(
                    "abandon",
                    (hold,),
                    draw(st.sampled_from(finals)),
                    guard=guard_for((hold,), end),
                    effect=end,
                )
            )

    # -- internal moves ----------------------------------------------------------------------
    everywhere = (*inner, *((hold,) if hold else ()))
    internal: list[tuple[str, tuple[str, ...], Effect]] = []
    if exchange:
        transfer_from = {initial} | set(draw(st.lists(st.sampled_from(everywhere))))
        internal.append(
            ("transfer", tuple(s for s in everywhere if s in transfer_from), Transfer())
        )
    for item in items:
        opened = [s for s in everywhere if s in helper_sources[f"open_{item}"]]
        closed = tuple(draw(st.lists(st.sampled_from(opened), min_size=1, unique=True)))
        internal.append((f"close_{item}", closed, Close(item, item)))
    if interests:
        declared = [s for s in everywhere if s in helper_sources["declare"]]
        acknowledged = tuple(draw(st.lists(st.sampled_from(declared), min_size=1, unique=True)))
        internal.append(("acknowledge", acknowledged, Acknowledge()))
    if draw(st.booleans()):
        noted = tuple(draw(st.lists(st.sampled_from(everywhere), min_size=1, unique=True)))
        internal.append(("note", noted, Record(parameters=("note",))))
    for trigger, made_from, effect in internal:
        build.used.add(trigger)
        build.moves.append(
            Move(
                trigger,
                made_from,
                guard=guard_for(made_from, effect),
                effect=effect,
                checks=checks_for(effect),
            )
        )
    # The helpers last: the guards above have widened where they are made from. Close and
    # acknowledge were drawn from the helpers' sources before widening, which stays a subset.
    if exchange:
        build.moves.append(Move("agree", _ordered(helper_sources["agree"], inner), effect=Agree()))
    for item in items:
        opened_from = _ordered(helper_sources[f"open_{item}"], everywhere)
        build.moves.append(Move(f"open_{item}", opened_from, effect=Open(item, item)))
    if interests:
        build.moves.append(
            Move("declare", _ordered(helper_sources["declare"], everywhere), effect=Declare())
        )

    # -- the source document ---------------------------------------------------------------
    lines = [f"Memorandum between {', '.join(parties)}."]
    rules = []
    for rule_id, condition in build.conditions:
        statement = _statement(condition)
        lines.append(f"Clause {len(lines)}: {statement}.")
        rules.append(Rule(rule_id, statement, len(lines), statement, condition))
    lines.append(f"Clause {len(lines) + 1}: the steps are taken in their order.")
    rules.append(
        Rule(
            "order",
            "the steps are taken in their order",
            len(lines),
            "steps are taken in their order",
        )
    )
    terms = draw(st.none() | exchange_terms(parties)) if exchange else None
    return Definition(
        name=f"drawn-{'-'.join(parties)}",
        source=Source(
            title="A drawn memorandum",
            date="2024-01-01",
            origin="drawn by Hypothesis",
            text="\n".join(lines),
            name="memorandum",
        ),
        parties=parties,
        stages=(*stages, *((hold,) if hold else ())),
        initial=initial,
        finals=frozenset(finals),
        rules=tuple(rules),
        moves=tuple(build.moves),
        order_rule="order",
        terms=terms,
    )


def _ordered(chosen: set[str], order: Sequence[str]) -> tuple[str, ...]:
    return tuple(stage for stage in order if stage in chosen)


def describe(process: Definition) -> str:
    """The whole process in a few lines, for a failing example's report."""
    lines = [repr(process), f"  parties {process.parties}, stages {process.stages}"]
    lines += [
        f"  {move.trigger}: {move.sources} -> {move.dest} {type(move.effect).__name__}"
        f"{move.parameters} guard={move.guard} checks={move.checks}"
        for move in process.moves
    ]
    lines += [f"  {rule.id}: {rule.condition!r}" for rule in process.rules]
    return "\n".join(lines)
