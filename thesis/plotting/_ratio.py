"""Relative-strength lines: the symbol's close over each compare symbol's close."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from thesis.errors import BadInput

from ._marks import Tag, draw_tags
from ._theme import Theme


def compare_close(name: str, other) -> pd.Series:
    """The close series of a compare entry (a bars DataFrame with `close`, or a Series)."""
    if isinstance(other, pd.Series):
        series = other
    elif isinstance(other, pd.DataFrame) and "close" in other.columns:
        series = other["close"]
    else:
        raise BadInput(f"compare[{name!r}] must be bars with a 'close' column or a Series")
    if not isinstance(series.index, pd.DatetimeIndex):
        raise BadInput(f"compare[{name!r}] must be indexed by date")
    return series.astype("float64").sort_index()


def normalised_ratios(close: pd.Series, compare: dict, window: pd.DatetimeIndex) -> dict[str, pd.Series]:
    """For each compare symbol: close / compare close on the window's dates, divided by its
    value on the first window bar where both are known (so the line starts at 1.0).

    Rules: the compare close used for a bar is its last close on or before the bar's date
    (so daily compare data lines up with weekly/monthly bars labelled by their last
    session). Symbols with no overlap in the window are left out.
    """
    mine = close.reindex(window)
    out: dict[str, pd.Series] = {}
    for name, other in compare.items():
        theirs = compare_close(str(name), other)
        theirs = theirs[~theirs.index.duplicated(keep="last")].dropna()
        aligned = theirs.reindex(theirs.index.union(window)).ffill().reindex(window)
        ratio = (mine / aligned).replace([np.inf, -np.inf], np.nan)
        known = ratio.dropna()
        if known.empty or known.iloc[0] == 0:
            continue
        out[str(name)] = ratio / known.iloc[0]
    return out


def draw_ratio_panel(ax: Axes, ratios: dict[str, pd.Series], symbol: str, theme: Theme, fontsize: float) -> None:
    """One line per compare symbol, a dashed 1.0 line, a legend row on top and the last
    value of each line as a tag at the right edge."""
    ax.axhline(1.0, color=theme.muted, linewidth=0.9, linestyle=(0, (4, 3)), zorder=2)
    x = np.arange(len(next(iter(ratios.values()))))
    tags, lo, hi = [], 1.0, 1.0
    for i, (name, series) in enumerate(ratios.items()):
        color = theme.ratio[i % len(theme.ratio)]
        y = series.to_numpy()
        ax.plot(x, y, color=color, linewidth=1.8, label=f"{symbol} / {name}", zorder=4)
        lo, hi = min(lo, np.nanmin(y)), max(hi, np.nanmax(y))
        last = y[np.flatnonzero(np.isfinite(y))[-1]]
        tags.append(Tag(last, f"{last:.3f}", color))
    span = (hi - lo) or 0.02
    ax.set_ylim(lo - span * 0.12, hi + span * 0.5)  # headroom for the legend row
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.2f}"))
    legend = ax.legend(loc="upper left", ncol=len(ratios), frameon=True, fontsize=fontsize,
                       handlelength=1.6, borderaxespad=0.3)
    legend.get_frame().set(edgecolor="none", facecolor="white", alpha=0.85)
    ax.text(0.994, 0.94, "ratio, 1.00 = first bar shown", transform=ax.transAxes, ha="right", va="top",
            fontsize=fontsize, color=theme.muted, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.8))
    draw_tags(ax, tags, fontsize)
