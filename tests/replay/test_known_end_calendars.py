"""A calendar horizon's last session comes from the instrument's own calendar (issue 20): a
bitcoin horizon ending on a Saturday ends on that Saturday's session (24/7), an FX horizon ending
on a US holiday ends on that day's FX session (24/5). Before, the NYSE calendar said "no session
left" and an as-of view on the Friday (or the day before the holiday) already called the limit
expired, while the full history expired it a session later."""
from __future__ import annotations

import pandas as pd
import pytest

from thesis.data import load_bars
from thesis.replay.lifecycle import lifecycle
from thesis.replay.trades import known_end
from thesis.spec import Idea


def never_filled_short(symbol: str, published: str, horizon: str, zone, stop: float) -> Idea:
    return Idea.model_validate({
        "idea": {"title": "never fills", "symbol": symbol, "published": published, "direction": "short",
                 "horizon": horizon},
        "levels": {"entry_zone": list(zone), "stop": stop, "targets": [zone[0] * 0.9]},
        "entry": {"order": "limit", "price": zone[1]}})


CASES = [  # (symbol, published, horizon end, the session before it, zone far above the price, stop)
    ("BTC-USD", "2024-07-01", "2024-07-27", "2024-07-26", (89000.0, 90000.0), 100000.0),   # a Saturday
    ("GBPUSD=X", "2024-06-03", "2024-07-04", "2024-07-03", (1.4000, 1.4100), 1.4300),       # July 4th, FX open
]


@pytest.mark.parametrize("symbol,published,end,before,zone,stop", CASES, ids=["btc-saturday", "fx-us-holiday"])
def test_the_horizon_ends_on_the_instruments_own_session(symbol, published, end, before, zone, stop):
    bars = load_bars(symbol, "as-traded")
    end, before = pd.Timestamp(end), pd.Timestamp(before)
    assert end in bars.index and before in bars.index          # the market traded on both days
    to_before = bars.loc[:before]
    # the NYSE has no session on the end date; the instrument's calendar has one
    assert known_end(to_before, end, "XNYS") == before
    assert known_end(to_before, end, {"BTC-USD": "24/7", "GBPUSD=X": "24/5"}[symbol]) == end

    idea = never_filled_short(symbol, published, end.date().isoformat(), zone, stop)
    full = lifecycle(idea, bars)
    [expired] = [e for e in full.events if e.kind == "expired"]
    assert expired.session == end                               # the full history: the end date's session
    # the view as of the session before: still waiting, on the full bars cut and on bars cut there
    assert full.at(before).snapshot.state == "waiting"
    cut = lifecycle(idea, to_before).at(before)
    assert cut.snapshot.state == "waiting" and not [e for e in cut.events if e.kind == "expired"]
    assert cut.snapshot == full.at(before).snapshot and cut.events == full.at(before).events
    assert lifecycle(idea, bars.loc[:end]).at(end).snapshot.state == "expired"
