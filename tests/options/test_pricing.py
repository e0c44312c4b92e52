"""price(): European exact, American via QuantLib, dividends, and clear bad-input errors."""
from __future__ import annotations

import datetime as dt
import math

import pytest
import QuantLib as ql
from hypothesis import given, settings
from hypothesis import strategies as st

from thesis.errors import BadInput
from thesis.options.american import quantlib_price
from thesis.options.bsm import bsm_greeks, bsm_price
from thesis.options.pricing import model_values, price

ASOF = dt.date(2023, 6, 5)


def _binomial_american_put(s, k, days, v, r, q, steps=2000):
    today = ql.Date(ASOF.day, ASOF.month, ASOF.year)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual365Fixed()
    proc = ql.BlackScholesMertonProcess(
        ql.QuoteHandle(ql.SimpleQuote(s)), ql.YieldTermStructureHandle(ql.FlatForward(today, q, dc)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, r, dc)),
        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), v, dc)))
    opt = ql.VanillaOption(ql.PlainVanillaPayoff(ql.Option.Put, k), ql.AmericanExercise(today, today + days))
    opt.setPricingEngine(ql.BinomialVanillaEngine(proc, "lr", steps))
    return opt.NPV()


@settings(max_examples=25, deadline=None)
@given(s=st.floats(20, 400), m=st.floats(0.6, 1.6), v=st.floats(0.05, 1.0), days=st.integers(2, 1095),
       r=st.floats(0.0, 0.1), q=st.floats(0.0, 0.08))
def test_american_put_at_least_european_and_near_binomial(s, m, v, days, r, q):
    k = s * m
    am = price("put", s, k, days=days, asof=ASOF, iv=v, rate=r, div_yield=q, style="american")["price"]
    eu = bsm_price("put", s, k, days / 365, v, r, q)
    assert am >= eu - 1e-12
    assert am >= max(k - s, 0.0) - 1e-12
    # independent check: QuantLib Leisen-Reimer binomial tree, 2000 steps
    assert am == pytest.approx(_binomial_american_put(s, k, days, v, r, q), abs=5e-4 * k)


def test_early_exercise_premium_for_deep_itm_put_with_high_rate():
    am = price("put", 60, 100, days=365, asof=ASOF, iv=0.2, rate=0.08)["price"]
    eu = bsm_price("put", 60, 100, 1.0, 0.2, 0.08)
    assert eu < 40.0 and am == pytest.approx(40.0, abs=1e-6)   # exercise now beats waiting


def test_american_call_without_dividends_equals_european():
    am = price("call", 100, 105, days=180, asof=ASOF, iv=0.3, rate=0.05)
    eu = bsm_greeks("call", 100, 105, 180 / 365, 0.3, 0.05)
    assert am["price"] == pytest.approx(eu["price"], abs=2e-3)
    assert am["delta"] == pytest.approx(eu["delta"], abs=2e-3)
    assert am["vega"] == pytest.approx(eu["vega"], rel=2e-3)
    assert am["theta"] == pytest.approx(eu["theta"], rel=5e-3)
    assert am["rho"] == pytest.approx(eu["rho"], rel=5e-3)


def test_american_greeks_against_quantlib_fd_engine():
    g = price("put", 188, 180, days=190, asof=ASOF, iv=0.2, rate=0.05, div_yield=0.012)
    today = ql.Date(ASOF.day, ASOF.month, ASOF.year)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual365Fixed()
    proc = ql.BlackScholesMertonProcess(
        ql.QuoteHandle(ql.SimpleQuote(188)), ql.YieldTermStructureHandle(ql.FlatForward(today, 0.012, dc)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, 0.05, dc)),
        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), 0.2, dc)))
    opt = ql.VanillaOption(ql.PlainVanillaPayoff(ql.Option.Put, 180), ql.AmericanExercise(today, today + 190))
    opt.setPricingEngine(ql.FdBlackScholesVanillaEngine(proc, 800, 800))
    assert g["price"] == pytest.approx(opt.NPV(), abs=2e-3)
    assert g["delta"] == pytest.approx(opt.delta(), abs=1e-3)
    assert g["gamma"] == pytest.approx(opt.gamma(), rel=1e-2)
    assert g["theta"] == pytest.approx(opt.theta(), rel=1e-2)
    assert g["delta"] < 0 < g["gamma"] and g["vega"] > 0 and g["theta"] < 0 and g["rho"] < 0


