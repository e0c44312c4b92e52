"""Betting odds and the trade arithmetic they mirror.

American odds A (|A| >= 100):
    A > 0: win A per 100 staked      -> implied probability 100 / (A + 100), decimal 1 + A/100
    A < 0: stake |A| to win 100      -> implied probability |A| / (|A| + 100), decimal 1 + 100/|A|
Decimal odds D (> 1): total return per 1 staked; implied probability 1 / D.
A trade paying rr : 1 is a bet at decimal odds 1 + rr, American +100*rr (rr >= 1) or
-100/rr (rr < 1); its break-even win rate 1/(1+rr) is the bet's implied probability.
So a true 7:1 trade is a +700 bet (12.5%), and 2.42:1 is about +242 (29.3%).
Even money (p = 0.5) is written +100.
"""
from __future__ import annotations

import math

from thesis.errors import BadInput
from thesis.risk.levels import Num


def _number(name: str, value: Num) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise BadInput(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(out):
        raise BadInput(f"{name} must be finite, got {value!r}")
    return out


def _american(odds: Num) -> float:
    value = _number("American odds", odds)
    if abs(value) < 100:
        raise BadInput(f"American odds must be +100 or more, or -100 or less, got {odds!r}")
    return value


def _probability(p: Num) -> float:
    value = _number("probability", p)
    if not 0.0 < value < 1.0:
        raise BadInput(f"probability must be strictly between 0 and 1, got {p!r}")
    return value


def _decimal(d: Num) -> float:
    value = _number("decimal odds", d)
    if value <= 1.0:
        raise BadInput(f"decimal odds must be above 1, got {d!r}")
    return value


def american_to_probability(odds: Num) -> float:
    """+700 -> 0.125, -150 -> 0.6."""
    a = _american(odds)
    return 100.0 / (a + 100.0) if a > 0 else -a / (-a + 100.0)


def probability_to_american(p: Num) -> float:
    """0.125 -> +700, 0.6 -> -150, 0.5 -> +100."""
    q = _probability(p)
    return 100.0 * (1.0 - q) / q if q <= 0.5 else -100.0 * q / (1.0 - q)


def american_to_decimal(odds: Num) -> float:
    """+700 -> 8.0, -150 -> 1.6667."""
    a = _american(odds)
    return 1.0 + a / 100.0 if a > 0 else 1.0 + 100.0 / -a


def decimal_to_american(d: Num) -> float:
    """8.0 -> +700, 1.6667 -> -150."""
    d = _decimal(d)
    return (d - 1.0) * 100.0 if d >= 2.0 else -100.0 / (d - 1.0)


def decimal_to_probability(d: Num) -> float:
    return 1.0 / _decimal(d)


def probability_to_decimal(p: Num) -> float:
    return 1.0 / _probability(p)


def reward_risk_to_american(rr: Num) -> float:
    """The American odds of a bet paying like an rr : 1 trade (7 -> +700, 0.5 -> -200)."""
    rr = _number("reward/risk", rr)
    if rr <= 0:
        raise BadInput(f"reward/risk must be above zero, got {rr!r}")
    return 100.0 * rr if rr >= 1.0 else -100.0 / rr


def american_to_reward_risk(odds: Num) -> float:
    """The rr : 1 of a trade paying like these odds (+700 -> 7, -200 -> 0.5)."""
    a = _american(odds)
    return a / 100.0 if a > 0 else 100.0 / -a


def format_american(odds: float) -> str:
    """+700, -150 (rounded to whole units)."""
    return f"{odds:+.0f}"
