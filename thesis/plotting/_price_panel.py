"""The price panel: bars, zone, stop/target lines, triggers, entry/exit arrows, tags."""
from __future__ import annotations

import math

import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ._candles import draw_price_bars
from ._inputs import timeframe_word
from ._layout import free_spot, price_range
from matplotlib.transforms import Bbox

from ._marks import (ARROW_DX, PRICE_DECIMALS, Tag, arrow_label, arrow_label_height, draw_level, draw_off_scale,
                     draw_tags, draw_trigger_marker, draw_zone, fmt_price, price_dot, trigger_label, trigger_runs)
from ._placement import Placer, candle_boxes

BADGE_HEADROOM = 0.07  # extra top room (share of the price span) for the note badges


def reference_price(plan) -> float | None:
    """Price the stop/target distances are measured from: first entry, else zone middle."""
    if plan.entries:
        return plan.entries[0][1]
    if plan.zone:
        return sum(plan.zone) / 2
    return None


def level_suffix(level: float, ref: float | None, stop: float | None, with_r: bool) -> str:
    """'  (+12.8% from 188.00)' or, for targets, '  (-30.9%, 2.4R from 188.00)' where
    R = |target - ref| / |stop - ref|. Empty without a reference price."""
    if ref is None or ref == 0:
        return ""
    r = ""
    if with_r and stop is not None and stop != ref:
        r = f", {abs(level - ref) / abs(stop - ref):.1f}R"
    return f"  ({100 * (level / ref - 1):+.1f}%{r} from {fmt_price(ref)})"


def _axis_price(y: float, _pos=None) -> str:
    """Axis ticks: the instrument's decimals (FX 1.3200), else two decimals (none from 1,000)."""
    decimals = PRICE_DECIMALS.get()
    if decimals is not None:
        return f"{y:,.{decimals}f}"
    return f"{y:,.2f}" if abs(y) < 1000 else f"{y:,.0f}"


def shown_marks(chart) -> tuple[list, list, list[str]]:
    """(entries, exits, texts): the entry and exit marks inside the chart's window as (date, bar,
    price, label), and the text of each label as drawn (entries first). The drawing and
    ``snapshot(..., draw=False)`` both take the label list from here."""
    plan = chart.plan
    entries = [(d, x, p, s) for d, p, s in plan.entries if (x := chart.pos(d)) is not None]
    exits = [(d, x, p, s) for d, p, s in plan.exits if (x := chart.pos(d)) is not None]
    texts = arrow_texts(plan.direction, [(x, p, s) for _, x, p, s in entries], [(x, p, s) for _, x, p, s in exits])
    return entries, exits, texts


