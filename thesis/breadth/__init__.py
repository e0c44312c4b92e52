"""Market breadth of a universe (dates x symbols matrices): percent above moving
averages, advance/decline, McClellan, new highs/lows, Zweig thrust, surge days,
equal- vs cap-weight and the narrow-market detector. Rules: docs/market.md."""
# Names load their submodule on first use (thesis._lazy), so importing one light submodule
# does not import the whole package.
from typing import TYPE_CHECKING

from thesis._lazy import lazy_exports

lazy_exports(__name__, {
    "compute": ["BreadthParams", "compute_breadth"],
    "divergence": ["divergence_spans", "narrow_market"],
    "indicators": ["advance_decline", "breadth_surge", "ema", "equal_vs_cap_weight", "mcclellan", "new_highs_lows",
                   "pct_above_ma", "zweig_thrust"],
    "universe": ["SURVIVORSHIP_WARNING", "Universe", "default_universe_source", "load_breadth_universe",
                 "universe_from_frames"],
})
if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from thesis.breadth.compute import BreadthParams, compute_breadth
    from thesis.breadth.divergence import divergence_spans, narrow_market
    from thesis.breadth.indicators import (advance_decline, breadth_surge, ema, equal_vs_cap_weight, mcclellan,
                                           new_highs_lows, pct_above_ma, zweig_thrust)
    from thesis.breadth.universe import (SURVIVORSHIP_WARNING, Universe, default_universe_source,
                                         load_breadth_universe, universe_from_frames)

__all__ = ["BreadthParams", "compute_breadth", "narrow_market", "divergence_spans", "advance_decline",
           "breadth_surge", "ema", "equal_vs_cap_weight", "mcclellan", "new_highs_lows", "pct_above_ma",
           "zweig_thrust", "SURVIVORSHIP_WARNING", "Universe", "default_universe_source", "load_breadth_universe",
           "universe_from_frames"]
