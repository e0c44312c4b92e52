"""Event studies: every historical occurrence of an idea's setup, on one symbol, a list of
symbols or a universe, simulated with the replay kernel and compared with a base rate.

    from thesis.study import study
    res = study("examples/iwm-no-love-for-small-caps.toml", start="2000-01-01")
    res.to_dict()["mean_r"]

Method, assumptions and limits: docs/study.md.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = ["study", "run_study", "load_panel", "StudyResult", "StudyPlan", "make_plan", "STUDY_SCHEMA",
           "parse_grid", "parse_level", "parse_hold", "GridError", "wilson_interval", "bootstrap_mean_ci",
           "mean_gt0_pvalue", "holm"]


# The names load on first use (PEP 562): thesis/__init__ registers this package lazily, and a package
# body that imported its own modules would run them twice when one is imported first.
_NAMES = {"thesis.study.plan": ("StudyPlan", "make_plan"), "thesis.study.result": ("STUDY_SCHEMA", "StudyResult"),
          "thesis.study.run": ("load_panel", "run_study", "study"),
          "thesis.study.spec": ("GridError", "parse_grid", "parse_hold", "parse_level"),
          "thesis.study.stats": ("bootstrap_mean_ci", "holm", "mean_gt0_pvalue", "wilson_interval")}
_HOME = {name: module for module, names in _NAMES.items() for name in names}


def __getattr__(name: str) -> object:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'thesis.study' has no attribute {name!r}")


if TYPE_CHECKING:
    from thesis.study.plan import StudyPlan, make_plan
    from thesis.study.result import STUDY_SCHEMA, StudyResult
    from thesis.study.run import load_panel, run_study, study
    from thesis.study.spec import GridError, parse_grid, parse_hold, parse_level
    from thesis.study.stats import bootstrap_mean_ci, holm, mean_gt0_pvalue, wilson_interval
