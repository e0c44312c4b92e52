"""Charts: `snapshot` renders a trade idea on its bars to an exact-size PNG."""
from ._export import save_figure_exact
from ._price_panel import arrow_texts
from ._snapshot import snapshot

__all__ = ["snapshot", "save_figure_exact", "arrow_texts"]
