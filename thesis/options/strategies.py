"""Option positions built from legs: payoff at expiry and model value on any date.

Units: a leg's ``strike`` and ``premium`` are per share, as quoted; ``qty`` is contracts,
positive long, negative short. Position money (cost, value, payoff, P&L) is in dollars:
per-share amounts x qty x ``multiplier`` (100). ``cost`` is the net premium paid (a credit
position has a negative cost). Model values are Black-Scholes-Merton (or QuantLib American)
with one flat volatility for every leg: model prices, not quotes.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import numpy as np

from thesis.errors import BadInput
from thesis.options.pricing import check_market, model_values, to_date

MULTIPLIER = 100


@dataclass(frozen=True)
class Leg:
    type: str            # "put" or "call"
    strike: float
    expiry: dt.date
    qty: int             # contracts: + long, - short
    premium: float | None = None   # per share, positive, paid (long) or received (short)

    def __post_init__(self):
        kind = str(self.type).lower()
        if kind not in ("put", "call"):
            raise BadInput(f"leg type must be 'put' or 'call', got {self.type!r}")
        object.__setattr__(self, "type", kind)
        object.__setattr__(self, "expiry", to_date(self.expiry, "leg expiry"))
        if not (math.isfinite(self.strike) and self.strike > 0):
            raise BadInput(f"leg strike must be > 0, got {self.strike!r}")
        if int(self.qty) != self.qty or self.qty == 0:
            raise BadInput(f"leg qty must be a non-zero whole number of contracts, got {self.qty!r}")
        if self.premium is not None and not (self.premium >= 0):
            raise BadInput(f"leg premium must be >= 0 per share, got {self.premium!r}")

    def intrinsic(self, spots) -> np.ndarray:
        s = np.asarray(spots, dtype=float)
        return np.maximum(s - self.strike, 0.0) if self.type == "call" else np.maximum(self.strike - s, 0.0)

    def to_dict(self) -> dict:
        return {"type": self.type, "strike": self.strike, "expiry": self.expiry.isoformat(),
                "qty": int(self.qty), "premium": self.premium}


@dataclass(frozen=True)
class Position:
    legs: tuple[Leg, ...]
    name: str = "position"
    multiplier: int = MULTIPLIER
    meta: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if not self.legs:
            raise BadInput("a position needs at least one leg")
        object.__setattr__(self, "legs", tuple(self.legs))

    @property
    def first_expiry(self) -> dt.date:
        return min(leg.expiry for leg in self.legs)

    @property
    def last_expiry(self) -> dt.date:
        return max(leg.expiry for leg in self.legs)

    @property
    def cost(self) -> float:
        """Net premium paid in dollars (negative for a credit). Needs every premium."""
        premiums = [leg.premium for leg in self.legs]
        paid = [p for p in premiums if p is not None]
        if len(paid) < len(premiums):
            raise BadInput(f"{self.name}: leg {premiums.index(None)} has no premium; use with_premiums()")
        return float(sum(leg.qty * p for leg, p in zip(self.legs, paid)) * self.multiplier)

    def payoff(self, spots) -> np.ndarray:
        """Dollar value at expiry (premium not included). Needs one common expiry."""
        if len({leg.expiry for leg in self.legs}) > 1:
            raise BadInput(f"{self.name}: legs expire on different dates; use value() on a date")
        total = np.zeros(np.shape(spots))
        for leg in self.legs:
            total = total + leg.qty * leg.intrinsic(spots)
        return total * self.multiplier

    def pnl_at_expiry(self, spots) -> np.ndarray:
        return self.payoff(spots) - self.cost

    def value(self, spots, on, iv, rate: float = 0.0, div_yield: float = 0.0,
              style: str = "european") -> np.ndarray:
        """Model dollar value on date ``on`` (legs past expiry count at intrinsic value).

        ``spots`` and ``iv`` broadcast together (iv may be an array for vol shifts).
        """
        on = to_date(on, "valuation date")
        total: float | np.ndarray = 0.0
        for leg in self.legs:
            days = (leg.expiry - on).days
            total = total + leg.qty * model_values(leg.type, spots, leg.strike, days, iv,
                                                   rate, div_yield, style)
        return np.asarray(total * self.multiplier, dtype=float)

    def pnl(self, spots, on, iv, rate: float = 0.0, div_yield: float = 0.0,
            style: str = "european") -> np.ndarray:
        return self.value(spots, on, iv, rate, div_yield, style) - self.cost

    def with_premiums(self, asof, spot: float, iv: float, rate: float = 0.0,
                      div_yield: float = 0.0, style: str = "european") -> "Position":
        """Copy with each missing premium set to the model price on ``asof`` at ``spot``."""
        check_market("put", spot, 1.0, iv, rate, div_yield, style)
        asof = to_date(asof, "asof")
        legs = []
        for leg in self.legs:
            if leg.premium is None:
                p = float(model_values(leg.type, spot, leg.strike, (leg.expiry - asof).days,
                                       iv, rate, div_yield, style))
                leg = replace(leg, premium=p)
            legs.append(leg)
        return replace(self, legs=tuple(legs))

    def expiry_profile(self) -> dict:
        """Breakevens, max gain and max loss at expiry (single-expiry positions only).

        The expiry P&L is piecewise linear in the spot with kinks at the strikes, so roots
        and extremes are found exactly on the segments [0, K1], ..., [Kn, inf). ``None``
        for max gain / max loss means unlimited.
        """
        strikes = sorted({leg.strike for leg in self.legs})
        points = np.array([0.0, *strikes])
        pnl = self.pnl_at_expiry(points)
        slope_up = sum(leg.qty for leg in self.legs if leg.type == "call") * self.multiplier
        roots = []
        for a, b, fa, fb in zip(points[:-1], points[1:], pnl[:-1], pnl[1:]):
            if fa == 0.0 and a > 0:
                roots.append(float(a))
            if fa * fb < 0:
                roots.append(float(a + (b - a) * fa / (fa - fb)))
        if pnl[-1] == 0.0:
            roots.append(float(points[-1]))
        elif slope_up != 0 and -pnl[-1] / slope_up > 0:
            roots.append(float(points[-1] - pnl[-1] / slope_up))
        hi = float(pnl.max())
        lo = float(pnl.min())
        return {"breakevens": sorted(set(round(r, 10) for r in roots)),
                "max_gain": None if slope_up > 0 else hi,
                "max_loss": None if slope_up < 0 else -lo}

    def to_dict(self) -> dict:
        out = {"name": self.name, "legs": [leg.to_dict() for leg in self.legs],
               "multiplier": self.multiplier}
        if all(leg.premium is not None for leg in self.legs):
            out["cost"] = self.cost
        return out


def long_put(strike: float, expiry, qty: int = 1, premium: float | None = None) -> Position:
    return Position((Leg("put", strike, expiry, qty, premium),), name=f"long {strike:g} put")


def long_call(strike: float, expiry, qty: int = 1, premium: float | None = None) -> Position:
    return Position((Leg("call", strike, expiry, qty, premium),), name=f"long {strike:g} call")


def vertical(type: str, long_strike: float, short_strike: float, expiry, qty: int = 1,
             premiums: tuple[float | None, float | None] = (None, None)) -> Position:
    """Buy ``qty`` at ``long_strike``, sell ``qty`` at ``short_strike``, same expiry.

    Debit spread when the bought leg is dearer: put with long_strike > short_strike
    (bear put spread), call with long_strike < short_strike (bull call spread); otherwise
    a credit spread.
    """
    if long_strike == short_strike:
        raise BadInput("a vertical spread needs two different strikes")
    kind = str(type).lower()
    debit = long_strike > short_strike if kind == "put" else long_strike < short_strike
    label = {("put", True): "bear put debit spread", ("put", False): "bull put credit spread",
             ("call", True): "bull call debit spread", ("call", False): "bear call credit spread"}
    legs = (Leg(kind, long_strike, expiry, qty, premiums[0]),
            Leg(kind, short_strike, expiry, -qty, premiums[1]))
    return Position(legs, name=f"{label[(kind, debit)]} {long_strike:g}/{short_strike:g}",
                    meta={"debit": debit})


def put_ratio(long_strike: float, short_strike: float, expiry, long_qty: int = 1,
              short_qty: int = 2, premiums: tuple[float | None, float | None] = (None, None)) -> Position:
    """Put ratio spread: buy ``long_qty`` puts at the higher strike, sell ``short_qty`` lower."""
    if not long_strike > short_strike:
        raise BadInput("put ratio: long_strike must be above short_strike")
    legs = (Leg("put", long_strike, expiry, long_qty, premiums[0]),
            Leg("put", short_strike, expiry, -short_qty, premiums[1]))
    return Position(legs, name=f"put ratio {long_qty}x{long_strike:g}/-{short_qty}x{short_strike:g}")


def calendar(type: str, strike: float, near_expiry, far_expiry, qty: int = 1,
             premiums: tuple[float | None, float | None] = (None, None)) -> Position:
    """Calendar spread: sell the near expiry, buy the far expiry, same strike."""
    near, far = to_date(near_expiry, "near_expiry"), to_date(far_expiry, "far_expiry")
    if not near < far:
        raise BadInput("calendar: near_expiry must be before far_expiry")
    legs = (Leg(type, strike, near, -qty, premiums[0]), Leg(type, strike, far, qty, premiums[1]))
    return Position(legs, name=f"{str(type).lower()} calendar {strike:g} {near}/{far}")