def draw_price_panel(chart, ax) -> None:
    t, plan, v = chart.t, chart.plan, chart.view
    o, h, l, c = (v[k].to_numpy() for k in ("open", "high", "low", "close"))
    short = plan.direction == "short"
    entries, exits, texts = shown_marks(chart)
    shown_entries = [(x, p, s) for _, x, p, s in entries]
    shown_exits = [(x, p, s) for _, x, p, s in exits]
    chart.labels += [(d, p, text) for (d, _, p, _), text in zip(entries + exits, texts)]
    levels = list(plan.targets) + ([plan.stop] if plan.stop is not None else []) + list(plan.zone or ()) + \
        [p for _, p, _ in shown_entries + shown_exits]
    ylo, yhi, off = price_range(l, h, levels)
    ax.set_ylim(ylo, yhi + (yhi - ylo) * BADGE_HEADROOM)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=9, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(_axis_price))
    ax.text(0.5, 0.5, f"{chart.symbol}  \u00b7  {timeframe_word(chart.data)}", transform=ax.transAxes,
            ha="center", va="center", fontsize=chart.fs(64), color=t.text, alpha=0.045, fontweight="bold", zorder=0)
    up = chart.up()
    draw_price_bars(ax, o, h, l, c, up, v["partial"].to_numpy(), t, ax.get_window_extent().width / max(chart.n, 1))
    small, label = chart.fs(t.small_size), chart.fs(t.label_size)

    arrows = [(x, p, text, t.entry_short if short else t.entry_long, short)
              for (x, p, _), text in zip(shown_entries, texts)]
    arrows += [(x, p, text, t.exit, not short) for (x, p, _), text in zip(shown_exits, texts[len(shown_entries):])]
    triggers = [(x, kind) for d, kind, _ in plan.triggers if (x := chart.pos(d)) is not None]

    # Level and zone labels first: they belong on their price line; x avoids the candles.
    ref, tags, fixed = reference_price(plan), [], []
    if plan.zone:
        zlo, zhi = plan.zone
        color = t.zone_short if short else t.zone_long
        text = f"{plan.direction} zone {fmt_price(zlo)}\u2013{fmt_price(zhi)}"
        fixed.append(draw_zone(ax, zlo, zhi, text, color, small, label_x(chart, ax, text, zhi, small, "left", [])))
        tags += [Tag(zhi, fmt_price(zhi), color), Tag(zlo, fmt_price(zlo), color)]
    named = ([(plan.stop_name, plan.stop, t.stop, False)] if plan.stop is not None else []) + \
        [("target" if len(plan.targets) == 1 else f"target {i + 1}", x, t.target, True)
         for i, x in enumerate(plan.targets)]
    ylo, yhi = ax.get_ylim()
    for name, level, color, is_target in named:
        if level in off:
            fixed.append(draw_off_scale(ax, level, name, color, level > yhi, small))
            continue
        risk_stop = plan.stop if plan.risk_stop is None else plan.risk_stop   # 1 R: the planned stop
        text = f"{name} {fmt_price(level)}{level_suffix(level, ref, risk_stop, is_target)}"
        fixed.append(draw_level(ax, level, text, color, t, small,
                                label_x(chart, ax, text, level, small, "right", [])))
        tags.append(Tag(level, fmt_price(level), color))
    known = np.flatnonzero(np.isfinite(c))
    if len(known):
        last = known[-1]
        tags.append(Tag(c[last], fmt_price(c[last]), t.up if up[last] else t.down))

    # Then the labels that point at bars, each measured and put where it overlaps no other
    # label, stays inside the panel, keeps out of the note badges' strip and hides the
    # fewest candles (thesis.plotting._placement).
    frame = ax.get_window_extent()
    strip = Bbox.from_extents(frame.x0, frame.y1 - frame.height * BADGE_HEADROOM / (1 + BADGE_HEADROOM),
                              frame.x1, frame.y1)
    placer = Placer(ax, candle_boxes(ax, l, h), [strip])
    for artist in fixed:
        placer.reserve(artist)
    for x, p, text, color, above in arrows:
        step = arrow_label_height(text, label) + label * 0.4
        makers = [(2.0 * k + (0.0 if side == above else 1.0) + 0.5 * j,
                   lambda side=side, lift=k * step, dx=dx: arrow_label(ax, x, p, text, color, side, label, lift, dx))
                  for k in range(5) for side in (above, not above)
                  for j, dx in enumerate((ARROW_DX, -ARROW_DX, 1.8 * ARROW_DX, -1.8 * ARROW_DX, 0.0))]
        placer.place(makers)
        price_dot(ax, x, p, color, label)
    for x, kind in triggers:
        draw_trigger_marker(ax, x, h[x] if short else l[x], short, t, small)
    for x, kind, count in trigger_runs(triggers):
        text = kind if count == 1 else f"{kind} \u00d7{count}"
        y = h[x] if short else l[x]
        placer.place([(1.5 * level + 0.5 * left,
                       lambda level=level, left=left: trigger_label(ax, x, y, text, short, t, small, level, left))
                      for level in range(10) for left in (False, True)])
    draw_tags(ax, tags, small)


def arrow_texts(direction: str, entries, exits) -> list[str]:
    """The text of each entry label, then of each exit label, as drawn. An open position (label
    "OPEN ...") is not an exit: its label is used as given."""
    out = [f"{direction.upper()} {fmt_price(p)}" + (f"\n{s}" if s else "") for _, p, s in entries]
    return out + [s if s.startswith("OPEN ") else f"EXIT {fmt_price(p)}" + (f"\n{s}" if s else "")
                  for _, p, s in exits]


def label_x(chart, ax, text: str, y: float, fontsize: float, prefer: str, boxes) -> float:
    """Left x (in bars) for a one-line label sitting on price y that hides the fewest bars
    and other labels (see free_spot)."""
    x0, x1 = ax.get_xlim()
    box = ax.get_window_extent()
    pt = fontsize * chart.fig.dpi / 72
    width = math.ceil((len(text) * pt * 0.62 + 10) / (box.width / (x1 - x0)))
    y0, y1 = ax.get_ylim()
    height = pt * 1.6 / box.height * (y1 - y0)
    pad = np.full(max(0, int(x1 - chart.n)), np.nan)
    low = np.concatenate([chart.view["low"].to_numpy(), pad])
    high = np.concatenate([chart.view["high"].to_numpy(), pad])
    start = free_spot(low, high, y, y + height, width, prefer, boxes)
    return min(start, x1 - width) - 0.4
