"""Confirmation models (validation) and their evaluation on data built in code."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel, ValidationError

from thesis.breadth import universe_from_frames
from thesis.data import calendar
from thesis.data.model import make_bars
from thesis.errors import SymbolNotFound
from thesis.market import Confirmation, MarketContext, evaluate_confirmations, parse_confirmations
from thesis.market.confirmations import (BreadthSurge, NarrowMarket, PctAboveMa, RelativeStrength, Trend,
                                         VixBelow)

IDX = calendar.sessions("2022-01-03", "2023-12-29")


def _bars(symbol, close):
    c = np.asarray(close, float)
    return make_bars(pd.DataFrame({"open": c, "high": c * 1.005, "low": c * 0.995, "close": c, "volume": 0.0},
                                  index=IDX[: len(c)]), symbol, "memory", "as-traded")


class FakeContext(MarketContext):
    """Bars from a dict instead of files; ``loads`` records what was asked for."""

    def __init__(self, frames: dict, **kw):
        super().__init__(**kw)
        self.frames, self.loads = frames, []

    def bars(self, symbol, adjustment):
        self.loads.append((symbol, adjustment))
        if symbol.upper() not in self.frames:
            raise SymbolNotFound(symbol, "memory")
        return self.frames[symbol.upper()]


def _context():
    n = len(IDX)
    frames = {
        "VIX": _bars("VIX", np.r_[np.full(n - 10, 25.0), np.full(10, 12.0)]),
        "AAA": _bars("AAA", 100 * np.exp(0.002 * np.arange(n))),     # outperforms
        "BBB": _bars("BBB", np.full(n, 100.0)),
        "TLT": _bars("TLT", np.linspace(150, 90, n)),                # falling: yields up
        "SPY": _bars("SPY", np.linspace(300, 450, n)),
    }
    # universe: 4 members, 10 sessions; day 9 has 4 advancers, day 8 has 1 of 4
    dates = IDX[:10]
    close = pd.DataFrame({"M1": [10, 11, 12, 13, 14, 15, 16, 17, 16, 17],
                          "M2": [20, 19, 18, 17, 16, 15, 14, 13, 12, 13],
                          "M3": [5, 5, 5, 5, 5, 5, 5, 5, 4, 5],
                          "M4": [np.nan] * 6 + [7, 8, 7, 8]}, index=dates, dtype=float)
    return FakeContext(frames, universe=universe_from_frames(close, name="toy"))


def test_parse_every_kind_and_normalise_symbols():
    confs = parse_confirmations([
        {"kind": "breadth_divergence"}, {"kind": "narrow_market", "low_pct": 50},
        {"kind": "breadth_surge", "within": 3}, {"kind": "relative_strength", "symbol": "iwm", "versus": "spy",
                                                 "direction": "weaker", "window": 20},
        {"kind": "trend", "symbol": "Yields", "direction": "up"}, {"kind": "vix_below", "level": 20},
        {"kind": "vix_above", "level": 30}, {"kind": "regime", "timeframe": "1mo", "label": "down"},
        {"kind": "pct_above_ma", "window": 50, "below": 40}])
    assert [type(c).__name__ for c in confs] == ["NarrowMarket", "NarrowMarket", "BreadthSurge", "RelativeStrength",
                                                 "Trend", "VixBelow", "VixAbove", "Regime", "PctAboveMa"]
    assert confs[3].symbol == "IWM" and confs[3].versus == "SPY"
    assert confs[4].symbol == "yields" and confs[4].timeframe == "1d"
    assert confs[1].low_pct == 50 and confs[0].near_high_pct == 5.0


@pytest.mark.parametrize("bad, fragment", [
    ({"kind": "vix_below", "level": 20, "extra": 1}, "extra"),
    ({"kind": "nope"}, "nope"),
    ({"kind": "pct_above_ma", "window": 50}, "exactly one"),
    ({"kind": "pct_above_ma", "window": 50, "below": 40, "above": 60}, "exactly one"),
    ({"kind": "relative_strength", "symbol": "IWM", "versus": "SPY", "direction": "down"}, "direction"),
    ({"kind": "trend", "symbol": " ", "direction": "up"}, "empty"),
    ({"kind": "regime", "timeframe": "4h", "label": "up"}, "timeframe"),
])
def test_bad_entries_are_rejected(bad, fragment):
    with pytest.raises(ValidationError, match=fragment):
        parse_confirmations([bad])


def test_confirmation_embeds_in_a_model():
    class Idea(BaseModel):
        confirmations: list[Confirmation] = []

    idea = Idea.model_validate({"confirmations": [{"kind": "vix_below", "level": 18}]})
    assert isinstance(idea.confirmations[0], VixBelow)


def test_vix_pass_fail_and_no_data():
    ctx = _context()
    dates = [IDX[0], IDX[-1], "2021-06-01", "2024-06-03"]
    res = evaluate_confirmations([VixBelow(kind="vix_below", level=20)], dates, ctx)
    assert [r["status"] for r in res] == ["fail", "pass", "no data", "no data"]
    assert res[0]["value"] == 25.0 and res[1]["value"] == 12.0
    assert res[2]["passed"] is False and res[1]["confirmation"] == 0
    above = evaluate_confirmations([{"kind": "vix_above", "level": 20}], IDX[0], ctx)
    assert above[0]["passed"] is True and "25.00 > 20" in above[0]["text"]
    # lazy: nothing but VIX was loaded, and no breadth was computed
    assert {s for s, _ in ctx.loads} == {"VIX"} and not ctx._breadth


def test_weekend_date_uses_prior_session():
    ctx = _context()
    saturday = IDX[-1] + pd.Timedelta(days=1)
    r = evaluate_confirmations([{"kind": "vix_below", "level": 20}], [saturday], ctx)[0]
    assert r["session"] == IDX[-1].date().isoformat() and r["date"] == saturday.date().isoformat()


def test_pct_above_ma_and_surge_on_toy_universe():
    ctx = _context()
    d = IDX[:10]
    # SMA3 on day 9: M1 (16,17,... ) 17 > 16.33 above; M2 13 > 12.67 above; M3 5 > 4.67 above; M4 8 > 7.67 above
    res = evaluate_confirmations([PctAboveMa(kind="pct_above_ma", window=3, above=90)], [d[8], d[9]], ctx)
    # day 8: M1 16 < 16.33, M2 12 < 13, M3 4 < 4.67, M4 7 < 7.67 -> 0%
    assert [r["value"] for r in res] == [0.0, 100.0]
    assert [r["passed"] for r in res] == [False, True]
    surge = evaluate_confirmations([BreadthSurge(kind="breadth_surge"), {"kind": "breadth_surge", "within": 2}],
                                   [d[8], d[9]], ctx)
    # day 8: 1 advancer (M4 no: 7<8) -> M1 down, M2 down, M3 down, M4 down = 0/4; day 9: 4/4
    assert [r["passed"] for r in surge] == [False, True, False, True]
    assert surge[1]["value"] == 1.0


def test_relative_strength_and_trend_with_proxy():
    ctx = _context()
    asof = IDX[-1]
    rs = evaluate_confirmations([
        RelativeStrength(kind="relative_strength", symbol="AAA", versus="BBB", direction="stronger"),
        {"kind": "relative_strength", "symbol": "AAA", "versus": "BBB", "direction": "weaker", "window": 20},
    ], [asof], ctx)
    assert [r["passed"] for r in rs] == [True, False]
    assert rs[0]["value"] == pytest.approx(0.2)         # ln ratio rises 0.002 a session = 0.2 %/session
    tr = evaluate_confirmations([Trend(kind="trend", symbol="yields", direction="up"),
                                 Trend(kind="trend", symbol="TLT", direction="up"),
                                 {"kind": "regime", "timeframe": "1w", "label": "up"}], [asof], ctx)
    assert [r["passed"] for r in tr] == [True, False, True]
    assert "TLT inverted" in tr[0]["text"]


def test_narrow_market_needs_an_index():
    ctx = _context()   # no GSPC in the fake data: the narrow-market columns cannot exist
    r = evaluate_confirmations([NarrowMarket(kind="narrow_market")], [IDX[9]], ctx)[0]
    assert r["status"] == "no data"
