"""thesis: turn a market idea into a plan a computer can check.

    import thesis
    idea = thesis.load("examples/iwm-no-love-for-small-caps.toml")
    thesis.evaluate(idea, asof="2023-06-14")     # state, distances, triggers, arithmetic
    result = thesis.replay(idea)                  # what the market really did
    thesis.chart(idea, "iwm.png", replayed=result)
    thesis.study(idea, universe="csv:.../sp500-constituents")   # how often has this worked?

Importing ``thesis`` imports nothing else: every name below loads its module on first use
(the verbs in their bodies, ``Idea`` and ``load`` through PEP 562 ``__getattr__``), so the
command line and ``import thesis`` stay fast.
"""
from __future__ import annotations

import sys as _sys
import types as _types

__version__ = "0.1.0"

__all__ = ["Idea", "load", "evaluate", "replay", "chart", "study", "market_report", "__version__"]

# The verbs `replay`, `study`, `evaluate` and `chart` share their names with submodules; the import system
# sets `thesis.<sub>` to the subpackage when it is first imported, which would replace the
# verb. The module's class below refuses exactly that assignment, so the verbs always win
# (the subpackages stay importable: `from thesis.replay import fills`, sys.modules).
_VERBS = frozenset({"replay", "study", "evaluate", "chart"})


class _ThesisModule(_types.ModuleType):
    def __setattr__(self, name, value):
        if name in _VERBS and isinstance(value, _types.ModuleType):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _ThesisModule


def _numba_cache_dir(package_dir: str) -> str | None:
    """Where numba should cache compiled kernels: None (numba's default, ``__pycache__`` beside
    the code) when the package directory is writable or NUMBA_CACHE_DIR is set; else
    ``$THESIS_HOME/numba-cache`` (an installed, read-only package still compiles only once)."""
    import os

    if os.environ.get("NUMBA_CACHE_DIR") or os.access(package_dir, os.W_OK):
        return None
    home = os.environ.get("THESIS_HOME")
    if home:
        return os.path.join(os.path.expanduser(home), "numba-cache")
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("thesis", appauthor=False), "numba-cache")


def _configure_numba_cache() -> None:
    import os

    where = _numba_cache_dir(os.path.dirname(os.path.abspath(__file__)))
    if where is None:
        return
    os.environ["NUMBA_CACHE_DIR"] = where          # read by numba when it is first imported
    if "numba" in _sys.modules:                     # imported before thesis: tell its config directly
        _sys.modules["numba"].config.CACHE_DIR = where


_configure_numba_cache()

_LAZY = {"Idea": "thesis.spec", "load": "thesis.spec"}


def __getattr__(name: str):
    """PEP 562: ``thesis.Idea`` and ``thesis.load`` import the spec package on first use."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'thesis' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


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
