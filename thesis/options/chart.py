"""PNG of a scenario: P&L heat map (price x date) beside P&L-at-dates lines.

Both panels mark the stop, the targets and the horizon date (purple, dashed);
the line panel also marks the spot and the P&L at expiry. Drawn with matplotlib's Agg
canvas (no GUI) and written at exactly 1600 x 900 px by thesis.plotting.save_figure_exact.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.patheffects as pe  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import SymLogNorm  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from thesis.options.scenario import ScenarioGrid  # noqa: E402
from thesis.plotting import save_figure_exact  # noqa: E402

WIDTH, HEIGHT = 1600, 900
STOP, TARGET, HORIZON, SPOT = "#d50000", "#00875a", "#5e35b1", "#37474f"


def _mark_levels(ax, grid: ScenarioGrid, horizontal: bool) -> None:
    """Stop and targets. On the heat map a red stop would vanish into red cells (and a green
    target into green ones), so there the lines are dark and dashed on a white halo, with a
    coloured label at the line; on the line panel they keep their colours."""
    line = ax.axhline if horizontal else ax.axvline
    levels = ([("stop", grid.stop, STOP)] if grid.stop is not None else []) + \
        [("target", t, TARGET) for t in grid.targets]
    for word, level, color in levels:
        if not horizontal:
            line(level, color=color, lw=2, label=f"{word} {level:g}",
                 path_effects=[pe.Stroke(linewidth=4, foreground="white"), pe.Normal()])
            continue
        line(level, color="#111111", lw=1.6, ls=(0, (7, 3)), label=f"{word} {level:g}",
             path_effects=[pe.Stroke(linewidth=4.5, foreground="white"), pe.Normal()], zorder=4)
        ax.annotate(f"{word} {level:g}", xy=(0.01, level), xycoords=("axes fraction", "data"),
                    xytext=(0, 3), textcoords="offset points", ha="left", va="bottom", fontsize=9,
                    fontweight="bold", color="white", zorder=5,
                    bbox=dict(boxstyle="round,pad=0.2", fc=color, ec="white", lw=0.8))


def scenario_figure(grid: ScenarioGrid, title: str | None = None) -> Figure:
    fig = Figure(figsize=(WIDTH / 100, HEIGHT / 100), dpi=100, facecolor="white")
    ax_heat, ax_line = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
    dates = [np.datetime64(d) for d in grid.dates]
    x = mdates.date2num(dates)
    lo, hi = float(np.nanmin(grid.pnl)), float(np.nanmax(grid.pnl))
    # One scale for gains and losses, centred at zero: the same colour depth means the same
    # dollars either way (a two-slope scale made a -149 loss deep red while a +100 gain looked
    # neutral). Logarithmic beyond 5% of the largest |P&L|, so a capped option loss of a few
    # hundred still reads as red beside gains of thousands.
    half = max(abs(lo), abs(hi), 1e-9)
    linthresh = max(half / 20.0, 1e-9)
    norm = SymLogNorm(linthresh=linthresh, linscale=1.0, vmin=-half, vmax=half, base=10)
    # cell edges: halfway between grid points
    xe = np.concatenate([[x[0] - (x[1] - x[0]) / 2 if len(x) > 1 else x[0] - 1],
                         (x[:-1] + x[1:]) / 2, [x[-1] + (x[-1] - x[-2]) / 2 if len(x) > 1 else x[0] + 1]])
    p = grid.prices
    ye = np.concatenate([[p[0] - (p[1] - p[0]) / 2], (p[:-1] + p[1:]) / 2, [p[-1] + (p[-1] - p[-2]) / 2]])
    mesh = ax_heat.pcolormesh(xe, ye, grid.pnl.T, cmap="RdYlGn",
                              norm=norm, shading="flat")
    mags = [half, half / 10.0, linthresh]
    ticks = sorted({0.0, *[float(np.round(m, 0 if m >= 10 else 2)) for m in mags],
                    *[-float(np.round(m, 0 if m >= 10 else 2)) for m in mags]})
    cbar = fig.colorbar(mesh, ax=ax_heat, pad=0.015, ticks=ticks,
                        format=FuncFormatter(lambda v, _: f"{v:+,.0f}" if v else "0"))
    cbar.ax.minorticks_off()
    cbar.set_label("P&L ($, model)")
    _mark_levels(ax_heat, grid, horizontal=True)
    if grid.horizon_date is not None:
        ax_heat.axvline(mdates.date2num(np.datetime64(grid.horizon_date)), color=HORIZON, lw=1.8,
                        ls="--", label=f"horizon {grid.horizon_date}",
                        path_effects=[pe.Stroke(linewidth=4, foreground="white"), pe.Normal()])
    ax_heat.xaxis_date()
    ax_heat.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    for label in ax_heat.get_xticklabels():
        label.set_rotation(30)
        label.set_ha("right")
    ax_heat.set_xlabel("valuation date")
    ax_heat.set_ylabel("underlying price")
    ax_heat.set_title("P&L by price and date", fontsize=13)
    if ax_heat.get_legend_handles_labels()[0]:      # nothing to explain on a bare position
        ax_heat.legend(loc="upper right", fontsize=9, framealpha=0.85)

    colors = matplotlib.colormaps["Blues"](np.linspace(0.35, 0.95, len(grid.dates)))
    for row, day, color in zip(grid.pnl, grid.dates, colors):
        is_expiry = day == grid.position.first_expiry
        ax_line.plot(p, row, color="black" if is_expiry else color, lw=2.4 if is_expiry else 1.5,
                     label=f"{day} (expiry)" if is_expiry else str(day))
    if grid.horizon_date is not None and grid.horizon_date not in grid.dates \
            and grid.horizon_date <= grid.position.first_expiry:
        hz = grid.position.pnl(p, grid.horizon_date, grid.iv, grid.rate, grid.div_yield, grid.style)
        ax_line.plot(p, hz, color=HORIZON, lw=2.0, ls="--", label=f"{grid.horizon_date} (horizon)")
    ax_line.axhline(0.0, color="#888888", lw=1.0)
    _mark_levels(ax_line, grid, horizontal=False)
    ax_line.axvline(grid.spot, color=SPOT, lw=1.0, ls=":", label=f"spot {grid.spot:g}")
    ax_line.set_xlabel("underlying price")
    ax_line.set_ylabel("P&L ($, model)")
    ax_line.set_title("P&L at dates", fontsize=13)
    ax_line.grid(True, color="#e9edf2")
    ax_line.legend(loc="best", fontsize=8.5, framealpha=0.85, ncol=2)
    head = title or grid.position.name
    fig.suptitle(f"{head} - cost ${grid.cost:,.0f}, vol {grid.iv:.1%} flat, as of {grid.asof}"
                 " - model prices, not quotes", fontsize=15)
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.14, top=0.9, wspace=0.22)
    return fig


def save_scenario_png(grid: ScenarioGrid, path, title: str | None = None) -> Path:
    """Write the scenario chart to ``path`` (1600 x 900 PNG) and return the path."""
    return save_figure_exact(scenario_figure(grid, title), path, WIDTH, HEIGHT)
