"""Loading all of sp500-constituents into an aligned dates x symbols matrix."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from benchmarks._timing import best_time
from thesis.data import load_fields



def run() -> list[dict]:
    folder = Path(os.environ["THESIS_DATA"]) / "sp500-constituents"
    files = sorted(folder.glob("*.csv"))

    def ours():
        load_fields(f"csv:{folder}", ("high", "low", "close"))

    def peer():
        frames = {f.stem: pd.read_csv(f, index_col="date", parse_dates=True) for f in files}
        pd.concat({k: v["close"] for k, v in frames.items()}, axis=1)

    t_ours, t_peer = best_time(ours), best_time(peer)
    return [{"name": f"load {len(files)} constituents -> aligned matrices (high, low, close), warm",
             "value": t_ours, "unit": "s", "peer": "pandas.read_csv loop + concat (close only)",
             "peer_value": t_peer, "target": "< 3 s", "met": t_ours < 3.0}]
