"""Vectorised Black-Scholes-Merton for European options (numpy in, numpy out).

Every function broadcasts its array arguments like numpy does and returns a float when
all inputs are scalars. Conventions:
- ``t`` in years = calendar days / 365 (see ``years``); rates and dividend yield are
  continuously compounded decimals (0.05 = 5 %); ``vol`` is a decimal (0.20 = 20 %).
- ``kind``: "call"/"put" (or "c"/"p"), a bool (True = call), or an array of those.
- Greeks: delta, gamma per 1.00 of spot; vega per 1.00 of vol; theta per year (dV/dt);
  rho per 1.00 of rate.
"""
from __future__ import annotations

from statistics import NormalDist

import numpy as np

from thesis.errors import BadInput
from thesis.options import nb

GREEKS = ("price", "delta", "gamma", "vega", "theta", "rho")
DAYS_PER_YEAR = 365.0


def years(days):
    """Calendar days to years: days / 365."""
    return np.asarray(days, dtype=np.float64) / DAYS_PER_YEAR


def call_flags(kind) -> np.ndarray:
    """Turn "call"/"put"/"c"/"p"/bool (or an array of them) into int64 flags, 1 = call."""
    if isinstance(kind, str):
        return np.asarray(_one_flag(kind), dtype=np.int64)
    arr = np.asarray(kind)
    if arr.dtype == bool or np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.integer) and not np.isin(arr, (0, 1)).all():
            raise BadInput("option type flags must be 0 (put) or 1 (call)")
        return arr.astype(np.int64)
    flat = [_one_flag(str(x)) for x in arr.ravel()]
    return np.asarray(flat, dtype=np.int64).reshape(arr.shape)


def _one_flag(kind: str) -> int:
    low = kind.strip().lower()
    if low in ("call", "c"):
        return 1
    if low in ("put", "p"):
        return 0
    raise BadInput(f"option type must be 'call' or 'put', got {kind!r}")


def _check(name: str, arr: np.ndarray, rule: str) -> None:
    if rule == "positive":
        bad = ~(arr > 0.0)
        text = "must be > 0"
    elif rule == "nonneg":
        bad = ~(arr >= 0.0)
        text = "must be >= 0 (an expiry in the past is not allowed)"
    else:
        bad = ~np.isfinite(arr)
        text = "must be a finite number"
    if bad.any():
        first = arr[bad].ravel()[0]
        raise BadInput(f"{name} {text}, got {first!r}"
                       + (f" ({int(bad.sum())} bad values)" if arr.size > 1 else ""))


def _broadcast(kind, spot, strike, t, vol, rate, div_yield, extra=()):
    """Validate and broadcast; returns (shape, flat arrays: flags, s, k, t, v, r, q, *extra)."""
    flags = call_flags(kind)
    arrs = [np.asarray(x, dtype=np.float64) for x in (spot, strike, t, vol, rate, div_yield)]
    names = ("spot", "strike", "time to expiry", "vol", "rate", "div_yield")
    rules = ("positive", "positive", "nonneg", "positive", "finite", "finite")
    for name, arr, rule in zip(names, arrs, rules):
        _check(name, arr, rule)
        if rule != "finite":
            _check(name, arr, "finite")
    extra = [np.asarray(x, dtype=np.float64) for x in extra]
    shape = np.broadcast_shapes(flags.shape, *(a.shape for a in arrs), *(a.shape for a in extra))
    flat = [np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1)
            for a in (flags, *arrs, *extra)]
    return shape, flat


def _shape_out(values: np.ndarray, shape):
    out = values.reshape(shape)
    return float(out) if out.ndim == 0 else out


def bsm_price(kind, spot, strike, t, vol, rate=0.0, div_yield=0.0):
    """European option price(s) under Black-Scholes-Merton."""
    shape, (f, s, k, tt, v, r, q) = _broadcast(kind, spot, strike, t, vol, rate, div_yield)
    out = np.empty(s.shape[0])
    nb.bsm_price_nb(f, s, k, tt, v, r, q, out)
    return _shape_out(out, shape)


