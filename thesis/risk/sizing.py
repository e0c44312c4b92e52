"""Position size from an account, a risk fraction and the loss per unit at the stop.

    budget   = account * risk_fraction                  (money you accept to lose)
    shares   = floor(budget / |entry - stop|)
    options: loss per contract = premium * multiplier                  (no option stop: the premium can go to 0)
                               = (premium - option_stop) * multiplier  (with a stop on the option's price)
             contracts = floor(budget / loss per contract)

A tiny epsilon (1e-9) is added before flooring so that exact divisions such as
1000 / 2.5 are not lost to binary rounding. Stops are orders, not guarantees: a gap
through the stop loses more than ``max_loss`` (see docs/fills.md).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from thesis.errors import BadInput
from thesis.risk.levels import Num, check_price, price_text

_FLOOR_EPS = 1e-9


@dataclass(frozen=True)
class PositionSize:
    """How many units to trade so that a stop-out loses at most the risk budget."""

    units: int                 # shares or contracts
    unit: str                  # "shares" or "contracts"
    budget: float              # account * risk_fraction
    loss_per_unit: float       # money lost per share/contract at the stop
    max_loss: float            # units * loss_per_unit (<= budget)
    cost: float                # units * entry (shares: notional; options: premium paid)
    cost_fraction: float       # cost / account (> 1 means leverage or margin is needed)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_account(account: Num, risk_fraction: Num) -> tuple[float, float]:
    account = check_price("account", account)
    try:
        fraction = float(risk_fraction)
    except (TypeError, ValueError):
        raise BadInput(f"risk fraction must be a number, got {risk_fraction!r}") from None
    if not math.isfinite(fraction) or not 0.0 < fraction <= 1.0:
        raise BadInput(f"risk fraction must be in (0, 1] (0.01 for 1% of the account), got {risk_fraction!r}")
    return account, fraction


def _size(account: float, budget: float, loss_per_unit: float, price_per_unit: float, unit: str) -> PositionSize:
    units = int(math.floor(budget / loss_per_unit + _FLOOR_EPS))
    cost = units * price_per_unit
    return PositionSize(units, unit, budget, loss_per_unit, units * loss_per_unit, cost, cost / account)


def size_shares(account: Num, risk_fraction: Num, entry: Num, stop: Num) -> PositionSize:
    """Shares = floor(account * risk_fraction / |entry - stop|)."""
    account, fraction = _check_account(account, risk_fraction)
    entry, stop = check_price("entry", entry), check_price("stop", stop)
    if entry == stop:
        raise BadInput(f"stop {price_text(stop)} equals the entry: the risk per share would be zero")
    return _size(account, account * fraction, abs(entry - stop), entry, "shares")


def size_options(account: Num, risk_fraction: Num, premium: Num, option_stop: Num | None = None,
                 multiplier: int = 100) -> PositionSize:
    """Contracts of a bought option. ``premium`` is per share; one contract covers
    ``multiplier`` shares. Without ``option_stop`` the whole premium is at risk."""
    account, fraction = _check_account(account, risk_fraction)
    premium = check_price("premium", premium)
    if not isinstance(multiplier, int) or multiplier <= 0:
        raise BadInput(f"multiplier must be a whole number above zero, got {multiplier!r}")
    if option_stop is None:
        loss_per_share = premium
    else:
        try:
            stop = float(option_stop)
        except (TypeError, ValueError):
            raise BadInput(f"option stop must be a number, got {option_stop!r}") from None
        if not math.isfinite(stop) or not 0.0 <= stop < premium:
            raise BadInput(f"option stop must be at least 0 and below the premium {premium:.2f}, got {option_stop!r}")
        loss_per_share = premium - stop
    return _size(account, account * fraction, loss_per_share * multiplier, premium * multiplier, "contracts")
