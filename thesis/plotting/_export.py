"""Write a matplotlib figure to a PNG of exactly ``width`` x ``height`` pixels."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PIL import Image

from thesis.errors import BadInput

MAX_SIDE = 10_000


def check_size(width, height, dpi) -> tuple[int, int, float]:
    """Validate pixel size and dpi: whole pixels in 100..10000, dpi in 10..1000."""
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or int(value) != value or not 100 <= value <= MAX_SIDE:
            raise BadInput(f"{name} must be a whole number of pixels in 100..{MAX_SIDE}, got {value!r}")
    if isinstance(dpi, bool) or not 10 <= float(dpi) <= 1000:
        raise BadInput(f"dpi must be in 10..1000, got {dpi!r}")
    return int(width), int(height), float(dpi)


def save_figure_exact(fig: Figure, path, width: int, height: int, dpi: float | None = None) -> Path:
    """Render ``fig`` with Agg and write an RGB PNG of exactly ``width`` x ``height`` px.

    Rules: the figure is resized to width/dpi x height/dpi inches (dpi defaults to the
    figure's), drawn without ``bbox_inches`` cropping, and any 1-px rounding difference
    from the float inch size is fixed by cropping or padding with the figure facecolor.
    Parent folders are created. Returns the path written.
    """
    width, height, dpi = check_size(width, height, dpi if dpi is not None else fig.dpi)
    fig.set_dpi(dpi)
    fig.set_size_inches(width / dpi, height / dpi, forward=False)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    rgb = _fit(rgba[..., :3], width, height, fig.get_facecolor())
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb, mode="RGB").save(out, format="PNG", dpi=(dpi, dpi))
    return out


def _fit(rgb: np.ndarray, width: int, height: int, face) -> np.ndarray:
    """Crop or pad (bottom/right, with the face colour) to exactly height x width."""
    rgb = rgb[:height, :width]
    if rgb.shape[0] == height and rgb.shape[1] == width:
        return np.ascontiguousarray(rgb)
    fill = np.array([round(c * 255) for c in to_rgb(face)], dtype=np.uint8)
    out = np.empty((height, width, 3), dtype=np.uint8)
    out[:] = fill
    out[: rgb.shape[0], : rgb.shape[1]] = rgb
    return out
