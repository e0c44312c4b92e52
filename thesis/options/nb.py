"""Numba kernels for option maths over flat float64 arrays (no pandas here).

Conventions shared by every kernel:
- ``t`` is years (calendar days / 365); ``r`` and ``q`` are continuously compounded.
- ``is_call`` is 1 for a call, 0 for a put.
- Greeks: delta and gamma per 1.00 of spot, vega per 1.00 of volatility (0.01 = one vol
  point gives vega/100), theta per year of calendar time (dV/dt, so a long option usually
  has negative theta), rho per 1.00 of rate.
- At ``t == 0`` a price is the intrinsic value, delta is +-1 in the money (0.5 / -0.5 at
  the strike), and gamma, vega, theta and rho are 0.
"""
from __future__ import annotations

import math

import numpy as np
from thesis.jit import njit

SQRT2 = math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
MAX_VOL = 100.0          # implied-vol search ceiling (10,000 vol points)
MIN_VOL = 1e-10


@njit(cache=True, nogil=True)
def norm_cdf(x):
    return 0.5 * math.erfc(-x / SQRT2)


@njit(cache=True, nogil=True)
def norm_pdf(x):
    return INV_SQRT_2PI * math.exp(-0.5 * x * x)


@njit(cache=True, nogil=True)
def bsm_price_one(is_call, s, k, t, v, r, q):
    """Black-Scholes-Merton price of one European option."""
    if t <= 0.0:
        return max(s - k, 0.0) if is_call else max(k - s, 0.0)
    df_r = math.exp(-r * t)
    df_q = math.exp(-q * t)
    vs = v * math.sqrt(t)
    d1 = (math.log(s / k) + (r - q) * t) / vs + 0.5 * vs
    d2 = d1 - vs
    if is_call:
        return s * df_q * norm_cdf(d1) - k * df_r * norm_cdf(d2)
    return k * df_r * norm_cdf(-d2) - s * df_q * norm_cdf(-d1)


@njit(cache=True, nogil=True)
def bsm_one(is_call, s, k, t, v, r, q):
    """Price and greeks of one European option: (price, delta, gamma, vega, theta, rho)."""
    if t <= 0.0:
        if is_call:
            delta = 1.0 if s > k else (0.5 if s == k else 0.0)
            return max(s - k, 0.0), delta, 0.0, 0.0, 0.0, 0.0
        delta = -1.0 if s < k else (-0.5 if s == k else 0.0)
        return max(k - s, 0.0), delta, 0.0, 0.0, 0.0, 0.0
    df_r = math.exp(-r * t)
    df_q = math.exp(-q * t)
    sqt = math.sqrt(t)
    vs = v * sqt
    d1 = (math.log(s / k) + (r - q) * t) / vs + 0.5 * vs
    d2 = d1 - vs
    pdf = norm_pdf(d1)
    gamma = df_q * pdf / (s * vs)
    vega = s * df_q * pdf * sqt
    decay = -s * df_q * pdf * v / (2.0 * sqt)
    if is_call:
        n1 = norm_cdf(d1)
        n2 = norm_cdf(d2)
        price = s * df_q * n1 - k * df_r * n2
        delta = df_q * n1
        theta = decay - r * k * df_r * n2 + q * s * df_q * n1
        rho = k * t * df_r * n2
    else:
        n1 = norm_cdf(-d1)
        n2 = norm_cdf(-d2)
        price = k * df_r * n2 - s * df_q * n1
        delta = -df_q * n1
        theta = decay + r * k * df_r * n2 - q * s * df_q * n1
        rho = -k * t * df_r * n2
    return price, delta, gamma, vega, theta, rho


@njit(cache=True, nogil=True)
def bsm_price_nb(is_call, s, k, t, v, r, q, out):
    """Fill ``out[i]`` with the price of option i (all inputs 1-D, same length)."""
    for i in range(out.shape[0]):
        out[i] = bsm_price_one(is_call[i], s[i], k[i], t[i], v[i], r[i], q[i])


