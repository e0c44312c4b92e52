"""Option plans for the seed idea: short IWM at 188, stop 212, target 130, 180 days."""
from __future__ import annotations

import datetime as dt

import pytest

from thesis.errors import BadInput
from thesis.options.bsm import bsm_price
from thesis.options.expiries import expiries_covering, monthly_expiry, third_friday
from thesis.options.plan import plan_options

ASOF = dt.date(2023, 6, 5)
SEED = dict(direction="short", entry=188, stop=212, targets=[130], horizon_days=180, asof=ASOF, spot=179.58)


@pytest.fixture(scope="module")
def seed_plan():
    return plan_options(**SEED, iv=0.20, rate=0.05, div_yield=0.012)


def test_every_candidate_outlives_the_horizon(seed_plan):
    horizon_end = ASOF + dt.timedelta(days=180)
    assert seed_plan.expiries == [dt.date(2023, 12, 15), dt.date(2024, 1, 19), dt.date(2024, 2, 16)]
    assert seed_plan.candidates
    for c in seed_plan.candidates:
        assert c.expiry >= horizon_end
        assert all(leg.expiry >= horizon_end for leg in c.position.legs)


def test_short_idea_uses_puts_and_ranks_sensibly(seed_plan):
    cands = seed_plan.candidates
    assert seed_plan.option_type == "put"
    assert all(leg.type == "put" for c in cands for leg in c.position.legs)
    best = cands[0]
    assert best.rank == 1 and best.pnl_at_targets[0] > 0 and best.delta < 0
    rr = [c.reward_risk for c in cands]
    assert rr == sorted(rr, reverse=True)
    for c in cands:
        assert c.value_at_targets[0] > c.value_at_stop      # puts gain as price falls
        assert 0 < c.loss_at_stop <= c.cost + 1e-9          # a debit position loses at most its cost
        assert c.breakeven is not None and 130 < c.breakeven < 188
    # the underlying's reward/risk: (188 - 130) / (212 - 188)
    assert seed_plan.underlying_reward_risk == pytest.approx(58 / 24)
    assert seed_plan.evaluation_date == ASOF + dt.timedelta(days=90)


def test_candidate_numbers_match_hand_pricing(seed_plan):
    c = next(c for c in seed_plan.candidates if c.structure == "long put")
    leg = c.position.legs[0]
    t0 = (c.expiry - ASOF).days / 365
    cost = bsm_price("put", 188, leg.strike, t0, 0.2, 0.05, 0.012) * 100
    assert c.cost == pytest.approx(cost, abs=1e-9)
    t1 = (c.expiry - seed_plan.evaluation_date).days / 365
    at_target = bsm_price("put", 130, leg.strike, t1, 0.2, 0.05, 0.012) * 100
    at_stop = bsm_price("put", 212, leg.strike, t1, 0.2, 0.05, 0.012) * 100
    assert c.pnl_at_targets[0] == pytest.approx(at_target - cost, abs=1e-9)
    assert c.loss_at_stop == pytest.approx(cost - at_stop, abs=1e-9)
    assert c.reward_risk == pytest.approx((at_target - cost) / (cost - at_stop))
    assert c.breakeven == pytest.approx(leg.strike - cost / 100)


def test_strikes_include_atm_delta_and_debit_verticals(seed_plan):
    first = [c for c in seed_plan.candidates if c.expiry == dt.date(2023, 12, 15)]
    singles = {c.position.legs[0].strike for c in first if c.structure == "long put"}
    assert 188.0 in singles                      # at the entry
    assert 159.0 in singles                      # halfway from 188 to 130
    verticals = [c for c in first if c.structure == "debit vertical"]
    assert any(c.position.legs[1].strike == 130.0 for c in verticals)
    for c in verticals:
        assert c.position.legs[0].strike > c.position.legs[1].strike
        assert c.max_gain == pytest.approx((c.position.legs[0].strike - c.position.legs[1].strike) * 100 - c.cost)


def test_long_idea_uses_calls_and_rank_by_cost():
    p = plan_options("long", 100, 90, [120, 130], 60, ASOF, iv=0.3, rank_by="cost")
    assert p.option_type == "call"
    costs = [c.cost for c in p.candidates if c.pnl_at_targets[0] > 0]
    assert costs == sorted(costs)
    assert all(len(c.pnl_at_targets) == 2 for c in p.candidates)


def test_to_dict_states_the_vol_source(seed_plan):
    d = seed_plan.to_dict()
    assert d["vol"]["source"] == "explicit" and d["vol"]["iv"] == 0.2
    assert "not quotes" in d["price_kind"]
    assert d["candidates"][0]["rank"] == 1 and d["candidates"][0]["legs"]


def test_vix_and_realized_sources_are_stated():
    vix = plan_options(**SEED, iv_source="vix", symbol="IWM")
    assert vix.vol.source == "vix" and "VIX close 14.73" in vix.vol.rule
    assert vix.vol.iv == pytest.approx(0.1473 * vix.vol.detail["scale"])
    assert 0.5 <= vix.vol.detail["scale"] <= 3.0
    real = plan_options(**SEED, iv_source="realized", symbol="IWM")
    assert real.vol.source == "realized"
    assert real.vol.iv == pytest.approx((real.vol.detail["rv20"] + real.vol.detail["rv60"]) / 2)


@pytest.mark.parametrize("kwargs,needle", [
    (dict(stop=180), "stop"), (dict(targets=[195]), "target"), (dict(targets=[]), "target"),
    (dict(direction="sideways"), "direction"), (dict(horizon_days=0), "horizon"),
    (dict(rank_by="luck"), "rank_by"),
])
def test_plan_rejects_inconsistent_levels(kwargs, needle):
    with pytest.raises(BadInput, match=needle):
        plan_options(**(SEED | kwargs), iv=0.2)


def test_plan_needs_a_vol():
    with pytest.raises(BadInput, match="iv_source"):
        plan_options(**SEED)


def test_monthly_expiries():
    assert third_friday(2023, 12) == dt.date(2023, 12, 15)
    assert monthly_expiry(2025, 4) == dt.date(2025, 4, 17)   # Good Friday: Thursday expiry
    assert expiries_covering(ASOF, 180, 2) == [dt.date(2023, 12, 15), dt.date(2024, 1, 19)]
    # an expiry on the horizon day itself covers it
    assert expiries_covering(dt.date(2023, 11, 15), 30, 1) == [dt.date(2023, 12, 15)]
