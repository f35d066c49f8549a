"""A process is shared as a TOML file: what is written reads back equal, and a file that is
wrong is refused naming the file, the line and the field."""

from __future__ import annotations

import os
import string
from pathlib import Path
from typing import Any

import attrs
import pytest
import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import negotiations as ng
from negotiations._process_data import definition_to_data
from negotiations._process_file import (
    process_from_toml,
    process_to_toml,
    read_process,
    write_process,
)
from negotiations.conditions import (
    AllOf,
    AtStage,
    Condition,
    Custom,
    ExchangeComplete,
    Proportion,
    Resolved,
)
from negotiations.effects import Agree, Close, End, Open, Record, Transfer

#: The source of a process that is not the article's: three parties, an exchange at a ratio.
ACCORD = """The parties agree to open a humanitarian corridor under the broker's watch.
Every incident reported on the corridor shall be investigated before talks resume.
Prisoners are exchanged thirty for one, and talks resume only after the exchange.
The broker reports to both parties.
"""


def corridor(**changes: Any) -> ng.Definition:
    """A three-party process from its own text, using much of the vocabulary."""
    fields: dict[str, Any] = {
        "name": "corridor",
        "source": ng.Source(
            "A humanitarian corridor", "2024-03-01", "a test", ACCORD, name="accord"
        ),
        "parties": ("north", "south", "broker"),
        "stages": ("corridor", "exchange", "talks", "ended"),
        "initial": "corridor",
        "finals": ("ended",),
        "rules": (
            ng.Rule("exchange.ratio", "thirty for one", 3, "thirty for one", Proportion()),
            ng.Rule(
                "talks.after_exchange",
                "talks resume from the exchange, once it is complete",
                3,
                "talks resume only after the exchange",
                AllOf((AtStage("exchange", "talks resume"), ExchangeComplete())),
            ),
            ng.Rule(
                "talks.after_incidents",
                "every incident is investigated first",
                2,
                "investigated before talks resume",
                Resolved("incident", "incident(s)"),
            ),
            ng.Rule("order", "each move from its stages", 1, "open a humanitarian corridor"),
        ),
        "moves": (
            ng.Move("report", ("corridor", "exchange"), effect=Open("incident", "incident")),
            ng.Move("investigate", ("corridor", "exchange"), effect=Close("incident", "incident")),
            ng.Move("agree", ("corridor",), "exchange", effect=Agree(), doc="terms are agreed"),
            ng.Move("hand_over", ("exchange",), effect=Transfer(), checks=("exchange.ratio",)),
            ng.Move(
                "resume_talks",
                ("exchange",),
                "talks",
                guard=("talks.after_exchange", "talks.after_incidents"),
            ),
            ng.Move("note", ("corridor", "exchange", "talks"), effect=Record(("note",))),
            ng.Move("end", ("corridor", "exchange", "talks"), "ended", effect=End()),
        ),
        "order_rule": "order",
        "terms": ng.ExchangeTerms(
            quota={"north": 1, "south": 30},
            ratio={"north": 1, "south": 30},
            civilians_separate=False,
        ),
        "labels": {"north": "the North", "south": "the South"},
    }
    fields.update(changes)
    return ng.Definition(**fields)


def same(read: ng.Definition, written: ng.Definition) -> bool:
    """Equal, labels included (a definition's equality leaves its labels out)."""
    return read == written and dict(read.labels) == dict(written.labels)


# -- round trips ---------------------------------------------------------------------------


def test_the_article_process_reads_back_equal_from_its_text() -> None:
    assert same(process_from_toml(process_to_toml(ng.PROCESS)), ng.PROCESS)


@pytest.mark.parametrize("text", ["inside", "beside"])
@pytest.mark.parametrize("process", [ng.PROCESS, corridor()], ids=["article", "corridor"])
def test_a_written_process_reads_back_equal(
    tmp_path: Path, process: ng.Definition, text: Any
) -> None:
    path = tmp_path / f"{process.name}.toml"
    write_process(process, path, text=text)
    assert same(read_process(path), process)
    beside = tmp_path / f"{process.name}.txt"
    if text == "beside":
        assert beside.read_text(encoding="utf-8") == process.source.text
        assert f'file = "{process.name}.txt"' in path.read_text(encoding="utf-8")
    else:
        assert not beside.exists()


