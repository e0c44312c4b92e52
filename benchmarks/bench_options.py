"""Options speed: vectorised BSM and implied vol against QuantLib, measured in the same run.

Ours: thesis.options.bsm on 1,000,000 random European options (price + 5 greeks) and
implied vol of 100,000 quotes (round-trip error reported where vega > 1e-4 x spot; the
rest, e.g. deep in-the-money short-dated quotes equal to intrinsic in floating point,
carry no information about vol); best of 3 runs after one warm-up call (numba kernels are
compiled or loaded from cache by the warm-up, which is not timed).
Peer: QuantLib AnalyticEuropeanEngine (NPV + delta, gamma, vega, theta, rho) and
VanillaOption.impliedVolatility on 2,000 options each, scaled per option to the same count.
"""
from __future__ import annotations

import time

import numpy as np
import QuantLib as ql

from benchmarks._timing import best_time
from thesis.options.bsm import bsm_greeks, bsm_price, implied_vol

N_PRICES = 1_000_000
N_IV = 100_000
N_PEER = 2_000


def _inputs(n: int, seed: int):
    rng = np.random.default_rng(seed)
    s = rng.uniform(20, 500, n)
    k = s * np.exp(rng.uniform(-0.4, 0.4, n))
    days = rng.integers(7, 730, n)
    v = rng.uniform(0.1, 0.8, n)
    r = rng.uniform(0.0, 0.06, n)
    q = rng.uniform(0.0, 0.03, n)
    is_call = rng.random(n) < 0.5
    return is_call, s, k, days, v, r, q


def _quantlib_options(is_call, s, k, days, v, r, q):
    """One VanillaOption per input with its own flat curves (built outside the timing, so
    quote changes do not notify thousands of observers)."""
    today = ql.Date(2, 1, 2024)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual365Fixed()
    out = []
    for c, a, kk, d, vv, rr, qq in zip(is_call, s, k, days, v, r, q):
        process = ql.BlackScholesMertonProcess(
            ql.QuoteHandle(ql.SimpleQuote(float(a))),
            ql.YieldTermStructureHandle(ql.FlatForward(today, float(qq), dc, ql.Continuous)),
            ql.YieldTermStructureHandle(ql.FlatForward(today, float(rr), dc, ql.Continuous)),
            ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), float(vv), dc)))
        payoff = ql.PlainVanillaPayoff(ql.Option.Call if c else ql.Option.Put, float(kk))
        opt = ql.VanillaOption(payoff, ql.EuropeanExercise(today + int(d)))
        opt.setPricingEngine(ql.AnalyticEuropeanEngine(process))
        out.append((opt, process))
    return out


def _peer_prices(options) -> float:
    t0 = time.perf_counter()
    for opt, _ in options:
        opt.NPV(), opt.delta(), opt.gamma(), opt.vega(), opt.theta(), opt.rho()
    return time.perf_counter() - t0


def _peer_iv(options, prices) -> float:
    t0 = time.perf_counter()
    for (opt, process), p in zip(options, prices):
        opt.impliedVolatility(float(p), process, 1e-8, 200, 1e-4, 5.0)
    return time.perf_counter() - t0


def run() -> list[dict]:
    is_call, s, k, days, v, r, q = _inputs(N_PRICES, 1)
    t = days / 365.0
    bsm_greeks(is_call[:10], s[:10], k[:10], t[:10], v[:10], r[:10], q[:10])      # warm-up / compile
    ours_greeks = best_time(lambda: bsm_greeks(is_call, s, k, t, v, r, q))

    ic, s2, k2, d2, v2, r2, q2 = _inputs(N_IV, 2)
    t2 = d2 / 365.0
    prices = bsm_price(ic, s2, k2, t2, v2, r2, q2)
    implied_vol(prices[:10], ic[:10], s2[:10], k2[:10], t2[:10], r2[:10], q2[:10], on_bad="nan")
    ours_iv = best_time(lambda: implied_vol(prices, ic, s2, k2, t2, r2, q2, on_bad="nan"))
    recovered = implied_vol(prices, ic, s2, k2, t2, r2, q2, on_bad="nan")
    # vol is identifiable only where the price moves with it: vega above 1e-4 of spot
    identifiable = bsm_greeks(ic, s2, k2, t2, v2, r2, q2)["vega"] > 1e-4 * s2
    iv_error = float(np.nanmax(np.abs(recovered - v2)[identifiable]))

    m = N_PEER
    options = _quantlib_options(is_call[:m], s[:m], k[:m], days[:m], v[:m], r[:m], q[:m])
    peer_greeks = _peer_prices(options) / m * N_PRICES
    options2 = _quantlib_options(ic[:m], s2[:m], k2[:m], d2[:m], v2[:m], r2[:m], q2[:m])
    peer_iv = _peer_iv(options2, prices[:m]) / m * N_IV
    return [
        {"name": "options: 1M European prices + 5 greeks", "value": ours_greeks, "unit": "s",
         "peer": f"QuantLib AnalyticEuropeanEngine ({N_PEER:,} options, scaled to 1M)",
         "peer_value": peer_greeks, "target": "< 1 s", "met": ours_greeks < 1.0},
        {"name": f"options: implied vol, 100k quotes (max error {iv_error:.0e} where vega > 1e-4 S)", "value": ours_iv, "unit": "s",
         "peer": f"QuantLib impliedVolatility ({N_PEER:,} quotes, scaled to 100k)",
         "peer_value": peer_iv, "target": "< 1 s", "met": ours_iv < 1.0},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
