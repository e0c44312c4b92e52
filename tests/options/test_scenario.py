"""Scenario grid, IV view, touch probability (closed form vs Monte Carlo) and the chart."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from PIL import Image

from thesis.errors import BadInput
from thesis.options.chart import save_scenario_png
from thesis.options.scenario import scenario_grid, touch_probability, touch_probability_mc
from thesis.options.strategies import long_put, vertical

ASOF = dt.date(2023, 6, 5)
EXP = dt.date(2023, 12, 15)


@pytest.fixture(scope="module")
def grid():
    pos = vertical("put", 183, 130, EXP)
    return scenario_grid(pos, ASOF, 188, 0.2, rate=0.05, div_yield=0.012, n_prices=31, n_dates=5,
                         stop=212, targets=[130], horizon_date=ASOF + dt.timedelta(days=180))


def test_grid_shape_and_expiry_row(grid):
    assert grid.value.shape == (5, 31) and grid.pnl.shape == (5, 31)
    assert grid.dates[0] == ASOF and grid.dates[-1] == EXP
    assert grid.prices.min() == pytest.approx(0.9 * 130) and grid.prices.max() == pytest.approx(1.1 * 212)
    np.testing.assert_allclose(grid.value[-1], grid.position.payoff(grid.prices))
    np.testing.assert_allclose(grid.pnl, grid.value - grid.cost)
    # on the as-of date at the spot the P&L is zero (premiums priced there)
    assert np.interp(188, grid.prices, grid.pnl[0]) == pytest.approx(0.0, abs=15)


def test_iv_view(grid):
    assert grid.iv_shifts_points == [-5.0, 0.0, 5.0]
    assert grid.iv_pnl.shape == (3, 31)
    assert grid.iv_date == ASOF + dt.timedelta(days=180)
    np.testing.assert_allclose(grid.iv_pnl[1], grid.position.pnl(grid.prices, grid.iv_date, 0.2, 0.05, 0.012))
    # a long put alone gains from more vol everywhere
    single = scenario_grid(long_put(180, EXP), ASOF, 188, 0.2, n_prices=11, iv_date=dt.date(2023, 9, 1))
    assert (single.iv_pnl[2] > single.iv_pnl[1]).all() and (single.iv_pnl[1] > single.iv_pnl[0]).all()


def test_to_dict_is_plain(grid):
    d = grid.to_dict()
    assert len(d["pnl"]) == 5 and len(d["pnl"][0]) == 31
    assert [t["kind"] for t in d["touch_probability"]] == ["stop", "target"]
    assert d["iv_view"]["shifts_points"] == [-5.0, 0.0, 5.0]


def test_touch_probability_hand_case():
    # zero log-drift (drift = vol^2 / 2): reflection principle gives 2 N(-|x| / (vol sqrt t))
    x, vol, t = math.log(110 / 100), 0.3, 0.75
    expect = 2 * 0.5 * math.erfc(abs(x) / (vol * math.sqrt(t)) / math.sqrt(2))
    assert touch_probability(100, 110, t, vol, drift=vol**2 / 2) == pytest.approx(expect, abs=1e-14)
    assert touch_probability(100, 100, 1.0, 0.2) == 1.0
    assert touch_probability(100, 120, 0.0, 0.2) == 0.0


@pytest.mark.parametrize("spot,level,t,vol,drift", [
    (100, 110, 1.0, 0.3, 0.05), (100, 85, 0.5, 0.25, 0.0), (188, 160, 180 / 365, 0.2, 0.038),
    (188, 212, 180 / 365, 0.2, -0.10),
])
def test_touch_probability_matches_monte_carlo(spot, level, t, vol, drift):
    closed = touch_probability(spot, level, t, vol, drift)
    n = 20_000
    mc = touch_probability_mc(spot, level, t, vol, drift, n_paths=n, n_steps=250, seed=11)
    se = math.sqrt(max(closed * (1 - closed), 1e-4) / n)
    assert abs(mc - closed) < 4 * se + 2e-3


def test_touch_probability_vectorised_and_monotone():
    p = touch_probability(188, np.array([180.0, 160.0, 140.0, 130.0]), 0.5, 0.2)
    assert p.shape == (4,) and (np.diff(p) < 0).all()
    with pytest.raises(BadInput, match="vol"):
        touch_probability(100, 90, 1.0, 0.0)


def test_bad_scenario_dates():
    with pytest.raises(BadInput, match="before the as-of date"):
        scenario_grid(long_put(180, EXP), dt.date(2024, 1, 5), 188, 0.2)
    with pytest.raises(BadInput, match="scenario date"):
        scenario_grid(long_put(180, EXP), ASOF, 188, 0.2, dates=[dt.date(2024, 3, 1)])
    with pytest.raises(BadInput, match="iv shift"):
        scenario_grid(long_put(180, EXP), ASOF, 188, 0.2, iv_shifts_points=[-25])


def test_chart_png_is_1600_by_900(grid, tmp_path):
    out = save_scenario_png(grid, tmp_path / "scen.png")
    with Image.open(out) as img:
        assert img.size == (1600, 900)
        pixels = np.asarray(img.convert("RGB"))
    assert pixels.std() > 20          # something was drawn
