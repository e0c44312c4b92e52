"""Reward/risk, break-even and expectancy, with expectations worked out by hand."""
import re

import pytest

from thesis.errors import BadInput
from thesis.risk import break_even_win_rate, expectancy, reward_risk


def test_seed_short_is_about_2_42_to_1_not_7():
    plan = reward_risk("short", 188, 212, 130)
    assert plan.risk == pytest.approx(24.0)            # 212 - 188
    assert plan.rewards == pytest.approx((58.0,))       # 188 - 130
    assert plan.blended == pytest.approx(58 / 24)       # 2.4167
    assert round(plan.blended, 4) == 2.4167
    assert plan.break_even_win_rate == pytest.approx(24 / 82)   # 1 / (1 + 58/24) = 0.2927
    assert round(plan.break_even_win_rate * 100, 2) == 29.27


def test_blended_uses_scale_out_sizes():
    plan = reward_risk("long", 100, 95, [105, 115], sizes=[0.75, 0.25])
    assert plan.ratios == pytest.approx((1.0, 3.0))
    assert plan.blended_reward == pytest.approx(0.75 * 5 + 0.25 * 15)
    assert plan.blended == pytest.approx(1.5)


def test_default_sizes_are_equal_parts():
    plan = reward_risk("short", 50, 55, [45, 40])
    assert plan.sizes == pytest.approx((0.5, 0.5))
    assert plan.blended == pytest.approx((5 + 10) / 2 / 5)


def test_to_dict_is_plain():
    d = reward_risk("short", 188, 212, [130]).to_dict()
    assert d["targets"] == [130.0] and d["direction"] == "short"


def test_break_even_and_expectancy():
    assert break_even_win_rate(1) == pytest.approx(0.5)
    assert break_even_win_rate(7) == pytest.approx(0.125)
    assert expectancy(0.5, 2) == pytest.approx(0.5 * 2 - 0.5)
    rr = 58 / 24
    assert expectancy(break_even_win_rate(rr), rr) == pytest.approx(0.0, abs=1e-12)
    assert expectancy(0.2, rr) < 0 < expectancy(0.4, rr)


@pytest.mark.parametrize("direction, entry, stop, targets, sizes, words", [
    ("short", 188, 180, [130], None, "must be above the entry"),
    ("long", 100, 105, [110], None, "must be below the entry"),
    ("short", 188, 212, [190], None, "target 1 (190.00) must be below"),
    ("short", 188, 212, [220], None, "beyond the stop"),
    ("long", 100, 95, [110, 99], None, "target 2 (99.00) must be above"),
    ("sideways", 100, 95, [110], None, "direction"),
    ("long", 100, 100, [110], None, "stop 100.00"),
    ("long", -1, 95, [110], None, "entry"),
    ("long", 100, 95, [110, 120], [0.5, 0.4], "sum to 1"),
    ("long", 100, 95, [110, 120], [1.0], "2 targets"),
    ("long", 100, 95, [], None, "at least one target"),
])
def test_bad_levels_raise_bad_input(direction, entry, stop, targets, sizes, words):
    with pytest.raises(BadInput, match=re.escape(words)):
        reward_risk(direction, entry, stop, targets, sizes)


@pytest.mark.parametrize("call", [lambda: break_even_win_rate(0), lambda: break_even_win_rate(-2),
                                  lambda: expectancy(1.5, 2), lambda: expectancy(0.5, "x")])
def test_bad_numbers_raise(call):
    with pytest.raises(BadInput):
        call()
