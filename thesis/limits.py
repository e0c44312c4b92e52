"""Numeric ranges shared by idea files, the pricers and the command line: one source of truth.

An idea file (thesis.spec, the ``[options]`` table in thesis.options.spec), the Python API
(thesis.options.pricing, thesis.options.plan) and the flags of ``thesis options ...``
(thesis/cli/options.py) all read these numbers, so a value one of them refuses the others
refuse too. Standard library only: the command line imports this module at top level.
"""
from __future__ import annotations

#: Prices of levels, strikes and spots.
MAX_PRICE = 1e7
#: The longest idea horizon, in years and in calendar days (an idea's "d" unit).
MAX_HORIZON_YEARS = 30
MAX_HORIZON_DAYS = MAX_HORIZON_YEARS * 366

#: Options: vol and rates are decimals (0.20 = 20 %), not percent.
MAX_IV = 5.0                       # 500 % a year: anything above is a percent typed as a decimal
MIN_RATE, MAX_RATE = -0.2, 0.5     # risk-free rate
MIN_DIV_YIELD, MAX_DIV_YIELD = 0.0, MAX_RATE
MAX_DAYS = 3660                    # calendar days to expiry (10 years)
MAX_CONTRACTS = 100_000
#: Option dates (as-of, expiry): QuantLib's calendar starts in 1901, idea files end in 2100.
FIRST_YEAR, LAST_YEAR = 1901, 2100
