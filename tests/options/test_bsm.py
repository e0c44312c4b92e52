"""Vectorised Black-Scholes-Merton: parity, QuantLib agreement, greeks, implied vol."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import QuantLib as ql

from thesis.errors import BadInput
from thesis.options.bsm import bsm_greeks, bsm_price, implied_vol, strike_for_delta


def test_put_call_parity_on_a_grid():
    rng = np.random.default_rng(1)
    n = 5000
    s = rng.uniform(10, 500, n)
    k = s * rng.uniform(0.3, 3.0, n)
    t = rng.uniform(1 / 365, 3, n)
    v = rng.uniform(0.05, 1.0, n)
    r = rng.uniform(-0.01, 0.1, n)
    q = rng.uniform(0, 0.08, n)
    call = bsm_price("call", s, k, t, v, r, q)
    put = bsm_price("put", s, k, t, v, r, q)
    parity = s * np.exp(-q * t) - k * np.exp(-r * t)
    assert np.max(np.abs(call - put - parity) / np.maximum(s, k)) < 1e-12


def test_hand_computed_atm_call():
    # S=K=100, t=1, vol=0.2, r=q=0: d1 = 0.1, d2 = -0.1, price = 100 (N(0.1) - N(-0.1))
    n = lambda x: 0.5 * math.erfc(-x / math.sqrt(2))  # noqa: E731
    expected = 100 * (n(0.1) - n(-0.1))
    assert bsm_price("call", 100, 100, 1.0, 0.2) == pytest.approx(expected, abs=1e-12)
    g = bsm_greeks("c", 100, 100, 1.0, 0.2)
    assert g["delta"] == pytest.approx(n(0.1), abs=1e-14)
    assert g["vega"] == pytest.approx(100 * math.exp(-0.005) / math.sqrt(2 * math.pi), abs=1e-12)


def _quantlib_grid():
    today = ql.Date(15, 3, 2021)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual365Fixed()
    spot, vol, rate, div = (ql.SimpleQuote(0.0) for _ in range(4))
    curve = lambda qte: ql.YieldTermStructureHandle(ql.FlatForward(today, ql.QuoteHandle(qte), dc, ql.Continuous))  # noqa: E731
    process = ql.BlackScholesMertonProcess(
        ql.QuoteHandle(spot), curve(div), curve(rate),
        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), ql.QuoteHandle(vol), dc)))
    engine = ql.AnalyticEuropeanEngine(process)
    rows, expected = [], []
    spots = (20.0, 100.0, 450.0)
    moneyness = (0.5, 0.8, 1.0, 1.25, 2.0)
    vols = (0.05, 0.2, 0.5, 1.0)
    days = (1, 7, 30, 182, 365, 1095)
    rates = (-0.01, 0.0, 0.05)
    divs = (0.0, 0.02, 0.08)
    options = {}
    for kind, s, m, v, d, r, q in itertools.product(("call", "put"), spots, moneyness, vols, days, rates, divs):
        key = (kind, s * m, d)
        if key not in options:
            payoff = ql.PlainVanillaPayoff(ql.Option.Call if kind == "call" else ql.Option.Put, s * m)
            opt = ql.VanillaOption(payoff, ql.EuropeanExercise(today + d))
            opt.setPricingEngine(engine)
            options[key] = opt
        opt = options[key]
        spot.setValue(s), vol.setValue(v), rate.setValue(r), div.setValue(q)
        expected.append((opt.NPV(), opt.delta(), opt.gamma(), opt.vega(), opt.theta(), opt.rho()))
        rows.append((kind == "call", s, s * m, d / 365.0, v, r, q))
    return np.array(rows, dtype=float), np.array(expected)


def test_matches_quantlib_analytic_european_on_a_wide_grid():
    rows, ql_values = _quantlib_grid()
    assert len(rows) == 2 * 3 * 5 * 4 * 6 * 3 * 3
    g = bsm_greeks(rows[:, 0].astype(bool), *rows[:, 1:].T)
    price_err = np.abs(g["price"] - ql_values[:, 0])
    assert price_err.max() < 1e-8
    for i, name in enumerate(("delta", "gamma", "vega", "theta", "rho"), start=1):
        err = np.abs(g[name] - ql_values[:, i]) / np.maximum(1.0, np.abs(ql_values[:, i]))
        assert err.max() < 1e-8, name


@pytest.mark.parametrize("kind", ["call", "put"])
@pytest.mark.parametrize("s,k,t,v,r,q", [(100, 90, 0.5, 0.25, 0.03, 0.01), (50, 60, 2.0, 0.6, 0.0, 0.04),
                                          (300, 300, 30 / 365, 0.15, 0.05, 0.0)])
def test_greeks_match_finite_differences(kind, s, k, t, v, r, q):
    g = bsm_greeks(kind, s, k, t, v, r, q)
    p = lambda **kw: bsm_price(kind, kw.get("s", s), k, kw.get("t", t), kw.get("v", v), kw.get("r", r), q)  # noqa: E731
    hs, hv, ht, hr = 1e-4 * s, 1e-5, 1e-6, 1e-6
    assert g["delta"] == pytest.approx((p(s=s + hs) - p(s=s - hs)) / (2 * hs), rel=1e-6, abs=1e-9)
    assert g["gamma"] == pytest.approx((p(s=s + hs) - 2 * g["price"] + p(s=s - hs)) / hs**2, rel=1e-4, abs=1e-8)
    assert g["vega"] == pytest.approx((p(v=v + hv) - p(v=v - hv)) / (2 * hv), rel=1e-6)
    # theta per year = dV/dt = -dV/dT
    assert g["theta"] == pytest.approx(-(p(t=t + ht) - p(t=t - ht)) / (2 * ht), rel=1e-5, abs=1e-6)
    assert g["rho"] == pytest.approx((p(r=r + hr) - p(r=r - hr)) / (2 * hr), rel=1e-5)


def test_broadcasting_shapes_and_scalars():
    out = bsm_price("put", np.array([90.0, 100.0, 110.0])[:, None], np.array([95.0, 105.0]), 0.5, 0.2)
    assert out.shape == (3, 2)
    assert out[0, 0] == pytest.approx(bsm_price("put", 90.0, 95.0, 0.5, 0.2), abs=0)
    assert isinstance(bsm_price("call", 100, 100, 1, 0.2), float)
    mixed = bsm_price(np.array(["call", "put"]), 100, 100, 1.0, 0.2)
    assert mixed[0] == pytest.approx(bsm_price("call", 100, 100, 1.0, 0.2))
    assert mixed[1] == pytest.approx(bsm_price("put", 100, 100, 1.0, 0.2))


def test_zero_time_is_intrinsic():
    g = bsm_greeks("put", np.array([90.0, 110.0]), 100.0, 0.0, 0.2)
    assert g["price"].tolist() == [10.0, 0.0]
    assert g["delta"].tolist() == [-1.0, 0.0]
    assert g["vega"].tolist() == [0.0, 0.0]


def test_implied_vol_round_trip_within_1e_6():
    rng = np.random.default_rng(7)
    n = 20000
    s = rng.uniform(10, 500, n)
    k = s * np.exp(rng.uniform(-0.7, 0.7, n))
    days = rng.integers(1, 3 * 365, n)
    t = days / 365.0
    v = rng.uniform(0.05, 1.0, n)
    r = rng.uniform(0, 0.08, n)
    q = rng.uniform(0, 0.05, n)
    kinds = rng.random(n) < 0.5
    g = bsm_greeks(kinds, s, k, t, v, r, q)
    # only quotes whose price moves measurably with vol identify it (vega above 1e-4 of spot)
    ok = g["vega"] > 1e-4 * s
    assert ok.mean() > 0.7
    iv = implied_vol(g["price"][ok], kinds[ok], s[ok], k[ok], t[ok], r[ok], q[ok])
    assert np.max(np.abs(iv - v[ok])) < 1e-6


def test_implied_vol_extreme_but_valid_quotes():
    # deep out of the money, short dated, high vol: still recovered
    for kind, s, k, t, v in (("call", 100, 160, 10 / 365, 1.0), ("put", 100, 60, 0.25, 0.6),
                             ("call", 100, 75, 3.0, 0.08), ("put", 100, 100, 1 / 365, 0.05)):
        p = bsm_price(kind, s, k, t, v)
        assert implied_vol(p, kind, s, k, t) == pytest.approx(v, abs=1e-6)


def test_implied_vol_bad_quotes():
    with pytest.raises(BadInput, match="no-arbitrage"):
        implied_vol(0.5, "call", 100, 50, 1.0)          # below intrinsic 50
    with pytest.raises(BadInput, match="no-arbitrage"):
        implied_vol(101.0, "call", 100, 50, 1.0)        # above spot
    out = implied_vol([0.5, bsm_price("call", 100, 50, 1.0, 0.3)], "call", 100, 50, 1.0, on_bad="nan")
    assert math.isnan(out[0]) and out[1] == pytest.approx(0.3, abs=1e-8)
    with pytest.raises(BadInput, match="option price"):
        implied_vol(-1.0, "call", 100, 100, 1.0)


@pytest.mark.parametrize("field,args", [
    ("vol", ("put", 100, 100, 1.0, 0.0)), ("vol", ("put", 100, 100, 1.0, -0.2)),
    ("strike", ("put", 100, 0.0, 1.0, 0.2)), ("spot", ("put", -5, 100, 1.0, 0.2)),
    ("time to expiry", ("put", 100, 100, -0.1, 0.2)), ("option type", ("straddle", 100, 100, 1.0, 0.2)),
])
def test_bad_inputs_name_the_field(field, args):
    with pytest.raises(BadInput, match=field):
        bsm_price(*args)


@pytest.mark.parametrize("kind,delta", [("put", -0.30), ("call", 0.25), ("put", -0.5)])
def test_strike_for_delta_gives_that_delta(kind, delta):
    k = strike_for_delta(kind, 188.0, delta, 0.5, 0.2, 0.05, 0.012)
    assert bsm_greeks(kind, 188.0, k, 0.5, 0.2, 0.05, 0.012)["delta"] == pytest.approx(delta, abs=1e-10)


def test_strike_for_delta_rejects_wrong_sign():
    with pytest.raises(BadInput, match="delta"):
        strike_for_delta("put", 100, 0.3, 0.5, 0.2)


def test_strike_for_delta_matches_scipy_ndtri():
    """The strike comes from the standard library's inverse normal (no scipy import on one idea's
    path); scipy's ndtri is the reference: the same strike to 1e-12, the same dollar strike and the
    same 4-decimal text the replay reports."""
    from scipy.special import ndtri

    rng = np.random.default_rng(25)
    n = 300
    kinds = rng.choice(["put", "call"], n)
    spots = rng.uniform(5, 900, n)
    deltas = rng.uniform(0.01, 0.99, n)
    ts = rng.uniform(1 / 365, 3, n)
    vols = rng.uniform(0.05, 1.5, n)
    rates = rng.uniform(-0.01, 0.1, n)
    qs = rng.uniform(0, 0.05, n)
    for kind, s, d, t, v, r, q in zip(kinds, spots, deltas, ts, vols, rates, qs):
        delta = d * math.exp(-q * t) * (1 if kind == "call" else -1)
        got = strike_for_delta(str(kind), s, delta, t, v, r, q)
        scaled = abs(delta) * np.exp(q * t)
        d1 = float(ndtri(scaled)) if kind == "call" else -float(ndtri(scaled))
        want = float(s * np.exp(-d1 * v * np.sqrt(t) + (r - q + 0.5 * v * v) * t))
        assert got == pytest.approx(want, rel=1e-12)
        assert f"{got:.4f}" == f"{want:.4f}" and round(got) == round(want)
