"""Event studies: every historical occurrence of an idea's setup, on one symbol, a list of
symbols or a universe, simulated with the replay kernel and compared with a base rate.

    from thesis.study import study
    res = study("examples/iwm-no-love-for-small-caps.toml", start="2000-01-01")
    res.to_dict()["mean_r"]

Method, assumptions and limits: docs/study.md.
"""
from thesis.study.plan import StudyPlan, make_plan
from thesis.study.result import STUDY_SCHEMA, StudyResult
from thesis.study.run import load_panel, run_study, study
from thesis.study.spec import GridError, parse_grid, parse_hold, parse_level
from thesis.study.stats import bootstrap_mean_ci, holm, mean_gt0_pvalue, wilson_interval

__all__ = ["study", "run_study", "load_panel", "StudyResult", "StudyPlan", "make_plan", "STUDY_SCHEMA",
           "parse_grid", "parse_level", "parse_hold", "GridError", "wilson_interval", "bootstrap_mean_ci",
           "mean_gt0_pvalue", "holm"]
