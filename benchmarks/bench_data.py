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

    # Parsing is measured with the on-disk cache off (thesis.cache); the cached read beside it.
    previous = os.environ.get("THESIS_CACHE")
    os.environ["THESIS_CACHE"] = "0"
    try:
        t_ours, t_peer = best_time(ours), best_time(peer)
    finally:
        if previous is None:
            os.environ.pop("THESIS_CACHE")
        else:
            os.environ["THESIS_CACHE"] = previous
    t_cached = best_time(ours)
    return [{"name": f"load {len(files)} constituents -> aligned matrices (high, low, close), warm, parsed",
             "value": t_ours, "unit": "s", "peer": "pandas.read_csv loop + concat (close only)",
             "peer_value": t_peer, "target": "< 3 s", "met": t_ours < 3.0},
            {"name": "same, read from the $THESIS_HOME cache (files unchanged since the last load)",
             "value": t_cached, "unit": "s", "peer": "parsing them (above)", "peer_value": t_ours,
             "target": "-", "met": None}]
