"""Plan marks on the price panel: zone, stop/target lines, right-edge price tags,
trigger markers, entry/exit arrows and numbered note flags."""
from __future__ import annotations

from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import blended_transform_factory

from ._theme import Theme


def fmt_price(p: float) -> str:
    """Two decimals, four below 1 (penny prices): 188 -> '188.00', 0.1234 -> '0.1234'."""
    return f"{p:,.4f}" if abs(p) < 1 else f"{p:,.2f}"


def short_price(p: float) -> str:
    """Compact form for subtitles: 188.0 -> '188', 188.5 -> '188.5'."""
    return f"{p:,.4f}".rstrip("0").rstrip(".")


@dataclass
class Tag:
    y: float
    text: str
    color: str
    text_color: str = "white"


def spread_positions(ys: list[float], min_gap: float) -> list[float]:
    """Move sorted-by-value positions apart so neighbours are >= min_gap apart, keeping
    their order and the group centred on the original mean (an iterative pass that
    merges overlapping clusters). Returns positions in the input order."""
    if not ys:
        return []
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    clusters = [[ys[i], 1, ys[i]] for i in order]  # [start, count, sum of originals]
    merged = True
    while merged:
        merged = False
        out = [clusters[0]]
        for c in clusters[1:]:
            prev = out[-1]
            if prev[0] + prev[1] * min_gap > c[0]:
                count, total = prev[1] + c[1], prev[2] + c[2]
                out[-1] = [total / count - (count - 1) * min_gap / 2, count, total]
                merged = True
            else:
                out.append(c)
        clusters = out
    placed = [c[0] + k * min_gap for c in clusters for k in range(c[1])]
    result = [0.0] * len(ys)
    for rank, i in enumerate(order):
        result[i] = placed[rank]
    return result


def draw_tags(ax: Axes, tags: list[Tag], fontsize: float) -> None:
    """Price tags just right of the plot area (over the right axis), pushed apart so they
    never overlap; a tag moved from its level gets a thin leader to the exact price."""
    if not tags:
        return
    fig = ax.figure
    to_px = ax.transData.transform
    ys_px = [to_px((0, t.y))[1] for t in tags]
    gap = fontsize * fig.dpi / 72 * 1.55
    placed_px = spread_positions(ys_px, gap)
    inv = ax.transData.inverted()
    trans = blended_transform_factory(ax.transAxes, ax.transData)
    for tag, y_px, want_px in zip(tags, placed_px, ys_px):
        y = inv.transform((0, y_px))[1]
        ax.annotate(tag.text, xy=(1.0, tag.y), xycoords=trans, xytext=(1.006, y), textcoords=trans,
                    ha="left", va="center", fontsize=fontsize, color=tag.text_color, fontweight="bold",
                    bbox=dict(boxstyle="square,pad=0.28", fc=tag.color, ec=tag.color),
                    arrowprops=None if abs(y_px - want_px) < 1 else
                    dict(arrowstyle="-", color=tag.color, lw=0.8, shrinkA=0, shrinkB=0),
                    annotation_clip=False, zorder=20)
    _hide_ticks_near(ax, placed_px, gap * 0.8)


def _hide_ticks_near(ax: Axes, ys_px: list[float], distance: float) -> None:
    """Blank the right-axis tick labels a tag would cover (layout must not move after)."""
    base = ax.yaxis.get_major_formatter()

    def label(y, pos):
        y_px = ax.transData.transform((0, y))[1]
        return "" if any(abs(y_px - p) < distance for p in ys_px) else base(y, pos)

    ax.yaxis.set_major_formatter(FuncFormatter(label))


def draw_level(ax: Axes, y: float, label: str, color: str, theme: Theme, fontsize: float, x: float,
               style=(0, (6, 3))) -> None:
    """A full-width horizontal line with its label just above it, starting at bar x."""
    ax.axhline(y, color=color, linewidth=1.4, linestyle=style, zorder=5, alpha=0.95)
    ax.text(x, y, label, ha="left", va="bottom", fontsize=fontsize,
            color=color, fontweight="bold", zorder=12,
            bbox=dict(boxstyle="round,pad=0.15", fc=theme.panel, ec="none", alpha=0.8))


def draw_zone(ax: Axes, lo: float, hi: float, label: str, color: str, fontsize: float, x: float) -> None:
    """The entry zone as a shaded band with edge lines; the label sits above it from bar x."""
    ax.axhspan(lo, hi, color=color, alpha=0.16, linewidth=0, zorder=1)
    for y in (lo, hi):
        ax.axhline(y, color=color, linewidth=0.9, alpha=0.7, zorder=1)
    ax.text(x, hi, label, ha="left", va="bottom", fontsize=fontsize,
            color=color, fontweight="bold", zorder=12,
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))


def draw_off_scale(ax: Axes, level: float, label: str, color: str, above: bool, fontsize: float) -> None:
    """A level outside the y-range: an arrow note at the top or bottom edge."""
    arrow = "\u25b2" if above else "\u25bc"
    ax.text(0.995, 0.985 if above else 0.015, f"{arrow} {label} {fmt_price(level)} (off scale)",
            transform=ax.transAxes, ha="right", va="top" if above else "bottom",
            fontsize=fontsize, color=color, fontweight="bold", zorder=12)