def test_european_price_is_exact_bsm():
    out = price("put", 188, 180, days=190, iv=0.2, rate=0.05, div_yield=0.012, style="european")
    expect = bsm_greeks("put", 188, 180, 190 / 365, 0.2, 0.05, 0.012)
    assert set(out) == {"price", "delta", "gamma", "vega", "theta", "rho"}
    for key in out:
        assert out[key] == pytest.approx(float(expect[key]), abs=1e-12)


def test_expiry_plus_asof_equals_days():
    a = price("call", 100, 100, expiry="2023-12-15", asof="2023-06-05", iv=0.25, style="european")
    b = price("call", 100, 100, days=(dt.date(2023, 12, 15) - ASOF).days, iv=0.25, style="european")
    assert a["price"] == b["price"]


def test_discrete_dividend_european_is_escrowed_bsm():
    # one $2 dividend in 91 days, rate 4 %: escrowed spot = 100 - 2 e^{-0.04 * 91/365}
    div_day = ASOF + dt.timedelta(days=91)
    out = price("call", 100, 100, days=182, asof=ASOF, iv=0.25, rate=0.04, style="european",
                dividends=[(div_day, 2.0)])
    s_ex = 100 - 2.0 * math.exp(-0.04 * 91 / 365)
    assert out["price"] == pytest.approx(bsm_price("call", s_ex, 100, 182 / 365, 0.25, 0.04), abs=1e-9)
    # a dividend after expiry or before asof is ignored
    same = price("call", 100, 100, days=182, asof=ASOF, iv=0.25, rate=0.04, style="european",
                 dividends=[(ASOF - dt.timedelta(days=3), 5.0), (ASOF + dt.timedelta(days=400), 5.0)])
    assert same["price"] == pytest.approx(bsm_price("call", 100, 100, 182 / 365, 0.25, 0.04), abs=1e-9)


def test_american_call_worth_more_before_a_big_dividend():
    div = [(ASOF + dt.timedelta(days=80), 8.0)]
    am = price("call", 120, 100, days=90, asof=ASOF, iv=0.2, rate=0.03, dividends=div)["price"]
    eu = price("call", 120, 100, days=90, asof=ASOF, iv=0.2, rate=0.03, dividends=div, style="european")["price"]
    assert am > eu + 1.0          # exercising just before the dividend is worth it
    assert am >= 20.0 - 1e-9      # never below intrinsic


def test_zero_days_is_intrinsic():
    out = price("put", 95, 100, days=0, iv=0.2)
    assert out["price"] == 5.0 and out["delta"] == -1.0 and out["vega"] == 0.0


@pytest.mark.parametrize("kwargs,needle", [
    (dict(iv=0.0), "iv"), (dict(iv=-0.1), "iv"), (dict(strike=0.0), "strike"),
    (dict(strike=-5.0), "strike"), (dict(spot=0.0), "spot"), (dict(spot=-1.0), "spot"),
    (dict(days=-3), "expiry in the past"), (dict(type="straddle"), "type"),
    (dict(style="bermudan"), "style"), (dict(iv=float("nan")), "iv"),
])
def test_bad_inputs_raise_clear_errors(kwargs, needle):
    args = dict(type="put", spot=100.0, strike=100.0, days=30, iv=0.2) | kwargs
    with pytest.raises(BadInput, match=needle):
        price(**args)


def test_expiry_before_asof_and_ambiguous_time():
    with pytest.raises(BadInput, match="before the as-of date"):
        price("put", 100, 100, expiry="2023-01-20", asof="2023-06-05", iv=0.2)
    with pytest.raises(BadInput, match="either days or expiry"):
        price("put", 100, 100, days=30, expiry="2023-07-21", asof="2023-06-05", iv=0.2)
    with pytest.raises(BadInput, match="as-of"):
        price("put", 100, 100, expiry="2023-07-21", iv=0.2)
    with pytest.raises(BadInput, match="dividends"):
        price("put", 100, 100, days=30, asof=ASOF, iv=0.2, dividends=[(ASOF, -1.0)])


def test_model_values_american_matches_quantlib_price():
    vals = model_values("put", [150.0, 180.0], 170.0, [100, 100], 0.25, 0.05, 0.0, style="american")
    for s, v in zip((150.0, 180.0), vals):
        direct = quantlib_price("put", s, 170.0, dt.date(2000, 1, 3), dt.date(2000, 1, 3) + dt.timedelta(days=100),
                                0.25, 0.05, 0.0, greeks=False)["price"]
        assert v == pytest.approx(direct, abs=1e-12)
    assert model_values("put", 150.0, 170.0, -5, 0.25, style="american") == 20.0
