"""Illustrative dynamics for the article's process (:data:`ARTICLE_DYNAMICS`): what
:func:`negotiations.simulate` runs when given no dynamics of its own."""

from __future__ import annotations

from negotiations._article import PROCESS
from negotiations._dynamics import Dynamics
from negotiations._stages import Side, Stage
from negotiations._timings import Delay, Handovers, Hazard

__all__ = ["ARTICLE_DYNAMICS"]

_ACTIVE = (Stage.TALKS, Stage.EXCHANGE, Stage.THIRD_ROUND, Stage.LEADERS_MEETING)

#: Illustrative dynamics for the article's process: the rates and delays are not
#: estimates from data; they are of the order of the events of 2025 (talks on 16 May,
#: three handovers of about 300-400 from 23 May) so that runs look like the record.
#: Russia's pledge (article line 8: the third round "will take place after a prisoner
#: exchange") opens the third round the moment the exchange is complete.
ARTICLE_DYNAMICS = Dynamics(
    process=PROCESS,
    moves={
        # An exchange is agreed within about five days of talks; a further one about
        # every 200 days after.
        "agree_exchange": Hazard(
            {
                Stage.TALKS: 0.2,
                Stage.THIRD_ROUND: 0.005,
                Stage.LEADERS_MEETING: 0.005,
            }
        ),
        # About one handover every two days while one is due.
        "transfer": Hazard(
            {Stage.EXCHANGE: 0.5, Stage.THIRD_ROUND: 0.5, Stage.LEADERS_MEETING: 0.5}
        ),
        # Leaders meet one to four months after they can.
        "convene_leaders": Delay(30, 120),
        # A settlement about 100 days after every interest is acknowledged.
        "sign_settlement": Hazard(0.01),
        "raise_humanitarian_issue": Hazard(dict.fromkeys(_ACTIVE, 0.01)),
        "resolve_humanitarian_issue": Hazard(dict.fromkeys(_ACTIVE, 0.05)),
        "declare_interest": Hazard(dict.fromkeys(_ACTIVE, 0.005)),
        "acknowledge_interest": Hazard(dict.fromkeys(_ACTIVE, 0.02)),
        "suspend": Hazard(dict.fromkeys(_ACTIVE, 0.002)),
        # A suspension lasts one week to two months.
        "resume": Delay(7, 60),
        "collapse": Hazard(
            {
                Stage.TALKS: 0.001,
                Stage.EXCHANGE: 0.0005,
                Stage.THIRD_ROUND: 0.002,
                Stage.LEADERS_MEETING: 0.002,
                Stage.SUSPENDED: 0.01,
            }
        ),
    },
    handovers=Handovers(size=(200, 400), civilians=0.1, seriously_ill=0.05, young=0.1),
    pledges=((Side.RUSSIA, "open_third_round"),),
    horizon=730,
)
