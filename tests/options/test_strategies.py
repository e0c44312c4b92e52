"""Strategy payoffs checked against hand arithmetic."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from thesis.errors import BadInput
from thesis.options.bsm import bsm_price
from thesis.options.strategies import Leg, Position, calendar, long_call, long_put, put_ratio, vertical

EXP = dt.date(2023, 12, 15)


def test_long_put_payoff_and_pnl():
    pos = long_put(100, EXP, premium=3.0)
    assert pos.cost == 300.0
    assert pos.payoff([90, 100, 110]).tolist() == [1000.0, 0.0, 0.0]
    assert pos.pnl_at_expiry([90, 100, 110]).tolist() == [700.0, -300.0, -300.0]
    prof = pos.expiry_profile()
    assert prof["breakevens"] == [97.0]
    assert prof["max_loss"] == 300.0 and prof["max_gain"] == 9700.0   # spot can fall to 0


def test_long_call_unlimited_gain():
    pos = long_call(50, EXP, qty=2, premium=1.5)
    assert pos.cost == 300.0
    assert pos.payoff([45, 60]).tolist() == [0.0, 2000.0]
    prof = pos.expiry_profile()
    assert prof["breakevens"] == [51.5] and prof["max_gain"] is None and prof["max_loss"] == 300.0


def test_bear_put_debit_spread():
    pos = vertical("put", 100, 90, EXP, premiums=(5.0, 2.0))
    assert pos.meta["debit"] and pos.cost == 300.0
    # at 80 both in the money: (20 - 10) * 100 = 1000; at 95: 500; above 100: 0
    assert pos.payoff([80, 95, 105]).tolist() == [1000.0, 500.0, 0.0]
    prof = pos.expiry_profile()
    assert prof["breakevens"] == [97.0] and prof["max_gain"] == 700.0 and prof["max_loss"] == 300.0


def test_bear_call_credit_spread():
    pos = vertical("call", 110, 100, EXP, premiums=(1.0, 4.0))   # buy 110, sell 100
    assert not pos.meta["debit"] and pos.cost == -300.0
    # at 120: (10 - 20) * 100 = -1000, P&L -700; at 95: 0, P&L +300
    assert pos.pnl_at_expiry([120, 95]).tolist() == [-700.0, 300.0]
    prof = pos.expiry_profile()
    assert prof["breakevens"] == [103.0] and prof["max_gain"] == 300.0 and prof["max_loss"] == 700.0


def test_put_ratio_spread():
    pos = put_ratio(100, 90, EXP, premiums=(4.0, 1.5))   # +1 x 100P, -2 x 90P: cost 4 - 3 = 1
    assert pos.cost == pytest.approx(100.0)
    # at 90: 10 -> 1000; at 80: 20 - 20 = 0; at 70: 30 - 40 = -10 -> -1000
    assert pos.payoff([90, 80, 70, 110]).tolist() == [1000.0, 0.0, -1000.0, 0.0]
    prof = pos.expiry_profile()
    # upper: 100 - s = 1 -> 99; lower: (100 - s) - 2 (90 - s) = s - 80 = 1 -> 81
    assert prof["breakevens"] == pytest.approx([81.0, 99.0])
    assert prof["max_gain"] == pytest.approx(900.0)
    assert prof["max_loss"] == pytest.approx(8100.0)       # at 0: 100 - 180 - 1 = -81 per share


def test_model_value_is_sum_of_leg_prices():
    pos = vertical("put", 180, 150, EXP)
    on = dt.date(2023, 9, 1)
    t = (EXP - on).days / 365
    expect = (bsm_price("put", 170, 180, t, 0.22, 0.05, 0.01) - bsm_price("put", 170, 150, t, 0.22, 0.05, 0.01)) * 100
    assert pos.value(170, on, 0.22, 0.05, 0.01) == pytest.approx(expect, abs=1e-10)
    # at expiry, model value = payoff
    assert pos.value([140, 170, 200], EXP, 0.22).tolist() == pos.payoff([140, 170, 200]).tolist()


def test_with_premiums_uses_model_and_keeps_given():
    pos = vertical("put", 180, 150, EXP, premiums=(None, 0.5)).with_premiums("2023-06-05", 188, 0.2)
    t = (EXP - dt.date(2023, 6, 5)).days / 365
    assert pos.legs[0].premium == pytest.approx(bsm_price("put", 188, 180, t, 0.2))
    assert pos.legs[1].premium == 0.5


def test_calendar_value_at_near_expiry():
    near, far = dt.date(2023, 7, 21), dt.date(2023, 9, 15)
    pos = calendar("put", 180, near, far, premiums=(2.0, 4.5))
    assert pos.cost == pytest.approx(250.0)
    with pytest.raises(BadInput, match="different dates"):
        pos.payoff([170])
    spots = np.array([170.0, 180.0, 190.0])
    far_leg = bsm_price("put", spots, 180, (far - near).days / 365, 0.2)
    near_leg = np.maximum(180 - spots, 0)
    assert pos.value(spots, near, 0.2) == pytest.approx((far_leg - near_leg) * 100)


def test_bad_legs():
    with pytest.raises(BadInput, match="type"):
        Leg("straddle", 100, EXP, 1)
    with pytest.raises(BadInput, match="strike"):
        Leg("put", 0, EXP, 1)
    with pytest.raises(BadInput, match="qty"):
        Leg("put", 100, EXP, 0)
    with pytest.raises(BadInput, match="premium"):
        _ = long_put(100, EXP).cost
    with pytest.raises(BadInput, match="two different strikes"):
        vertical("put", 100, 100, EXP)
    with pytest.raises(BadInput, match="near_expiry"):
        calendar("put", 100, EXP, dt.date(2023, 7, 21))
    with pytest.raises(BadInput, match="at least one leg"):
        Position(())
