"""What-if grids for an option position and the chance of touching a level.

- ``scenario_grid``: model value and P&L on a price x date grid (flat vol), plus an IV
  view: P&L across prices on one date with the vol shifted by +/- vol points.
- ``touch_probability``: closed-form probability that a GBM price touches a level before
  t (continuous monitoring, first-passage / reflection formula); ``touch_probability_mc``
  checks it by Monte Carlo.
Charts live in scenario_chart.py. All values are model prices, not quotes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr

from thesis.errors import BadInput
from thesis.options import nb
from thesis.options.pricing import check_market, to_date
from thesis.options.strategies import Position


def touch_probability(spot, level, t, vol, drift=0.0):
    """P(price touches ``level`` at some time in [0, t]) for dS/S = drift dt + vol dW.

    With x = ln(level/spot), nu = drift - vol^2/2, s = vol sqrt(t):
    level above spot: N((-x + nu t)/s) + exp(2 nu x / vol^2) N((-x - nu t)/s);
    level below spot: N(( x - nu t)/s) + exp(2 nu x / vol^2) N(( x + nu t)/s);
    1 when the level is the spot (already touched), 0 when t == 0 and it is not.
    Vectorised over all arguments. Use drift = rate - div_yield for the risk-neutral
    measure, or your own real-world drift.
    """
    s0, b, tt, v, mu = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (spot, level, t, vol, drift)))
    if (s0 <= 0).any() or (b <= 0).any():
        raise BadInput("spot and level must be > 0 for a touch probability")
    if (v <= 0).any() or (tt < 0).any():
        raise BadInput("vol must be > 0 and t >= 0 for a touch probability")
    x = np.log(b / s0)
    nu = mu - 0.5 * v * v
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sd = v * np.sqrt(tt)
        sign = np.where(x > 0, -1.0, 1.0)          # -1 for a level above, +1 below
        a1 = (sign * x + sign * -nu * tt) / sd      # above: (-x + nu t)/s ; below: (x - nu t)/s
        a2 = (sign * x + sign * nu * tt) / sd       # above: (-x - nu t)/s ; below: (x + nu t)/s
        p = ndtr(a1) + np.exp(2.0 * nu * x / (v * v)) * ndtr(a2)
    p = np.where(x == 0, 1.0, np.where(tt == 0, 0.0, np.clip(p, 0.0, 1.0)))
    return float(p) if p.ndim == 0 else p


def touch_probability_mc(spot: float, level: float, t: float, vol: float, drift: float = 0.0,
                         n_paths: int = 20_000, n_steps: int = 250, seed: int = 0) -> float:
    """Monte Carlo estimate of ``touch_probability`` (exact steps + Brownian-bridge touches)."""
    if level == spot:
        return 1.0
    return float(nb.touch_mc_nb(float(spot), float(level), float(drift), float(vol), float(t),
                                int(n_paths), int(n_steps), int(seed)))


@dataclass
class ScenarioGrid:
    position: Position
    asof: dt.date
    spot: float
    iv: float
    rate: float
    div_yield: float
    style: str
    prices: np.ndarray              # underlying levels (columns)
    dates: list[dt.date]            # valuation dates (rows)
    value: np.ndarray               # dollars, shape (len(dates), len(prices))
    pnl: np.ndarray                 # value - cost
    iv_date: dt.date
    iv_shifts_points: list[float]   # vol points, e.g. -5, 0, +5
    iv_pnl: np.ndarray              # shape (len(iv_shifts_points), len(prices))
    stop: float | None = None
    targets: list[float] = field(default_factory=list)
    horizon_date: dt.date | None = None
    touch: list[dict] = field(default_factory=list)

    @property
    def cost(self) -> float:
        return self.position.cost

    def to_dict(self) -> dict:
        r = lambda a: np.round(a, 6).tolist()   # noqa: E731
        return {"position": self.position.to_dict(), "asof": self.asof.isoformat(),
                "spot": self.spot, "iv": self.iv, "rate": self.rate, "div_yield": self.div_yield,
                "style": self.style, "cost": self.cost, "prices": r(self.prices),
                "dates": [d.isoformat() for d in self.dates],
                "value": r(self.value), "pnl": r(self.pnl),
                "iv_view": {"date": self.iv_date.isoformat(), "shifts_points": self.iv_shifts_points,
                            "pnl": r(self.iv_pnl)},
                "stop": self.stop, "targets": self.targets,
                "horizon_date": self.horizon_date.isoformat() if self.horizon_date else None,
                "touch_probability": self.touch, "price_kind": "model prices (not quotes)"}


def default_prices(spot: float, position: Position, levels=(), n: int = 41) -> np.ndarray:
    """``n`` evenly spaced levels from 0.9 x the lowest to 1.1 x the highest of spot,
    strikes and the given levels (stop, targets)."""
    pts = [spot, *(leg.strike for leg in position.legs), *levels]
    return np.linspace(0.9 * min(pts), 1.1 * max(pts), n)


def default_dates(asof: dt.date, end: dt.date, n: int = 7) -> list[dt.date]:
    """``n`` evenly spaced calendar dates from ``asof`` to ``end`` (inclusive, no repeats)."""
    span = (end - asof).days
    steps = sorted({round(span * i / (n - 1)) for i in range(n)}) if n > 1 else [0]
    return [asof + dt.timedelta(days=int(s)) for s in steps]


def scenario_grid(position: Position, asof, spot: float, iv: float, rate: float = 0.0,
                  div_yield: float = 0.0, style: str = "european", prices=None, dates=None,
                  n_prices: int = 41, n_dates: int = 7, iv_shifts_points=(-5.0, 0.0, 5.0),
                  iv_date=None, stop: float | None = None, targets=(), horizon_date=None,
                  drift: float | None = None) -> ScenarioGrid:
    """Value and P&L of ``position`` on a price x date grid (see module doc).

    Missing premiums are filled with the model price on ``asof`` at ``spot``. Dates default
    to ``n_dates`` from asof to the first expiry; the IV view date defaults to the horizon
    date (or the middle date). Touch probabilities (for stop and targets, up to the horizon
    date or first expiry) use ``drift`` (default: risk-neutral rate - div_yield).
    """
    check_market("put", spot, 1.0, iv, rate, div_yield, style)
    asof = to_date(asof, "asof")
    if position.first_expiry < asof:
        raise BadInput(f"{position.name}: expiry {position.first_expiry} is before the as-of date {asof}")
    position = position.with_premiums(asof, spot, iv, rate, div_yield, style)
    targets = [float(t) for t in targets]
    horizon = to_date(horizon_date, "horizon_date") if horizon_date is not None else None
    levels = [x for x in (stop, *targets) if x is not None]
    px = np.asarray(prices, float) if prices is not None else default_prices(spot, position, levels, n_prices)
    if px.ndim != 1 or px.size < 2 or (px <= 0).any():
        raise BadInput("scenario prices must be at least two levels, all > 0")
    days = [to_date(d, "scenario date") for d in dates] if dates is not None \
        else default_dates(asof, position.first_expiry, n_dates)
    for d in days:
        if not asof <= d <= position.last_expiry:
            raise BadInput(f"scenario date {d} must be between {asof} and {position.last_expiry}")
    value = np.vstack([position.value(px, d, iv, rate, div_yield, style) for d in days])
    iv_day = to_date(iv_date, "iv_date") if iv_date is not None else (
        horizon if horizon is not None and horizon <= position.first_expiry else days[len(days) // 2])
    shifts = [float(s) for s in iv_shifts_points]
    for s in shifts:
        if not iv + s / 100 > 0:
            raise BadInput(f"iv shift {s:+g} points takes vol {iv} to <= 0")
    iv_pnl = np.vstack([position.pnl(px, iv_day, iv + s / 100, rate, div_yield, style) for s in shifts])
    t_end = min(horizon or position.first_expiry, position.first_expiry)
    t_years = max((t_end - asof).days, 0) / 365.0
    mu = (rate - div_yield) if drift is None else drift
    touch = [{"level": lvl, "kind": kind, "by": t_end.isoformat(), "drift": mu,
              "probability": touch_probability(spot, lvl, t_years, iv, mu) if t_years > 0 else float(lvl == spot)}
             for kind, lvl in ([("stop", stop)] if stop is not None else []) + [("target", t) for t in targets]]
    return ScenarioGrid(position, asof, float(spot), float(iv), float(rate), float(div_yield), style,
                        px, days, value, value - position.cost, iv_day, shifts, iv_pnl,
                        stop, targets, horizon, touch)