def draw_triggers(ax: Axes, items: list[tuple[int, str]], high, low, short: bool,
                  theme: Theme, fontsize: float) -> None:
    """A triangle marker beyond each trigger bar (above the high when short, below the low
    when long) with the trigger kind to its right; several triggers on one bar are stacked."""
    stack: dict[int, int] = {}
    for x, kind in items:
        k = stack.get(x, 0)
        stack[x] = k + 1
        sign = 1 if short else -1
        y = high[x] if short else low[x]
        off = sign * (fontsize * 0.95 + k * (fontsize * 1.9))
        ax.plot([x], [y], marker="v" if short else "^", markersize=fontsize * 0.95, color=theme.trigger,
                markeredgecolor="white", markeredgewidth=0.6, linestyle="none", zorder=9,
                transform=ax.transData + _offset(ax, 0, off))
        ax.annotate(kind, (x, y), xytext=(fontsize * 0.75, off), textcoords="offset points",
                    ha="left", va="center", fontsize=fontsize,
                    color=theme.trigger, fontweight="bold", zorder=9,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))


def _offset(ax: Axes, dx_pt: float, dy_pt: float):
    from matplotlib.transforms import ScaledTranslation
    return ScaledTranslation(dx_pt / 72, dy_pt / 72, ax.figure.dpi_scale_trans)


ARROW_DX, ARROW_DY = -6.0, 4.4  # label offset from the arrow tip, in font sizes


def point_box(ax: Axes, x: float, y: float, left_pt: float, right_pt: float, down_pt: float,
              up_pt: float) -> tuple[float, float, float, float]:
    """Data box (x0, x1, y0, y1) spanning the given point distances around (x, y)."""
    pt = ax.figure.dpi / 72
    cx, cy = ax.transData.transform((x, y))
    inv = ax.transData.inverted()
    (x0, y0), (x1, y1) = inv.transform((cx - left_pt * pt, cy - down_pt * pt)), inv.transform((cx + right_pt * pt, cy + up_pt * pt))
    return x0, x1, y0, y1


def arrow_label_height(text: str, fontsize: float) -> float:
    """Height in points of an arrow's boxed label."""
    return len(text.split("\n")) * fontsize * 1.3 + fontsize * 0.8


def arrow_label_box(ax: Axes, x: int, price: float, text: str, from_above: bool,
                    fontsize: float, lift: float = 0.0) -> tuple[float, float, float, float]:
    """Approximate data box of the label `draw_arrow` places for (x, price); ``lift`` moves
    it further from the price, in points."""
    lines = text.split("\n")
    w = max(len(s) for s in lines) * fontsize * 0.62 + fontsize * 1.2
    h = arrow_label_height(text, fontsize)
    dx = ARROW_DX * fontsize
    dy = ARROW_DY * fontsize + lift if from_above else -ARROW_DY * fontsize - lift - h
    return point_box(ax, x, price, -dx + w / 2, dx + w / 2, -dy, dy + h)


def trigger_label_box(ax: Axes, x: int, y: float, kind: str, short: bool, fontsize: float,
                      stacked: int) -> tuple[float, float, float, float]:
    """Approximate data box of a trigger marker and its kind text (see draw_triggers)."""
    reach = fontsize * (1.6 + 1.9 * stacked)
    w = len(kind) * fontsize * 0.62 + fontsize * 1.8
    return point_box(ax, x, y, fontsize * 0.6, w, 0 if short else reach, reach if short else 0)


def draw_arrow(ax: Axes, x: int, price: float, text: str, color: str, from_above: bool,
               fontsize: float, lift: float = 0.0) -> None:
    """An arrow from a boxed label (upper-left or lower-left) to the exact (bar, price),
    with a dot at the price; ``lift`` (points) moves the label away from the price."""
    dy = ARROW_DY * fontsize + lift if from_above else -ARROW_DY * fontsize - lift
    ax.annotate(text, (x, price), xytext=(ARROW_DX * fontsize, dy), textcoords="offset points",
                ha="center", va="bottom" if from_above else "top", fontsize=fontsize, color=color,
                fontweight="bold", zorder=15,
                bbox=dict(boxstyle="round,pad=0.3", fc="white", ec=color, lw=1.1),
                arrowprops=dict(arrowstyle="-|>", color=color, lw=1.6, mutation_scale=fontsize * 1.35,
                                shrinkA=0, shrinkB=3))
    ax.plot([x], [price], marker="o", markersize=fontsize * 0.52, color=color, markeredgecolor="white",
            markeredgewidth=0.8, zorder=16)


def note_badge_rows(xs_px: list[float], min_gap_px: float) -> list[int]:
    """Row (0 = top) for each note badge, left to right: a badge goes to the first row
    whose last badge is at least min_gap_px to its left."""
    rows: list[float] = []
    out = []
    for x in xs_px:
        for r, last in enumerate(rows):
            if x - last >= min_gap_px:
                rows[r] = x
                out.append(r)
                break
        else:
            rows.append(x)
            out.append(len(rows) - 1)
    return out


def draw_note_lines(axes: list[Axes], xs: list[int], color: str) -> None:
    for ax in axes:
        for x in xs:
            ax.axvline(x, color=color, linewidth=1.0, linestyle=(0, (1.5, 2.5)), alpha=0.75, zorder=2)


def draw_note_badges(ax: Axes, xs: list[int], numbers: list[int], color: str, fontsize: float) -> None:
    """Numbered round badges at the top of the price panel, on each note's date."""
    px = [ax.transData.transform((x, 0))[0] for x in xs]
    rows = note_badge_rows(px, fontsize * ax.figure.dpi / 72 * 2.0)
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    for x, n, r in zip(xs, numbers, rows):
        ax.text(x, 0.975, str(n), transform=trans + _offset(ax, 0, -r * fontsize * 1.9),
                ha="center", va="top", fontsize=fontsize, color="white", fontweight="bold", zorder=18,
                bbox=dict(boxstyle="circle,pad=0.25", fc=color, ec="white", lw=0.8))