def bsm_greeks(kind, spot, strike, t, vol, rate=0.0, div_yield=0.0) -> dict:
    """Price and greeks: dict with keys price, delta, gamma, vega, theta, rho."""
    shape, (f, s, k, tt, v, r, q) = _broadcast(kind, spot, strike, t, vol, rate, div_yield)
    out = np.empty((6, s.shape[0]))
    nb.bsm_greeks_nb(f, s, k, tt, v, r, q, out)
    return {name: _shape_out(out[i], shape) for i, name in enumerate(GREEKS)}


def implied_vol(price, kind, spot, strike, t, rate=0.0, div_yield=0.0,
                on_bad: str = "raise", tol: float = 1e-12, maxiter: int = 100):
    """Volatility that reproduces each European ``price`` (vectorised).

    A price outside the no-arbitrage band (lower: discounted intrinsic value, upper:
    discounted spot for a call / discounted strike for a put) or at ``t == 0`` has no
    implied volatility: ``on_bad="raise"`` raises BadInput naming the first such quote,
    ``on_bad="nan"`` returns NaN there. Search range is (1e-10, 100].
    """
    if on_bad not in ("raise", "nan"):
        raise BadInput(f"on_bad must be 'raise' or 'nan', got {on_bad!r}")
    prices = np.asarray(price, dtype=np.float64)
    _check("option price", prices, "nonneg")
    shape, (f, s, k, tt, _v, r, q, p) = _broadcast(kind, spot, strike, t, 1.0, rate, div_yield,
                                                   extra=(prices,))
    out = np.empty(s.shape[0])
    nb.implied_vol_nb(p, f, s, k, tt, r, q, float(tol), int(maxiter), out)
    bad = np.isnan(out)
    if on_bad == "raise" and bad.any():
        i = int(np.flatnonzero(bad)[0])
        kind_txt = "call" if f[i] else "put"
        raise BadInput(
            f"no implied volatility for {kind_txt} price {p[i]!r} (spot {s[i]}, strike {k[i]},"
            f" t {tt[i]:.6g}y): price is outside the no-arbitrage band or time is 0"
            + (f"; {int(bad.sum())} such quotes" if out.size > 1 else ""))
    return _shape_out(out, shape)


def strike_for_delta(kind: str, spot: float, delta: float, t: float, vol: float,
                     rate: float = 0.0, div_yield: float = 0.0) -> float:
    """Strike whose Black-Scholes-Merton delta equals ``delta`` (unrounded).

    Call: delta = e^{-qt} N(d1), in (0, e^{-qt}); put: delta = -e^{-qt} N(-d1), in
    (-e^{-qt}, 0). Solves d1 and returns K = S exp(-d1 vol sqrt(t) + (r - q + vol^2/2) t).
    """
    is_call = bool(call_flags(kind))
    _broadcast(kind, spot, 1.0, t, vol, rate, div_yield)
    if t <= 0:
        raise BadInput("time to expiry must be > 0 to choose a strike by delta")
    scaled = abs(float(delta)) * np.exp(div_yield * t)
    if (is_call and not 0 < delta) or (not is_call and not delta < 0) or not scaled < 1:
        sign = "between 0 and 1 for a call" if is_call else "between -1 and 0 for a put"
        raise BadInput(f"delta must be {sign} (and below e^(-q t)), got {delta!r}")
    # the standard library's inverse normal (Wichura's AS241, within a few ulps of scipy's ndtri):
    # importing scipy.special would cost a one-idea replay about 0.3 s (docs/speed.md)
    quantile = NormalDist().inv_cdf(float(scaled))
    d1 = quantile if is_call else -quantile
    sq = vol * np.sqrt(t)
    return float(spot * np.exp(-d1 * sq + (rate - div_yield + 0.5 * vol * vol) * t))
