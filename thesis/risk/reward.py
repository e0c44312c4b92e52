"""Planned reward/risk, break-even win rate and expectancy.

    risk            = |entry - stop|                       (per share, price units)
    reward_i        = |target_i - entry|
    rr_i            = reward_i / risk                      (reward per unit of risk, "rr_i : 1")
    blended reward  = sum(size_i * reward_i)               (sizes sum to 1)
    blended rr      = blended reward / risk
    break-even win rate p* = 1 / (1 + rr)                  (p* rr - (1 - p*) = 0)
    expectancy (R per trade) = p * rr - (1 - p)
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from thesis.errors import BadInput
from thesis.risk.levels import Num, check_levels


@dataclass(frozen=True)
class RewardRisk:
    """Planned reward/risk of a trade, per target and blended over the scale-out sizes."""

    direction: str
    entry: float
    stop: float
    targets: tuple[float, ...]
    sizes: tuple[float, ...]
    risk: float                      # |entry - stop| per share
    rewards: tuple[float, ...]       # |target_i - entry| per share
    ratios: tuple[float, ...]        # rewards_i / risk
    blended_reward: float            # sum(size_i * reward_i)
    blended: float                   # blended_reward / risk
    break_even_win_rate: float       # 1 / (1 + blended)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("targets", "sizes", "rewards", "ratios"):
            out[key] = list(out[key])
        return out


def reward_risk(direction: str, entry: Num, stop: Num, targets: Num | Sequence[Num],
                sizes: Sequence[float] | None = None) -> RewardRisk:
    """Reward/risk per target and blended. ``targets`` is one price or a list;
    ``sizes`` are scale-out fractions summing to 1 (None = equal parts)."""
    sign, entry, stop, targets, sizes = check_levels(direction, entry, stop, targets, sizes)
    risk = abs(entry - stop)
    rewards = tuple(abs(t - entry) for t in targets)
    ratios = tuple(r / risk for r in rewards)
    blended_reward = sum(s * r for s, r in zip(sizes, rewards))
    blended = blended_reward / risk
    return RewardRisk("long" if sign > 0 else "short", entry, stop, targets, sizes, risk, rewards,
                      ratios, blended_reward, blended, break_even_win_rate(blended))


def _check_ratio(rr: Num) -> float:
    try:
        value = float(rr)
    except (TypeError, ValueError):
        raise BadInput(f"reward/risk must be a number, got {rr!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise BadInput(f"reward/risk must be a finite number above zero, got {rr!r}")
    return value


def _check_rate(name: str, p: Num) -> float:
    try:
        value = float(p)
    except (TypeError, ValueError):
        raise BadInput(f"{name} must be a number, got {p!r}") from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise BadInput(f"{name} must be a fraction between 0 and 1 (0.3 for 30%), got {p!r}")
    return value


def break_even_win_rate(rr: Num) -> float:
    """Win rate at which a trade paying ``rr`` : 1 neither makes nor loses: 1 / (1 + rr)."""
    return 1.0 / (1.0 + _check_ratio(rr))


def expectancy(win_rate: Num, rr: Num) -> float:
    """Average result per trade in R (multiples of the risk): p * rr - (1 - p).

    Assumes every win pays ``rr`` R and every loss costs 1 R (exits exactly at target or stop)."""
    p = _check_rate("win rate", win_rate)
    return p * _check_ratio(rr) - (1.0 - p)
