"""Plan marks on the price panel: zone, stop/target lines, right-edge price tags,
trigger markers, entry/exit arrows and numbered note flags."""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import blended_transform_factory

from ._theme import Theme


# Decimals of the instrument being drawn (thesis.data.instruments: EURUSD 4, USDJPY 2, GC 1), set by
# snapshot() for the figure it draws; None (stocks) keeps two decimals, four below 1.
PRICE_DECIMALS: ContextVar[int | None] = ContextVar("price_decimals", default=None)


def fmt_price(p: float) -> str:
    """Two decimals, four below 1 (penny prices): 188 -> '188.00', 0.1234 -> '0.1234'; at the
    instrument's precision for FX, futures and crypto (1.3200, 151.20, 2034.3)."""
    decimals = PRICE_DECIMALS.get()
    if decimals is not None:
        return f"{p:,.{decimals}f}"
    return f"{p:,.4f}" if abs(p) < 1 else f"{p:,.2f}"


def short_price(p: float) -> str:
    """Compact form for subtitles: 188.0 -> '188', 188.5 -> '188.5'; an instrument quoted at its tick
    keeps every decimal (1.3300, not 1.33)."""
    decimals = PRICE_DECIMALS.get()
    if decimals is not None:
        return f"{p:,.{decimals}f}"
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
    clusters: list[tuple[float, int, float]] = [(ys[i], 1, ys[i]) for i in order]  # (start, count, sum of originals)
    merged = True
    while merged:
        merged = False
        out = [clusters[0]]
        for c in clusters[1:]:
            prev = out[-1]
            if prev[0] + prev[1] * min_gap > c[0]:
                count, total = prev[1] + c[1], prev[2] + c[2]
                out[-1] = (total / count - (count - 1) * min_gap / 2, count, total)
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
               style=(0, (6, 3))):
    """A full-width horizontal line with its label just above it, starting at bar x."""
    ax.axhline(y, color=color, linewidth=1.4, linestyle=style, zorder=5, alpha=0.95)
    return ax.text(x, y, label, ha="left", va="bottom", fontsize=fontsize,
            color=color, fontweight="bold", zorder=12,
            bbox=dict(boxstyle="round,pad=0.15", fc=theme.panel, ec="none", alpha=0.8))


def draw_zone(ax: Axes, lo: float, hi: float, label: str, color: str, fontsize: float, x: float):
    """The entry zone as a shaded band with edge lines; the label sits above it from bar x."""
    ax.axhspan(lo, hi, color=color, alpha=0.16, linewidth=0, zorder=1)
    for y in (lo, hi):
        ax.axhline(y, color=color, linewidth=0.9, alpha=0.7, zorder=1)
    return ax.text(x, hi, label, ha="left", va="bottom", fontsize=fontsize,
            color=color, fontweight="bold", zorder=12,
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))


def draw_off_scale(ax: Axes, level: float, label: str, color: str, above: bool, fontsize: float):
    """A level outside the y-range: an arrow note at the top or bottom edge."""
    arrow = "\u25b2" if above else "\u25bc"
    return ax.text(0.995, 0.985 if above else 0.015, f"{arrow} {label} {fmt_price(level)} (off scale)",
            transform=ax.transAxes, ha="right", va="top" if above else "bottom",
            fontsize=fontsize, color=color, fontweight="bold", zorder=12)


def trigger_runs(items: list[tuple[int, str]], within: int = 3) -> list[tuple[int, str, int]]:
    """Group triggers of one kind firing on nearby bars (at most ``within`` bars apart) into
    runs: (first bar, kind, count). One label per run keeps "zone_rejection" fired on five
    bars in a row from piling up into "zo zon zone_rejection"."""
    runs: list[list] = []
    last: dict[str, list] = {}
    for x, kind in sorted(items):
        run = last.get(kind)
        if run is not None and x - run[3] <= within:
            run[2] += 1
            run[3] = x
        else:
            run = [x, kind, 1, x]
            runs.append(run)
            last[kind] = run
    return [(r[0], r[1], r[2]) for r in runs]


def draw_trigger_marker(ax: Axes, x: int, y: float, short: bool, theme: Theme, fontsize: float) -> None:
    """A triangle just beyond the bar (above the high when short, below the low when long)."""
    off = (1 if short else -1) * fontsize * 0.95
    ax.plot([x], [y], marker="v" if short else "^", markersize=fontsize * 0.95, color=theme.trigger,
            markeredgecolor="white", markeredgewidth=0.6, linestyle="none", zorder=9,
            transform=ax.transData + _offset(ax, 0, off))


