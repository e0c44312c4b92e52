"""`thesis study` and `thesis scorecard` on crypto, FX and futures ideas (the shared markets data)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from thesis.cli import app

ROOT = Path(__file__).resolve().parents[2]
MARKETS = ROOT / "examples" / "markets"


def test_study_of_a_crypto_setup_trades_every_day_of_the_week(data_root):
    res = CliRunner().invoke(app, ["study", str(MARKETS / "btc-68k-rejection-short.toml"), "--symbols",
                                   "BTCUSDT,ETH-USD", "--from", "2023-01-01", "--to", "2024-12-31", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["data"]["symbol_list"] == ["BTC-USD", "ETH-USD"] and doc["signals"] > 50
    occ = pd.DataFrame(doc["occurrences"])
    days = set(pd.to_datetime(occ["entry_date"]).dt.day_name())
    assert {"Saturday", "Sunday"} <= days                 # crypto weekends are sessions
    # an entry is at the next session's open: the next calendar day, read from the CSV
    bars = pd.read_csv(data_root / "markets" / "BTC-USD.csv", index_col="date", parse_dates=True)
    first = occ[occ["symbol"] == "BTC-USD"].iloc[0]
    nxt = pd.Timestamp(first["date"]) + pd.Timedelta(days=1)
    assert pd.Timestamp(first["entry_date"]) == nxt and first["entry_price"] == bars.loc[nxt, "open"]


def test_scorecard_grades_ideas_on_the_new_markets(tmp_path):
    folder = tmp_path / "ideas"
    shutil.copytree(MARKETS, folder)
    res = CliRunner().invoke(app, ["scorecard", str(folder), "--by", "symbol", "--draws", "50", "--no-setup",
                                   "--account", "1000000", "--risk", "1%", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    ideas = {i["symbol"]: i for i in doc["ideas"]}
    assert set(ideas) == {"BTC-USD", "GBPUSD=X", "GC=F"} and doc["skipped"] == []
    assert (ideas["BTC-USD"]["outcome"], ideas["BTC-USD"]["exit_date"], ideas["BTC-USD"]["r"]) == \
        ("stop", "2024-07-27", -1.0)
    assert abs(ideas["GBPUSD=X"]["r"] - 0.25) < 1e-6 and ideas["GC=F"]["outcome"] == "target 2/2"
    assert {a["name"] if "name" in a else a.get("author") for a in doc["authors"]} >= set() and doc["authors"]
    # P&L in USD at 1% of 1,000,000 (10,000 risked per idea), by hand (tests/markets/test_markets_money.py
    # derives each from the CSV): GBPUSD 1,000,000 units x +0.0025 = +2,500; gold 4 contracts x 22,005
    # = +88,020; BTC 7.6034 coins x -1,315.20 = -9,999.99.
    money = {s: i["money"] for s, i in ideas.items()}
    assert (money["GBPUSD=X"]["units"], money["GC=F"]["units"], money["BTC-USD"]["units"]) == (1_000_000, 4, 7.6034)
    assert money["GBPUSD=X"]["pnl_position"] == pytest.approx(2_500.0)
    assert money["GC=F"]["pnl_position"] == pytest.approx(88_020.0)
    assert money["BTC-USD"]["pnl_position"] == pytest.approx(-1_315.2 * 7.6034)
    totals = {g["symbol"]: g["money"] for g in doc["authors"]}
    assert totals["GC=F"]["total_pnl"] == pytest.approx(88_020.0) and totals["GC=F"]["ideas_sized"] == 1
