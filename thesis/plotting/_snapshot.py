"""`snapshot`: one PNG of a trade idea on its bars, the way a trader would post it."""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from thesis.errors import BadInput

from ._candles import bar_is_up, draw_volume
from ._export import check_size, save_figure_exact
from ._inputs import Plan, check_bars, check_plan, timeframe_word
from ._layout import bar_position, default_window, time_ticks, to_timestamp
from ._marks import PRICE_DECIMALS, draw_note_badges, draw_note_lines, fmt_price, short_price
from ._price_panel import draw_price_panel
from ._ratio import draw_ratio_panel, normalised_ratios
from ._theme import THEME

NOTE_CHARS = 90  # a note's text is cut to at most this many characters in the legend


def snapshot(bars: pd.DataFrame, path, *, title: str, compare: dict | None = None,
             zone: tuple[float, float] | None = None, stop: float | None = None,
             targets=(), triggers=(), entries=(), exits=(), notes=(), direction: str = "short",
             subtitle: str = "", start=None, end=None, width: int = 1600, height: int = 900,
             dpi: float = 100, labels: list | None = None, stop_name: str = "stop",
             planned_stop: float | None = None, draw: bool = True) -> Path | None:
    """Render bars and a trade plan to a PNG of exactly width x height pixels; return its path.
    With ``path`` None the figure is built and drawn (``labels`` filled) but no PNG is written;
    with ``draw`` False no figure is built either: only ``labels`` is filled, from the same window,
    marks and label texts the drawing uses (``shown_marks``).

    Panels: price (candles; high-low-close bars where the open is NaN; bars with a true
    `partial` column hatched), volume (when any volume > 0 is visible) and, with `compare`,
    the ratio close/compare-close per compare symbol, 1.0 at the first visible bar.
    Marks: zone band, stop and target lines (labelled with distance from the first entry,
    else from the zone middle, and R multiple of targets), right-edge price tags, trigger
    markers (kind), entry/exit arrows with prices (exit with reason), numbered dotted note
    lines with the notes listed under the chart. Window and y-range rules: see _layout.
    `subtitle` "" builds one from the bars' metadata and the plan. ``labels``: a list that
    receives (date, price, text) of every entry/exit label drawn on the price panel; ``stop_name``
    names the stop line (the caller passes the stop in force: "breakeven stop" once moved);
    ``planned_stop``: the stop 1 R is measured with when it differs from ``stop``.
    """
    width, height, dpi = check_size(width, height, dpi)
    data = check_bars(bars)
    plan = check_plan(direction, zone, stop, targets, triggers, entries, exits, notes)
    plan.stop_name, plan.risk_stop = stop_name, planned_stop
    start_ts = None if start is None else to_timestamp(start, "start")
    end_ts = None if end is None else to_timestamp(end, "end")
    if start_ts is not None and end_ts is not None and start_ts > end_ts:
        raise BadInput(f"start {start_ts.date()} is after end {end_ts.date()}")
    lo, hi = default_window(data.index, plan.notable, start_ts, end_ts)
    scale = min(width / 1600, height / 900) * 100 / dpi
    token = PRICE_DECIMALS.set(_decimals(data.attrs.get("symbol")))
    try:
        if not subtitle:
            subtitle = auto_subtitle(data, plan)
        if not draw:
            if labels is not None:
                from ._price_panel import shown_marks

                entries, exits, texts = shown_marks(_Chart(None, data, lo, hi, plan, {}, scale, width, height))
                labels += [(d, p, text) for (d, _, p, _), text in zip(entries + exits, texts)]
            return None
        with matplotlib.rc_context({"text.parse_math": False, "font.family": THEME.font, "axes.linewidth": 0.8,
                                    "hatch.linewidth": 0.8}):
            fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor=THEME.face)
            drawn = _Chart(fig, data, lo, hi, plan, compare or {}, scale, width, height)
            drawn.draw(title, subtitle)
            if labels is not None:
                labels += drawn.labels
            if path is None:            # the figure is built and laid out; no PNG is rasterized
                return None
            return save_figure_exact(fig, path, width, height, dpi)
    finally:
        PRICE_DECIMALS.reset(token)


def _decimals(symbol: str | None) -> int | None:
    """The instrument's price decimals, or None for US stocks (the default penny-aware format)."""
    from thesis.data.instruments import instrument_of

    inst = instrument_of(symbol)
    return None if inst.asset_class == "equity" else inst.decimals