def test_a_process_read_from_a_file_runs_end_to_end(tmp_path: Path) -> None:
    """A process the code was not written for, shared as a file, runs: its blockers cite
    its own source."""
    write_process(corridor(), tmp_path / "corridor.toml", text="beside")
    talks = ng.Negotiation(read_process(tmp_path / "corridor.toml"))
    talks.send("agree", terms=None)
    talks.send("report", name="shelling")
    assert [str(b) for b in talks.blockers("resume_talks")] == [
        "the prisoner exchange is not complete yet [talks.after_exchange; accord line 3: "
        '"talks resume only after the exchange"]',
        "incident(s) not yet resolved: 'shelling' [talks.after_incidents; accord line 2: "
        '"investigated before talks resume"]',
    ]
    ratio = {"north": 1, "south": 30}
    talks.send("hand_over", tranche=ng.Tranche(ratio, ratio=ratio))
    talks.send("investigate", name="shelling")
    talks.send("resume_talks")
    assert talks.stage == "talks"


def test_writing_what_was_read_gives_the_same_text() -> None:
    text = process_to_toml(corridor())
    assert process_to_toml(process_from_toml(text)) == text


def test_conditions_and_effects_are_written_as_inline_tables_or_kinds() -> None:
    text = process_to_toml(corridor())
    assert 'condition = { kind = "proportion" }\n' in text
    assert 'effect = { kind = "record", parameters = ["note"] }\n' in text
    assert 'effect = "transfer"\n' in text
    assert "[[rules]]\n" in text
    assert "[rules.condition]" not in text


def test_sub_tables_iso_dates_and_no_format_read_the_same() -> None:
    """Hand-written files may use TOML's other spellings: sub-tables for conditions and
    effects (as tomli-w writes them), a date as text, no format line."""
    data = definition_to_data(corridor())
    del data["format"]
    data["source"]["date"] = "2024-03-01"
    text = tomli_w.dumps(data)
    assert "[rules.condition]\n" in text
    assert "[moves.effect]\n" in text
    assert same(process_from_toml(text), corridor())


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "corridor.toml"
    path.write_bytes(b"\xef\xbb\xbf" + process_to_toml(corridor()).encode())
    assert read_process(path) == corridor()


source_texts = st.text(st.characters(codec="utf-8"), min_size=1, max_size=60)
words = st.text(string.printable + "\u2019\u00e9\u0430\u2028", min_size=1, max_size=20)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=source_texts, title=words, statement=words, doc=words, label=words)
def test_any_text_survives_the_round_trip(
    tmp_path: Path, *, extra: str, title: str, statement: str, doc: str, label: str
) -> None:
    """Whatever the strings hold (quotes, backslashes, newlines, "\\r\\n", control and
    non-ASCII characters), a process reads back equal, its text inside or beside."""
    try:
        rule = attrs.evolve(corridor().rules[0], statement=statement)
        move = attrs.evolve(corridor().moves[0], doc=doc)
        process = corridor(
            source=attrs.evolve(corridor().source, title=title, text=ACCORD + extra),
            rules=(rule, *corridor().rules[1:]),
            moves=(move, *corridor().moves[1:]),
            labels={"north": label},
        )
    except ng.InvalidValue:
        assume(False)  # not a valid process (a blank text, say): nothing to write
        raise
    assert same(process_from_toml(process_to_toml(process)), process)
    write_process(process, tmp_path / "c.toml", text="beside")
    assert same(read_process(tmp_path / "c.toml"), process)


# -- files that are wrong -------------------------------------------------------------------

