"""Market internals around an idea: relative strength, cross-asset trends, VIX,
regimes per timeframe, confirmations an idea can require, and the market report.
Breadth itself lives in thesis.breadth. Rules: docs/market.md."""
# Names load their submodule on first use (thesis._lazy), so importing one light submodule
# does not import the whole package.
from typing import TYPE_CHECKING

from thesis._lazy import lazy_exports

lazy_exports(__name__, {
    "confirmations": ["CONFIRMATION_LIST", "Confirmation", "evaluate_confirmations", "parse_confirmations"],
    "context": ["MarketContext"],
    "report": ["market_report"],
})

if TYPE_CHECKING:
    from thesis.market.confirmations import (CONFIRMATION_LIST, Confirmation, evaluate_confirmations,
                                             parse_confirmations)
    from thesis.market.context import MarketContext
    from thesis.market.report import market_report

__all__ = ["Confirmation", "CONFIRMATION_LIST", "evaluate_confirmations", "parse_confirmations", "MarketContext",
           "market_report"]
