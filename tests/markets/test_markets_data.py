"""Validation, calendars and `thesis data check` per instrument."""
from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from thesis.cli import app
from thesis.data import load_bars
from thesis.data.calendar import calendar_of, sessions
from thesis.data.validate import validate_frame
from thesis.spec import parse


def _frame(dates, price=100.0):
    dates = pd.DatetimeIndex(dates)
    return pd.DataFrame({"date": dates, "open": price, "high": price + 1, "low": price - 1, "close": price,
                         "volume": 0.0, "_line": range(2, len(dates) + 2)})


def test_calendars_follow_the_instrument():
    assert [calendar_of(s) for s in ("BTC-USD", "EURUSD=X", "GC=F", "DX-Y.NYB", "TNX", "IWM", "NOSUCHSYM")] == \
        ["24/7", "24/5", "CMES", "ICEUS", "XNYS", "XNYS", "XNYS"]
    week = pd.Timestamp("2024-07-22"), pd.Timestamp("2024-07-28")
    assert len(sessions(*week, "24/7")) == 7 and len(sessions(*week, "24/5")) == 5 and len(sessions(*week)) == 5


def test_a_missing_crypto_weekend_is_missing_data():
    days = pd.date_range("2024-07-01", "2024-07-31")
    gap = days[~days.isin(pd.DatetimeIndex(["2024-07-13", "2024-07-14"]))]
    _, report = validate_frame(_frame(gap), "BTC-USD", "BTC-USD.csv")
    missing = [p for p in report.problems if p.kind == "missing sessions"]
    assert len(missing) == 1 and "2 24/7 sessions have no bar: 2024-07-13, 2024-07-14" in missing[0].message
    _, whole = validate_frame(_frame(days), "BTC-USD", "BTC-USD.csv")
    assert whole.problems == []
    # the same weekend is no gap for a stock
    weekdays = gap[gap.dayofweek < 5]
    _, stock = validate_frame(_frame(weekdays[weekdays != "2024-07-04"]), "IWM", "IWM.csv")
    assert stock.problems == []


def test_an_fx_saturday_row_is_a_bad_row_dropped_with_its_line_and_date():
    days = pd.bdate_range("2024-07-01", "2024-07-31").append(pd.DatetimeIndex(["2024-07-13"])).sort_values()
    frame, report = validate_frame(_frame(days, 1.08), "EURUSD=X", "EURUSD=X.csv")
    assert pd.Timestamp("2024-07-13") not in set(frame["date"]) and len(frame) == len(days) - 1
    (bad,) = [p for p in report.problems if p.kind == "not a session"]
    # ten weekdays (lines 2-11) before it: the 11th data row, line 12 of the file
    assert (bad.action, bad.date, bad.line) == ("repair", "2024-07-13", 12)
    assert "EURUSD=X.csv:12 (2024-07-13)" in bad.text() and "Saturday" in bad.message
    # a Saturday bar of bitcoin is a session like any other
    btc, report = validate_frame(_frame(pd.date_range("2024-07-01", "2024-07-31")), "BTC-USD", "BTC-USD.csv")
    assert len(btc) == 31 and report.problems == []


def test_the_bad_print_floor_is_scaled_per_market():
    """A 10% one-day jump that reverts: real for bitcoin, a bad print for EURUSD."""
    def spiky(price):
        days = pd.bdate_range("2024-01-01", periods=40) if price < 10 else pd.date_range("2024-01-01", periods=40)
        f = _frame(days, price)
        f["high"], f["low"] = price * 1.001, price * 0.999
        f.loc[30, ["close", "high"]] = price * 1.10
        return f
    _, fx = validate_frame(spiky(1.08), "EURUSD=X", "EURUSD=X.csv")
    _, btc = validate_frame(spiky(60000.0), "BTC-USD", "BTC-USD.csv")
    assert [f.kind for f in fx.flags] == ["close spike"] and btc.flags == []


def test_markets_folder_is_found_beside_daily(data_root):
    bars = load_bars("^TNX")                      # Yahoo's name finds TNX.csv
    assert bars.attrs["symbol"] == "TNX" and bars.attrs["source"].endswith("/markets")
    assert load_bars("BTC-USD", "adjusted").attrs["source"].endswith("/markets")   # no dividends: both
    assert load_bars("IWM").attrs["source"].endswith("/daily")


