"""A process definition is checked when it is defined, and every problem is reported at once.

Each broken definition below is the article's ``PROCESS`` with one thing
changed; the checks must name the stage, move or rule at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import attrs
import pytest

import negotiations as ng
from negotiations import Definition, Move, Stage
from negotiations._article import ACTIVE
from negotiations.conditions import AtStage, Quota, Resolved
from negotiations.effects import Close, Open, Record, Transfer
from negotiations.graph import problems

PROCESS = ng.PROCESS


#: The parts of a definition a broken case changes, by field name.
Parts = dict[str, Any]


def parts() -> Parts:
    """The article's definition, as the fields a case may change."""
    return {
        "moves": PROCESS.moves,
        "rules": PROCESS.rules,
        "order_rule": PROCESS.order_rule,
        "name": PROCESS.name,
        "parties": PROCESS.parties,
        "source": PROCESS.source,
        "terms": PROCESS.terms,
    }


def without(trigger: str) -> Callable[[Parts], Parts]:
    """Drop the move(s) of ``trigger``."""

    def change(given: Parts) -> Parts:
        return {**given, "moves": tuple(m for m in given["moves"] if m.trigger != trigger)}

    return change


def edit_move(trigger: str, **changes: Any) -> Callable[[Parts], Parts]:
    """Change the move(s) of ``trigger``."""

    def change(given: Parts) -> Parts:
        moves = tuple(
            attrs.evolve(m, **changes) if m.trigger == trigger else m for m in given["moves"]
        )
        return {**given, "moves": moves}

    return change


def add_move(move: Move) -> Callable[[Parts], Parts]:
    """Add ``move``."""
    return lambda given: {**given, "moves": (*given["moves"], move)}


def edit_rule(rule_id: str, **changes: Any) -> Callable[[Parts], Parts]:
    """Change the rule ``rule_id``."""

    def change(given: Parts) -> Parts:
        rules = tuple(attrs.evolve(r, **changes) if r.id == rule_id else r for r in given["rules"])
        return {**given, "rules": rules}

    return change


def build(*changes: Callable[[Parts], Parts]) -> Definition:
    """The article's definition with ``changes`` applied in turn: defining it runs every check."""
    given = parts()
    for change in changes:
        given = change(given)
    return Definition(
        stages=PROCESS.stages, initial=PROCESS.initial, finals=PROCESS.finals, **given
    )


def reported(found: tuple[str, ...], *words: str) -> bool:
    """Whether one problem mentions every word."""
    return any(all(word in problem for word in words) for problem in found)


@dataclass(frozen=True)
class Broken:
    """One thing wrong with a definition, and the words its report must contain."""

    name: str
    changes: tuple[Callable[[Parts], Parts], ...]
    words: tuple[str, ...]


#: ``sign_settlement`` is the only way into the settlement.
UNREACHABLE = Broken(
    "an unreachable stage", (without("sign_settlement"),), ("settlement", "reached")
)
#: Without resume, and with no collapse from it, a suspension never ends.
DEAD_END = Broken(
    "a non-final stage that cannot reach a final one",
    (without("resume"), edit_move("collapse", sources=ACTIVE)),
    ("suspended", "final"),
)
FINAL_EXIT = Broken(
    "a final stage with an exit",
    (add_move(Move("reopen", (Stage.COLLAPSED,), Stage.TALKS)),),
    ("collapsed", "reopen"),
)
UNKNOWN_RULE = Broken(
    "a guard naming an unknown rule",
    (edit_move("convene_leaders", guard=("leaders.when_ready",)),),
    ("convene_leaders", "leaders.when_ready"),
)
MISQUOTED = Broken(
    "a rule quote not on its article line",
    (edit_rule("talks.third_round_after_exchange", line=9),),
    ("talks.third_round_after_exchange", "line 9"),
)
DUPLICATE_MOVE = Broken(
    "a duplicate move",
    (add_move(Move("transfer", (Stage.EXCHANGE,), effect=Transfer())),),
    ("transfer", "exchange", "twice"),
)
SIX = (UNREACHABLE, DEAD_END, FINAL_EXIT, UNKNOWN_RULE, MISQUOTED, DUPLICATE_MOVE)