#: A process file written by hand, which the cases below break one thing at a time.
TRUCE = """\
name = "truce"
parties = ["north", "south"]
stages = ["ceasefire", "talks", "ended"]
initial = "ceasefire"
finals = ["ended"]
order_rule = "order"

[source]
title = "A truce"
date = 2020-01-01
origin = "a test"
text = \"\"\"
Article 1. The parties shall observe a ceasefire.
Article 2. Each reported violation shall be investigated before talks resume.\"\"\"

[[rules]]
id = "talks.after_violations"
statement = "talks resume only once every violation is investigated"
line = 2
quote = "investigated before talks resume"
condition = { kind = "resolved", item = "violation", subject = "violation(s)" }

[[rules]]
id = "order"
statement = "moves in order"
line = 1
quote = "observe a ceasefire"

[[moves]]
trigger = "report"
sources = ["ceasefire"]
effect = { kind = "open", item = "violation", noun = "violation" }

[[moves]]
trigger = "resume_talks"
sources = ["ceasefire"]
dest = "talks"
guard = ["talks.after_violations"]

[[moves]]
trigger = "end"
sources = ["ceasefire", "talks"]
dest = "ended"
effect = "end"
"""


def line(text: str, fragment: str, after: str = "") -> int:
    """The number of the line of ``text`` holding ``fragment`` (the first after ``after``)."""
    start = text.index(after)
    return text.count("\n", 0, text.index(fragment, start)) + 1


def broken(old: str, new: str) -> str:
    assert old in TRUCE
    return TRUCE.replace(old, new, 1)


def refusal(text: str) -> ng.InvalidValue:
    with pytest.raises(ng.InvalidValue) as caught:
        process_from_toml(text, where="truce.toml")
    assert type(caught.value) is ng.InvalidValue  # never an InvalidType: a file is a value
    return caught.value


def test_the_hand_written_file_is_sound() -> None:
    process = process_from_toml(TRUCE)
    assert process.parties == ("north", "south")
    assert process.citation("talks.after_violations") == (
        'source line 2: "investigated before talks resume"'
    )


def test_a_syntax_error_names_the_file_line_and_column() -> None:
    error = refusal(broken('initial = "ceasefire"', "initial = ceasefire"))
    assert str(error) == "truce.toml, line 4, column 11: not valid TOML: Invalid value"
    assert error.path == ""


def test_a_syntax_error_at_the_end_says_so() -> None:
    error = refusal(TRUCE + "colour = [1,\n")
    assert str(error) == "truce.toml, at the end: not valid TOML: Invalid value"


def test_an_unknown_condition_kind_names_its_rule_and_line() -> None:
    text = broken('kind = "resolved"', 'kind = "settled"')
    error = refusal(text)
    assert str(error) == (
        f"truce.toml, line {line(text, 'settled')}: rules[0].condition.kind: unknown "
        "condition 'settled'; expected one of quota, priority, exchange, under_way, at_stage, "
        "resolved, acknowledged, all, proportion, separate"
    )
    assert error.path == "rules[0].condition.kind"


def test_an_unknown_effect_kind_names_its_move_and_line() -> None:
    text = broken('effect = "end"', 'effect = "vanish"')
    error = refusal(text)
    assert str(error) == (
        f"truce.toml, line {line(text, 'vanish')}: moves[2].effect.kind: unknown effect "
        "'vanish'; expected one of record, agree, agree_further, amend, transfer, open, close, "
        "declare, acknowledge, suspend, resume, end"
    )
    assert error.path == "moves[2].effect.kind"


def test_the_line_is_found_in_sub_tables_too() -> None:
    data = definition_to_data(corridor())
    data["moves"][3]["effect"] = {"kind": "vanish"}
    text = tomli_w.dumps(data, multiline_strings=True)
    error = refusal(text)
    assert str(error).startswith(f"truce.toml, line {line(text, 'vanish')}: moves[3].effect.kind")


def test_a_missing_field_names_the_table_it_is_missing_from() -> None:
    text = broken('trigger = "resume_talks"\n', "")
    error = refusal(text)
    where = line(text, "[[moves]]", after='trigger = "report"')
    assert str(error) == f"truce.toml, line {where}: moves[1]: missing field trigger"
    assert error.path == "moves[1].trigger"


