"""thesis: turn a market idea into a plan a computer can check.

    import thesis
    idea = thesis.load("examples/iwm-no-love-for-small-caps.toml")
    thesis.evaluate(idea, asof="2023-06-14")     # state, distances, triggers, arithmetic
    result = thesis.replay(idea)                  # what the market really did
    thesis.chart(idea, "iwm.png", replayed=result)
    thesis.study(idea, universe="csv:.../sp500-constituents")   # how often has this worked?
"""
from __future__ import annotations

__version__ = "0.1.0"

import thesis.replay as _replay_pkg  # noqa: F401
import thesis.study as _study_pkg  # noqa: F401
from thesis.spec import Idea, load

# The verbs `replay` and `study` share their names with subpackages. Python sets the
# attribute `thesis.<sub>` when a subpackage is first imported, which would replace the
# verb; importing both subpackages above, before the verbs are defined, keeps the verbs.

__all__ = ["Idea", "load", "evaluate", "replay", "chart", "study", "market_report", "__version__"]


def evaluate(idea, asof=None, source=None, **kwargs) -> dict:
    from thesis.evaluate import evaluate as _evaluate

    return _evaluate(idea, asof=asof, source=source, **kwargs)


def replay(idea, source=None, **kwargs):
    from thesis.replay import replay as _replay

    return _replay(idea, source=source, **kwargs)


def chart(idea, path, **kwargs):
    from thesis.chart import chart as _chart

    return _chart(idea, path, **kwargs)


def study(idea, **kwargs):
    from thesis.study import study as _study

    return _study(idea, **kwargs)


def market_report(asof=None, **kwargs) -> dict:
    from thesis.market.report import market_report as _report

    return _report(asof, **kwargs)