MORE = (
    Broken(
        "a rule line outside the article",
        (edit_rule("settlement.interests", line=99),),
        ("settlement.interests", "99"),
    ),
    Broken(
        "a guard rule without a condition",
        (edit_rule("exchange.young", condition=None),),
        ("open_third_round", "exchange.young", "condition"),
    ),
    Broken(
        "a rule on an argument in a guard",
        (edit_move("open_third_round", guard=("exchange.reciprocal",)),),
        ("open_third_round", "exchange.reciprocal", "checks"),
    ),
    Broken(
        "a rule on a tranche checking a move without one",
        (edit_move("resume", checks=("exchange.reciprocal",)),),
        ("resume", "exchange.reciprocal", "tranche"),
    ),
    Broken(
        "a plain move into a stage left by returning where the process was suspended from",
        (add_move(Move("pause", (Stage.TALKS,), Stage.SUSPENDED)),),
        ("pause", "suspended", "only a suspending move"),
    ),
    Broken(
        "a condition naming a stage the process does not have",
        (edit_rule("settlement.interests", condition=AtStage("signing")),),
        ("settlement.interests", "signing"),
    ),
    Broken(
        "a rule defined twice",
        (lambda given: {**given, "rules": (*given["rules"], given["rules"][0])},),
        (PROCESS.rules[0].id, "more than once"),
    ),
    Broken(
        "an order rule that is not defined",
        (lambda given: {**given, "order_rule": "process.sequence"},),
        ("process.sequence",),
    ),
    Broken(
        "a returning move with a fixed destination",
        (edit_move("resume", dest=Stage.TALKS),),
        ("resume", "dest"),
    ),
    Broken(
        "a move named like the events that keep pledges",
        (add_move(Move("withdraw", (Stage.TALKS,))),),
        ("withdraw", "pledges"),
    ),
    Broken(
        "one trigger with two signatures",
        (add_move(Move("collapse", (Stage.SETTLEMENT,), Stage.COLLAPSED)),),
        ("collapse", "different parameters"),
    ),
)


def every_change(*broken: Broken) -> tuple[Callable[[Parts], Parts], ...]:
    """The changes of several cases, to be applied together."""
    return tuple(change for case in broken for change in case.changes)


def test_the_article_process_is_sound() -> None:
    """The shipped definition has no problem, and defining it again from its parts works."""
    assert problems(PROCESS) == []
    assert build() == PROCESS


@pytest.mark.parametrize("case", SIX + MORE, ids=lambda case: case.name)
def test_each_problem_is_reported_by_name(case: Broken) -> None:
    """A definition with one thing wrong is refused when defined, naming what is wrong."""
    with pytest.raises(ng.DefinitionError) as error:
        build(*case.changes)
    assert reported(error.value.problems, *case.words), error.value.problems


def test_every_problem_is_reported_at_once() -> None:
    """Six different problems in one definition are all listed in one DefinitionError."""
    with pytest.raises(ng.DefinitionError) as error:
        build(*every_change(*SIX))
    missing = [case.name for case in SIX if not reported(error.value.problems, *case.words)]
    assert missing == [], error.value.problems


def test_problems_in_moves_and_rules_are_reported_together() -> None:
    """A final exit, an unknown guard rule, a misquote and a duplicate move: one error, four
    problems."""
    four = (FINAL_EXIT, UNKNOWN_RULE, MISQUOTED, DUPLICATE_MOVE)
    with pytest.raises(ng.DefinitionError) as error:
        build(*every_change(*four))
    assert len(error.value.problems) == 4, error.value.problems
    assert all(reported(error.value.problems, *case.words) for case in four)


def test_problems_in_the_graph_are_reported_together() -> None:
    """An unreachable stage and a dead end: one error lists both."""
    with pytest.raises(ng.DefinitionError) as error:
        build(*every_change(UNREACHABLE, DEAD_END))
    assert reported(error.value.problems, *UNREACHABLE.words)
    assert reported(error.value.problems, *DEAD_END.words)


def test_the_error_is_a_value_error_that_lists_each_problem() -> None:
    """DefinitionError can be caught as ValueError; its message counts and lists the problems."""
    with pytest.raises(ValueError, match="problem") as error:
        build(*every_change(UNKNOWN_RULE, MISQUOTED))
    refusal = error.value
    assert isinstance(refusal, ng.DefinitionError)
    assert isinstance(refusal, ng.InvalidValue)
    assert len(refusal.problems) == 2
    assert str(len(refusal.problems)) in str(refusal)
    for problem in refusal.problems:
        assert problem in str(refusal)


@pytest.mark.parametrize(
    ("make", "field", "error"),
    [
        (lambda: Move("go", Stage.TALKS, Stage.EXCHANGE), "sources", ng.InvalidType),
        (lambda: Move("go", (3,), Stage.EXCHANGE), r"sources\[0\]", ng.InvalidType),
        (lambda: Move("go on", (Stage.TALKS,)), "trigger", ng.InvalidValue),
        (lambda: Move("go", (Stage.TALKS,), 3), "dest", ng.InvalidType),
        (lambda: Move("go", (Stage.TALKS,), effect="resume"), "effect", ng.InvalidType),
        (lambda: Record(parameters=("reason", "mood")), r"parameters\[1\]", ng.InvalidValue),
        (lambda: ng.Rule("x", "s", 3, "The", condition=5), "condition", ng.InvalidType),
        (lambda: ng.Rule("x", "s", "3", "The"), "line", ng.InvalidType),
        (lambda: ng.Rule("x", "s", 3, 3), "quote", ng.InvalidType),
        (lambda: ng.Rule("", "s", 3, "The"), "id", ng.InvalidValue),
        (
            lambda: build(lambda given: {**given, "moves": (*given["moves"], "transfer")}),
            r"moves\[\d+\]",
            ng.InvalidType,
        ),
        (
            lambda: build(lambda given: {**given, "parties": "russia"}),
            "parties",
            ng.InvalidType,
        ),
    ],
)
def test_pieces_of_the_wrong_kind_are_refused_naming_the_field(
    make: Callable[[], object], field: str, error: type[Exception]
) -> None:
    """A definition's parts are checked as they are built: no bare AttributeError or KeyError."""
    with pytest.raises(error, match=field):
        make()


