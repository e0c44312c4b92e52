"""thesis: turn a market idea into a plan a computer can check.

    import thesis
    idea = thesis.load("examples/iwm-no-love-for-small-caps.toml")
    thesis.evaluate(idea, asof="2023-06-14")     # state, distances, triggers, arithmetic
    result = thesis.replay(idea)                  # what the market really did
    result = thesis.replay(idea, bars=my_frame)   # ... on a DataFrame you already hold
    thesis.chart(idea, "iwm.png", replayed=result)
    thesis.study(idea, universe="csv:.../sp500-constituents")   # how often has this worked?

The verbs are the real functions (``help(thesis.study)`` and ``inspect.signature`` show their
parameters), loaded on first use through PEP 562 ``__getattr__``, so ``import thesis`` imports
nothing heavy and changes nothing in the environment.

Four verbs share their names with modules (``thesis.replay``, ``thesis.study``,
``thesis.evaluate``, ``thesis.chart``). The top-level name is the verb; reach the modules with
``from thesis.replay import fills``, ``import thesis.replay.run as run`` or
``importlib.import_module("thesis.evaluate")``. To keep
the import system from putting a module where a verb belongs, those four modules are entered
in ``sys.modules`` here, not yet run (``thesis._lazy.register_pending``, a thread-safe
``importlib.util.LazyLoader``): they run on first use, once, whichever thread comes first, and a
later ``import thesis.replay.fills`` finds its parent already registered.
"""
from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING

from thesis._lazy import register_pending as _register_pending

__version__ = "0.1.0"

__all__ = ["Idea", "load", "evaluate", "replay", "chart", "study", "market_report", "__version__"]

# name -> (module, attribute): each loads on first use.
_PUBLIC = {
    "Idea": ("thesis.spec", "Idea"),
    "load": ("thesis.spec", "load"),
    "evaluate": ("thesis.evaluate", "evaluate"),
    "replay": ("thesis.replay.run", "replay"),
    "chart": ("thesis.chart", "chart"),
    "study": ("thesis.study.run", "study"),
    "market_report": ("thesis.market.report", "market_report"),
}
_VERB_MODULES = ("thesis.evaluate", "thesis.replay", "thesis.chart", "thesis.study")
_VERB_PACKAGES = ("thesis.replay", "thesis.study")     # verbs named like a package with submodules


for _name in _VERB_MODULES:
    _register_pending(_name)


def __getattr__(name: str) -> object:
    """PEP 562: the verbs, ``Idea`` and ``load`` import their module on first use."""
    if name in _PUBLIC:
        module, attribute = _PUBLIC[name]
        value = getattr(_importlib.import_module(module), attribute)
        if f"thesis.{name}" in _VERB_PACKAGES:
            # ``import thesis.replay.run as r`` looks ``run`` up on the verb (the function): when that
            # fails, Python finds ``sys.modules[f"{verb.__name__}.run"]``, so the verb is named after
            # its package. __qualname__ (repr, pickling) and the signature stay the function's own.
            value.__name__ = f"thesis.{name}"
        globals()[name] = value
        return value
    raise AttributeError(f"module 'thesis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # editors and type checkers see the real functions and their signatures
    from thesis.chart import chart
    from thesis.evaluate import evaluate
    from thesis.market.report import market_report
    from thesis.replay.run import replay
    from thesis.spec import Idea, load
    from thesis.study.run import study