def test_data_check_names_vendor_faults_with_line_and_session_date(data_root):
    res = CliRunner().invoke(app, ["data", "check", f"csv:{data_root}", "EURUSD", "GC=F", "--json"])
    import json

    doc = json.loads(res.stdout)
    assert res.exit_code == 1 and doc["checked"] == 2               # markets/ files are checked once
    opens = [p for p in doc["problems"] if p["kind"] == "unreliable opens"]
    assert len(opens) == 1 and opens[0]["symbol"] == "EURUSD=X" and opens[0]["date"] == "2022-01-03"
    assert opens[0]["line"] > 4000 and "open equals close on 9" in opens[0]["message"]
    assert "since 2022: opens are unreliable" in opens[0]["message"]
    flat = [p for p in doc["problems"] if p["kind"] == "flat bars"]
    assert len(flat) == 1 and flat[0]["symbol"] == "GC=F" and "volume under 100" in flat[0]["message"]
    table = CliRunner().invoke(app, ["data", "check", f"csv:{data_root}", "EURUSD=X"])
    assert "EURUSD=X.csv:1109" in table.output and "(2008-03-17)" in table.output


def test_an_unknown_alias_in_an_idea_file_names_the_nearest_known_names():
    from thesis.errors import IdeaError

    text = ('schema_version = 1\n[idea]\ntitle = "t"\nsymbol = "OANDA:EURAUX"\npublished = 2024-01-02\n'
            'direction = "long"\n[levels]\nentry_zone = [1.6, 1.61]\nstop = 1.59\ntargets = [1.65]\n')
    with pytest.raises(IdeaError) as err:
        parse(text, "x.toml")
    assert "line 4" in str(err.value) and "EURAUD" in str(err.value) and "idea.symbol" in str(err.value)
    idea = parse(text.replace("EURAUX", "EURAUD"), "x.toml")
    assert idea.symbol == "EURAUD=X" and idea.instrument.display == "OANDA:EURAUD (EURAUD=X)"


def test_horizon_in_sessions_counts_the_instruments_sessions():
    base = ('schema_version = 1\n[idea]\ntitle = "t"\nsymbol = "{s}"\npublished = 2024-07-01\nhorizon = "10s"\n'
            'direction = "long"\n[levels]\nentry_zone = [{a}, {b}]\nstop = {c}\ntargets = [{d}]\n')
    btc = parse(base.format(s="BTCUSD", a=60000, b=61000, c=58000, d=70000))
    fx = parse(base.format(s="EURUSD", a=1.07, b=1.08, c=1.06, d=1.1))
    assert btc.horizon_date("2024-07-01") == pd.Timestamp("2024-07-10")     # 10 calendar days
    assert fx.horizon_date("2024-07-01") == pd.Timestamp("2024-07-12")      # 10 weekdays


def test_options_plan_refuses_fx_crypto_and_futures_ideas():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "examples" / "markets"
    for name, what in (("gold-breakout-long.toml", "GC=F is a futures contract"),
                       ("btc-68k-rejection-short.toml", "BTC-USD is a crypto asset")):
        res = CliRunner().invoke(app, ["options", "plan", str(root / name), "--iv", "0.2"])
        assert res.exit_code == 2 and what in res.output and "out of scope" in res.output
    res = CliRunner().invoke(app, ["options", "plan", "--symbol", "EUR/USD", "--direction", "long", "--entry", "1.1",
                                   "--stop", "1.09", "--target", "1.12", "--horizon-days", "30", "--iv", "0.1"])
    assert res.exit_code == 2 and "EURUSD=X is an FX pair" in res.output


def test_snapshots_print_prices_at_the_instruments_precision(tmp_path):
    from thesis.plotting._marks import PRICE_DECIMALS, fmt_price
    from thesis.plotting._snapshot import _decimals

    assert (_decimals("GBPUSD=X"), _decimals("USDJPY=X"), _decimals("GC=F"), _decimals("IWM")) == (4, 2, 1, None)
    token = PRICE_DECIMALS.set(_decimals("EURUSD=X"))
    try:
        assert fmt_price(1.33) == "1.3300"
    finally:
        PRICE_DECIMALS.reset(token)
    assert fmt_price(1.33) == "1.33" and fmt_price(0.1234) == "0.1234"      # stocks: unchanged
