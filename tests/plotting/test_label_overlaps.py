"""Rendered snapshots: no label overlaps another label, a level label, a tag or a note badge;
every label stays inside the picture and the price panel's labels inside the panel."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import thesis
from thesis.plotting import _snapshot
from thesis.plotting._placement import extent

ROOT = Path(__file__).resolve().parents[2]
CASES = [("examples/iwm-no-love-for-small-caps.toml", tf) for tf in ("1d", "1w", "1mo")] + [
    ("examples/iwm-oversold-bounce-long.toml", "1d"),
    ("examples/iwm-oversold-bounce-long.toml", "1w"),
    ("examples/authors/03-tlt-bonds-lower.toml", "1d"),
    ("examples/authors/01-spy-christmas-low-long.toml", "1d"),
]


@pytest.fixture
def captured(monkeypatch):
    figures = []
    real = _snapshot.save_figure_exact

    def keep(fig, path, *args, **kwargs):
        out = real(fig, path, *args, **kwargs)
        figures.append(fig)
        return out

    monkeypatch.setattr(_snapshot, "save_figure_exact", keep)
    return figures


def _labels(fig):
    renderer = fig.canvas.get_renderer()
    price = fig.axes[0]
    out = []
    for t in price.texts:
        if not t.get_visible() or not t.get_text().strip() or (t.get_alpha() or 1) < 0.2:
            continue          # the watermark
        out.append((t.get_text(), extent(t, renderer)))
    return price, out


@pytest.mark.parametrize("idea,timeframe", CASES)
def test_no_label_overlaps_another(idea, timeframe, captured, tmp_path):
    thesis.chart(thesis.load(ROOT / idea), tmp_path / "x.png", timeframe=timeframe)
    fig = captured[-1]
    price, labels = _labels(fig)
    assert len(labels) >= 5
    clashes = []
    for (a, ba), (b, bb) in itertools.combinations(labels, 2):
        w = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
        h = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
        if w > 1 and h > 1:
            clashes.append((a, b))
    assert not clashes, clashes
    width, height = fig.canvas.get_width_height()
    frame = price.get_window_extent()
    for text, box in labels:
        assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height, text
        if box.x0 < frame.x1 - 1:          # labels inside the panel (not the right-edge tags)
            assert box.x1 <= frame.x1 + 1 and box.y1 <= frame.y1 + 1 and box.y0 >= frame.y0 - 1, text
