"""Cases found by `make mutate` (mutants of thesis.risk that the other tests let live)."""
import dataclasses

import pytest

from thesis.errors import BadInput
from thesis.risk import check_claims
from thesis.risk.claims import parse_ratio
from thesis.risk.levels import check_price, check_sizes, check_stop, check_targets_vs


def test_a_price_under_one_is_a_price():
    assert check_price("entry", 0.5) == 0.5            # penny stocks and options trade under $1
    assert check_price("entry", "0.05") == 0.05
    for bad in (0, -1, 0.0, float("nan"), float("inf")):
        with pytest.raises(BadInput, match="above zero"):
            check_price("entry", bad)


def test_a_zero_or_negative_size_is_refused_even_when_the_sizes_add_up():
    assert check_sizes([110, 120], [0.25, 0.75]) == (0.25, 0.75)
    for sizes in ([0.0, 1.0], [-0.5, 1.5], [1.0, 0.0]):
        with pytest.raises(BadInput, match="fraction in"):
            check_sizes([110, 120], sizes)


def test_messages_name_the_trade_s_direction():
    with pytest.raises(BadInput, match="below the entry 100.00 for a long trade"):
        check_stop("long", 100.0, 101.0)
    with pytest.raises(BadInput, match="above the entry 100.00 for a short trade"):
        check_stop("short", 100.0, 99.0)
    with pytest.raises(BadInput, match=r"must be above the entry 100.00 for a long trade \(it is even beyond"):
        check_targets_vs("long", 100.0, 95.0, [90.0])
    with pytest.raises(BadInput, match=r"must be below the entry 100.00 for a short trade$"):
        check_targets_vs("short", 100.0, 110.0, [105.0])


@pytest.mark.parametrize("text, value", [("7", 7.0), ("3:2", 1.5), ("5 to 2", 2.5), ("2.5/1", 2.5), (" 7:1 ", 7.0)])
def test_claimed_ratios_parse_both_sides(text, value):
    assert parse_ratio(text) == pytest.approx(value)


def test_a_claim_check_is_immutable():
    [check] = check_claims("short", 188, 212, [130], None, {"risk_reward": "7:1"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        check.consistent = True


def test_three_target_sentence_lists_every_leg_once():
    [check] = check_claims("short", 188, 212, [168, 150, 130], [0.4, 0.3, 0.3], {"risk_reward": 2})
    assert check.computed == pytest.approx(0.4 * 20 / 24 + 0.3 * 38 / 24 + 0.3 * 58 / 24)
    assert ("risks 24.00 to make 20.00 at 168.00 on 40%, 38.00 at 150.00 on 30% and 58.00 at 130.00 on 30%, "
            "blended 1.53:1." in check.sentence)


@pytest.mark.parametrize("rate", [0, 1, "0", 1.5])
def test_a_break_even_claim_must_be_strictly_between_0_and_1(rate):
    with pytest.raises(BadInput, match="between 0 and 1"):
        check_claims("short", 188, 212, [130], None, {"break_even_win_rate": rate})


def test_target_pct_uses_the_farthest_target_and_says_so():
    [check] = check_claims("short", 188, 212, [168, 130], [0.5, 0.5], {"target_pct": -31})
    assert check.computed == pytest.approx(58 / 188 * 100) and check.consistent is True
    assert check.sentence == ("The claimed 31.0% move to the target holds: short from 188.00 to 130.00 is a "
                              "30.9% fall.")
    [up] = check_claims("long", 100, 90, [110, 125], [0.5, 0.5], {"target_pct": 10})
    assert up.computed == pytest.approx(25.0) and up.consistent is False and up.sentence.endswith("25.0% rise.")


def test_odds_claims_report_a_boolean_verdict():
    held, not_held = check_claims("short", 188, 212, [130], None, {"american_odds": "+242"})[0], \
        check_claims("short", 188, 212, [130], None, {"american_odds": "+700"})[0]
    assert held.consistent is True and not_held.consistent is False
