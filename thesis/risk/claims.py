"""Check an author's arithmetic claims against the trade's own levels.

Claim keys (anything else raises BadInput):

- ``risk_reward``: the claimed reward/risk, a number (7) or text ("7:1", "7 to 1").
  Compared with the blended reward/risk (equal to the single target's when there is one).
- ``break_even_win_rate``: a fraction (0.125 for 12.5%). Compared with 1 / (1 + blended rr).
- ``target_pct``: the claimed size of the move from entry to the farthest target, in percent
  (30 for 30%); the sign is ignored, because authors write "-31%" and "31% down" alike.
- ``american_odds``: odds the author likens the trade to (+700). Compared through the
  reward/risk they imply (+700 pays 7:1); ``computed`` holds the trade's own odds.

A claim is consistent when |claimed - computed| <= CLAIM_TOLERANCE * |computed|
(10% relative; for american_odds the test is on the implied reward/risk).
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from thesis.errors import BadInput
from thesis.risk.odds import american_to_probability, american_to_reward_risk, format_american, reward_risk_to_american
from thesis.risk.levels import Num
from thesis.risk.reward import RewardRisk, reward_risk

CLAIM_TOLERANCE = 0.10
CLAIM_KEYS = ("risk_reward", "break_even_win_rate", "target_pct", "american_odds")


@dataclass(frozen=True)
class ClaimCheck:
    key: str
    claimed: float
    computed: float
    consistent: bool
    sentence: str
    tolerance: float = CLAIM_TOLERANCE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def format_ratio(value: float) -> str:
    """7 -> "7.0", 2.4167 -> "2.42", 0.5 -> "0.5"."""
    text = f"{value:.2f}"
    return text[:-1] if text.endswith("0") else text


def parse_ratio(value: Num) -> float:
    """7, "7", "7:1", "7 to 1", "3:2" -> reward per unit of risk."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(?:(?::|/|to)\s*([0-9]*\.?[0-9]+))?\s*", value)
        if not match:
            raise BadInput(f"claimed risk_reward {value!r} is not a number or 'A:B'")
        top, bottom = float(match.group(1)), float(match.group(2) or 1.0)
        if bottom == 0:
            raise BadInput(f"claimed risk_reward {value!r} divides by zero")
        return top / bottom
    return claim_number("risk_reward", value)


def claim_number(key: str, value: Num) -> float:
    try:
        out = float(str(value).strip().rstrip("%")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise BadInput(f"claimed {key} must be a number, got {value!r}") from None
    if not math.isfinite(out):
        raise BadInput(f"claimed {key} must be finite, got {value!r}")
    return out


def _close(claimed: float, computed: float) -> bool:
    return abs(claimed - computed) <= CLAIM_TOLERANCE * abs(computed) + 1e-12


def _verdict(ok: bool, plural: bool = False) -> str:
    if plural:
        return "hold" if ok else "do not hold"
    return "holds" if ok else "does not hold"


def _legs(plan: RewardRisk, d: int = 2) -> str:
    if len(plan.targets) == 1:
        return f"{plan.rewards[0]:.{d}f} at {plan.targets[0]:.{d}f}, {plan.blended:.2f}:1"
    parts = [f"{r:.{d}f} at {t:.{d}f} on {s:.0%}" for r, t, s in zip(plan.rewards, plan.targets, plan.sizes)]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}, blended {plan.blended:.2f}:1"


def _check_risk_reward(plan: RewardRisk, raw: Num, d: int = 2) -> ClaimCheck:
    claimed = parse_ratio(raw)
    ok = _close(claimed, plan.blended)
    sentence = (f"The claimed {format_ratio(claimed)}:1 risk/reward {_verdict(ok)}: {plan.direction} from "
                f"{plan.entry:.{d}f} with stop {plan.stop:.{d}f} risks {plan.risk:.{d}f} to make {_legs(plan, d)}.")
    if not ok and len(plan.targets) > 1:
        best = max(range(len(plan.targets)), key=lambda i: plan.ratios[i])
        if _close(claimed, plan.ratios[best]):
            sentence += (f" It matches only the {plan.ratios[best]:.2f}:1 to {plan.targets[best]:.{d}f}, "
                         f"as if the whole position were held to that target.")
    return ClaimCheck("risk_reward", claimed, plan.blended, ok, sentence)


def _check_break_even(plan: RewardRisk, raw: Num, d: int = 2) -> ClaimCheck:
    claimed = claim_number("break_even_win_rate", raw)
    if not 0.0 < claimed < 1.0:
        raise BadInput(f"claimed break_even_win_rate must be a fraction between 0 and 1 (0.3 for 30%), got {raw!r}")
    computed = plan.break_even_win_rate
    ok = _close(claimed, computed)
    sentence = (f"The claimed break-even win rate of {claimed:.1%} {_verdict(ok)}: at {plan.blended:.2f}:1 the trade "
                f"breaks even when it wins {computed:.1%} of the time (1 / (1 + {plan.blended:.2f})).")
    return ClaimCheck("break_even_win_rate", claimed, computed, ok, sentence)


def _check_target_pct(plan: RewardRisk, raw: Num, d: int = 2) -> ClaimCheck:
    claimed = abs(claim_number("target_pct", raw))
    far = max(plan.targets, key=lambda t: abs(t - plan.entry))
    computed = abs(far - plan.entry) / plan.entry * 100.0
    ok = _close(claimed, computed)
    move = "fall" if far < plan.entry else "rise"
    sentence = (f"The claimed {claimed:.1f}% move to the target {_verdict(ok)}: {plan.direction} from "
                f"{plan.entry:.{d}f} to {far:.{d}f} is a {computed:.1f}% {move}.")
    return ClaimCheck("target_pct", claimed, computed, ok, sentence)


def _check_american(plan: RewardRisk, raw: Num, d: int = 2) -> ClaimCheck:
    claimed = claim_number("american_odds", raw)
    claimed_rr = american_to_reward_risk(claimed)
    computed = reward_risk_to_american(plan.blended)
    ok = _close(claimed_rr, plan.blended)
    sentence = (f"The claimed {format_american(claimed)} odds {_verdict(ok, plural=True)}: "
                f"a {plan.blended:.2f}:1 trade pays like "
                f"{format_american(computed)} odds and must win {plan.break_even_win_rate:.1%} of the time to break "
                f"even; {format_american(claimed)} pays {format_ratio(claimed_rr)}:1 and needs "
                f"{american_to_probability(claimed):.1%}.")
    return ClaimCheck("american_odds", claimed, computed, ok, sentence)


_CHECKS = {"risk_reward": _check_risk_reward, "break_even_win_rate": _check_break_even,
           "target_pct": _check_target_pct, "american_odds": _check_american}


def check_claims(direction: str, entry: Num, stop: Num, targets: Num | Sequence[Num],
                 sizes: Sequence[float] | None, claims: dict[str, Any], decimals: int = 2) -> list[ClaimCheck]:
    """One ClaimCheck per claim, in the order given. Levels are validated first. ``decimals``: prices
    in the sentences at the instrument's tick (4 for GBPUSD)."""
    if not isinstance(claims, dict):
        raise BadInput(f"claims must be a mapping of claim name to value, got {type(claims).__name__}")
    unknown = [k for k in claims if k not in _CHECKS]
    if unknown:
        raise BadInput(f"unknown claim {unknown[0]!r}: known claims are {', '.join(CLAIM_KEYS)}")
    plan = reward_risk(direction, entry, stop, targets, sizes)
    return [_CHECKS[key](plan, value, decimals) for key, value in claims.items()]
