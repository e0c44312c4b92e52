"""Options: pricing, strategies, plans and what-if scenarios.

Every price here is a MODEL price (Black-Scholes-Merton, or QuantLib for American style)
with a flat volatility, not a market quote. See docs/options.md for the conventions.
"""
from thesis.options.bsm import bsm_greeks, bsm_price, implied_vol, strike_for_delta, years
from thesis.options.plan import Candidate, OptionsPlan, plan_options
from thesis.options.pricing import model_values, price
from thesis.options.scenario import ScenarioGrid, scenario_grid, touch_probability, touch_probability_mc
from thesis.options.spec import OptionsSpec, reprice_path
from thesis.options.strategies import Leg, Position, calendar, long_call, long_put, put_ratio, vertical

__all__ = ["bsm_price", "bsm_greeks", "implied_vol", "strike_for_delta", "years", "price",
           "model_values", "Leg", "Position", "long_put", "long_call", "vertical", "put_ratio",
           "calendar", "plan_options", "OptionsPlan", "Candidate", "scenario_grid", "ScenarioGrid",
           "touch_probability", "touch_probability_mc", "OptionsSpec", "reprice_path"]
