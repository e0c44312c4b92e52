"""Relative strength in the market report divides ADJUSTED closes (a ratio of as-traded closes
drifts with the dividend gap) and says which closes each ratio used."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from thesis.market import MarketContext, market_report

DAY = "2023-05-31"


def csv_close(root, folder, symbol) -> pd.Series:
    return pd.read_csv(root / folder / f"{symbol}.csv", index_col="date", parse_dates=True)["close"]


@pytest.fixture(scope="module")
def report(data_root):
    ctx = MarketContext()
    return market_report(DAY, context=ctx, pairs=(("IWM", "SPY"), ("IWM", "DIA")))


def test_iwm_spy_ratio_and_beta_are_those_of_the_adjusted_csvs(report, data_root):
    iwm, spy = csv_close(data_root, "daily-adjusted", "IWM"), csv_close(data_root, "daily-adjusted", "SPY")
    traded = csv_close(data_root, "daily", "IWM")[DAY] / csv_close(data_root, "daily", "SPY")[DAY]
    expected = iwm[DAY] / spy[DAY]
    assert abs(expected - traded) > 5e-4                     # the two differ by far more than the rounding
    [rs] = [r for r in report["relative_strength"] if r["pair"] == "IWM/SPY"]
    assert rs["date"] == DAY and rs["adjustment"] == "adjusted"
    assert rs["ratio"] == pytest.approx(expected, abs=6e-5)  # the report rounds to 4 places
    # beta of daily log returns over the 60 sessions to DAY, from the same CSVs
    a, b = np.log(iwm.loc[:DAY]).diff().iloc[-60:], np.log(spy.loc[:DAY]).diff().iloc[-60:]
    beta = np.cov(a, b, ddof=1)[0, 1] / np.var(b, ddof=1)
    assert rs["beta"] == pytest.approx(beta, abs=6e-5)


def test_a_pair_without_adjusted_closes_names_what_it_divided(report, data_root):
    # DIA exists only as-traded in the shared data: the ratio uses those closes and says so
    [rs] = [r for r in report["relative_strength"] if r["pair"] == "IWM/DIA"]
    assert rs["adjustment"] == "IWM adjusted, DIA as-traded"
    expected = csv_close(data_root, "daily-adjusted", "IWM")[DAY] / csv_close(data_root, "daily", "DIA")[DAY]
    assert rs["ratio"] == pytest.approx(expected, abs=6e-5)


def test_the_text_table_names_a_mixed_adjustment():
    from thesis.cli.market import _other_tables

    rep = {"relative_strength": [
        {"pair": "IWM/SPY", "adjustment": "adjusted", "trend": "weaker", "slope_window_pct": -1.0, "percentile": 5,
         "beta": 1.1, "corr": 0.8, "relative_return_pct": {}},
        {"pair": "IWM/DIA", "adjustment": "IWM adjusted, DIA as-traded", "trend": "mixed", "slope_window_pct": 0.5,
         "percentile": 50, "beta": 1.0, "corr": 0.7, "relative_return_pct": {}}],
        "regime": {}, "regime_others": {}, "cross_asset": {}, "vix": {}}
    from rich.console import Console

    console = Console(width=160, record=True, file=io.StringIO())
    console.print(_other_tables(rep)[0])
    lines = console.export_text().splitlines()
    assert any("IWM/DIA [IWM adjusted, DIA as-traded]" in line for line in lines)
    [spy] = [line for line in lines if "IWM/SPY" in line]
    assert "[" not in spy                       # adjusted: the title already says so
