"""Charts other than the snapshot: levels visible on the heat map, a colour scale centred at
zero, no empty legend, the breadth chart says where its data ends, density past 3,000 trades."""
from __future__ import annotations

import datetime as dt

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection, QuadMesh

from thesis.options.chart import scenario_figure
from thesis.options.scenario import scenario_grid
from thesis.options.strategies import Leg, Position, long_put
from thesis.study.report import SCATTER_MAX, mfe_mae_figure

ASOF = dt.date(2023, 6, 14)


def _heat_axes(fig):
    return next(ax for ax in fig.axes if any(isinstance(c, QuadMesh) for c in ax.collections))


def test_heat_map_levels_are_not_drawn_in_the_colours_of_the_cells():
    grid = scenario_grid(long_put(180, dt.date(2023, 11, 17)), ASOF, 185.91, 0.20, stop=212, targets=[130],
                         horizon_date=dt.date(2023, 10, 12))
    fig = scenario_figure(grid)
    ax = _heat_axes(fig)
    cmap = matplotlib.colormaps["RdYlGn"]
    levels = {round(line.get_ydata()[0], 2): line for line in ax.get_lines()
              if len(set(line.get_ydata())) == 1}
    assert {212.0, 130.0} <= set(levels)
    for y in (212.0, 130.0):
        rgb = np.array(matplotlib.colors.to_rgb(levels[y].get_color()))
        # far from every colour the map can paint (a red stop on red cells vanished)
        distance = np.min(np.linalg.norm(cmap(np.linspace(0, 1, 256))[:, :3] - rgb, axis=1))
        assert distance > 0.3, (y, levels[y].get_color())
    texts = [t.get_text() for t in ax.texts]
    assert "stop 212" in texts and "target 130" in texts


def test_heat_map_scale_is_centred_and_symmetric():
    grid = scenario_grid(long_put(180, dt.date(2023, 11, 17)), ASOF, 185.91, 0.20, stop=212, targets=[130])
    mesh = next(c for c in _heat_axes(scenario_figure(grid)).collections if isinstance(c, QuadMesh))
    norm = mesh.norm
    assert norm.vmin == -norm.vmax
    assert norm.vmax == np.nanmax(np.abs(grid.pnl))
    assert norm(0.0) == 0.5
    # a small gain and the same small loss get mirror colours
    small = float(np.nanmin(np.abs(grid.pnl[grid.pnl != 0])))
    assert norm(small) - 0.5 == np.float64(0.5 - norm(-small))
    assert norm(100.0) - 0.5 > 0.05          # +100 is visibly green, not neutral


def test_calendar_heat_map_has_no_empty_legend():
    pos = Position((Leg("put", 180, dt.date(2023, 12, 15), 1), Leg("put", 180, dt.date(2023, 7, 21), -1)),
                   name="calendar")
    fig = scenario_figure(scenario_grid(pos, ASOF, 185.91, 0.20))
    assert _heat_axes(fig).get_legend() is None


def _breadth(last: str) -> pd.DataFrame:
    idx = pd.bdate_range("2025-06-02", last)
    b = pd.DataFrame({"index_close": np.linspace(100, 120, len(idx)), "pct_above_50": 55.0,
                      "surge": False, "ad_line": np.arange(len(idx), dtype=float), "narrow": False}, index=idx)
    b.attrs = {"params": {"low_pct": 40.0}, "universe": "test", "warning": "survivorship"}
    return b


def test_breadth_chart_says_where_its_data_ends():
    from thesis.market.chart import breadth_figure

    fig = breadth_figure(_breadth("2026-02-26"), "GSPC", "2026-08-21", plt)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    plt.close(fig)
    assert any("breadth data ends 2026-02-26" in t and "2026-08-21" in t for t in texts)
    fig = breadth_figure(_breadth("2026-02-26"), "GSPC", "2026-02-27", plt)   # up to date: no note
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    plt.close(fig)
    assert not any("breadth data ends" in t for t in texts)


class _Res:
    def __init__(self, n):
        rng = np.random.default_rng(0)
        self.occurrences = pd.DataFrame({"mae_r": -rng.uniform(0, 1, n), "mfe_r": rng.uniform(0, 2.5, n),
                                         "outcome": rng.choice(["stop", "target", "time"], n)})


def test_excursions_switch_to_density_past_a_few_thousand_trades():
    many = mfe_mae_figure(_Res(SCATTER_MAX + 1)).axes[0]
    assert any(isinstance(c, PolyCollection) for c in many.collections)       # hexbin
    assert f"{SCATTER_MAX + 1:,} trades" in many.get_title()
    few = mfe_mae_figure(_Res(500)).axes[0]
    assert not any(isinstance(c, PolyCollection) for c in few.collections)
    assert sum(len(c.get_offsets()) for c in few.collections) == 500