def test_a_stage_listed_twice_is_a_problem() -> None:
    with pytest.raises(ng.DefinitionError, match="listed more than once"):
        Definition(
            name=PROCESS.name,
            source=PROCESS.source,
            parties=PROCESS.parties,
            stages=(*PROCESS.stages, Stage.TALKS),
            initial=PROCESS.initial,
            finals=PROCESS.finals,
            moves=PROCESS.moves,
            rules=PROCESS.rules,
        )


#: A small process of another kind: a truce between three parties, from its own text.
TRUCE_TEXT = """Article 1. The parties shall observe a ceasefire from the date of signature.
Article 2. Each reported violation shall be investigated before talks resume.
Article 3. The monitors report to all three parties."""


def truce(**changes: Any) -> Definition:
    """A three-party truce, with ``changes`` to its fields."""
    fields: dict[str, Any] = {
        "name": "truce",
        "source": ng.Source("A truce", "2020-01-01", "a test", TRUCE_TEXT, name="truce"),
        "parties": ("north", "south", "monitors"),
        "stages": ("ceasefire", "talks", "ended"),
        "initial": "ceasefire",
        "finals": ("ended",),
        "rules": (
            ng.Rule(
                "talks.after_violations",
                "talks resume only once every reported violation is investigated",
                2,
                "Each reported violation shall be investigated before talks resume.",
                Resolved("violation", "violation(s)"),
            ),
            ng.Rule("order", "moves in their order", 1, "The parties shall observe a ceasefire"),
        ),
        "moves": (
            Move("report", ("ceasefire",), effect=Open("violation", "violation")),
            Move("investigate", ("ceasefire",), effect=Close("violation", "violation")),
            Move("resume_talks", ("ceasefire",), "talks", guard=("talks.after_violations",)),
            Move("end", ("ceasefire", "talks"), "ended"),
        ),
        "order_rule": "order",
    }
    fields.update(changes)
    return Definition(**fields)


def test_a_process_of_three_parties_from_its_own_text_is_sound() -> None:
    process = truce()
    assert process.parties == ("north", "south", "monitors")
    assert process.citation("talks.after_violations") == (
        'truce line 2: "Each reported violation shall be investigated before talks resume."'
    )


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"parties": ("north",)}, ("at least two parties", "1")),
        ({"parties": ("north", "North")}, ("north", "more than once")),
        ({"labels": {"east": "The East"}}, ("labels", "east", "not a party")),
        (
            {
                "rules": (
                    ng.Rule(
                        "talks.after_violations",
                        "s",
                        2,
                        "Each reported violation",
                        Resolved("grievance", "grievances"),
                    ),
                    ng.Rule("order", "s", 1, "ceasefire"),
                )
            },
            ("talks.after_violations", "grievance"),
        ),
        (
            {
                "rules": (
                    ng.Rule("talks.after_violations", "s", 2, "Article 3", Quota()),
                    ng.Rule("order", "s", 1, "ceasefire"),
                )
            },
            ("talks.after_violations", "quote not found on truce line 2"),
        ),
    ],
)
def test_definition_checks_name_what_is_wrong_in_any_process(
    changes: dict[str, Any], words: tuple[str, ...]
) -> None:
    """The checks are about the definition, not about the article: a three-party truce with
    one thing wrong is refused, naming it."""
    with pytest.raises(ng.DefinitionError) as error:
        truce(**changes)
    assert reported(error.value.problems, *words), error.value.problems


def test_a_rule_of_a_plain_function_works_everywhere_but_on_arrays_where_it_is_named() -> None:
    """The escape hatch: a rule may be a plain function of the state and the arguments; it
    guards moves as any rule does, and array evaluation refuses it by the rule's name."""
    pytest.importorskip("numpy")
    from negotiations.conditions import state_arrays

    def quiet(state: Any, arguments: Any) -> str | None:
        return "the parties are not talking" if state.stage == "ceasefire" else None

    rules = (
        ng.Rule("talks.when_talking", "talks resume when the parties talk", 1, "ceasefire", quiet),
        ng.Rule("order", "moves in their order", 1, "The parties shall observe a ceasefire"),
    )
    moves = (
        Move("resume_talks", ("ceasefire",), "talks", guard=("talks.when_talking",)),
        Move("end", ("ceasefire", "talks"), "ended"),
    )
    process = truce(rules=rules, moves=moves)
    talks = ng.Negotiation(process)
    assert [b.message for b in talks.blockers("resume_talks")] == ["the parties are not talking"]
    arrays = state_arrays(process, [talks.state])
    with pytest.raises(
        ng.InvalidValue,
        match=r"^rule talks\.when_talking: its condition is a "
        r"plain Python function, which cannot be evaluated on arrays",
    ) as error:
        process.rule("talks.when_talking").evaluate(arrays, process)
    assert error.value.path == "condition"
