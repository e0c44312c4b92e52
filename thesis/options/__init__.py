"""Options: pricing, strategies, plans and what-if scenarios.

Every price here is a MODEL price (Black-Scholes-Merton, or QuantLib for American style)
with a flat volatility, not a market quote. See docs/options.md for the conventions.
"""
# Names load their submodule on first use (thesis._lazy), so importing one light submodule
# does not import the whole package.
from thesis._lazy import lazy_exports

lazy_exports(__name__, {
    "bsm": ["bsm_greeks", "bsm_price", "implied_vol", "strike_for_delta", "years"],
    "plan": ["Candidate", "OptionsPlan", "plan_options"],
    "pricing": ["model_values", "price"],
    "scenario": ["ScenarioGrid", "scenario_grid", "touch_probability", "touch_probability_mc"],
    "spec": ["OptionsSpec", "reprice_path"],
    "strategies": ["Leg", "Position", "calendar", "long_call", "long_put", "put_ratio", "vertical"],
})

__all__ = ["bsm_price", "bsm_greeks", "implied_vol", "strike_for_delta", "years", "price",
           "model_values", "Leg", "Position", "long_put", "long_call", "vertical", "put_ratio",
           "calendar", "plan_options", "OptionsPlan", "Candidate", "scenario_grid", "ScenarioGrid",
           "touch_probability", "touch_probability_mc", "OptionsSpec", "reprice_path"]
