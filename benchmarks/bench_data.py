"""Loading all of sp500-constituents into an aligned dates x symbols matrix."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd

from thesis.data import load_fields


def _best(fn, repeat=3) -> float:
    fn()  # warm: page cache, imports
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def run() -> list[dict]:
    folder = Path(os.environ["THESIS_DATA"]) / "sp500-constituents"
    files = sorted(folder.glob("*.csv"))

    def ours():
        load_fields(f"csv:{folder}", ("high", "low", "close"))

    def peer():
        frames = {f.stem: pd.read_csv(f, index_col="date", parse_dates=True) for f in files}
        pd.concat({k: v["close"] for k, v in frames.items()}, axis=1)

    t_ours, t_peer = _best(ours), _best(peer)
    return [{"name": f"load {len(files)} constituents -> aligned matrices (high, low, close), warm",
             "value": t_ours, "unit": "s", "peer": "pandas.read_csv loop + concat (close only)",
             "peer_value": t_peer, "target": "< 3 s", "met": t_ours < 3.0}]
