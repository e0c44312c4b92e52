"""Market context and calendars outside US stocks: `thesis market` on BTC and FX, the regime's
weekly/monthly completeness, `thesis watch --every`'s timer, and CME holidays in `thesis data check`."""
from __future__ import annotations

import json
import math

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from thesis.cli import app
from thesis.data import calendar
from thesis.data.instruments import lookup
from thesis.market.regime import period_complete, regime_report
from thesis.watch.clock import next_close


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_market_on_bitcoin_reports_what_applies_and_says_breadth_does_not(data_root):
    res = CliRunner().invoke(app, ["market", "BTCUSD", "--asof", "2024-07-27", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["breadth"]["applicable"] is False and "not applicable" in doc["breadth"]["reason"]
    assert doc["relative_strength"] == [] and "US stocks" in doc["relative_strength_note"]
    s = doc["symbol"]
    assert (s["symbol"], s["asset_class"], s["calendar"], s["date"]) == ("BTC-USD", "crypto", "24/7", "2024-07-27")
    # By hand from the CSV: the close of Saturday 2024-07-27, the mean of the 50 closes up to it (a
    # crypto week has 7 of them), and the 20-day volatility annualised over 365 sessions.
    close = pd.read_csv(data_root / "markets" / "BTC-USD.csv", index_col="date", parse_dates=True)["close"]
    close = close.loc[:"2024-07-27"]
    assert s["trend"]["close"] == pytest.approx(close.iloc[-1], abs=1e-3)
    assert s["trend"]["sma50"] == pytest.approx(close.iloc[-50:].mean(), abs=1e-3)
    r = np.diff(np.log(close.iloc[-21:].to_numpy()))
    assert s["realized_vol_20"] == pytest.approx(r.std(ddof=1) * math.sqrt(365) * 100, abs=1e-3)
    assert set(doc["cross_asset"]) == {"dollar", "yields", "oil", "credit"}
    assert doc["regime"]["symbol"] == "BTC-USD" and doc["regime"]["1w"]["label"] != "n/a"


def test_regime_completeness_follows_the_instruments_calendar(data_root):
    # Friday 2024-07-26 ends an NYSE week but not a crypto one (Saturday and Sunday follow).
    friday, sunday = pd.Timestamp("2024-07-26"), pd.Timestamp("2024-07-28")
    assert period_complete(friday, "1w", "XNYS") and not period_complete(friday, "1w", "24/7")
    assert period_complete(sunday, "1w", "24/7")
    # Thursday 2024-03-28: NYSE closes on Good Friday, FX trades it: the FX week is not complete.
    thursday = pd.Timestamp("2024-03-28")
    assert period_complete(thursday, "1w", "XNYS") and not period_complete(thursday, "1w", "24/5")
    # A BTC regime as of that Friday reports its week as partial.
    from thesis.data import load_bars

    btc = regime_report(load_bars("BTC-USD").loc[:friday], friday)
    assert btc["1w"]["partial"] is True and btc["1d"]["date"] == "2024-07-26"


def test_watch_every_wakes_at_the_next_close_of_the_watched_instruments():
    btc, fx, spy = lookup("BTC-USD"), lookup("EURUSD=X"), lookup("SPY")
    # Saturday noon UTC: bitcoin's Saturday bar is final at Sunday 00:00 UTC; FX's next bar is Monday's,
    # final at 17:00 New York (21:00 UTC in July); NYSE's next close is Monday 16:00 New York (20:00 UTC).
    sat = utc("2024-07-27 12:00")
    assert next_close(sat, [btc]) == utc("2024-07-28 00:00")
    assert next_close(sat, [fx]) == utc("2024-07-29 21:00")
    assert next_close(sat) == next_close(sat, [spy]) == utc("2024-07-29 20:00")
    # Friday 19:00 UTC with a stock and bitcoin watched: NYSE closes first (20:00 UTC).
    assert next_close(utc("2024-07-26 19:00"), [spy, btc]) == utc("2024-07-26 20:00")
    # In January New York is UTC-5: the FX bar of Friday 2024-01-05 is final at 22:00 UTC.
    assert next_close(utc("2024-01-05 21:30"), [fx]) == utc("2024-01-05 22:00")


def test_cme_holidays_are_closed_sessions_not_missing_data(data_root):
    dates = set(pd.read_csv(data_root / "markets" / "GC=F.csv")["date"])
    # Checked by hand: Thursday 2024-07-04 (Independence Day) has no GC=F row; the days around it do.
    # exchange_calendars keeps it as a CMES session (Globex trades a shortened session, no settlement);
    # NYSE is closed. Tuesday 2001-02-13 has no row either: a plain trading day, so missing data.
    assert "2024-07-04" not in dates and {"2024-07-03", "2024-07-05", "2001-02-12", "2001-02-14"} <= dates
    cmes = xcals.get_calendar("CMES", start="2000-01-01")
    nyse = xcals.get_calendar("XNYS", start="2000-01-01")
    assert cmes.is_session("2024-07-04") and not nyse.is_session("2024-07-04") and nyse.is_session("2001-02-13")
    closed = calendar.holiday_closures(pd.DatetimeIndex(["2001-02-13", "2024-07-04"]), "CMES")
    assert list(closed) == [pd.Timestamp("2024-07-04")] and calendar.holiday_name("2024-07-04") == "July 4th"
    res = CliRunner().invoke(app, ["data", "check", f"csv:{data_root}", "GC=F", "--adjustment", "as-traded", "--json"])
    problems = {p["kind"]: p for p in json.loads(res.stdout)["problems"]}
    assert "closed, not missing data" in problems["closed sessions"]["message"]
    assert problems["missing sessions"]["date"] == "2001-02-13"       # the first real gap
    # The two counts add up to every CMES session without a bar, counted here from the calendar.
    first, last = min(dates), max(dates)
    sessions = {str(d.date()) for d in cmes.sessions_in_range(first, last)}
    absent = len(sessions - dates)
    counts = [int(problems[k]["message"].split()[0]) for k in ("closed sessions", "missing sessions")]
    assert sum(counts) == absent and counts[0] > 100
