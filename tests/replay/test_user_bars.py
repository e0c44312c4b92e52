"""The Python API on a user's own DataFrame: replay and evaluate take ``bars=`` (a frame, or a
mapping of symbols to frames for confirmations), validated like a CSV file."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import thesis
from thesis.errors import BadInput, DataFileError

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"


def _frame(data_root, symbol: str) -> pd.DataFrame:
    """A trader's own frame, built here from the raw file with the csv module (not thesis' loader):
    capitalised columns, dates as a DatetimeIndex, as yfinance or a broker hands them over."""
    with open(data_root / "daily" / f"{symbol}.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    index = pd.DatetimeIndex([r["date"] for r in rows], name="Date")
    return pd.DataFrame({name.capitalize(): [float(r[name]) for r in rows]
                         for name in ("open", "high", "low", "close", "volume")}, index=index)


def test_replay_the_seed_from_a_dataframe(data_root):
    iwm = _frame(data_root, "IWM")
    res = thesis.replay(SEED, bars=iwm, with_confirmations=False, with_options=False)
    doc = res.to_dict()
    limit = doc["trades"][0]
    assert doc["data"]["source"] == "frames"
    assert limit["variant"] == "limit"
    assert (limit["entry"]["date"], limit["entry"]["price"]) == ("2023-06-13", 188.0)
    assert (limit["exit"]["date"], limit["exit"]["price"], limit["exit"]["reason"]) == ("2023-12-13", 193.33, "time")
    assert limit["pnl"]["r"] == pytest.approx(-0.2221, abs=1e-4)
    # the same trades as the replay on the loaded bars
    loaded = thesis.replay(SEED, with_confirmations=False, with_options=False).to_dict()
    assert doc["trades"] == loaded["trades"]


def test_evaluate_on_a_mapping_serves_the_confirmations(data_root):
    frames = {"IWM": _frame(data_root, "IWM"), "SPY": _frame(data_root, "SPY")}
    doc = thesis.evaluate(SEED, asof="2023-06-14", bars=frames)
    assert doc["state"]["state"] == "in trade" and doc["price"]["close"] == 185.91
    vs_spy = [c for c in doc["confirmations"] if c["kind"] == "relative_strength" and "IWM/SPY" in c["text"]]
    assert len(vs_spy) == 1 and vs_spy[0]["status"] in ("pass", "fail")      # SPY came from the mapping
    # QQQ is not in the mapping and no source was given: reported as missing data, not an error
    assert "no data for QQQ in the frames passed as bars" in doc["data"]["missing"]


def test_a_bad_frame_names_the_parameter_and_the_symbol(data_root):
    iwm = _frame(data_root, "IWM")
    with pytest.raises(BadInput, match=r"bars for IWM has no close column"):
        thesis.replay(SEED, bars=iwm.drop(columns=["Close"]), with_confirmations=False)
    broken = iwm.copy()
    broken.iloc[100, broken.columns.get_loc("High")] = -5.0
    with pytest.raises(DataFileError, match=r"bars\[IWM\].*non-positive price"):
        thesis.replay(SEED, bars=broken, with_confirmations=False)
    with pytest.raises(BadInput, match="must be a pandas DataFrame"):
        thesis.replay(SEED, bars=[1, 2, 3], with_confirmations=False)
