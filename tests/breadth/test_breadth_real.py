"""Breadth on the shared S&P 500 constituents (today's members, 2015-2026).

The seed idea says breadth was terrible in the May 2023 rally "with the
exception of Friday alone" (2023-06-02). The standard definitions show both.
"""
from __future__ import annotations

import pandas as pd
import pytest

from thesis.breadth import SURVIVORSHIP_WARNING, compute_breadth, load_breadth_universe
from thesis.data import load_bars


@pytest.fixture(scope="module")
def breadth(data_root) -> pd.DataFrame:
    uni = load_breadth_universe(data_root / "sp500-constituents")
    return compute_breadth(uni, load_bars("GSPC")["close"], load_bars("SPY", adjustment="adjusted")["close"])


def test_universe_metadata(breadth):
    assert breadth.attrs["universe"] == "sp500-constituents"
    assert breadth.attrs["survivorship"] is True and breadth.attrs["warning"] == SURVIVORSHIP_WARNING
    # later listings are excluded early on: fewer than 503 counted in 2015, never more than 503
    assert breadth.loc["2016-03-01", "members_200"] < breadth["members_20"].max() <= 503


def test_2023_05_31_is_a_narrow_market(breadth):
    r = breadth.loc["2023-05-31"]
    assert r["near_high"] and -5 < r["index_off_high"] < -2          # GSPC 4179.83, 2.9% under 4305.20
    assert r["pct_above_50"] < 40                                      # 33.4% of members above 50-day
    assert r["pct_above_20"] < 35 and r["pct_above_200"] < 50
    assert r["index_change"] > 0 and r["pct50_change"] <= -10          # index up, breadth down 16.7 pts
    assert r["declines"] > r["advances"]
    assert r["narrow"]


def test_2023_06_02_friday_is_a_breadth_surge(breadth):
    r = breadth.loc["2023-06-02"]
    assert pd.Timestamp("2023-06-02").day_name() == "Friday"
    assert r["advances"] >= 9 * r["declines"]                          # 453 up, 41 down
    assert r["ad_ratio"] >= 0.90 and r["surge"]
    assert r["ew_return"] > r["cw_return"] > 0                         # the average stock beat SPY
    assert not r["narrow"]
    # "with the exception of Friday alone": no other surge in the two weeks before it
    window = breadth.loc["2023-05-19":"2023-06-01", "surge"]
    assert not window.any()


def test_all_indicators_finite_after_warmup(breadth):
    late = breadth.loc["2017-01-01":]
    for col in ("pct_above_200", "mcclellan_osc", "zweig_ema", "ew_vs_cw", "index_off_high"):
        assert late[col].notna().all(), col
    assert (late["pct_above_50"].between(0, 100)).all()


def test_universe_from_symbols_matches_folder(data_root):
    """A symbol-list universe (members read one by one) counts like the folder does."""
    from thesis.breadth.universe import load_breadth_universe
    from thesis.breadth import pct_above_ma

    syms = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA"]
    listed = load_breadth_universe("symbols:" + ",".join(syms), start="2023-01-01", end="2023-06-30")
    assert listed.name == "symbols" and not listed.survivorship
    folder = load_breadth_universe(f"csv:{data_root / 'sp500-constituents'}")
    sub = folder.close.loc["2023-01-01":"2023-06-30", syms]
    a = pct_above_ma(listed.close, 20)
    b = pct_above_ma(sub, 20).reindex(a.index)
    assert (a["members"] == b["members"]).all() and a["members"].max() == len(syms)
    # Same members and window: the same count above the average on all but rare ties.
    assert (a["above"] == b["above"]).mean() > 0.97
