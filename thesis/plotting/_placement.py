"""Where labels go: measured, not guessed.

Every label on the price panel (entry/exit boxes, trigger names, level and zone labels) is
drawn, measured with the Agg renderer, and kept at the first of its candidate positions
that overlaps no label placed before it, stays inside the panel, keeps out of the note
badges' strip at the top, and covers the fewest candles. Candidates that all collide keep
the least bad one (overlap area first, then candles covered).
"""
from __future__ import annotations

from collections.abc import Sequence

from matplotlib.transforms import Bbox

PAD = 2.0   # pixels kept free around every label


def extent(artist, renderer) -> Bbox:
    """Pixel box of a text artist including its bbox patch (the visible label); an
    annotation's arrow is not part of it (it points at a bar on purpose)."""
    from matplotlib.text import Annotation, Text

    if isinstance(artist, Annotation):
        artist.update_positions(renderer)   # an annotation's text position is set at draw time
    box = Text.get_window_extent(artist, renderer)
    patch = artist.get_bbox_patch() if hasattr(artist, "get_bbox_patch") else None
    if patch is not None:
        artist.update_bbox_position_size(renderer)
        box = Bbox.union([box, patch.get_window_extent(renderer)])
    return box


def _area(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0.0) * max(h, 0.0)


class Placer:
    """Keeps the boxes of labels placed so far on one axes."""

    def __init__(self, ax, candles: list[Bbox], reserved: Sequence[Bbox] = ()):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig = ax.figure
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        self.ax, self.renderer = ax, fig.canvas.get_renderer()
        self.frame = ax.get_window_extent(self.renderer)
        self.candles = candles
        self.placed: list[Bbox] = list(reserved)

    def cost(self, box: Bbox) -> tuple[float, int]:
        grown = box.expanded(1, 1).padded(PAD)
        overlap = sum(_area(grown, b) for b in self.placed)
        f = self.frame
        outside = max(f.x0 - box.x0, 0) + max(box.x1 - f.x1, 0) + max(f.y0 - box.y0, 0) + max(box.y1 - f.y1, 0)
        covered = sum(1 for c in self.candles if _area(box, c) > 0)
        return (overlap + 1000.0 * outside, covered)

    def place(self, makers) -> object:
        """Draw each candidate (a function returning a text artist, or a (penalty, function)
        pair: the penalty, in candles, is what moving away from the preferred spot costs)
        and keep the best: no overlap with placed labels and inside the panel first, then
        fewest candles covered plus penalty. The others are removed. Returns the kept artist."""
        best = None
        for make in makers:
            penalty, make = make if isinstance(make, tuple) else (0.0, make)
            artist = make()
            box = extent(artist, self.renderer)
            clash, covered = self.cost(box)
            cost = (clash, covered + penalty)
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, artist, box)
            else:
                artist.remove()
        if best is None:
            return None
        self.placed.append(best[2])
        return best[1]

    def reserve(self, artist) -> None:
        """Count an artist placed elsewhere (a level label, a tag) as occupied."""
        self.placed.append(extent(artist, self.renderer))


def candle_boxes(ax, low, high) -> list[Bbox]:
    """Pixel boxes of the visible bars (a bar is its low-high range, 0.8 bar wide)."""
    import numpy as np

    to_px = ax.transData.transform
    out = []
    for x, (lo, hi) in enumerate(zip(low, high)):
        if not (np.isfinite(lo) and np.isfinite(hi)):
            continue
        (x0, y0), (x1, y1) = to_px((x - 0.4, lo)), to_px((x + 0.4, hi))
        out.append(Bbox.from_extents(x0, y0, x1, y1))
    return out
