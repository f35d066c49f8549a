"""At the prompt and in notebooks: the timeline, rows for a table, short reprs, and the
notebook views of a negotiation, which need neither IPython nor any other package."""

from __future__ import annotations

import ast
import datetime
import html
import subprocess
import sys
from pathlib import Path

import pytest

import negotiations as ng
from negotiations._display import TIMELINE_ENDS, TIMELINE_LIMIT


def _istanbul() -> ng.Negotiation:
    """The article's first days, dated and cited, with one refusal."""
    talks = ng.Negotiation()
    talks.agree_exchange(date="2025-05-16", citation="Reuters, 16 May 2025")
    talks.transfer(ng.Tranche.even(120, civilians=True), date="2025-05-23")
    talks.transfer(ng.Tranche.even(270))
    with pytest.raises(ng.TransitionBlocked):
        talks.open_third_round(date="2025-05-23", citation="TASS")
    return talks


# -- the timeline -------------------------------------------------------------------------


def test_the_history_reads_as_a_numbered_timeline() -> None:
    talks = ng.Negotiation()
    talks.agree_exchange()
    talks.transfer(ng.Tranche.even(2, civilians=True))
    expected = (
        "  0  agree_exchange(terms=quota 1000, under 25): talks -> exchange\n"
        "  1  transfer(tranche=2 for 2 civilians) in exchange"
    )
    assert repr(talks.history) == expected
    assert str(talks.history) == expected


def test_dates_and_citations_get_columns_once_an_event_has_them() -> None:
    assert repr(_istanbul().history) == (
        "  0  2025-05-16  agree_exchange(terms=quota 1000, under 25): talks -> exchange"
        "  [Reuters, 16 May 2025]\n"
        "  1  2025-05-23  transfer(tranche=120 for 120 civilians) in exchange\n"
        "  2              transfer(tranche=270 for 270 prisoners) in exchange\n"
        "  3  2025-05-23  open_third_round() refused in exchange: the prisoner exchange is "
        "not complete yet; 390 of 1000 released by Russia; 390 of 1000 released by Ukraine"
        "  [TASS]"
    )


def test_the_numbers_are_the_indexes() -> None:
    talks = _istanbul()
    for line, event in zip(str(talks.history).splitlines(), talks.history, strict=True):
        index = int(line.split()[0])
        assert talks.history[index] is event


def test_an_empty_history_says_so() -> None:
    assert repr(ng.Negotiation().history) == "<History: no events yet>"
    assert str(ng.Negotiation().history) == "<History: no events yet>"


def test_a_long_history_is_shortened_in_its_repr_and_whole_in_str() -> None:
    talks = ng.Negotiation()
    for number in range(100):
        talks.raise_humanitarian_issue(f"issue {number}")
    shown = repr(talks.history).splitlines()
    assert len(shown) == 2 * TIMELINE_ENDS + 1
    assert shown[0] == "  0  raise_humanitarian_issue(name='issue 0') in talks"
    assert shown[TIMELINE_ENDS].strip() == f"… {100 - 2 * TIMELINE_ENDS} more …"
    assert shown[-1] == " 99  raise_humanitarian_issue(name='issue 99') in talks"
    assert len(str(talks.history).splitlines()) == 100
    assert TIMELINE_LIMIT < 100


def test_a_history_up_to_the_limit_is_shown_whole() -> None:
    talks = ng.Negotiation()
    for number in range(TIMELINE_LIMIT):
        talks.raise_humanitarian_issue(f"issue {number}")
    assert repr(talks.history) == str(talks.history)
    assert len(repr(talks.history).splitlines()) == TIMELINE_LIMIT


def test_a_long_argument_is_shortened_on_display_and_kept_whole() -> None:
    talks = ng.Negotiation()
    reason = "r" * 10_000
    talks.suspend(reason)
    [line] = str(talks.history).splitlines()
    assert line.startswith("  0  suspend(reason='rrrr")
    assert line.endswith("rr' (10000 characters)): talks -> suspended")
    assert talks.history[0].arguments["reason"] == reason


def test_history_is_still_a_tuple_of_its_events() -> None:
    talks = _istanbul()
    assert isinstance(talks.history, tuple)
    assert talks.history == tuple(talks.history)
    assert talks.history[1:2] == (talks.history[1],)


# -- rows for a table ---------------------------------------------------------------------

KEYS = [
    "index",
    "date",
    "citation",
    "trigger",
    "accepted",
    "source",
    "dest",
    "arguments",
    "blockers",
    "reasons",
    "pledge",
    "text",
]


def test_to_records_gives_one_plain_row_per_event() -> None:
    talks = _istanbul()
    rows = talks.history.to_records()
    assert [list(row) for row in rows] == [KEYS] * 4
    assert rows[0] == {
        "index": 0,
        "date": datetime.date(2025, 5, 16),
        "citation": "Reuters, 16 May 2025",
        "trigger": "agree_exchange",
        "accepted": True,
        "source": "talks",
        "dest": "exchange",
        "arguments": "terms=quota 1000, under 25",
        "blockers": None,
        "reasons": None,
        "pledge": None,
        "text": "2025-05-16: agree_exchange(terms=quota 1000, under 25): talks -> exchange "
        "[Reuters, 16 May 2025]",
    }
    assert rows[2]["date"] is None
    assert rows[2]["arguments"] == "tranche=270 for 270 prisoners"
    assert rows[3]["accepted"] is False
    assert rows[3]["blockers"] == "talks.third_round_after_exchange, exchange.quota"
    assert rows[3]["reasons"].startswith("the prisoner exchange is not complete yet; ")


