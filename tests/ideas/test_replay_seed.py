"""The seed idea replayed on real bars, each figure re-derived from the raw CSV here."""
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from thesis import evaluate, load, replay
from thesis.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEED = EXAMPLES / "iwm-no-love-for-small-caps.toml"


@pytest.fixture(scope="module")
def raw(data_root):
    return pd.read_csv(data_root / "daily" / "IWM.csv", index_col="date", parse_dates=True)


@pytest.fixture(scope="module")
def doc():
    return replay(load(SEED)).to_dict()


def test_arithmetic_and_claim(doc):
    rr = doc["risk_reward"]
    assert rr["planned"] == pytest.approx((188 - 130) / (212 - 188))
    assert rr["claimed"] == 7.0 and rr["claim_consistent"] is False
    assert rr["break_even_win_rate"] == pytest.approx(1 / (1 + 58 / 24))
    assert "does not hold" in doc["claims"][0]["sentence"]


def test_limit_trade_against_raw_bars(doc, raw):
    t = next(t for t in doc["trades"] if t["variant"] == "limit")
    after = raw.loc["2023-06-05":]
    fill_day = after.index[(after["high"] >= 188).to_numpy().argmax()]
    assert t["entry"]["date"] == str(fill_day.date()) == "2023-06-13"
    assert t["entry"]["price"] == max(188.0, raw.loc[fill_day, "open"])
    horizon = fill_day + pd.DateOffset(months=6)
    last = raw.index[raw.index <= horizon][-1]
    held = raw.loc[fill_day:last]
    assert held["high"].max() < 212 and held["low"].min() > 130  # neither stop nor target
    assert t["exit"] == {"date": str(last.date()), "price": raw.loc[last, "close"], "reason": "time"}
    assert t["mfe"]["price"] == held["low"].min() and t["mfe"]["date"] == str(held["low"].idxmin().date())
    assert t["mae"]["price"] == held["high"].max() and t["mae"]["date"] == str(held["high"].idxmax().date())
    pnl = 188.0 - raw.loc[last, "close"]
    assert t["pnl"]["per_share"] == pytest.approx(pnl) and t["pnl"]["r"] == pytest.approx(pnl / 24)
    assert t["mfe"]["r"] == pytest.approx((188 - held["low"].min()) / 24)
    assert t["days_held"] == (last - fill_day).days


def test_signal_variant_enters_after_outside_bar_rejection(doc, raw):
    prev = raw.shift(1)
    rule = ((raw["high"] > prev["high"]) & (raw["low"] < prev["low"]) & (raw["high"] >= 188)
            & (raw["close"] < 188) & (raw["close"] < raw["open"]))
    first = rule.loc["2023-06-05":].idxmax()
    assert str(first.date()) in [x["date"] for x in doc["triggers"] if x["kind"] == "outside_bar_rejection"]
    t = next(t for t in doc["trades"] if t["variant"] == "signal")
    nxt = raw.index[raw.index > first][0]
    assert t["entry"]["date"] == str(nxt.date()) and t["entry"]["price"] == raw.loc[nxt, "open"]


def test_notes_have_price_and_state(doc, raw):
    notes = {n["date"]: n for n in doc["notes"]}
    assert notes["2023-06-05"]["state"] == "waiting" and notes["2023-06-05"]["price"] == raw.loc["2023-06-05", "close"]
    assert notes["2023-06-14"]["state"] == "in trade"
    assert notes["2023-07-31"]["position_r"] == pytest.approx((188 - raw.loc["2023-07-31", "close"]) / 24, abs=1e-4)
    assert all(len(n["confirmations"]) == 7 for n in doc["notes"])


def test_options_leg_is_a_model_price(doc):
    o = doc["options"]
    assert "MODEL" in o["price_kind"] and o["type"] == "put" and o["path"][0]["date"] == "2023-06-13"
    first, low = o["path"][0], min(o["path"], key=lambda r: r["spot"])
    # The put and the short both gain when IWM falls; the stock leg is shown beside the option.
    assert low["option_pnl"] > first["option_pnl"] and low["stock_pnl_per_share"] == pytest.approx(188 - low["spot"])


def test_evaluate_on_the_trigger_day():
    ev = evaluate(load(SEED), asof="2023-06-14")
    assert ev["asof"] == "2023-06-14" and ev["state"]["state"] == "in trade"
    assert "outside_bar_rejection" in [t["kind"] for t in ev["triggers_recent"]]
    assert ev["levels"]["stop"]["distance"] == pytest.approx(212 - 185.91)
    # Evaluated as of a date, nothing after it is used.
    assert all(t["exit"]["reason"] in (None, "open") for t in ev["trades"])


def test_long_example_scales_out(data_root, raw):
    d = replay(load(EXAMPLES / "iwm-oversold-bounce-long.toml")).to_dict()
    t = d["trades"][0]
    assert t["filled"] and t["entry"]["price"] <= 164.0
    kinds = [leg["kind"] for leg in t["legs"]]
    assert kinds[0] == "target" and t["legs"][0]["level"] == 176.0
    first_hit = raw.loc[t["entry"]["date"]:]
    assert t["legs"][0]["date"] == str(first_hit.index[(first_hit["high"] >= 176).to_numpy().argmax()].date())


def test_cli_replay_json_and_chart(tmp_path):
    png = tmp_path / "seed.png"
    res = CliRunner().invoke(app, ["replay", str(SEED), "--json", "--chart", str(png)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    for key in ("planned", "claimed", "claim_consistent", "break_even_win_rate"):
        assert key in doc["risk_reward"]
    t = doc["trades"][0]
    for path in ("entry.date", "entry.price", "exit.date", "exit.price", "exit.reason", "mfe.price", "mfe.date",
                 "mae.price", "mae.date", "pnl.per_share", "pnl.r"):
        a, b = path.split(".")
        assert b in t[a]
    from PIL import Image

    assert Image.open(png).size == (1600, 900)


def test_cli_check_errors_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SEED.read_text().replace("stop = 212.0", "stop = 100.0"))
    res = CliRunner().invoke(app, ["check", str(bad)])
    assert res.exit_code == 2 and "bad.toml, line" in res.stderr and "levels.stop" in res.stderr
    ok = CliRunner().invoke(app, ["check", str(SEED)])
    assert ok.exit_code == 0 and "2.42:1" in ok.stdout


def test_session_horizon_counts_from_entry(raw):
    text = SEED.read_text().replace('horizon = "6mo"', 'horizon = "20s"')
    from thesis.spec import parse

    d = replay(parse(text, "20s.toml"), with_confirmations=False, with_options=False).to_dict()
    t = d["trades"][0]
    sessions = raw.loc[t["entry"]["date"]:].index
    assert t["exit"]["reason"] == "time" and t["exit"]["date"] == str(sessions[19].date())
    assert t["sessions_held"] == 20


def test_evaluate_sizes_shares_and_contracts():
    ev = evaluate(load(SEED), asof="2023-06-14", account=100_000, risk_fraction=0.01)
    shares = ev["arithmetic"]["sizing"]["shares"]
    assert shares["units"] == int(1000 // 24) and shares["max_loss"] <= 1000
    c = ev["arithmetic"]["sizing"]["contracts"]
    assert c["units"] == int(1000 // (c["premium"] * 100)) and "MODEL" in c["option"]["price_kind"]
    res = CliRunner().invoke(app, ["evaluate", str(SEED), "--asof", "2023-06-14", "--account", "100000"])
    assert res.exit_code == 0 and "41 shares" in res.stdout
