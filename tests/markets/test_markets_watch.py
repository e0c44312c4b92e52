"""`thesis watch` decides which bar is final by the instrument's close (a fixed clock in each test):
crypto 00:00 UTC (every day is a session), FX 17:00 New York, the NYSE 16:00 New York."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from thesis.data.instruments import lookup
from thesis.watch.clock import last_closed_session
from thesis.watch.run import watch_pass

ROOT = Path(__file__).resolve().parents[2]
BTC = ROOT / "examples" / "markets" / "btc-68k-rejection-short.toml"
GBP = ROOT / "examples" / "markets" / "gbpusd-cable-double-top-short.toml"


def utc(s: str) -> pd.Timestamp:
    return pd.Timestamp(s, tz="UTC")


def test_a_crypto_bar_is_final_at_midnight_utc_weekends_included():
    btc = lookup("BTC-USD")
    # Saturday 2024-07-27's bar is final at Sunday 00:00 UTC
    assert last_closed_session(now=utc("2024-07-27 23:59:59"), instrument=btc) == pd.Timestamp("2024-07-26")
    assert last_closed_session(now=utc("2024-07-28 00:00"), instrument=btc) == pd.Timestamp("2024-07-27")
    assert last_closed_session(now=utc("2024-07-29 00:00"), instrument=btc) == pd.Timestamp("2024-07-28")
    # the NYSE at the same moment is still on Friday
    assert last_closed_session(now=utc("2024-07-28 00:00")) == pd.Timestamp("2024-07-26")


def test_an_fx_bar_is_final_at_five_pm_new_york_and_weekends_have_none():
    gbp = lookup("GBPUSD=X")
    # Friday 2024-07-26: 17:00 New York is 21:00 UTC (summer time)
    assert last_closed_session(now=utc("2024-07-26 20:59"), instrument=gbp) == pd.Timestamp("2024-07-25")
    assert last_closed_session(now=utc("2024-07-26 21:00"), instrument=gbp) == pd.Timestamp("2024-07-26")
    assert last_closed_session(now=utc("2024-07-28 12:00"), instrument=gbp) == pd.Timestamp("2024-07-26")
    # winter: 17:00 New York is 22:00 UTC
    assert last_closed_session(now=utc("2024-01-05 21:59"), instrument=gbp) == pd.Timestamp("2024-01-04")
    assert last_closed_session(now=utc("2024-01-05 22:00"), instrument=gbp) == pd.Timestamp("2024-01-05")
    # --asof on a Saturday: Friday's bar
    assert last_closed_session("2024-07-27", instrument=gbp) == pd.Timestamp("2024-07-26")
    assert last_closed_session("2024-07-27", instrument=lookup("BTC-USD")) == pd.Timestamp("2024-07-27")


@pytest.fixture
def ideas(tmp_path) -> Path:
    folder = tmp_path / "ideas"
    folder.mkdir()
    shutil.copy(BTC, folder / BTC.name)
    shutil.copy(GBP, folder / GBP.name)
    return folder


def _state(res, name: str):
    row = next(r for r in res.rows if r.id == name)
    assert row.error is None, row.error
    return row.status


def test_watch_sees_the_saturday_stop_only_once_the_saturday_bar_is_final(ideas):
    # Saturday 23:59 UTC: the Saturday bar is still forming; the short is in trade as of Friday
    before = watch_pass([ideas], now=utc("2024-07-27 23:59"), snapshots=False, deliver=False, write=False)
    btc = _state(before, "btc-68k-rejection-short")
    assert (btc.session, btc.state) == ("2024-07-26", "in trade")
    # Sunday 00:00 UTC: the Saturday bar is final, the stop traded on it
    after = watch_pass([ideas], now=utc("2024-07-28 00:00"), snapshots=False, deliver=False, write=False)
    btc = _state(after, "btc-68k-rejection-short")
    assert btc.session == "2024-07-27" and btc.state == "closed" and btc.reason == "stop"
    assert [(e.kind, e.session) for e in btc.events][-1] == ("stopped", "2024-07-27")
    # the FX idea in the same pass stays on Friday's bar (FX has no weekend sessions)
    assert _state(after, "gbpusd-cable-double-top-short").session == "2024-07-26"


def test_watch_takes_the_fx_bar_at_five_pm_new_york(ideas):
    # Tuesday 2024-08-27, the FX idea's publication and fill day: 16:59 New York is 20:59 UTC
    early = watch_pass([ideas], now=utc("2024-08-27 20:59"), snapshots=False, deliver=False, write=False)
    late = watch_pass([ideas], now=utc("2024-08-27 21:00"), snapshots=False, deliver=False, write=False)
    assert _state(early, "gbpusd-cable-double-top-short").session == "2024-08-26"
    fx = _state(late, "gbpusd-cable-double-top-short")
    assert fx.session == "2024-08-27" and fx.filled and fx.entry == pytest.approx(1.32)