def test_every_value_of_a_row_is_a_plain_python_value() -> None:
    talks = _istanbul()
    talks.pledge("russia", "open_third_round", note="after a prisoner exchange")
    talks.declare_interest("russia", "security")
    plain = (int, str, bool, datetime.date, type(None))
    for row in talks.history.to_records():
        for key, value in row.items():
            assert type(value) in plain, (key, value)  # a Stage is a str subclass: not plain
    assert talks.history.to_records()[-2]["pledge"] == 1
    assert talks.history.to_records()[-1]["arguments"] == "side=Russia, name='security'"


def test_text_arguments_are_whole_in_a_row() -> None:
    talks = ng.Negotiation()
    reason = "r" * 10_000
    talks.suspend(reason)
    assert talks.history.to_records()[0]["arguments"] == f"reason={reason!r}"


def test_a_dataframe_takes_the_rows_directly() -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(_istanbul().history.to_records())
    assert list(frame.columns) == KEYS
    assert frame["accepted"].tolist() == [True, True, True, False]


# -- short reprs --------------------------------------------------------------------------


def test_a_tranche_repr_leaves_empty_fields_out() -> None:
    assert repr(ng.Tranche.even(390)) == "Tranche(released=SideCounts(russia=390, ukraine=390))"
    assert repr(ng.Tranche.even(2, civilians=True, seriously_ill=1)) == (
        "Tranche(released=SideCounts(russia=2, ukraine=2), civilians=True, "
        "seriously_ill=SideCounts(russia=1, ukraine=1))"
    )


def test_a_tranche_counts_a_long_list_of_prisoners() -> None:
    people = [ng.Prisoner(f"R-{i}", "russia") for i in range(5)] + [
        ng.Prisoner(f"U-{i}", "ukraine") for i in range(5)
    ]
    tranche = ng.Tranche.from_prisoners(people)
    assert repr(tranche) == (
        "Tranche(released=SideCounts(russia=5, ukraine=5), prisoners=<10 named>)"
    )


def test_a_prisoner_repr_leaves_defaults_out() -> None:
    assert repr(ng.Prisoner("K-1", "ukraine")) == (
        "Prisoner(id='K-1', held_by=<Side.UKRAINE: 'ukraine'>)"
    )


def test_a_ledger_repr_leaves_zero_counts_out() -> None:
    talks = ng.Negotiation()
    talks.agree_exchange()
    talks.transfer(ng.Tranche.even(390))
    assert repr(talks.ledger) == (
        "Ledger(released=SideCounts(russia=390, ukraine=390), tranches=1)"
    )
    talks.transfer(ng.Tranche.even(2, civilians=True))
    assert repr(talks.ledger) == (
        "Ledger(released=SideCounts(russia=392, ukraine=392), "
        "civilians=SideCounts(russia=2, ukraine=2), tranches=2)"
    )


def test_terms_repr_leaves_undeclared_holdings_out() -> None:
    assert repr(ng.ISTANBUL_TERMS) == (
        "ExchangeTerms(quota=1000, age_limit=25, civilians_separate=True)"
    )


def test_a_state_repr_shows_only_what_there_is() -> None:
    talks = ng.Negotiation()
    assert repr(talks.state) == "State(stage='talks')"
    talks.agree_exchange()
    talks.raise_humanitarian_issue("water")
    assert repr(talks.state) == (
        "State(stage='exchange', "
        "terms=ExchangeTerms(quota=1000, age_limit=25, civilians_separate=True), "
        "open_items=<humanitarian: 'water'>)"
    )


def test_a_process_repr_is_one_short_line() -> None:
    shown = repr(ng.PROCESS)
    assert shown.startswith("<Definition 'article': 2 parties, 7 stages, ")
    assert shown.endswith(
        "; source 'Kursk civilians return in a reciprocal prisoner exchange; talks to follow'>"
    )
    assert "\n" not in shown
    assert len(shown) < 200


# -- a journaled negotiation says so ------------------------------------------------------


