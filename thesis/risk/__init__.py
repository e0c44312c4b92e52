"""Trade arithmetic: reward/risk, break-even win rate, expectancy, position size,
betting odds, and checks of an author's claims. Pure functions; see docs/risk.md."""
from thesis.risk.claims import CLAIM_KEYS, CLAIM_TOLERANCE, ClaimCheck, check_claims
from thesis.risk.levels import check_levels, direction_sign
from thesis.risk.odds import (american_to_decimal, american_to_probability, american_to_reward_risk,
                              decimal_to_american, decimal_to_probability, probability_to_american,
                              probability_to_decimal, reward_risk_to_american)
from thesis.risk.reward import RewardRisk, break_even_win_rate, expectancy, reward_risk
from thesis.risk.sizing import PositionSize, size_options, size_shares

__all__ = ["CLAIM_KEYS", "CLAIM_TOLERANCE", "ClaimCheck", "check_claims", "check_levels", "direction_sign",
           "american_to_decimal", "american_to_probability", "american_to_reward_risk", "decimal_to_american",
           "decimal_to_probability", "probability_to_american", "probability_to_decimal",
           "reward_risk_to_american", "RewardRisk", "break_even_win_rate", "expectancy", "reward_risk",
           "PositionSize", "size_options", "size_shares"]
