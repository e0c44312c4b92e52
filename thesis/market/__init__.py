"""Market internals around an idea: relative strength, cross-asset trends, VIX,
regimes per timeframe, confirmations an idea can require, and the market report.
Breadth itself lives in thesis.breadth. Rules: docs/market.md."""
from thesis.market.confirmations import (CONFIRMATION_LIST, Confirmation, evaluate_confirmations,
                                         parse_confirmations)
from thesis.market.context import MarketContext
from thesis.market.report import market_report

__all__ = ["Confirmation", "CONFIRMATION_LIST", "evaluate_confirmations", "parse_confirmations", "MarketContext",
           "market_report"]
