"""Messages quote what a user gave shortened: a value of any size makes a short message.

A 50 MB name, reason or trigger is refused (or kept) like any other, but no message,
repr or line of the timeline copies it whole; the negotiation is left as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import negotiations as ng
from negotiations._checks import shorten

#: Fifty million characters: the size of the finding.
BIG = "a" * 50_000_000
#: How long a message about a huge value may be.
SHORT = 500


def test_shorten_keeps_a_short_value_as_its_repr() -> None:
    assert shorten("prisoners") == "'prisoners'"
    assert shorten("prisoners", quoted=False) == "prisoners"
    assert shorten(3) == "3"


def test_shorten_cuts_a_long_value_in_the_middle_and_says_how_long_it_is() -> None:
    shown = shorten("b" + BIG + "z")
    assert shown.startswith("'baaa")
    assert "…" in shown
    assert shown.endswith("aaz' (50000002 characters)")
    assert len(shown) < 120


def test_shorten_counts_escapes_as_part_of_the_length() -> None:
    shown = shorten("\n" * 70)  # 70 characters, a repr of 142
    assert "…" in shown
    assert shown.endswith("(70 characters)")


@pytest.fixture
def talks() -> ng.Negotiation:
    talks = ng.Negotiation()
    talks.agree_exchange()
    return talks


def _refused(talks: ng.Negotiation, call: Callable[[], object]) -> str:
    """The message ``call`` is refused with; the negotiation must be unchanged by it."""
    before = talks.to_dict()
    with pytest.raises(ng.NegotiationError) as caught:
        call()
    assert talks.to_dict() == before
    message = str(caught.value)
    assert len(message) < SHORT, message[:SHORT]
    assert "(50000000 characters)" in message or "(50000001 characters)" in message
    return message


def test_an_unknown_trigger_is_named_shortened(talks: ng.Negotiation) -> None:
    _refused(talks, lambda: talks.send(BIG))
    _refused(talks, lambda: talks.blockers(BIG))
    _refused(talks, lambda: talks.pledge("russia", BIG))


def test_an_unknown_side_is_named_shortened(talks: ng.Negotiation) -> None:
    _refused(talks, lambda: talks.declare_interest(BIG, "security"))
    _refused(talks, lambda: talks.pledge(BIG, "open_third_round"))


def test_an_unknown_argument_is_named_shortened(talks: ng.Negotiation) -> None:
    _refused(talks, lambda: talks.send("suspend", **{BIG: "why"}))


def test_an_issue_named_twice_is_named_shortened(talks: ng.Negotiation) -> None:
    talks.raise_humanitarian_issue(BIG)
    message = _refused(talks, lambda: talks.raise_humanitarian_issue(BIG))
    assert message.startswith("name: humanitarian issue 'aaa")


def test_an_issue_not_open_is_named_shortened_and_so_are_the_open_ones(
    talks: ng.Negotiation,
) -> None:
    talks.raise_humanitarian_issue(BIG)
    message = _refused(talks, lambda: talks.resolve_humanitarian_issue("b" + BIG))
    assert message.count("…") == 2  # the name asked for, and the one open


def test_interests_are_named_shortened(talks: ng.Negotiation) -> None:
    _refused(talks, lambda: talks.acknowledge_interest("ukraine", BIG))
    talks.declare_interest("russia", BIG)
    _refused(talks, lambda: talks.declare_interest("russia", BIG))
    talks.acknowledge_interest("ukraine", BIG)
    _refused(talks, lambda: talks.acknowledge_interest("ukraine", BIG))


def test_an_unresolved_issue_blocks_with_a_short_message() -> None:
    talks = ng.Negotiation()
    talks.agree_exchange()
    talks.transfer(ng.Tranche.even(1000))
    talks.open_third_round()
    talks.raise_humanitarian_issue(BIG)
    with pytest.raises(ng.TransitionBlocked) as caught:
        talks.convene_leaders()  # a guard's refusal: recorded, and nothing else changes
    assert talks.stage == ng.Stage.THIRD_ROUND
    assert talks.humanitarian_issues == (BIG,)
    [blocker] = caught.value.blockers
    assert blocker.rule == "leaders.after_humanitarian"
    for shown in (str(caught.value), blocker.message, str(talks.history[-1])):
        assert len(shown) < SHORT, shown[:SHORT]
        assert "(50000000 characters)" in shown


def test_a_huge_value_that_is_accepted_prints_short_but_is_kept_whole(
    talks: ng.Negotiation,
) -> None:
    talks.raise_humanitarian_issue(BIG)
    talks.suspend(BIG)
    assert talks.history[-1].arguments["reason"] == BIG  # kept whole
    for shown in (str(talks.history[-1]), repr(talks.history[-1]), repr(talks)):
        assert len(shown) < SHORT, shown[:SHORT]
    assert len(repr(talks.history)) < 2 * SHORT
    assert len(str(talks.history)) < 2 * SHORT
    assert talks.humanitarian_issues == (BIG,)


def test_a_short_value_is_quoted_as_before(talks: ng.Negotiation) -> None:
    with pytest.raises(ng.UnknownTrigger, match=r"^unknown trigger 'opn_third_round'; did you"):
        talks.send("opn_third_round")
    with pytest.raises(ng.InvalidValue, match=r"no open humanitarian issue 'water' \(open: none\)"):
        talks.resolve_humanitarian_issue("water")


def test_a_pledge_with_a_huge_note_prints_short() -> None:
    talks = ng.Negotiation()
    pledge = talks.pledge("russia", "open_third_round", note=BIG)
    assert pledge.note == BIG  # kept whole
    for shown in (repr(pledge), str(pledge), str(talks.history[-1]), repr(talks.pledges)):
        assert len(shown) < SHORT, shown[:SHORT]


@pytest.mark.parametrize(
    "change",
    [
        {"format": BIG},
        {"process": BIG},
        {"stage": BIG},
        {"events": [{"trigger": BIG, "accepted": True, "source": "talks", "dest": "talks"}]},
        {
            "events": [
                {
                    "trigger": "agree_exchange",
                    "accepted": True,
                    "source": "talks",
                    "dest": "exchange",
                    "arguments": {BIG: 1},
                }
            ]
        },
        {
            "events": [
                {
                    "trigger": "pledge",
                    "accepted": True,
                    "source": "talks",
                    "dest": "talks",
                    "pledge": {"number": 1, "side": BIG, "trigger": "agree_exchange"},
                }
            ]
        },
    ],
    ids=["format", "process", "stage", "trigger", "argument", "pledge side"],
)
def test_a_saved_file_with_a_huge_value_is_refused_with_a_short_message(
    change: dict[str, object],
) -> None:
    data = {**ng.Negotiation().to_dict(), **change}
    with pytest.raises(ng.InvalidValue) as caught:
        ng.Negotiation.from_dict(data)
    message = str(caught.value)
    assert len(message) < SHORT, message[:SHORT]
    assert "(50000000 characters)" in message


def test_a_huge_key_given_twice_is_named_shortened() -> None:
    text = '{"%s": 1, "%s": 2}' % (BIG, BIG)  # noqa: UP031  # two copies of 50 MB, plainly
    with pytest.raises(ng.InvalidValue) as caught:
        ng.Negotiation.from_json(text)
    message = str(caught.value)
    assert len(message) < SHORT, message[:SHORT]
    assert "is given twice" in message


def test_a_process_file_option_is_quoted_shortened(tmp_path: Path) -> None:
    with pytest.raises(ng.InvalidValue) as caught:
        ng.write_process(ng.PROCESS, tmp_path / "article.toml", text=BIG)  # type: ignore[arg-type]  # a wrong value on purpose
    assert len(str(caught.value)) < SHORT


def test_a_tranche_of_a_party_with_a_huge_name_prints_short() -> None:
    tranche = ng.Tranche(released={BIG: 1, "b" + BIG: 1})
    assert len(str(tranche)) < SHORT
    assert len(repr(tranche)) < SHORT