def test_a_journaled_negotiation_says_so_and_says_when_it_is_closed(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    talks = ng.open(path)
    talks.agree_exchange()
    assert repr(talks).endswith(f"; 1 event(s); journal {str(talks.journal.path)!r}>")
    talks.close()
    assert repr(talks).endswith(f"; 1 event(s); journal {str(talks.journal.path)!r} closed>")
    assert "journal" not in repr(ng.Negotiation())


# -- notebooks ----------------------------------------------------------------------------


class FakePrinter:
    """IPython's pretty printer, as little as ``_repr_pretty_`` may use of it."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def text(self, text: str) -> None:
        self.written.append(text)


def _exchange_under_way() -> ng.Negotiation:
    talks = ng.Negotiation()
    talks.agree_exchange()
    talks.transfer(ng.Tranche.even(390))
    return talks


def test_the_pretty_display_writes_the_text_report() -> None:
    printer = FakePrinter()
    _exchange_under_way()._repr_pretty_(printer, False)
    assert "".join(printer.written) == "\n".join(
        [
            "Negotiation: article, stage exchange",
            "  2 event(s)",
            "  stages: talks, [exchange], third_round, leaders_meeting, settlement, "
            "suspended, collapsed",
            "exchange (released / agreed; priority released / held):",
            "  Russia: 390 / 1000; seriously ill 0 / 0; young 0 / 0; civilians 0",
            "  Ukraine: 390 / 1000; seriously ill 0 / 0; young 0 / 0; civilians 0",
            "moves now: " + ", ".join(_exchange_under_way().allowed()),
            "  open_third_round is blocked:",
            "    talks.third_round_after_exchange: the prisoner exchange is not complete yet",
            "    exchange.quota: 390 of 1000 released by Russia; 390 of 1000 released by Ukraine",
            "not moves from this stage: convene_leaders, sign_settlement, resume",
        ]
    )


def test_the_pretty_display_of_a_cycle_is_short() -> None:
    printer = FakePrinter()
    _exchange_under_way()._repr_pretty_(printer, True)
    assert printer.written == ["<Negotiation ...>"]


def test_the_html_display_shows_stage_progress_moves_blockers_and_the_marked_diagram() -> None:
    shown = _exchange_under_way()._repr_html_()
    assert "<strong>Negotiation: article, stage exchange</strong>" in shown
    assert "<tr><td>Russia</td><td>390 / 1000</td><td>0 / 0</td><td>0 / 0</td><td>0</td></tr>" in (
        shown
    )
    assert "<p>Moves now: <code>agree_exchange</code>, <code>transfer</code>" in shown
    assert (
        "<li><code>open_third_round</code> is blocked by:<ul>"
        "<li><code>talks.third_round_after_exchange</code>: the prisoner exchange is not "
        "complete yet</li>"
    ) in shown
    diagram = shown.split('<pre class="mermaid">\n', 1)[1].split("\n</pre>", 1)[0]
    assert html.unescape(diagram).startswith("stateDiagram-v2\n    [*] --> talks\n")
    assert diagram.endswith("    class exchange current")
    assert "classDef current " in diagram


def test_the_html_display_escapes_every_user_text() -> None:
    talks = ng.Negotiation()
    talks.raise_humanitarian_issue("<script>alert(1)</script>")
    talks.suspend("<b>bold</b> & more")
    shown = talks._repr_html_()
    assert "<script>" not in shown
    assert "<b>" not in shown
    markdown = talks._repr_markdown_()
    assert "<script>" not in markdown


def test_the_markdown_display_has_the_table_and_a_mermaid_block() -> None:
    shown = _exchange_under_way()._repr_markdown_()
    assert shown.startswith("**Negotiation: article, stage exchange** — 2 event(s)\n")
    assert "| Russia | 390 / 1000 | 0 / 0 | 0 / 0 | 0 |" in shown
    assert "```mermaid\nstateDiagram-v2\n" in shown
    assert shown.endswith("    class exchange current\n```")


def test_a_final_stage_has_no_moves_and_no_blockers() -> None:
    talks = ng.Negotiation()
    talks.collapse("walked out")
    printer = FakePrinter()
    talks._repr_pretty_(printer, False)
    text = "".join(printer.written)
    assert "moves now: none (final)" in text
    assert "is blocked" not in text
    assert "class collapsed current" in talks._repr_html_()


def test_any_process_displays() -> None:
    from tests.processes import PROCESSES  # only this test needs them

    for process in PROCESSES:
        talks = ng.Negotiation(process)
        assert f"stage {process.initial}" in talks._repr_html_()
        assert f"class {process.initial} current" in talks._repr_markdown_()


def test_the_display_module_imports_only_the_standard_library_and_the_package() -> None:
    source = Path(ng.__file__).with_name("_display.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"negotiations", "__future__"}


def test_the_displays_work_where_ipython_cannot_be_imported() -> None:
    script = (
        "import sys\n"
        "sys.modules['IPython'] = None  # any import of it fails\n"
        "import negotiations as ng\n"
        "talks = ng.Negotiation()\n"
        "class P:\n"
        "    def text(self, s): print(s)\n"
        "talks._repr_pretty_(P(), False)\n"
        "assert talks._repr_html_() and talks._repr_markdown_()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Negotiation: article, stage talks")


def test_the_reports_say_what_is_open_and_waiting() -> None:
    talks = ng.Negotiation()
    talks.raise_humanitarian_issue("water")
    talks.pledge("russia", "open_third_round")
    printer = FakePrinter()
    talks._repr_pretty_(printer, False)
    assert "".join(printer.written).splitlines()[1] == (
        "  2 event(s); open issues: 'water'; 1 pledge(s) waiting: Russia open_third_round"
    )
    assert "open issues: &#x27;water&#x27;; 1 pledge(s) waiting" in talks._repr_html_()
