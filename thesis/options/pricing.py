"""One front door for option prices: ``price()`` for one option with greeks, and
``model_values()`` for many prices (grids, paths) in either exercise style.

Inputs are checked here and bad ones raise BadInput naming the field:
vol <= 0, spot <= 0, strike <= 0, an expiry before the as-of date, an unknown type/style.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

from thesis.errors import BadInput
from thesis.limits import MAX_DAYS, MAX_DIV_YIELD, MAX_IV, MAX_PRICE, MAX_RATE, MIN_DIV_YIELD, MIN_RATE  # one set of ranges
from thesis.options import bsm
from thesis.extras import require


def quantlib_price(*args, **kwargs) -> dict:
    """thesis.options.american.quantlib_price, loaded on first use: QuantLib is the optional
    ``quantlib`` extra, needed only for American style and cash dividends."""
    require("QuantLib", "American option prices (style='american') and cash dividends")
    from thesis.options.american import quantlib_price as price

    return price(*args, **kwargs)


STYLES = ("american", "european")
TYPES = ("put", "call")
_BASE_DATE = dt.date(2000, 1, 3)   # any date works when only yields are used


def to_date(value, name: str) -> dt.date:
    """Accept a date, datetime, pandas Timestamp, numpy datetime64 or ISO string (through the one
    date parser, thesis.data.dates.parse_date: `thesis options price` with dates loads pandas)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    from thesis.data.dates import parse_date

    day = parse_date(value, name)
    if day is None:
        raise BadInput(f"{name} must be a date, got None")
    return day.date()


def resolve_expiry(days=None, expiry=None, asof=None) -> tuple[int, dt.date, dt.date]:
    """(calendar days to expiry, asof, expiry) from ``days`` or ``expiry`` + ``asof``.

    ``asof`` defaults to today when only ``days`` is given. An expiry before the as-of
    date raises BadInput; an expiry on the as-of date (0 days) is allowed (intrinsic value).
    """
    if days is not None and expiry is not None:
        raise BadInput("give either days or expiry (with asof), not both")
    if days is None and expiry is None:
        raise BadInput("give days to expiry, or expiry with asof")
    if expiry is not None and asof is None:
        raise BadInput("expiry needs an as-of date (asof) to count the days")
    asof_d = to_date(asof, "asof") if asof is not None else dt.date.today()
    if expiry is not None:
        expiry_d = to_date(expiry, "expiry")
        n_days = (expiry_d - asof_d).days
    else:
        if isinstance(days, float) and not days.is_integer():
            raise BadInput(f"days must be a whole number of calendar days, got {days!r}")
        n_days = int(days)
        if n_days > MAX_DAYS:
            raise BadInput(f"days must be at most {MAX_DAYS} (10 years), got {n_days}")
        expiry_d = asof_d + dt.timedelta(days=max(n_days, 0))
    if n_days > MAX_DAYS:
        raise BadInput(f"expiry {expiry_d} is more than {MAX_DAYS} days after the as-of date {asof_d}")
    if n_days < 0:
        where = f"expiry {expiry_d} is before the as-of date {asof_d}" if expiry is not None \
            else f"days must be >= 0, got {n_days}"
        raise BadInput(f"{where} (expiry in the past)")
    return n_days, asof_d, expiry_d


def check_market(type: str, spot, strike, iv, rate=0.0, div_yield=0.0, style="american") -> str:
    """Validate scalar inputs; returns the normalised option type ("put"/"call")."""
    kind = str(type).strip().lower()
    if kind not in TYPES:
        raise BadInput(f"option type must be 'put' or 'call', got {type!r}")
    if style not in STYLES:
        raise BadInput(f"style must be 'american' or 'european', got {style!r}")
    for name, value in (("spot", spot), ("strike", strike)):
        if not (np.all(np.isfinite(value)) and np.all(np.asarray(value) > 0)):
            raise BadInput(f"{name} must be > 0, got {value!r}")
    for name, value in (("spot", spot), ("strike", strike)):
        if np.any(np.asarray(value) > MAX_PRICE):
            raise BadInput(f"{name} must be at most {MAX_PRICE:g}, got {value!r}")
    if iv is None:
        raise BadInput("iv (volatility) is required")
    if not (np.all(np.isfinite(iv)) and np.all(np.asarray(iv) > 0)):
        raise BadInput(f"iv (volatility) must be > 0, got {iv!r} (0.20 means 20 %)")
    if np.any(np.asarray(iv) > MAX_IV):
        shown = float(np.max(iv))
        raise BadInput(f"iv (volatility) is a decimal at most {MAX_IV:g}: {shown:g} would be {shown * 100:,.0f} %; "
                       f"for {shown:g} % write {shown / 100:g}")
    for name, value, lo, hi in (("rate", rate, MIN_RATE, MAX_RATE), ("div_yield", div_yield, MIN_DIV_YIELD, MAX_DIV_YIELD)):
        if not np.all(np.isfinite(value)):
            raise BadInput(f"{name} must be a finite number, got {value!r}")
        if np.any(np.asarray(value) < lo) or np.any(np.asarray(value) > hi):
            shown = float(np.max(np.abs(value)))
            hint = f"; for {shown:g} % write {shown / 100:g}" if shown > hi else ""
            raise BadInput(f"{name} is a decimal between {lo:g} and {hi:g} (0.05 = 5 %), got {value!r}{hint}")
    return kind


