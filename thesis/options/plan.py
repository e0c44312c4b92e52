"""Turn a directional idea into ranked option candidates.

Rules:
- Short idea -> puts; long idea -> calls. Stop must be on the losing side of entry and
  every target on the winning side.
- Positions are opened on the as-of date with the underlying at ``entry`` (the idea's
  trigger level; ``open_at="spot"`` uses ``spot`` instead), priced by the model with the
  chosen volatility (explicit, VIX proxy or realised, see vol.py).
- Expiries: the first ``n_expiries`` monthly expiries on or after asof + horizon_days,
  so every candidate outlives the idea's horizon.
- Strikes (rounded to ``strike_step``): at the open price (ATM), by |delta| 0.40 / 0.30
  (Black-Scholes-Merton delta at the open), and halfway from entry to the first target.
  Candidates: a long option at each strike; debit verticals bought at ATM or the 0.40 /
  0.30-delta strike and sold at each target or at halfway.
- Evaluation date: asof + ``target_days`` (default: half the horizon). There each
  candidate is valued with the underlying at each target and at the stop (same vol).
  loss_at_stop = cost - value at stop; reward_risk = P&L at the first target / loss_at_stop.
- Ranking (``rank_by``): "reward_risk" (default), "pnl" (at first target),
  "return_on_cost", or "cost" (cheapest first). Candidates that do not make money at the
  first target go last.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from thesis.errors import BadInput
from thesis.options.bsm import bsm_greeks, strike_for_delta
from thesis.options.expiries import expiries_covering
from thesis.options.pricing import STYLES, to_date
from thesis.options.strategies import Position, long_call, long_put, vertical
from thesis.options.vol import VolChoice, choose_vol

RANK_KEYS = ("reward_risk", "pnl", "return_on_cost", "cost")
DELTAS = (0.40, 0.30)


@dataclass
class Candidate:
    name: str
    structure: str            # "long put", "long call", "debit vertical"
    expiry: dt.date
    position: Position
    cost: float               # dollars paid at open
    delta: float              # position delta in shares at open (per 1 x contracts)
    value_at_targets: list[float]
    pnl_at_targets: list[float]
    value_at_stop: float
    loss_at_stop: float
    breakeven: float | None   # underlying price at expiry where P&L is 0
    max_loss: float | None    # at expiry; None = unlimited
    max_gain: float | None    # at expiry; None = unlimited
    reward_risk: float | None
    return_on_cost: float | None
    rank: int = 0

    def to_dict(self) -> dict:
        return {"rank": self.rank, "name": self.name, "structure": self.structure,
                "expiry": self.expiry.isoformat(), "legs": self.position.to_dict()["legs"],
                "cost": self.cost, "delta": self.delta,
                "value_at_targets": self.value_at_targets, "pnl_at_targets": self.pnl_at_targets,
                "value_at_stop": self.value_at_stop, "loss_at_stop": self.loss_at_stop,
                "breakeven": self.breakeven, "max_loss": self.max_loss, "max_gain": self.max_gain,
                "reward_risk": self.reward_risk, "return_on_cost": self.return_on_cost}


@dataclass
class OptionsPlan:
    direction: str
    option_type: str
    entry: float
    stop: float
    targets: list[float]
    horizon_days: int
    asof: dt.date
    spot: float
    open_price: float
    open_at: str
    evaluation_date: dt.date
    vol: VolChoice
    rate: float
    div_yield: float
    style: str
    rank_by: str
    expiries: list[dt.date]
    underlying_reward_risk: float
    candidates: list[Candidate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def best(self) -> Candidate:
        return self.candidates[0]

    def to_dict(self) -> dict:
        return {"direction": self.direction, "option_type": self.option_type,
                "entry": self.entry, "stop": self.stop, "targets": self.targets,
                "horizon_days": self.horizon_days, "asof": self.asof.isoformat(),
                "spot": self.spot, "open_price": self.open_price, "open_at": self.open_at,
                "evaluation_date": self.evaluation_date.isoformat(),
                "vol": self.vol.to_dict(), "rate": self.rate, "div_yield": self.div_yield,
                "style": self.style, "rank_by": self.rank_by,
                "expiries": [e.isoformat() for e in self.expiries],
                "underlying_reward_risk": self.underlying_reward_risk,
                "candidates": [c.to_dict() for c in self.candidates], "notes": self.notes,
                "price_kind": "model prices (not quotes)"}


#: The longest horizon a plan takes: an idea file's longest (30 years), in calendar days.
from thesis.limits import MAX_HORIZON_DAYS  # noqa: E402 - the longest horizon an idea file takes


def _check_levels(direction: str, entry: float, stop: float, targets: list[float]) -> None:
    if direction not in ("long", "short"):
        raise BadInput(f"direction must be 'long' or 'short', got {direction!r}")
    for name, v in (("entry", entry), ("stop", stop), *((f"target {t}", t) for t in targets)):
        if not (math.isfinite(v) and v > 0):
            raise BadInput(f"{name} must be a price > 0, got {v!r}")
    if not targets:
        raise BadInput("give at least one target")
    short = direction == "short"
    if (stop <= entry) if short else (stop >= entry):
        raise BadInput(f"stop {stop} must be {'above' if short else 'below'} entry {entry} for a {direction} idea")
    for t in targets:
        if (t >= entry) if short else (t <= entry):
            raise BadInput(f"target {t} must be {'below' if short else 'above'} entry {entry} for a {direction} idea")


def _round_strike(k: float, step: float) -> float:
    return float(max(step, round(k / step) * step))


def _strike_set(kind, open_price, targets, expiry, asof, vol, rate, q, step) -> dict[str, float]:
    t = (expiry - asof).days / 365.0
    sign = 1 if kind == "call" else -1
    strikes = {"atm": _round_strike(open_price, step)}
    for d in DELTAS:
        strikes[f"{d:.2f}d"] = _round_strike(
            strike_for_delta(kind, open_price, sign * d, t, vol, rate, q), step)
    strikes["half"] = _round_strike((open_price + targets[0]) / 2, step)
    return strikes


def _positions(kind, strikes, targets, expiry, contracts, step) -> list[tuple[str, Position]]:
    single = long_put if kind == "put" else long_call
    out, seen = [], set()

    def add(structure, pos):
        key = tuple((leg.type, leg.strike, leg.qty) for leg in pos.legs)
        if key not in seen:
            seen.add(key)
            out.append((structure, pos))

    for label in ("atm", *(f"{d:.2f}d" for d in DELTAS), "half"):
        add(f"long {kind}", single(strikes[label], expiry, contracts))
    shorts = [_round_strike(t, step) for t in targets] + [strikes["half"]]
    for label in ("atm", *(f"{d:.2f}d" for d in DELTAS)):
        k_long = strikes[label]
        for k_short in shorts:
            wins = k_short < k_long if kind == "put" else k_short > k_long
            if wins:
                add("debit vertical", vertical(kind, k_long, k_short, expiry, contracts))
    return out


def _score(c: Candidate, rank_by: str) -> tuple:
    makes_money = c.pnl_at_targets[0] > 0
    if rank_by == "cost":
        return (not makes_money, c.cost)
    value = {"reward_risk": c.reward_risk, "pnl": c.pnl_at_targets[0],
             "return_on_cost": c.return_on_cost}[rank_by]
    return (not makes_money, -(value if value is not None else -math.inf))


def plan_options(direction: str, entry: float, stop: float, targets, horizon_days: int,
                 asof, spot: float | None = None, iv: float | None = None,
                 iv_source: str | None = None, symbol: str | None = None, rate: float = 0.0,
                 div_yield: float = 0.0, style: str = "european", target_days: int | None = None,
                 n_expiries: int = 3, strike_step: float = 1.0, contracts: int = 1,
                 open_at: str = "entry", rank_by: str = "reward_risk", bars=None,
                 vix_bars=None, index_bars=None, source: str | None = None) -> OptionsPlan:
    """Candidate option positions for an idea, ranked (see the module rules)."""
    targets = [float(t) for t in (targets if isinstance(targets, (list, tuple)) else [targets])]
    entry, stop = float(entry), float(stop)
    _check_levels(direction, entry, stop, targets)
    asof = to_date(asof, "asof")
    horizon_days = int(horizon_days)
    if horizon_days < 1:
        raise BadInput(f"horizon_days must be >= 1, got {horizon_days}")
    if horizon_days > MAX_HORIZON_DAYS:  # the longest horizon an idea file takes (30 years)
        raise BadInput(f"horizon_days must be at most {MAX_HORIZON_DAYS:,} (30 years), got {horizon_days:,}")
    if style not in STYLES:
        raise BadInput(f"style must be 'american' or 'european', got {style!r}")
    if rank_by not in RANK_KEYS:
        raise BadInput(f"rank_by must be one of {', '.join(RANK_KEYS)}, got {rank_by!r}")
    if open_at not in ("entry", "spot"):
        raise BadInput(f"open_at must be 'entry' or 'spot', got {open_at!r}")
    if not (strike_step > 0):
        raise BadInput(f"strike_step must be > 0, got {strike_step!r}")
    if int(contracts) != contracts or contracts < 1:
        raise BadInput(f"contracts must be a whole number >= 1, got {contracts!r}")
    spot = float(spot) if spot is not None else entry
    if not (math.isfinite(spot) and spot > 0):
        raise BadInput(f"spot must be > 0, got {spot!r}")
    target_days = horizon_days // 2 if target_days is None else int(target_days)
    if not 0 <= target_days <= horizon_days:
        raise BadInput(f"target_days must be within 0..horizon_days ({horizon_days}), got {target_days}")
    vol = choose_vol(iv, iv_source, asof, symbol, bars, vix_bars, index_bars, source)
    kind = "put" if direction == "short" else "call"
    open_price = entry if open_at == "entry" else spot
    eval_date = asof + dt.timedelta(days=target_days)
    expiries = expiries_covering(asof, horizon_days, n_expiries)
    market = dict(iv=vol.iv, rate=rate, div_yield=div_yield, style=style)
    candidates = []
    for expiry in expiries:
        strikes = _strike_set(kind, open_price, targets, expiry, asof, vol.iv, rate, div_yield, strike_step)
        for structure, pos in _positions(kind, strikes, targets, expiry, contracts, strike_step):
            candidates.append(_evaluate(structure, pos, asof, open_price, eval_date, targets, stop, market))
    candidates.sort(key=lambda c: _score(c, rank_by))
    for i, c in enumerate(candidates, 1):
        c.rank = i
    notes = [f"model prices (Black-Scholes-Merton{' + QuantLib American' if style == 'american' else ''},"
             f" flat vol {vol.iv:.4f}), not quotes",
             f"opened on {asof} with the underlying at {open_price:g} ({open_at});"
             f" evaluated on {eval_date} ({target_days} days later)"]
    if open_at == "entry" and abs(spot - entry) / entry > 0.002:
        notes.append(f"spot {spot:g} differs from entry {entry:g}: the plan assumes the idea triggers at entry")
    rr = abs(targets[0] - entry) / abs(stop - entry)
    return OptionsPlan(direction, kind, entry, stop, targets, horizon_days, asof, spot, open_price,
                       open_at, eval_date, vol, float(rate), float(div_yield), style, rank_by,
                       expiries, rr, candidates, notes)


def _evaluate(structure, pos, asof, open_price, eval_date, targets, stop, market) -> Candidate:
    pos = pos.with_premiums(asof, open_price, **market)
    cost = pos.cost
    levels = np.array([*targets, stop], dtype=float)
    values = pos.value(levels, eval_date, **market)
    at_targets = [float(v) for v in values[:-1]]
    pnl = [v - cost for v in at_targets]
    loss_at_stop = cost - float(values[-1])
    profile = pos.expiry_profile()
    bes = profile["breakevens"]
    breakeven = min(bes, key=lambda b: abs(b - open_price)) if bes else None
    t = (pos.first_expiry - asof).days / 365.0
    delta = sum(leg.qty * float(bsm_greeks(leg.type, open_price, leg.strike, t, market["iv"],
                                           market["rate"], market["div_yield"])["delta"])
                for leg in pos.legs) * pos.multiplier
    return Candidate(
        name=f"{pos.name} {pos.first_expiry}", structure=structure, expiry=pos.first_expiry,
        position=pos, cost=cost, delta=delta, value_at_targets=at_targets, pnl_at_targets=pnl,
        value_at_stop=float(values[-1]), loss_at_stop=loss_at_stop, breakeven=breakeven,
        max_loss=profile["max_loss"], max_gain=profile["max_gain"],
        reward_risk=(pnl[0] / loss_at_stop) if loss_at_stop > 0 else None,
        return_on_cost=(pnl[0] / cost) if cost > 0 else None)
