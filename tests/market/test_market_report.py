"""The report, chart, CLI and confirmations on the shared real data.

Acceptance: 2023-05-31 is a narrow market (S&P 500 2.9% under its 52-week high
with 33% of members above their 50-day); Friday 2023-06-02 is a breadth surge
(453 advancers, 41 decliners of 498).
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from thesis.cli.market import app
from thesis.market import MarketContext, evaluate_confirmations, market_report
from thesis.market.chart import market_chart


@pytest.fixture(scope="module")
def ctx(data_root) -> MarketContext:
    return MarketContext()


@pytest.fixture(scope="module")
def may31(ctx) -> dict:
    return market_report("2023-05-31", context=ctx)


def test_report_2023_05_31_shows_narrow_market(may31):
    b = may31["breadth"]
    assert b["date"] == "2023-05-31" and not b["stale"]
    assert b["narrow_market"] is True and b["surge"] is False
    assert 30 < b["pct_above_50"] < 40 and b["pct_above_20"] < 35 and b["pct_above_200"] < 50
    assert b["narrow"]["near_high"] and -5 < b["narrow"]["index_off_high_pct"] < 0
    assert b["members"] > 450 and b["members_by_window"]["200"] <= b["members"]
    assert "survivorship" in b["warning"] and any("survivorship" in w for w in may31["warnings"])


def test_report_2023_06_02_shows_surge(ctx):
    b = market_report("2023-06-02", context=ctx)["breadth"]
    assert b["surge"] is True and b["ad_ratio"] >= 0.9 and b["narrow_market"] is False
    assert b["advances"] > 9 * b["declines"]


def test_report_sections(may31):
    pairs = [r["pair"] for r in may31["relative_strength"]]
    assert pairs == ["IWM/SPY", "IWM/QQQ", "QQQ/SPY"]
    iwm = may31["relative_strength"][0]
    assert iwm["trend"] == "weaker" and iwm["percentile"] < 10       # IWM lagging SPY, near a 1-year low
    assert may31["regime"]["symbol"] == "SPY"
    assert {"1d", "1w", "1mo", "description"} <= set(may31["regime"])
    assert may31["regime"]["1d"]["label"] in ("up", "down", "range")
    assert set(may31["cross_asset"]) == {"dollar", "yields", "oil", "credit"}
    assert may31["cross_asset"]["yields"]["inverted"] is True
    assert may31["cross_asset"]["dollar"]["adjustment"] == "adjusted"      # UUP exists only adjusted
    assert 10 < may31["vix"]["level"] < 30 and 0 <= may31["vix"]["percentile"] <= 100
    assert may31["performance"]["SPY"]["YTD"] > may31["performance"]["IWM"]["YTD"]
    json.dumps(may31, allow_nan=False)        # plain JSON types only


def test_breadth_is_flagged_stale_after_universe_ends(ctx):
    rep = market_report(None, context=ctx)          # None = SPY's last session in the data
    assert rep["asof"] == "2026-08-21"
    assert rep["breadth"]["stale"] is True and rep["breadth"]["date"] == "2026-02-26"
    assert any("breadth data ends" in w for w in rep["warnings"])
    assert rep["vix"]["date"] == "2026-08-21"


def _pixels(path) -> np.ndarray:
    with Image.open(path) as img:
        assert img.format == "PNG" and img.size == (1600, 900)
        return np.asarray(img.convert("RGB"), dtype=np.int16)


def _assert_drawn(px: np.ndarray) -> None:
    """Not blank: varied pixels, and ink (non-white) in each of the three stacked panels."""
    assert px.std() > 20 and len(np.unique(px.reshape(-1, 3), axis=0)) > 50
    ink = (px < 200).any(axis=2)
    assert 0.01 < ink.mean() < 0.6
    plot = ink[90:860, 150:1550]                     # inside the axes area, under the title
    bands = np.array_split(plot, 3, axis=0)
    assert all(band.mean() > 0.003 for band in bands), [band.mean() for band in bands]
    # the three series in their colours: black close, tab:blue % above 50d, tab:purple A/D line
    for rgb in ((0, 0, 0), (31, 119, 180), (148, 103, 189)):
        near = (np.abs(px - np.array(rgb)).sum(axis=2) < 40).sum()
        assert near > 500, (rgb, near)


def test_chart_png_size(ctx, tmp_path):
    path = market_chart("2023-06-30", tmp_path / "breadth.png", context=ctx)
    _assert_drawn(_pixels(path))


def test_confirmations_on_real_data(ctx):
    confs = [{"kind": "narrow_market"}, {"kind": "breadth_surge"},
             {"kind": "relative_strength", "symbol": "IWM", "versus": "SPY", "direction": "weaker"},
             {"kind": "pct_above_ma", "window": 50, "below": 40}]
    res = evaluate_confirmations(confs, ["2023-05-31", "2023-06-02"], ctx)
    got = {(r["kind"], r["date"]): r["passed"] for r in res}
    assert got[("narrow_market", "2023-05-31")] and not got[("narrow_market", "2023-06-02")]
    assert not got[("breadth_surge", "2023-05-31")] and got[("breadth_surge", "2023-06-02")]
    assert got[("relative_strength", "2023-05-31")]
    assert got[("pct_above_ma", "2023-05-31")] and not got[("pct_above_ma", "2023-06-02")]
    assert all(r["text"] for r in res)


def test_cli_json_and_errors():
    runner = CliRunner()
    ok = runner.invoke(app, ["--asof", "2023-06-02", "--json"])
    assert ok.exit_code == 0, ok.output
    doc = json.loads(ok.stdout)
    assert doc["breadth"]["surge"] is True and doc["asof"] == "2023-06-02"
    bad = runner.invoke(app, ["--asof", "not-a-date"])
    assert bad.exit_code == 2
    text = runner.invoke(app, ["--asof", "2023-05-31"])
    assert text.exit_code == 0 and "narrow market" in text.stdout and "YES" in text.stdout


def test_regime_history_matches_single_date_on_spy(ctx):
    from thesis.market.regime import regime_asof, regime_history

    bars = ctx.bars("SPY", "as-traded")
    for tf in ("1w", "1mo"):
        hist = regime_history(bars, tf)
        for d in bars.loc["2022-01-01":"2023-12-31"].index[::10]:
            one = regime_asof(bars, d, tf)
            assert (hist.at[d, "label"], int(hist.at[d, "score"])) == (one["label"], one["score"]), (tf, d)


def test_cli_registers_on_a_root_app(tmp_path, ctx):
    import typer

    from thesis.cli import market as market_cli

    root = typer.Typer()
    root.command("other")(lambda: None)
    market_cli.register(root)
    png = tmp_path / "b.png"
    res = CliRunner().invoke(root, ["market", "--asof", "2023-06-02", "--chart", str(png)])
    assert res.exit_code == 0, res.output
    assert "breadth surge" in res.stdout
    px = _pixels(png)
    _assert_drawn(px)
    # it is the chart of the --asof session: the same pixels as the library writes for that date
    assert np.array_equal(px, _pixels(market_chart("2023-06-02", tmp_path / "direct.png", context=ctx)))
    assert not np.array_equal(px, _pixels(market_chart("2023-03-01", tmp_path / "other.png", context=ctx)))


def test_performance_since_a_date(data_root):
    from thesis.market import market_report
    import pandas as pd

    rep = market_report("2023-06-02", since="2023-01-03")
    spy = pd.read_csv(data_root / "daily-adjusted" / "SPY.csv", index_col="date", parse_dates=True)["close"]
    expected = 100 * (spy.loc["2023-06-02"] / spy.loc["2023-01-03"] - 1)
    assert abs(rep["performance"]["SPY"]["since"] - expected) < 1e-3  # the report rounds to 4 places