def price(type: str, spot: float, strike: float, days: int | None = None,
          expiry=None, asof=None, iv: float | None = None, rate: float = 0.0,
          div_yield: float = 0.0, style: str = "american", dividends=None) -> dict:
    """Price and greeks of one option: dict(price, delta, gamma, vega, theta, rho).

    Time: ``days`` (calendar) or ``expiry`` and ``asof``; t = days / 365. ``rate`` and
    ``div_yield`` are continuously compounded; ``dividends`` is an optional list of
    (date, cash amount) (needs ``asof`` or counts from today). Units: vega per 1.00 of vol,
    theta per year, rho per 1.00 of rate. European without cash dividends is exact BSM;
    American (or cash dividends) uses QuantLib (see american.py).
    """
    kind = check_market(type, spot, strike, iv, rate, div_yield, style)
    assert iv is not None               # check_market refuses a missing iv by name
    n_days, asof_d, expiry_d = resolve_expiry(days, expiry, asof)
    spot, strike, iv = float(spot), float(strike), float(iv)
    if n_days == 0 or (style == "european" and not dividends):
        g = bsm.bsm_greeks(kind, spot, strike, n_days / 365.0, iv, rate, div_yield)
        return {k: float(g[k]) for k in bsm.GREEKS}
    out = quantlib_price(kind, spot, strike, asof_d, expiry_d, iv, float(rate), float(div_yield),
                         dividends=dividends, style=style)
    return {k: float(out[k]) for k in bsm.GREEKS}


@lru_cache(maxsize=65536)
def _american_one(kind, spot, strike, days, iv, rate, div_yield) -> float:
    return quantlib_price(kind, spot, strike, _BASE_DATE, _BASE_DATE + dt.timedelta(days=days),
                          iv, rate, div_yield, style="american", greeks=False)["price"]


def model_values(kind: str, spot, strike: float, days, iv, rate: float = 0.0,
                 div_yield: float = 0.0, style: str = "european") -> np.ndarray:
    """Model prices for arrays of spot / calendar days / iv (broadcast together).

    ``days`` <= 0 gives intrinsic value (the option has expired). European: vectorised
    BSM. American: one QuantLib FD valuation per distinct input (cached), slower.
    """
    kind = check_market(kind, spot, strike, iv, rate, div_yield, style)
    s, d, v = np.broadcast_arrays(np.asarray(spot, float), np.asarray(days, float),
                                  np.asarray(iv, float))
    d = np.maximum(d, 0.0)
    if style == "european":
        return np.asarray(bsm.bsm_price(kind, s, strike, d / 365.0, v, rate, div_yield), float)
    def compute() -> np.ndarray:
        out = np.empty(s.shape)
        for idx in np.ndindex(s.shape):
            if d[idx] <= 0:
                out[idx] = max(float(s[idx]) - strike, 0.0) if kind == "call" else max(strike - float(s[idx]), 0.0)
            else:
                out[idx] = _american_one(kind, float(s[idx]), float(strike), int(round(d[idx])),
                                         float(v[idx]), float(rate), float(div_yield))
        return out
    if s.size < CACHE_MIN_VALUES or not (d > 0).any():
        return compute()
    return _cached_american(kind, s, strike, d, v, rate, div_yield, compute)


#: A path of American values (an idea's option along its trade) is cached on disk: importing
#: QuantLib and pricing a hundred sessions would be a third of a warm one-idea replay (docs/speed.md).
CACHE_MIN_VALUES = 2


def _cached_american(kind, s, strike, d, v, rate, div_yield, compute) -> np.ndarray:
    """``compute()``, or its copy in $THESIS_HOME/cache (thesis.cache) keyed by every input and by the
    pricer: this module, thesis.options.american and QuantLib's installed files (found without
    importing QuantLib, so a hit never loads it)."""
    import hashlib
    from importlib.util import find_spec
    from pathlib import Path

    import pandas as pd

    from thesis.cache import cached_frames, files_fingerprint

    spec = find_spec("QuantLib")
    quantlib = sorted(Path(spec.origin).parent.glob("*QuantLib*")) if spec is not None and spec.origin else []
    here = Path(__file__).resolve()
    digest = hashlib.sha256()
    for arr in (s, d, v):
        digest.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
    parts = {"kind": kind, "strike": float(strike), "rate": float(rate), "div_yield": float(div_yield),
             "shape": list(s.shape), "inputs": digest.hexdigest(),
             "pricer": files_fingerprint([here, here.with_name("american.py"), *quantlib])}
    frames = cached_frames("american", parts, lambda: {"american": pd.DataFrame({"price": compute().ravel()})})
    return frames["american"]["price"].to_numpy(dtype=float).reshape(s.shape)
