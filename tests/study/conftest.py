"""Study tests: ``check_study_doc`` checks a study's JSON document against its own occurrences
(values, types, consistency); the CLI test and the universe test use it."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

CLOSED = ("stop", "target", "time")


def wilson(hits: int, n: int) -> tuple[float, float]:
    z = norm.ppf(0.975)
    p = hits / n
    mid = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, mid - half), min(1.0, mid + half)


def check_figures(fig: dict, r: list[float], outcomes: list[str]) -> None:
    """Headline figures of closed trades with R multiples ``r`` and outcomes ``outcomes``."""
    n = len(r)
    assert isinstance(fig["signals"], int) and fig["signals"] == n > 0
    hits = outcomes.count("target")
    assert fig["hit_rate"] == pytest.approx(hits / n)
    assert fig["hit_rate_ci"] == pytest.approx(list(wilson(hits, n)))
    assert fig["win_rate"] == pytest.approx(sum(x > 0 for x in r) / n)
    assert isinstance(fig["mean_r"], float) and fig["mean_r"] == pytest.approx(np.mean(r), abs=1e-6)
    lo, hi = fig["mean_r_ci"]
    assert lo < fig["mean_r"] < hi and hi - lo < 2 * np.std(r)     # a bootstrap interval of the mean
    assert fig["expectancy"] == pytest.approx(fig["mean_r"])        # win x avg win - loss x avg loss
    losses = -sum(x for x in r if x < 0)
    if losses > 0:
        assert fig["profit_factor"] == pytest.approx(sum(x for x in r if x > 0) / losses, rel=1e-6)
    assert 0.0 <= fig["p_mean_r_gt0"] <= 1.0
    assert (fig["p_mean_r_gt0"] > 0.5) == (fig["mean_r"] < 0)


def check_study_doc(doc: dict, base_rate: int = 1) -> None:
    occ = doc["occurrences"]
    assert occ and all(isinstance(o["date"], str) and len(o["date"]) == 10 for o in occ)
    assert [(o["symbol"], o["date"]) for o in occ] == sorted((o["symbol"], o["date"]) for o in occ)
    closed = [o for o in occ if o["outcome"] in CLOSED]
    assert {o["outcome"] for o in occ} <= set(CLOSED) | {"open"}
    check_figures(doc, [o["r"] for o in closed], [o["outcome"] for o in closed])
    s = doc["summary"]
    assert s["outcomes"] == {k: sum(o["outcome"] == k for o in closed) for k in ("target", "stop", "time")}
    assert s["open_trades"] == len(occ) - len(closed)
    sign = -1 if doc["idea"]["direction"] == "short" else 1
    for o in closed:                 # R of each trade from its own fill, stop and exit (no costs here)
        assert o["entry_date"] > o["date"] and o["exit_date"] >= o["entry_date"]
        assert sign * (o["stop"] - o["entry_price"]) < 0 < sign * (o["target"] - o["entry_price"])
        risk = abs(o["entry_price"] - o["stop"])
        assert o["r"] == pytest.approx(sign * (o["exit_price"] - o["entry_price"]) / risk, abs=1e-5)
        if o["outcome"] == "target":
            assert sign * (o["exit_price"] - o["target"]) >= -1e-6
        if o["outcome"] == "stop":
            assert sign * (o["exit_price"] - o["stop"]) <= 1e-6
    base = doc["base_rate"]
    assert isinstance(base["signals"], int) and base["signals"] > 0
    assert 0.0 <= base["hit_rate"] <= 1.0 and base["mean_r_ci"][0] < base["mean_r"] < base["mean_r_ci"][1]
    assert base["signals"] + base["open_trades"] <= base_rate * len(occ)
    assert doc["edge"]["mean_r_diff"] == pytest.approx(doc["mean_r"] - base["mean_r"])


@pytest.fixture
def study_doc_check():
    return check_study_doc
