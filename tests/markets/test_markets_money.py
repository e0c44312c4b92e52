"""P&L in the account currency, per unit and per position, on FX, futures and crypto ideas.

Every expected amount is worked out by hand in the comments from the CSV rows the test reads
(or from the synthetic rows it writes), never copied from the code's output.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from thesis.cli import app
from thesis.errors import BadInput
from thesis.replay.run import replay
from thesis.spec import load, parse

ROOT = Path(__file__).resolve().parents[2]
MARKETS = ROOT / "examples" / "markets"


def csv_rows(data_root: Path, symbol: str) -> dict[str, dict[str, float]]:
    with open(data_root / "markets" / f"{symbol}.csv", newline="") as f:
        return {r["date"]: {k: float(v) for k, v in r.items() if k != "date"} for r in csv.DictReader(f)}


def money(path_or_idea, source=None, **account):
    return replay(path_or_idea, source=source, with_confirmations=False, with_options=False,
                  **account).to_dict()["trades"][0]["money"]


def test_gbpusd_pnl_in_usd_per_unit_and_per_position_by_hand():
    # Short 1.3200, stop 1.3300: 100 pips = 0.0100 USD a pound. 1% of 10,000 USD = 100 USD -> 10,000 units.
    # Half out at target 1 (1.3050, +150 pips), half stopped (1.3300, -100 pips): +25 pips = +0.0025 USD
    # a unit, +25.00 USD on the position (and +0.25 R of the 100 USD risked).
    m = money(MARKETS / "gbpusd-cable-double-top-short.toml", account=10_000, risk_fraction=0.01, currency="USD")
    assert (m["units"], m["unit"], m["currency"], m["rate_at_fill"], m["rate_at_exit"]) == (10_000, "units", "USD",
                                                                                           1.0, 1.0)
    assert m["max_loss"] == pytest.approx(100.0)
    assert m["pnl_per_unit"] == pytest.approx(0.0025) and m["pnl_position"] == pytest.approx(25.0)
    res = CliRunner().invoke(app, ["replay", str(MARKETS / "gbpusd-cable-double-top-short.toml"),
                                   "--account", "10000", "--risk", "1%"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "10,000 units" in res.output and "+0.0025 USD per unit, +25.00 USD on the position" in res.output


def test_gold_pnl_per_contract_and_per_position_by_hand(data_root):
    rows = csv_rows(data_root, "GC=F")
    # Buy limit 2035 filled at the open 2034.3 on 2024-02-29 (it opened under the limit); the targets
    # gapped: 2200 filled at the open 2207.0 on 2024-03-21, 2300 at the open 2301.7 on 2024-04-04.
    assert rows["2024-02-29"]["open"] == pytest.approx(2034.3)
    assert rows["2024-03-21"]["open"] == pytest.approx(2207.0) and rows["2024-04-04"]["open"] == pytest.approx(2301.7)
    m = money(MARKETS / "gold-breakout-long.toml", account=1_000_000, risk_fraction=0.01, currency="USD")
    # 1 R = (2034.3 - 2010) x 100 oz = 2,430 USD a contract; 10,000 USD / 2,430 = 4.1 -> 4 contracts.
    assert (m["units"], m["unit"]) == (4, "contracts") and m["max_loss"] == pytest.approx(9_720.0)
    # (0.5 x 2207.0 + 0.5 x 2301.7 - 2034.3) x 100 = 22,005 USD a contract; x 4 = 88,020 USD.
    assert m["pnl_per_unit"] == pytest.approx(22_005.0) and m["pnl_position"] == pytest.approx(88_020.0)
    # With 10,000 USD at 1% one contract (2,430 USD) is over the 100 USD budget: nothing is bought.
    small = money(MARKETS / "gold-breakout-long.toml", account=10_000, risk_fraction=0.01)
    assert small["units"] == 0 and small["pnl_position"] == 0.0


def test_btc_pnl_on_a_fractional_position_by_hand(data_root):
    rows = csv_rows(data_root, "BTC-USD")
    # Sell limit 67,500 filled at the open 67,584.80 on 2024-07-23 (above the limit); stopped at
    # 68,900 on Saturday 2024-07-27 (high above it).
    assert rows["2024-07-23"]["open"] == pytest.approx(67_584.80) and rows["2024-07-27"]["high"] > 68_900
    m = money(MARKETS / "btc-68k-rejection-short.toml", account=1_000_000, risk_fraction=0.01)
    # 1 R = 68,900 - 67,584.80 = 1,315.20 USD a coin; 10,000 / 1,315.20 = 7.60340... -> 7.6034 coins.
    assert (m["units"], m["unit"]) == (7.6034, "coins")
    assert m["pnl_per_unit"] == pytest.approx(-1_315.20)
    assert m["pnl_position"] == pytest.approx(-1_315.20 * 7.6034)        # -9,999.99 USD: just under 1% lost


def _synthetic(tmp_path: Path, with_usdjpy: bool = True) -> Path:
    """EURJPY=X (160.0 + 0.5 a weekday) and USDJPY=X (150.0 + 0.1 a weekday) from Monday 2024-03-04."""
    folder = tmp_path / "data" / "markets"
    folder.mkdir(parents=True)
    days = pd.bdate_range("2024-03-04", periods=20)
    for symbol, base, step in (("EURJPY=X", 160.0, 0.5), ("USDJPY=X", 150.0, 0.1))[:2 if with_usdjpy else 1]:
        lines = ["date,open,high,low,close,volume"]
        for k, d in enumerate(days):
            c = base + step * k
            lines.append(f"{d.date()},{c - 0.2:.3f},{c + 0.3:.3f},{c - 0.3:.3f},{c:.3f},0")
        (folder / f"{symbol}.csv").write_text("\n".join(lines) + "\n")
    return tmp_path / "data"


EURJPY_IDEA = ('schema_version = 1\n[idea]\ntitle = "EURJPY long"\nsymbol = "EURJPY"\npublished = 2024-03-05\n'
               'direction = "long"\n[levels]\nentry_zone = [160.20, 160.30]\nstop = 159.75\ntargets = [162.25]\n'
               '[entry]\norder = "limit"\nprice = 160.25\n')


def test_eurjpy_sized_in_usd_through_a_synthetic_usdjpy_series(tmp_path):
    root = _synthetic(tmp_path)
    idea = parse(EURJPY_IDEA)
    assert (idea.symbol, idea.instrument.currency) == ("EURJPY=X", "JPY")
    m = money(idea, source=f"csv:{root}", account=10_000, risk_fraction=0.01, currency="USD")
    # Tue 2024-03-05 (k=1): open 160.30 above the limit, low 160.20 below it: filled at 160.25.
    # 1 R = 160.25 - 159.75 = 0.50 JPY a euro = 0.50 / 150.1 USD (USDJPY close that day) -> 100 USD buys
    # 100 x 150.1 / 0.5 = 30,020 euros.
    assert m["rate_at_fill"] == pytest.approx(1 / 150.1) and m["units"] == 30_020
    # Fri 2024-03-08 (k=4): high 162.30 reaches the target 162.25 (open 161.80 below it): +2.00 JPY a euro,
    # converted at that day's USDJPY close 150.4: 2 / 150.4 = 0.0132979 USD a euro, 399.20 USD in all.
    assert m["rate_at_exit"] == pytest.approx(1 / 150.4)
    assert m["pnl_per_unit_quote"] == pytest.approx(2.0) and m["quote_currency"] == "JPY"
    assert m["pnl_per_unit"] == pytest.approx(2 / 150.4) and m["pnl_position"] == pytest.approx(30_020 * 2 / 150.4)
    assert any("USDJPY=X" in via for via in m["rate_from"])


def test_eurjpy_in_usd_without_a_usdjpy_series_is_a_clear_error(tmp_path):
    root = _synthetic(tmp_path, with_usdjpy=False)
    with pytest.raises(BadInput, match=r"JPYUSD=X nor USDJPY=X"):
        money(parse(EURJPY_IDEA), source=f"csv:{root}", account=10_000, risk_fraction=0.01, currency="USD")
    # In its own quote currency it needs no rate: 100 JPY / 0.50 = 200 euros, +2.00 JPY each: +400 JPY.
    m = money(parse(EURJPY_IDEA), source=f"csv:{root}", account=10_000, risk_fraction=0.01, currency="JPY")
    assert (m["units"], m["pnl_position"]) == (200, pytest.approx(400.0))


def test_texts_use_the_instruments_precision_and_unit_words():
    gbp = load(MARKETS / "gbpusd-cable-double-top-short.toml").instrument
    btc = load(MARKETS / "btc-68k-rejection-short.toml").instrument
    assert (gbp.price_text(1.32), gbp.move_text(0.0025), gbp.unit_word) == ("1.3200", "+25.0 pips", "unit")
    assert (btc.price_text(67584.8), btc.move_text(-1315.2), btc.unit_word) == ("67584.80", "-1315.20/coin", "coin")


def test_state_sentences_claims_and_triggers_read_in_the_instruments_units(data_root):
    from thesis.evaluate import evaluate

    gbp_close = csv_rows(data_root, "GBPUSD=X")["2024-09-12"]["close"]
    assert gbp_close == pytest.approx(1.303951)
    doc = evaluate(MARKETS / "gbpusd-cable-double-top-short.toml", asof="2024-09-12")
    # Half out at 1.3050 (+150 pips); half open at the close 1.303951 (+160.49 pips): +155.2 pips,
    # +1.55 R of the 100-pip risk. Prices at the pip: 1.3200, not 1.32.
    pips = 0.5 * 150 + 0.5 * (1.32 - gbp_close) / 0.0001
    assert f"{pips:+.1f}" == "+155.2"
    assert doc["state"]["text"].startswith("in trade since 2024-08-27 at 1.3200: +155.2 pips (+1.55 R on the "
                                           "position) with target 1 taken at 1.3050")
    assert doc["state"]["text"].endswith("stop 1.3300") and "/share" not in doc["state"]["text"]
    assert "(1.3050) hit at 1.3050" in " ".join(e["text"] for e in doc["events"])
    btc_close = csv_rows(data_root, "BTC-USD")["2024-07-25"]["close"]
    doc = evaluate(MARKETS / "btc-68k-rejection-short.toml", asof="2024-07-25")
    # Short from 67,584.80; the close 65,777.23 is 1,807.57 a coin in the trade's favour: +1.37 R of 1,315.20.
    assert btc_close == pytest.approx(65_777.23)
    assert doc["state"]["text"] == "in trade since 2024-07-23 at 67584.80: +1807.57/coin (+1.37 R on the position); " \
                                   "stop 68900.00"
    assert "short from 67500.00 with stop 68900.00 risks 1400.00" in doc["arithmetic"]["claims"][0]["sentence"]


def test_a_scale_out_converts_each_leg_at_its_own_sessions_rate(tmp_path):
    root = _synthetic(tmp_path)
    idea = parse(EURJPY_IDEA.replace("targets = [162.25]\n", "targets = [161.25, 162.25]\nsizes = [0.5, 0.5]\n"))
    m = money(idea, source=f"csv:{root}", account=10_000, risk_fraction=0.01, currency="USD")
    # Filled Tue 03-05 at 160.25 (as above). Wed 03-06 (k=2): high 161.30 takes half at 161.25 (+1.00 JPY),
    # USDJPY closes 150.2; Fri 03-08 (k=4): the other half at 162.25 (+2.00 JPY), USDJPY 150.4.
    per_unit = 0.5 * 1.0 / 150.2 + 0.5 * 2.0 / 150.4
    assert m["pnl_per_unit_quote"] == pytest.approx(1.5)
    assert m["pnl_per_unit"] == pytest.approx(per_unit, rel=1e-12)
    assert m["pnl_per_unit"] != pytest.approx(1.5 / 150.4, rel=1e-9)       # not the last leg's rate for both
    assert m["pnl_position"] == pytest.approx(30_020 * per_unit, rel=1e-12)


def test_evaluate_gives_the_positions_pnl_at_the_asof_close_by_hand(data_root):
    from thesis.evaluate import evaluate

    path = MARKETS / "gbpusd-cable-double-top-short.toml"
    done = evaluate(load(path), account=10_000, risk_fraction=0.01, currency="USD")["arithmetic"]["sizing"]["money"]
    assert done["units"] == 10_000 and done["pnl_position"] == pytest.approx(25.0)     # as replay, above
    # 2024-09-12: half out at 1.3050 on 09-10 (+0.0150 a pound), the other half open, marked at that
    # session's close from the CSV: per unit 0.5 x 0.0150 + 0.5 x (1.3200 - close).
    close = csv_rows(data_root, "GBPUSD=X")["2024-09-12"]["close"]
    doc = evaluate(load(path), asof="2024-09-12", account=10_000, risk_fraction=0.01, currency="USD")
    m = doc["arithmetic"]["sizing"]["money"]
    assert m["pnl_per_unit"] == pytest.approx(0.5 * 0.0150 + 0.5 * (1.32 - close), abs=1e-9)
    assert m["pnl_position"] == pytest.approx(10_000 * m["pnl_per_unit"])
    res = CliRunner().invoke(app, ["evaluate", str(path), "--asof", "2024-09-12", "--account", "10000", "--risk", "1%"],
                             env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert f"{10_000 * m['pnl_per_unit']:+,.2f} USD on 10,000 units" in res.output
