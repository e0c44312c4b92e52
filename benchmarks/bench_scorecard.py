"""Scorecard over 1,000 generated ideas on the S&P 500 constituents (500 symbols x 2 ideas),
including the random-entry skill test with 1,000 draws.

Ours: thesis.scorecard.scorecard (bars read once per folder, replays on preloaded bars, one
fill-kernel call per symbol for the random draws). Peer: calling thesis.replay on each idea
file the plain way (each call loads its bars), timed on 50 ideas and scaled to 1,000.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np


def generate_ideas(folder: Path, universe: Path, n: int = 1000, seed: int = 7) -> list[Path]:
    """n limit ideas: random symbol and date, entry 0-3% from the last close, stop 4-8% beyond,
    targets at 2R and 3R (half each), horizon 3 months or 60 sessions."""
    from thesis.data import load_fields

    rng = np.random.default_rng(seed)
    close = load_fields(f"csv:{universe}", ("close",))["close"]
    symbols = sorted(close.columns)[:500]
    dates = close.index[(close.index >= "2016-01-04") & (close.index <= "2025-06-30")]
    paths = []
    for i in range(n):
        sym = symbols[i % len(symbols)]
        d = dates[rng.integers(len(dates))]
        series = close[sym].loc[:d].dropna()
        if len(series) < 2:
            d, series = dates[-1], close[sym].dropna()
        ref = float(series.iloc[-2])
        short = bool(rng.integers(2))
        s = -1 if short else 1
        entry = round(ref * (1 - s * rng.uniform(0.0, 0.03)), 2)
        risk = entry * rng.uniform(0.04, 0.08)
        stop = round(entry - s * risk, 2)
        t1, t2 = round(entry + s * 2 * risk, 2), round(entry + s * 3 * risk, 2)
        zone = sorted([entry, round(entry * (1 + s * 0.005), 2)])
        horizon = "3mo" if rng.integers(2) else "60s"
        text = f"""schema_version = 1
[idea]
title = "generated {sym} {i}"
symbol = "{sym}"
published = {d.date()}
direction = "{'short' if short else 'long'}"
horizon = "{horizon}"
author = "author-{i % 20:02d}"
adjustment = "adjusted"
[levels]
entry_zone = [{zone[0]}, {zone[1]}]
stop = {stop}
targets = [{t1}, {t2}]
sizes = [0.5, 0.5]
[entry]
order = "limit"
price = {entry}
[claims]
risk_reward = 2.5
"""
        p = folder / f"idea-{i:04d}.toml"
        p.write_text(text)
        paths.append(p)
    return paths


def run() -> list[dict]:
    from thesis.replay import replay
    from thesis.scorecard import scorecard
    from thesis.spec import load

    universe = Path(os.environ["THESIS_DATA"]) / "sp500-constituents"
    source = f"csv:{universe}"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = generate_ideas(folder, universe)
        scorecard(folder, source=source, draws=50, with_setup=False)       # warm: numba, page cache
        t = time.perf_counter()
        card = scorecard(folder, source=source, draws=1000, with_setup=False)
        ours = time.perf_counter() - t
        sample = paths[:50]
        t = time.perf_counter()
        for p in sample:
            replay(load(p), source=source, with_confirmations=False, with_options=False)
        peer = (time.perf_counter() - t) * len(paths) / len(sample)
    graded = sum(g.outcome != "error" for g in card.grades)
    return [{"name": f"scorecard: {graded} ideas + 1,000-draw skill test "
                     f"(replay {card.timing['replay_s']:.1f} s, skill {card.timing['skill_s']:.1f} s)",
             "value": ours, "unit": "s", "peer": "thesis.replay per idea file, scaled from 50",
             "peer_value": peer, "target": "< 10 s", "met": ours < 10.0}]
