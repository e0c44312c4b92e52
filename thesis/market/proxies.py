"""Cross-asset proxies (funds standing in for the dollar, yields, oil and credit).

Kept free of numpy/pandas so that the idea model (``thesis check``) can validate proxy
names without importing the analytics; thesis.market.cross_asset re-exports them.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Proxy:
    name: str
    symbol: str
    inverted: bool
    what: str


PROXIES = {
    "dollar": Proxy("dollar", "UUP", False, "US dollar index fund"),
    "yields": Proxy("yields", "TLT", True, "long Treasury yields, from TLT inverted (TLT down = yields up)"),
    "oil": Proxy("oil", "USO", False, "crude oil futures fund"),
    "credit": Proxy("credit", "HYG", False, "high-yield credit fund (down = credit stress)"),
}
MIRROR = {"up": "down", "down": "up", "flat": "flat", "range": "range"}
