"""Loading and replaying on a 7-day calendar (BTC-USD, 24/7) against the NYSE (SPY), per bar.

Both series are cut to the same number of bars (the last rows of each file, written to a
temporary csv root), so fixed costs weigh the same; loading is measured with the on-disk cache
off (parse, validation against the instrument's calendar, the bad-print rule, vendor faults) in
a fresh provider each time. Replay: the same short idea (zone, stop, two targets, a trigger) on
each, from the first bar to the last.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from benchmarks._timing import best_time

BARS = 3600


def _root(data: Path, tmp: Path) -> Path:
    root = tmp / "root"
    for folder, symbol in (("markets", "BTC-USD"), ("daily", "SPY")):
        (root / folder).mkdir(parents=True, exist_ok=True)
        lines = (data / folder / f"{symbol}.csv").read_text().splitlines()
        (root / folder / f"{symbol}.csv").write_text("\n".join([lines[0]] + lines[-BARS:]) + "\n")
    return root


def _idea(symbol: str, first: str, close: float):
    from thesis.spec import parse

    lo, hi = round(close * 1.00, 2), round(close * 1.02, 2)
    return parse(f'schema_version = 1\n[idea]\ntitle = "bench"\nsymbol = "{symbol}"\npublished = {first}\n'
                 f'direction = "short"\nhorizon = "20y"\n[levels]\nentry_zone = [{lo}, {hi}]\n'
                 f'stop = {round(close * 1.3, 2)}\ntargets = [{round(close * 0.7, 2)}, {round(close * 0.5, 2)}]\n'
                 f'[entry]\norder = "limit"\nprice = {hi}\n[[triggers]]\nkind = "outside_bar"\ntimeframe = "1d"\n')


def _per_bar(root: Path, symbol: str) -> tuple[float, float, int]:
    from thesis.data.adapters.csv_folder import CsvFolder
    from thesis.replay.run import replay

    source = f"csv:{root}"

    def load():
        return CsvFolder(root).fetch(symbol)

    bars = load()
    idea = _idea(symbol, str(bars.index[0].date()), float(bars["close"].iloc[0]))
    previous = os.environ.get("THESIS_CACHE")
    os.environ["THESIS_CACHE"] = "0"
    try:
        t_load = best_time(load)
    finally:
        if previous is None:
            os.environ.pop("THESIS_CACHE")
        else:
            os.environ["THESIS_CACHE"] = previous
    t_replay = best_time(lambda: replay(idea, source=source, bars=bars, with_confirmations=False))
    return t_load / len(bars), t_replay / len(bars), len(bars)


def run() -> list[dict]:
    data = Path(os.environ["THESIS_DATA"])
    with tempfile.TemporaryDirectory() as tmp:
        root = _root(data, Path(tmp))
        crypto_load, crypto_replay, n = _per_bar(root, "BTC-USD")
        nyse_load, nyse_replay, _ = _per_bar(root, "SPY")
    us = 1e6
    ours, peer = (crypto_load + crypto_replay) * us, (nyse_load + nyse_replay) * us
    return [
        {"name": f"load {n:,} BTC-USD bars (24/7 calendar), per bar", "value": crypto_load * us, "unit": "us",
         "peer": f"SPY, {n:,} bars, NYSE", "peer_value": nyse_load * us, "target": "-", "met": None},
        {"name": f"replay an idea over {n:,} BTC-USD bars, per bar", "value": crypto_replay * us, "unit": "us",
         "peer": f"SPY, {n:,} bars, NYSE", "peer_value": nyse_replay * us, "target": "-", "met": None},
        # 25% slack for run-to-run noise on a shared machine
        {"name": "load + replay on a 7-day calendar, per bar", "value": ours, "unit": "us",
         "peer": "the same on the NYSE calendar", "peer_value": peer, "target": "<= NYSE's (+25% noise)",
         "met": ours <= 1.25 * peer},
    ]
