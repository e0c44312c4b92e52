"""Issue 9.4 / 10.3: the bad-print rule reports (never repairs) spikes that revert; real moves stay unflagged."""
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from thesis.cli import app
from thesis.data import ADJUSTED, AS_TRADED, CsvFolder, flagged_dates, load_bars
from thesis.data.outliers import find_outliers, flags_of_bars

runner = CliRunner()


def spiked(data_root, tmp_path, day="2023-06-13", column="high", factor=100.0):
    """IWM 2023 from the shared data with one bad print written into a private CSV."""
    bars = load_bars("IWM", start="2023-01-01", end="2023-12-31")
    frame = bars.copy()
    frame.loc[day, column] = frame.loc[day, column] * factor
    folder = tmp_path / "daily"
    folder.mkdir(exist_ok=True)
    frame.reset_index().to_csv(folder / "IWM.csv", index=False, date_format="%Y-%m-%d")
    return bars, folder


@pytest.mark.parametrize("column,factor,kind", [("high", 100.0, "high spike"), ("low", 0.01, "low spike"),
                                                ("high", 3.0, "high spike")])
def test_bad_print_is_flagged_reported_and_kept(data_root, tmp_path, column, factor, kind):
    bars, folder = spiked(data_root, tmp_path, column=column, factor=factor)
    loaded = CsvFolder(folder).fetch("IWM", AS_TRADED)
    flags = flagged_dates(loaded)
    assert list(flags) == [pd.Timestamp("2023-06-13")] and column in flags[pd.Timestamp("2023-06-13")]
    # report, never repair: the value is exactly as printed
    assert loaded.loc["2023-06-13", column] == pytest.approx(bars.loc["2023-06-13", column] * factor)
    assert any(f"bad print? {kind}" in w for w in loaded.attrs["warnings"])
    res = runner.invoke(app, ["data", "check", f"csv:{folder}", "--json"])
    assert res.exit_code == 1  # no longer "no problems"
    (problem,) = [p for p in json.loads(res.stdout)["problems"] if p["kind"].startswith("bad print")]
    assert problem["action"] == "report" and problem["date"] == "2023-06-13"
    assert problem["line"] == bars.index.get_loc(pd.Timestamp("2023-06-13")) + 2  # header is line 1


def test_close_spike_that_reverts_is_flagged_a_level_shift_is_not(data_root):
    bars = load_bars("SPY", start="2023-01-01", end="2023-12-31")
    c = bars["close"].to_numpy().copy()
    c[100] *= 1.5  # one wrong close, next session back
    flags = find_outliers(bars.index, None, np.fmax(bars["high"], c), np.fmin(bars["low"], c), c)
    assert [(f.index, f.kind) for f in flags] == [(100, "close spike")]
    shifted = bars["close"].to_numpy().copy()
    shifted[100:] *= 1.5  # a real jump that holds (a gap up that stays) is not a bad print
    h, lo = bars["high"].to_numpy().copy(), bars["low"].to_numpy().copy()
    h[100:] *= 1.5
    lo[100:] *= 1.5
    assert [f for f in find_outliers(bars.index, None, h, lo, shifted) if f.kind == "close spike"] == []


def test_volume_spike(data_root):
    bars = load_bars("SPY", start="2023-01-01", end="2023-12-31")
    v = bars["volume"].to_numpy().copy()
    v[50] *= 5000
    flags = find_outliers(bars.index, bars["open"], bars["high"], bars["low"], bars["close"], v)
    assert [(f.index, f.kind) for f in flags] == [(50, "volume spike")]


@pytest.mark.parametrize("symbol,adjustment,start,end", [
    ("GSPC", AS_TRADED, "1987-09-01", "1987-12-31"),   # the crash of October 1987
    ("IXIC", AS_TRADED, "1987-09-01", "1987-12-31"),
    ("SPY", AS_TRADED, "2020-02-01", "2020-04-30"),    # March 2020
    ("QQQ", AS_TRADED, "2020-02-01", "2020-04-30"),
    ("IWM", AS_TRADED, "2020-02-01", "2020-04-30"),
    ("VIX", AS_TRADED, "2018-01-15", "2018-02-28"),    # Volmageddon, a 12x true-range wick
    ("VIX", AS_TRADED, "2024-07-15", "2024-08-15"),    # 2024-08-05, a 15x wick
    ("SPY", AS_TRADED, "2010-05-01", "2010-05-31"),    # the flash crash
])
def test_genuine_moves_are_not_flagged(data_root, symbol, adjustment, start, end):
    bars = load_bars(symbol, adjustment)
    window = flagged_dates(bars)
    assert [d for d in window if pd.Timestamp(start) <= d <= pd.Timestamp(end)] == []


def test_flag_count_on_the_shared_data(data_root):
    """The rule on all 35 ETF/index series: 2 flags, both UUP highs far outside the range (49x and 31x)."""
    flagged = {}
    for sub, adj in (("daily", AS_TRADED), ("daily-adjusted", ADJUSTED)):
        provider = CsvFolder(data_root / sub)
        for sym in provider.symbols(adj):
            for day in flagged_dates(provider.fetch(sym, adj)):
                flagged[(sym, str(day.date()))] = True
    assert sorted(flagged) == [("UUP", "2007-06-20"), ("UUP", "2007-07-27")]


def test_flags_survive_clipping_and_are_recomputed_without_attrs(data_root):
    bars = load_bars("UUP", ADJUSTED, start="2007-06-01", end="2007-06-30")
    assert pd.Timestamp("2007-06-20") in flagged_dates(bars)
    bare = pd.DataFrame(load_bars("UUP", ADJUSTED, end="2007-07-31").to_numpy(),
                        index=load_bars("UUP", ADJUSTED, end="2007-07-31").index,
                        columns=["open", "high", "low", "close", "volume"])
    assert [str(f.date.date()) for f in flags_of_bars(bare)] == ["2007-06-20", "2007-07-27"]
    assert set(flagged_dates(bare)) == {pd.Timestamp("2007-06-20"), pd.Timestamp("2007-07-27")}


def test_data_show_prints_flags_and_repairs_as_warnings(data_root):
    res = runner.invoke(app, ["data", "show", "UUP", "--adjustment", "adjusted", "--rows", "2"])
    assert res.exit_code == 0
    assert "warning:" in res.stderr and "UUP.csv:79" in res.stderr and "bad print? high spike" in res.stderr
    res = runner.invoke(app, ["data", "show", "HYG", "--adjustment", "adjusted", "--rows", "2", "--json"])
    doc = json.loads(res.stdout)
    assert any("high below body (repair)" in w for w in doc["warnings"]) and "HYG.csv:4874" in res.stderr
    assert json.loads(runner.invoke(app, ["data", "show", "UUP", "--adjustment", "adjusted", "--json"]).stdout)[
        "flagged"].keys() == {"2007-06-20", "2007-07-27"}