def test_a_missing_top_level_field_has_no_line_to_name() -> None:
    error = refusal(broken('initial = "ceasefire"\n', ""))
    assert str(error) == "truce.toml: missing field initial"
    assert error.path == "initial"


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "line = 2",
            'line = "two"',
            "rules[0].line",
            "rules[0].line must be an integer, not a string",
        ),
        (
            'parties = ["north", "south"]',
            'parties = "north"',
            "parties",
            "parties must be an array of strings, not a string",
        ),
        (
            'sources = ["ceasefire", "talks"]',
            'sources = ["ceasefire", 2]',
            "moves[2].sources[1]",
            "moves[2].sources[1] must be a string, not an integer",
        ),
        (
            "date = 2020-01-01",
            "date = 1.5",
            "source.date",
            "source.date must be a date, not a float",
        ),
        (
            'effect = "end"',
            "effect = true",
            "moves[2].effect",
            "moves[2].effect must be a table or a string, not a boolean",
        ),
        (
            'condition = { kind = "resolved"',
            'colour = "red"\ncondition = { kind = "resolved"',
            "rules[0].colour",
            "rules[0]: unknown field(s) colour",
        ),
        (
            'trigger = "report"',
            'trigger = "re port"',
            "moves[0].trigger",
            "moves[0]: trigger: 're port' is not a valid method name",
        ),
        (
            "date = 2020-01-01",
            'date = "May"',
            "source.date",
            "source: date: 'May' is not an ISO date (such as 2025-05-16)",
        ),
    ],
)
def test_a_wrong_value_names_its_field_and_line(
    old: str, new: str, path: str, message: str
) -> None:
    text = broken(old, new)
    error = refusal(text)
    assert str(error) == f"truce.toml, line {line(text, new.splitlines()[0])}: {message}"
    assert error.path == path


def test_an_unknown_top_level_field_is_refused() -> None:
    error = refusal('colour = "red"\n' + TRUCE)
    assert str(error) == "truce.toml, line 1: unknown field(s) colour"
    assert error.path == "colour"


def test_a_later_format_is_refused() -> None:
    error = refusal("format = 2\n" + TRUCE)
    assert str(error) == (
        "truce.toml, line 1: format: this library reads process files of format 1, not 2"
    )
    assert error.path == "format"


def test_an_unsound_process_reports_every_problem_at_once() -> None:
    text = broken('dest = "talks"', 'dest = "parley"').replace(
        'guard = ["talks.after_violations"]', 'guard = ["talks.after_violations", "nope"]'
    )
    with pytest.raises(ng.DefinitionError) as caught:
        process_from_toml(text, where="truce.toml")
    problems = (
        "move resume_talks: parley is not a stage of the process",
        "move resume_talks: guard names unknown rule nope",
        "stage talks cannot be reached from ceasefire",
    )
    assert caught.value.problems == problems
    assert str(caught.value) == (
        "truce.toml: the process definition has 3 problem(s):\n"
        + "\n".join(f"  - {problem}" for problem in problems)
    )


# -- files that cannot be read --------------------------------------------------------------


def test_a_missing_file_is_a_value_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ng.InvalidValue) as caught:
        read_process(path)
    assert str(caught.value) == f"{path}: no such file"
    assert caught.value.path == ""


def test_a_folder_is_not_a_process_file(tmp_path: Path) -> None:
    with pytest.raises(ng.InvalidValue, match=r": a folder, not a file$"):
        read_process(tmp_path)


def test_a_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(TRUCE.replace("A truce", "Une trêve").encode("latin-1"))
    with pytest.raises(ng.InvalidValue) as caught:
        read_process(path)
    assert str(caught.value) == (
        f"{path}: not UTF-8 text (invalid continuation byte on line {line(TRUCE, 'A truce')})"
    )


def beside(name: str) -> str:
    return broken(
        TRUCE[TRUCE.index('text = """') : TRUCE.index("[[rules]]")], f'file = "{name}"\n\n'
    )


