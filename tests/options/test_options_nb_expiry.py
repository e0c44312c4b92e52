"""Option kernels at and past expiry (t <= 0): the price is the intrinsic value, delta +-1 in the
money (+-0.5 at the strike), the other greeks 0 (found by make mutate on thesis/options/nb.py)."""
import math

import pytest

from thesis.options import nb

CASES = [  # is_call, spot, strike, intrinsic, delta
    (1, 110.0, 100.0, 10.0, 1.0), (1, 90.0, 100.0, 0.0, 0.0), (1, 100.0, 100.0, 0.0, 0.5),
    (0, 90.0, 100.0, 10.0, -1.0), (0, 110.0, 100.0, 0.0, 0.0), (0, 100.0, 100.0, 0.0, -0.5),
]


@pytest.mark.parametrize("t", [0.0, -0.01])
@pytest.mark.parametrize("is_call, s, k, intrinsic, delta", CASES)
def test_expired_option_is_worth_its_intrinsic_value(is_call, s, k, intrinsic, delta, t):
    assert nb.bsm_price_one(is_call, s, k, t, 0.3, 0.05, 0.01) == intrinsic
    assert nb.bsm_one(is_call, s, k, t, 0.3, 0.05, 0.01) == (intrinsic, delta, 0.0, 0.0, 0.0, 0.0)


def test_one_day_before_expiry_the_price_is_near_intrinsic():
    t = 1 / 365
    assert nb.bsm_price_one(0, 90.0, 100.0, t, 0.2, 0.0, 0.0) == pytest.approx(10.0, abs=1e-6)
    assert nb.bsm_price_one(1, 110.0, 100.0, t, 0.2, 0.0, 0.0) == pytest.approx(10.0, abs=1e-6)


def test_implied_vol_at_the_no_arbitrage_bound_is_nan_and_high_vols_round_trip():
    # a call quoted at exactly its intrinsic value (r = q = 0): no volatility gives it
    assert math.isnan(nb.implied_vol_one(10.0, 1, 110.0, 100.0, 0.5, 0.0, 0.0, 1e-10, 100))
    assert math.isnan(nb.implied_vol_one(10.0, 0, 90.0, 100.0, 0.5, 0.0, 0.0, 1e-10, 100))
    # volatilities above 200 % need the bracket to keep doubling
    for vol in (2.5, 6.0):
        price = nb.bsm_price_one(1, 100.0, 100.0, 0.25, vol, 0.01, 0.0)
        assert nb.implied_vol_one(price, 1, 100.0, 100.0, 0.25, 0.01, 0.0, 1e-10, 100) == pytest.approx(vol, rel=1e-6)


def test_monte_carlo_touch_of_an_unreachable_barrier_is_exactly_zero():
    assert nb.touch_mc_nb(100.0, 1000.0, 0.0, 0.2, 0.1, 500, 10, 7) == 0.0
    assert nb.touch_mc_nb(100.0, 10.0, 0.0, 0.2, 0.1, 500, 10, 7) == 0.0
