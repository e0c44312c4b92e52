"""Price-action triggers: outside bars, zone rejections, failed breakouts, lower-high
breakdowns, squeeze releases, long wicks and the low of the week, on any timeframe.

    from thesis.signals import Trigger, detect
    detect(Trigger(kind="outside_bar_rejection", zone=[188, 190]), load_bars("IWM"), "short")

Kernels (numpy in, numpy out) are in thesis.signals.nb; `scan` runs any kind on arrays.
"""
# Names load their submodule on first use (thesis._lazy), so importing one light submodule
# does not import the whole package.
from thesis._lazy import lazy_exports

lazy_exports(__name__, {
    "detect": ["EVENT_COLUMNS", "detect", "detect_all"],
    "scan": ["scan"],
    "spec": ["KINDS", "PARAMS", "Trigger"],
    "triggers": ["failed_breakout", "long_wick", "low_of_week", "lower_high_breakdown", "outside_bar",
                 "outside_bar_rejection", "squeeze", "squeeze_release", "swing_points", "week_extremes",
                 "zone_rejection"],
})

__all__ = ["Trigger", "KINDS", "PARAMS", "EVENT_COLUMNS", "detect", "detect_all", "scan", "outside_bar",
           "zone_rejection", "outside_bar_rejection", "failed_breakout", "lower_high_breakdown", "swing_points",
           "squeeze", "squeeze_release", "long_wick", "low_of_week", "week_extremes"]