@njit(cache=True, nogil=True)
def bsm_greeks_nb(is_call, s, k, t, v, r, q, out):
    """Fill ``out[:, i]`` with (price, delta, gamma, vega, theta, rho) of option i."""
    for i in range(s.shape[0]):
        p, de, ga, ve, th, rh = bsm_one(is_call[i], s[i], k[i], t[i], v[i], r[i], q[i])
        out[0, i] = p
        out[1, i] = de
        out[2, i] = ga
        out[3, i] = ve
        out[4, i] = th
        out[5, i] = rh


@njit(cache=True, nogil=True)
def implied_vol_one(price, is_call, s, k, t, r, q, tol, maxiter):
    """Implied volatility of one European price; NaN when no volatility gives that price.

    Safeguarded Newton: the root is kept in a bracket [lo, hi] that always holds it;
    a Newton step leaving the bracket (or a vanishing vega) is replaced by bisection.
    Start: the inflection point sqrt(2|ln(F/K)|/t) (Manaster-Koehler), from which
    Newton on the convex/concave price-in-vol curve moves monotonically to the root;
    near the money it falls back to the Brenner-Subrahmanyam guess. Stops when a step
    or the bracket is below ``tol`` (in vol units).
    """
    if not (t > 0.0) or not (price >= 0.0) or not (s > 0.0) or not (k > 0.0):
        return np.nan
    df_r = math.exp(-r * t)
    df_q = math.exp(-q * t)
    if is_call:
        lower = max(s * df_q - k * df_r, 0.0)
        upper = s * df_q
    else:
        lower = max(k * df_r - s * df_q, 0.0)
        upper = k * df_r
    if price <= lower or price >= upper:
        return np.nan
    lo = MIN_VOL
    hi = 1.0
    while bsm_price_one(is_call, s, k, t, hi, r, q) < price:
        lo = hi
        hi *= 2.0
        if hi > MAX_VOL:
            return np.nan
    fwd = s * df_q / df_r
    v = math.sqrt(2.0 * abs(math.log(fwd / k)) / t)
    if v < 1e-3:
        v = price / (0.4 * s * df_q * math.sqrt(t))
    if not (lo < v < hi):
        v = 0.5 * (lo + hi)
    for _ in range(maxiter):
        p, de, ga, vega, th, rh = bsm_one(is_call, s, k, t, v, r, q)
        diff = p - price
        if diff == 0.0:
            return v
        if diff > 0.0:
            hi = v
        else:
            lo = v
        if vega > 0.0:
            nxt = v - diff / vega
        else:
            nxt = -1.0
        if not (lo < nxt < hi):
            nxt = 0.5 * (lo + hi)
        if abs(nxt - v) < tol or hi - lo < tol:
            return nxt
        v = nxt
    return v


@njit(cache=True, nogil=True)
def implied_vol_nb(price, is_call, s, k, t, r, q, tol, maxiter, out):
    """Fill ``out[i]`` with the implied vol of quote i (NaN when outside no-arbitrage bounds)."""
    for i in range(out.shape[0]):
        out[i] = implied_vol_one(price[i], is_call[i], s[i], k[i], t[i], r[i], q[i], tol, maxiter)


@njit(cache=True, nogil=True, python=False)   # millions of path steps: never a Python loop
def touch_mc_nb(s0, barrier, drift, sigma, t, n_paths, n_steps, seed):
    """Monte Carlo share of GBM paths that touch ``barrier`` before ``t``.

    Exact log-normal steps; between two steps the path is a Brownian bridge, so a touch
    inside a step is counted with probability exp(-2 a b / (sigma^2 dt)), where a and b
    are the log distances of the two end points from the barrier (continuous monitoring).
    ``drift`` is the drift of the price (d S / S = drift dt + sigma dW).
    """
    np.random.seed(seed)
    dt = t / n_steps
    nu = (drift - 0.5 * sigma * sigma) * dt
    sd = sigma * math.sqrt(dt)
    lb = math.log(barrier / s0)
    up = lb > 0.0
    hits = 0
    for _ in range(n_paths):
        x = 0.0
        touched = False
        for _ in range(n_steps):
            y = x + nu + sd * np.random.standard_normal()
            if (up and y >= lb) or ((not up) and y <= lb):
                touched = True
                break
            a = lb - x
            b = lb - y
            if np.random.random() < math.exp(-2.0 * a * b / (sd * sd)):
                touched = True
                break
            x = y
        if touched:
            hits += 1
    return hits / n_paths
