"""American and decimal odds, and their link to reward/risk."""
import pytest
from hypothesis import given, strategies as st

from thesis.errors import BadInput
from thesis.risk import (american_to_decimal, american_to_probability, american_to_reward_risk,
                         break_even_win_rate, decimal_to_american, decimal_to_probability,
                         probability_to_american, probability_to_decimal, reward_risk_to_american)


def test_plus_700_is_12_5_percent():
    assert american_to_probability(700) == pytest.approx(100 / 800)
    assert american_to_probability("+700") == pytest.approx(0.125)


def test_minus_150_is_60_percent():
    assert american_to_probability(-150) == pytest.approx(150 / 250)


def test_both_ways():
    assert probability_to_american(0.125) == pytest.approx(700)
    assert probability_to_american(0.6) == pytest.approx(-150)
    assert probability_to_american(0.5) == pytest.approx(100)


def test_decimal_odds():
    assert american_to_decimal(700) == pytest.approx(8.0)
    assert american_to_decimal(-150) == pytest.approx(1 + 100 / 150)
    assert decimal_to_american(8.0) == pytest.approx(700)
    assert decimal_to_american(1 + 100 / 150) == pytest.approx(-150)
    assert decimal_to_probability(8.0) == pytest.approx(0.125)
    assert probability_to_decimal(0.25) == pytest.approx(4.0)


def test_trade_as_a_bet():
    # a 7:1 trade is a +700 bet, and its break-even win rate is the bet's implied probability
    assert reward_risk_to_american(7) == pytest.approx(700)
    assert american_to_reward_risk(700) == pytest.approx(7)
    assert american_to_reward_risk(-200) == pytest.approx(0.5)
    assert reward_risk_to_american(0.5) == pytest.approx(-200)
    rr = 58 / 24
    assert american_to_probability(reward_risk_to_american(rr)) == pytest.approx(break_even_win_rate(rr))


@given(st.floats(min_value=0.001, max_value=0.999))
def test_probability_round_trips(p):
    assert american_to_probability(probability_to_american(p)) == pytest.approx(p, rel=1e-9)
    assert decimal_to_probability(probability_to_decimal(p)) == pytest.approx(p, rel=1e-9)


@given(st.floats(min_value=100, max_value=1e5), st.sampled_from([1, -1]))
def test_american_decimal_round_trip(a, sign):
    back = decimal_to_american(american_to_decimal(sign * a))
    assert american_to_probability(back) == pytest.approx(american_to_probability(sign * a), rel=1e-9)
    if a > 101:  # -100 and +100 are the same price (evens); elsewhere the sign must survive
        assert back == pytest.approx(sign * a, rel=1e-9)


@pytest.mark.parametrize("call", [lambda: american_to_probability(50), lambda: american_to_probability(-99),
                                  lambda: probability_to_american(0), lambda: probability_to_american(1),
                                  lambda: decimal_to_american(1.0), lambda: american_to_decimal("abc")])
def test_bad_odds_raise(call):
    with pytest.raises(BadInput):
        call()
