"""Candles (or high-low-close bars when the open is missing) and the volume panel."""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.ticker import FuncFormatter

from ._theme import Theme

BODY_WIDTH = 0.64


def bar_is_up(open_: np.ndarray, close: np.ndarray, prev_close: np.ndarray) -> np.ndarray:
    """Up/down colouring rule: close >= open; when the open is NaN, close >= previous close
    (a bar with neither open nor previous close counts as up)."""
    ref = np.where(np.isfinite(open_), open_, prev_close)
    return ~(close < ref)


def draw_price_bars(ax: Axes, open_, high, low, close, up, partial, theme: Theme, px_per_bar: float) -> None:
    """Candles where the open is known; high-low bars with a right-hand close tick where it
    is NaN (no invented open). Bars flagged `partial` are drawn hatched and lighter."""
    n = len(close)
    x = np.arange(n, dtype=float)
    colors = np.where(up, theme.up, theme.down)
    wick_lw = 1.1 if px_per_bar >= 4 else 0.7
    has_open = np.isfinite(open_)
    full = ~partial

    wicks = np.stack([np.column_stack([x, low]), np.column_stack([x, high])], axis=1)
    ax.add_collection(LineCollection(wicks[full], colors=colors[full], linewidths=wick_lw, zorder=3))
    ax.add_collection(LineCollection(wicks[partial], colors=colors[partial], linewidths=wick_lw,
                                     alpha=0.6, linestyles=(0, (2, 1)), zorder=3))

    body = has_open
    if body.any():
        lo = np.minimum(open_, close)
        height = np.maximum(np.abs(close - open_), 1e-9)
        for mask, kw in ((body & full, {"alpha": 1.0}),
                         (body & partial, {"alpha": 0.55, "hatch": "////", "fill": False})):
            if mask.any():
                ax.bar(x[mask], height[mask], bottom=lo[mask], width=BODY_WIDTH,
                       color=colors[mask], edgecolor=colors[mask], linewidth=0.8 if px_per_bar >= 4 else 0.4,
                       zorder=4, **kw)
    ticks = ~has_open
    if ticks.any():
        seg = np.stack([np.column_stack([x, close]), np.column_stack([x + BODY_WIDTH / 2, close])], axis=1)
        ax.add_collection(LineCollection(seg[ticks], colors=colors[ticks], linewidths=wick_lw * 1.6, zorder=4))
    if partial.any():
        i = int(np.flatnonzero(partial)[-1])
        ax.annotate("partial", (i, low[i]), xytext=(0, -4), textcoords="offset points", ha="center", va="top",
                    fontsize=theme.small_size - 1, color=theme.muted, style="italic", zorder=6)


def draw_volume(ax: Axes, volume, up, partial, full_volume_ma, theme: Theme) -> None:
    """Volume bars coloured like the price bars, plus a 20-bar average line."""
    x = np.arange(len(volume), dtype=float)
    colors = np.where(up, theme.up, theme.down)
    full = ~partial
    ax.bar(x[full], volume[full], width=BODY_WIDTH, color=colors[full], alpha=0.45, linewidth=0, zorder=2)
    if partial.any():
        ax.bar(x[partial], volume[partial], width=BODY_WIDTH, color=colors[partial], alpha=0.25,
               hatch="////", edgecolor=colors[partial], linewidth=0.5, zorder=2)
    ax.plot(x, full_volume_ma, color=theme.muted, linewidth=1.0, alpha=0.8, zorder=3)
    top = float(np.nanmax(volume)) if np.isfinite(volume).any() else 0.0
    ax.set_ylim(0, top * 1.3 if top > 0 else 1.0)  # headroom for the panel label
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: human_volume(v)))
    ax.set_yticks([0.0, nice_floor(top)] if top > 0 else [0.0])


def nice_floor(x: float) -> float:
    """Largest 1, 2 or 5 times a power of ten that is <= x (x > 0): 87e6 -> 50e6."""
    power = 10.0 ** np.floor(np.log10(x))
    for m in (5, 2, 1):
        if m * power <= x:
            return m * power
    return power


def human_volume(v: float) -> str:
    """12_300_000 -> '12.3M', 950_000 -> '950K', 0 -> '0'."""
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(v) >= div:
            return f"{v / div:.3g}{suffix}"
    return f"{v:.0f}"

