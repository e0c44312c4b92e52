"""Breadth chart: index price over percent-above-50-day and the A/D line.

Three stacked panels sharing the date axis, 1600x900 pixels (matplotlib Agg):
index close (GSPC by default), percent of members above their 50-session SMA
(with the narrow-market ``low_pct`` line), and the advance/decline line.
Narrow-market runs are shaded on every panel; breadth-surge days are marked
with triangles on the middle panel. The universe's survivorship warning is
printed under the title.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from thesis.breadth.divergence import divergence_spans
from thesis.errors import BadInput
from thesis.market.context import MarketContext

WIDTH, HEIGHT, DPI = 1600, 900, 100


def market_chart(asof, path, universe: str | None = None, context: MarketContext | None = None,
                 sessions: int = 252) -> Path:
    """Write the chart of the ``sessions`` breadth sessions up to ``asof`` to ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ctx = context or MarketContext(universe=universe)
    b = ctx.breadth().loc[: pd.Timestamp(asof)].iloc[-sessions:]
    if b.empty:
        raise BadInput(f"no breadth data on or before {pd.Timestamp(asof).date()}")
    if "index_close" not in b.columns:
        raise BadInput(f"index {ctx.index_symbol} is not available for the chart")
    fig = breadth_figure(b, ctx.index_symbol, asof, plt)
    out = Path(path)
    fig.savefig(out, dpi=DPI, format="png")
    plt.close(fig)
    return out


def breadth_figure(b: pd.DataFrame, index_symbol: str, asof, plt):
    """The three panels for breadth frame ``b`` (see the module docstring)."""
    fig, axes = plt.subplots(3, 1, sharex=True, figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI,
                             gridspec_kw={"height_ratios": [2.2, 1.4, 1.2]})
    price, pct, adl = axes
    price.plot(b.index, b["index_close"], color="black", lw=1.3, label=f"{index_symbol} close")
    price.set_ylabel(index_symbol)
    pct.plot(b.index, b["pct_above_50"], color="tab:blue", lw=1.1, label="% above 50-day SMA")
    low = b.attrs["params"]["low_pct"]
    pct.axhline(low, color="tab:red", lw=0.8, ls="--", label=f"{low:g}% (narrow-market line)")
    pct.axhline(50, color="grey", lw=0.6, ls=":")
    surge = b.index[b["surge"].to_numpy(dtype=bool)]
    pct.scatter(surge, b.loc[surge, "pct_above_50"], marker="^", color="tab:green", s=40, zorder=3,
                label="breadth surge day")
    pct.set_ylim(0, 100)
    pct.set_ylabel("% above 50d")
    adl.plot(b.index, b["ad_line"], color="tab:purple", lw=1.1, label="A/D line")
    adl.set_ylabel("A/D line")
    for start, end in divergence_spans(b["narrow"]):
        for ax in axes:
            ax.axvspan(start - pd.Timedelta(hours=12), end + pd.Timedelta(hours=12), color="tab:orange",
                       alpha=0.25, lw=0)
    price.plot([], [], color="tab:orange", alpha=0.4, lw=8, label="narrow market")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
    title = f"Breadth of {b.attrs['universe']} to {b.index[-1].date()}"
    fig.suptitle(title, fontsize=13)
    asked = pd.Timestamp(asof).normalize()
    if asked - b.index[-1] > pd.Timedelta(days=4):   # more than a weekend: the universe stops short
        for ax in axes:
            ax.axvline(b.index[-1], color="tab:red", lw=1.0, ls="--")
        price.annotate(f"breadth data ends {b.index[-1].date()}:\nnothing after it is shown\n"
                       f"(report as of {asked.date()})", xy=(b.index[-1], 0.5), xycoords=("data", "axes fraction"),
                       xytext=(-8, 0), textcoords="offset points", ha="right", va="center", fontsize=10,
                       color="tab:red", fontweight="bold",
                       bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="tab:red", alpha=0.9))
    if b.attrs.get("warning"):
        fig.text(0.5, 0.935, b.attrs["warning"], ha="center", fontsize=8, color="dimgray")
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    return fig
