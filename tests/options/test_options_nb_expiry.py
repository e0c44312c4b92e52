"""Option kernels at and past expiry (t <= 0): the price is the intrinsic value, delta +-1 in the
money (+-0.5 at the strike), the other greeks 0 (found by make mutate on thesis/options/nb.py)."""
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