def trigger_label(ax: Axes, x: int, y: float, text: str, short: bool, theme: Theme, fontsize: float,
                  level: int = 0, left: bool = False):
    """The trigger's kind beside its marker; ``level`` moves it further from the bar (rows of
    1.9 font sizes), ``left`` puts it on the marker's left."""
    sign = 1 if short else -1
    off = sign * (fontsize * 0.95 + level * fontsize * 1.9)
    dx = -fontsize * 0.75 if left else fontsize * 0.75
    leader = None if level == 0 else dict(arrowstyle="-", color=theme.trigger, lw=0.7, shrinkA=0,
                                          shrinkB=fontsize * 1.6)
    return ax.annotate(text, (x, y), xytext=(dx, off), textcoords="offset points",
                       ha="right" if left else "left", va="center", fontsize=fontsize,
                       color=theme.trigger, fontweight="bold", zorder=9, annotation_clip=False,
                       bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
                       arrowprops=leader)


def _offset(ax: Axes, dx_pt: float, dy_pt: float):
    from matplotlib.transforms import ScaledTranslation
    return ScaledTranslation(dx_pt / 72, dy_pt / 72, ax.figure.dpi_scale_trans)


ARROW_DX, ARROW_DY = -6.0, 4.4  # label offset from the arrow tip, in font sizes


def arrow_label_height(text: str, fontsize: float) -> float:
    """Height in points of an arrow's boxed label."""
    return len(text.split("\n")) * fontsize * 1.3 + fontsize * 0.8


def arrow_label(ax: Axes, x: int, price: float, text: str, color: str, from_above: bool,
                fontsize: float, lift: float = 0.0, dx: float = ARROW_DX):
    """An arrow from a boxed label to the exact (bar, price); the label sits ``dx`` font sizes
    left (negative) or right of the bar, above or below the price, ``lift`` points further."""
    dy = ARROW_DY * fontsize + lift if from_above else -ARROW_DY * fontsize - lift
    return ax.annotate(text, (x, price), xytext=(dx * fontsize, dy), textcoords="offset points",
                       ha="center", va="bottom" if from_above else "top", fontsize=fontsize, color=color,
                       fontweight="bold", zorder=15, annotation_clip=False,
                       bbox=dict(boxstyle="round,pad=0.3", fc="white", ec=color, lw=1.1),
                       arrowprops=dict(arrowstyle="-|>", color=color, lw=1.6, mutation_scale=fontsize * 1.35,
                                       shrinkA=0, shrinkB=3))


def price_dot(ax: Axes, x: int, price: float, color: str, fontsize: float) -> None:
    ax.plot([x], [price], marker="o", markersize=fontsize * 0.52, color=color, markeredgecolor="white",
            markeredgewidth=0.8, zorder=16)


def draw_arrow(ax: Axes, x: int, price: float, text: str, color: str, from_above: bool,
               fontsize: float, lift: float = 0.0) -> None:
    """An arrow label and the dot at its price (fixed position; see _price_panel for placement)."""
    arrow_label(ax, x, price, text, color, from_above, fontsize, lift)
    price_dot(ax, x, price, color, fontsize)


def note_badge_groups(xs_px: list[float], numbers: list[int], min_gap_px: float) -> list[tuple[float, str]]:
    """One badge per cluster of notes closer than ``min_gap_px`` (left to right): placed at
    the cluster's mean x and labelled "1", "1-4" (consecutive numbers) or "2,5". One row
    only, so badges never stack down onto the stop line or a label (weekly and monthly
    charts put several notes on one bar)."""
    groups: list[list] = []
    for x, n in sorted(zip(xs_px, numbers)):
        if groups and x - groups[-1][0][-1] < min_gap_px:
            groups[-1][0].append(x)
            groups[-1][1].append(n)
        else:
            groups.append([[x], [n]])
    out = []
    for xs, ns in groups:
        ns = sorted(ns)
        consecutive = ns == list(range(ns[0], ns[-1] + 1))
        label = str(ns[0]) if len(ns) == 1 else (f"{ns[0]}\u2013{ns[-1]}" if consecutive
                                                 else ",".join(str(n) for n in ns))
        out.append((sum(xs) / len(xs), label))
    return out


def draw_note_lines(axes: list[Axes], xs: list[int], color: str) -> None:
    for ax in axes:
        for x in xs:
            ax.axvline(x, color=color, linewidth=1.0, linestyle=(0, (1.5, 2.5)), alpha=0.75, zorder=2)


def draw_note_badges(ax: Axes, xs: list[int], numbers: list[int], color: str, fontsize: float) -> list:
    """Numbered badges in one row at the top of the price panel, on each note's date
    (nearby notes share one badge: see note_badge_groups). Returns the text artists."""
    to_px = ax.transData.transform
    px = [to_px((x, 0))[0] for x in xs]
    inv = ax.transData.inverted()
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    out = []
    for x_px, label in note_badge_groups(px, numbers, fontsize * ax.figure.dpi / 72 * 2.4):
        x = inv.transform((x_px, 0))[0]
        style = "circle,pad=0.25" if len(label) <= 2 else "round,pad=0.25"
        out.append(ax.text(x, 0.975, label, transform=trans, ha="center", va="top", fontsize=fontsize, color="white",
                           fontweight="bold", zorder=18, bbox=dict(boxstyle=style, fc=color, ec="white", lw=0.8)))
    return out