def auto_subtitle(data: pd.DataFrame, plan: Plan) -> str:
    """'IWM daily, as-traded, csv:... | short 188-190, stop 212, target 130'."""
    a = data.attrs
    source = str(a.get("source") or "")
    if len(source) > 48:
        source = source[:20] + "\u2026" + source[-27:]
    head = ", ".join(x for x in (f"{a.get('symbol', '')} {timeframe_word(data)}".strip(),
                                 a.get("adjustment"), source) if x)
    parts = []
    if plan.zone:
        parts.append(f"{plan.direction} {short_price(plan.zone[0])}-{short_price(plan.zone[1])}")
    elif plan.entries:
        parts.append(f"{plan.direction} {short_price(plan.entries[0][1])}")
    if plan.stop is not None:
        parts.append(f"{plan.stop_name} {short_price(plan.stop)}")
    if plan.targets:
        word = "target" if len(plan.targets) == 1 else "targets"
        parts.append(f"{word} {', '.join(short_price(t) for t in plan.targets)}")
    return head + (" | " + ", ".join(parts) if parts else "")


class _Chart:
    """Lays out the panels in pixels and draws each of them."""

    def __init__(self, fig, data, lo, hi, plan: Plan, compare, scale, width, height):
        self.fig, self.data, self.plan, self.compare = fig, data, plan, compare
        self.view = data.iloc[lo:hi]
        self.prev_close = data["close"].shift(1).iloc[lo:hi].to_numpy()
        self.s, self.W, self.H = scale, width, height
        self.t = THEME
        self.symbol = str(data.attrs.get("symbol") or "symbol")
        self.n = len(self.view)
        self.labels: list = []      # (date, price, text) of each entry/exit label drawn

    # ---- sizes -----------------------------------------------------------------------
    def fs(self, size: float) -> float:
        return size * self.s

    def px(self, pixels: float) -> float:
        return pixels * self.s * self.fig.dpi / 100

    def pos(self, when: pd.Timestamp) -> int | None:
        """Bar number in the window of the bar holding `when`, None when not shown."""
        p = bar_position(self.data.index, when)
        if p is None:
            return None
        p -= self.data.index.get_loc(self.view.index[0])
        return p if 0 <= p < self.n else None

    # ---- layout ----------------------------------------------------------------------
    def draw(self, title: str, subtitle: str) -> None:
        v = self.view
        has_volume = bool((np.nan_to_num(v["volume"].to_numpy()) > 0).any())
        close = self.data["close"]
        ratios = normalised_ratios(close, self.compare, v.index) if self.compare else {}
        note_rows = self._note_rows()
        top, left, right = self.px(84), self.px(14), self.px(88)
        bottom = self.px(34) + (self.px(12 + 21 * note_rows) if note_rows else 0)
        shares = [("price", 6.2)] + ([("volume", 1.25)] if has_volume else []) + ([("ratio", 2.0)] if ratios else [])
        gap = self.px(8)
        avail = self.H - top - bottom - gap * (len(shares) - 1)
        total = sum(w for _, w in shares)
        axes, y = {}, self.H - top
        for name, w in shares:
            h = avail * w / total
            y -= h
            axes[name] = self.fig.add_axes((left / self.W, y / self.H, (self.W - left - right) / self.W, h / self.H),
                                           facecolor=self.t.panel)
            y -= gap
        for ax in axes.values():
            self._style(ax)
        ax_list = list(axes.values())
        self._x_axis(ax_list)
        self._header(title, subtitle)
        draw_price_panel(self, axes["price"])
        if has_volume:
            full = self.data["volume"].rolling(20, min_periods=1).mean().loc[v.index].to_numpy()
            draw_volume(axes["volume"], v["volume"].to_numpy(), self.up(), v["partial"].to_numpy(), full, self.t)
            self._panel_label(axes["volume"], "Volume")
        if ratios:
            draw_ratio_panel(axes["ratio"], ratios, self.symbol, self.t, self.fs(self.t.small_size))
        self._notes(axes["price"], ax_list, bottom)

    def _style(self, ax) -> None:
        t = self.t
        for spine in ax.spines.values():
            spine.set_color(t.spine)
        ax.yaxis.tick_right()
        ax.tick_params(colors=t.text, labelsize=self.fs(t.tick_size), length=3, width=0.8)
        ax.grid(True, color=t.grid, linewidth=0.8, zorder=0)
        ax.set_axisbelow(True)

    def _x_axis(self, axes) -> None:
        pad_right = max(3.0, self.n * 0.035)
        ticks, labels = time_ticks(self.view.index)
        for ax in axes:
            ax.set_xlim(-0.9, self.n - 0.1 + pad_right)
            ax.set_xticks(ticks)
            ax.set_xticklabels(labels if ax is axes[-1] else [])
        axes[-1].tick_params(axis="x", labelsize=self.fs(self.t.tick_size), pad=4)

    def up(self) -> np.ndarray:
        v = self.view
        return bar_is_up(v["open"].to_numpy(), v["close"].to_numpy(), self.prev_close)

    def _panel_label(self, ax, text: str) -> None:
        ax.text(0.006, 0.94, text, transform=ax.transAxes, ha="left", va="top", fontsize=self.fs(self.t.small_size),
                color=self.t.muted, zorder=12, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.8))

    # ---- header ----------------------------------------------------------------------
    def _header(self, title: str, subtitle: str) -> None:
        t, f = self.t, self.fig
        x0, x1 = self.px(14) / self.W, 1 - self.px(14) / self.W
        f.text(x0, 1 - self.px(12) / self.H, title, ha="left", va="top", fontsize=self.fs(t.title_size),
               fontweight="bold", color=t.text)
        f.text(x0, 1 - self.px(48) / self.H, subtitle, ha="left", va="top", fontsize=self.fs(t.subtitle_size),
               color=t.muted)
        last = self.view.iloc[-1]
        prev = self.prev_close[-1]
        change = f"  {100 * (last['close'] / prev - 1):+.2f}%" if np.isfinite(prev) and prev else ""
        ohlc = "  ".join(f"{k} {fmt_price(last[c])}" for k, c in (("O", "open"), ("H", "high"), ("L", "low"),
                                                                  ("C", "close")) if np.isfinite(last[c]))
        flag = " (partial)" if last["partial"] else ""
        color = t.up if self.up()[-1] else t.down
        f.text(x1, 1 - self.px(16) / self.H, f"{self.view.index[-1].date()}{flag}", ha="right", va="top",
               fontsize=self.fs(t.label_size), color=t.muted)
        f.text(x1, 1 - self.px(40) / self.H, ohlc + change, ha="right", va="top", fontsize=self.fs(t.label_size),
               color=color, fontweight="bold")

    # ---- notes -----------------------------------------------------------------------
    def _note_columns(self) -> int:
        return 1 if len(self.plan.notes) <= 2 or self.W < 1100 else 2

    def _note_rows(self) -> int:
        n = len(self.plan.notes)
        return math.ceil(n / self._note_columns()) if n else 0

    def _notes(self, price_ax, axes, bottom_px: float) -> None:
        t, notes = self.t, self.plan.notes
        if not notes:
            return
        shown = [(i + 1, x) for i, (d, _) in enumerate(notes) if (x := self.pos(d)) is not None]
        draw_note_lines(axes, [x for _, x in shown], t.note)
        draw_note_badges(price_ax, [x for _, x in shown], [n for n, _ in shown], t.note, self.fs(t.small_size))
        cols, rows = self._note_columns(), self._note_rows()
        left = self.px(14)
        col_w = (self.W - 2 * left) / cols
        fsz = self.fs(t.small_size)
        max_chars = max(20, min(NOTE_CHARS, int(col_w / (fsz * self.fig.dpi / 72 * 0.56)) - 14))
        on_chart = {n for n, _ in shown}
        top = bottom_px - self.px(38)
        for i, (d, text) in enumerate(notes):
            r, c = i % rows, i // rows
            x = (left + c * col_w) / self.W
            y = (top - r * self.px(21)) / self.H
            self.fig.text(x + self.px(8) / self.W, y, str(i + 1), ha="center", va="center", fontsize=fsz,
                          color="white", fontweight="bold",
                          bbox=dict(boxstyle="circle,pad=0.22", fc=t.note, ec="white", lw=0.6))
            suffix = "" if (i + 1) in on_chart else " (not on chart)"
            self.fig.text(x + self.px(22) / self.W, y, f"{d.date()}", ha="left", va="center", fontsize=fsz,
                          color=t.text, fontweight="bold")
            self.fig.text(x + self.px(118) / self.W, y, truncate(text, max_chars) + suffix, ha="left",
                          va="center", fontsize=fsz, color=t.text)


def truncate(text: str, limit: int) -> str:
    """Collapse whitespace and cut to `limit` characters, ending with an ellipsis if cut."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"
