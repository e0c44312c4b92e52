"""Position sizing for shares and option contracts."""
import math

import pytest

from thesis.errors import BadInput
from thesis.risk import size_options, size_shares


def test_seed_short_shares():
    size = size_shares(100_000, 0.01, 188, 212)
    assert size.units == math.floor(1000 / 24) == 41
    assert size.max_loss == pytest.approx(41 * 24)
    assert size.max_loss <= size.budget
    assert size.cost == pytest.approx(41 * 188)


def test_exact_division_is_not_lost_to_rounding():
    # 0.1 * 30 / 0.3 is 10 on paper but 9.999... in binary floating point
    assert size_shares(30, 0.1, 10.3, 10.0).units == 10


def test_options_whole_premium_at_risk():
    size = size_options(50_000, 0.02, premium=3.40)
    assert size.loss_per_unit == pytest.approx(340)
    assert size.units == math.floor(1000 / 340) == 2
    assert size.cost == pytest.approx(680)


def test_options_with_a_stop_on_the_option():
    size = size_options(50_000, 0.02, premium=3.40, option_stop=1.70)
    assert size.loss_per_unit == pytest.approx(170)
    assert size.units == 5
    assert size.cost == pytest.approx(5 * 340)


@pytest.mark.parametrize("call, words", [
    (lambda: size_shares(0, 0.01, 100, 95), "account"),
    (lambda: size_shares(1000, 0, 100, 95), "risk fraction"),
    (lambda: size_shares(1000, 2, 100, 95), "risk fraction"),
    (lambda: size_shares(1000, 0.01, 100, 100), "zero"),
    (lambda: size_options(1000, 0.01, 2.0, option_stop=2.5), "option stop"),
    (lambda: size_options(1000, 0.01, 0), "premium"),
])
def test_bad_sizing_inputs(call, words):
    with pytest.raises(BadInput, match=words):
        call()