def test_a_source_file_beside_is_read_relative_to_the_process_file(tmp_path: Path) -> None:
    (tmp_path / "truce.txt").write_text(process_from_toml(TRUCE).source.text, encoding="utf-8")
    (tmp_path / "truce.toml").write_text(beside("truce.txt"), encoding="utf-8")
    assert read_process(tmp_path / "truce.toml") == process_from_toml(TRUCE)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("gone.txt", "'gone.txt': no such file"),
        ("../elsewhere.txt", "'../elsewhere.txt' is not in the process file's folder"),
        ("/etc/hostname", "'/etc/hostname' is not in the process file's folder"),
    ],
)
def test_a_source_file_that_cannot_be_read_is_named(tmp_path: Path, name: str, reason: str) -> None:
    (tmp_path / "elsewhere.txt").write_text("Article 1.", encoding="utf-8")
    folder = tmp_path / "processes"
    folder.mkdir()
    text = beside(name)
    (folder / "truce.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ng.InvalidValue) as caught:
        read_process(folder / "truce.toml")
    where = line(text, "file = ")
    assert str(caught.value) == f"{folder / 'truce.toml'}, line {where}: source.file: {reason}"
    assert caught.value.path == "source.file"


def test_a_source_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    (tmp_path / "truce.txt").write_bytes(b"Article 1.\n\xff")
    (tmp_path / "truce.toml").write_text(beside("truce.txt"), encoding="utf-8")
    with pytest.raises(ng.InvalidValue, match=r"source.file: 'truce.txt': not UTF-8 text \("):
        read_process(tmp_path / "truce.toml")


def test_a_source_file_needs_a_folder_to_be_found_in() -> None:
    error = refusal(beside("truce.txt"))
    assert str(error).endswith(
        "source.file: 'truce.txt' is relative to the process file's folder; give base"
    )


def test_a_source_has_either_text_or_file() -> None:
    error = refusal(broken('origin = "a test"', 'origin = "a test"\nfile = "truce.txt"'))
    assert str(error) == (
        f"truce.toml, line {line(TRUCE, '[source]')}: source: give either text (the source "
        "inside) or file (the source beside)"
    )
    assert error.path == "source"


# -- what cannot be written -----------------------------------------------------------------


def test_a_rule_with_a_python_function_cannot_be_written(tmp_path: Path) -> None:
    def check(state: object, arguments: object) -> str | None:
        return None

    rules = (*corridor().rules[:3], attrs.evolve(corridor().rules[3], condition=Custom(check)))
    process = corridor(rules=rules, moves=corridor().moves)
    with pytest.raises(ng.InvalidValue) as caught:
        write_process(process, tmp_path / "corridor.toml")
    assert str(caught.value) == (
        "rules[3].condition: the condition of rule order is a plain Python function, which a "
        "process file cannot hold; use the vocabulary of negotiations.conditions"
    )
    assert caught.value.path == "rules[3].condition"
    assert not (tmp_path / "corridor.toml").exists()


@attrs.frozen
class Sunny(Condition):
    """A condition from outside the vocabulary."""

    kind = "sunny"


def test_a_condition_outside_the_vocabulary_cannot_be_written() -> None:
    rule = attrs.evolve(corridor().rules[3], condition=Sunny())
    with pytest.raises(
        ng.InvalidValue, match=r"^rules\[3\].condition: the condition of rule order is Sunny, "
    ):
        process_to_toml(corridor(rules=(*corridor().rules[:3], rule)))


def test_text_is_inside_or_beside(tmp_path: Path) -> None:
    with pytest.raises(ng.InvalidValue, match=r"^text: 'inside' or 'beside', not 'around'$"):
        write_process(corridor(), tmp_path / "c.toml", text="around")  # type: ignore[arg-type]
    with pytest.raises(ng.InvalidValue, match=r"would be both the process and its text"):
        write_process(corridor(), tmp_path / "c.txt", text="beside")


def test_only_a_definition_is_written() -> None:
    with pytest.raises(ng.InvalidType, match=r"^process must be a Definition, not str$"):
        process_to_toml("corridor")  # type: ignore[arg-type]


def test_paths_may_be_text(tmp_path: Path) -> None:
    path = os.path.join(tmp_path, "corridor.toml")
    write_process(corridor(), path)
    assert read_process(path) == corridor()
