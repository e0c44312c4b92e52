"""The study's headline cell: the highest mean R among cells with at least MIN_TRADES closed
trades; ties go to the lower cell index; when no cell has that many, the highest mean R of all."""
import numpy as np

from thesis.study import study
from thesis.study.analyze import MIN_TRADES, best_cell

SEED = "examples/iwm-no-love-for-small-caps.toml"


def row(cell, signals, mean_r):
    return {"cell": cell, "signals": signals, "mean_r": mean_r}


def test_minimum_is_twenty():
    assert MIN_TRADES == 20


def test_best_cell_by_hand():
    rows = [row(0, 25, 0.10),
            row(1, 5, 2.00),     # best mean R, but under the 20-trade minimum: skipped
            row(2, 30, 0.40),    # highest eligible mean R ...
            row(3, 20, 0.40),    # ... tied here (exactly 20 trades is eligible): the lower index wins
            row(4, 40, -0.50),   # lowest mean R
            row(5, 50, None)]    # no closed trade to average
    assert best_cell(rows) == 2


def test_exactly_twenty_trades_is_eligible_and_nineteen_is_not():
    assert best_cell([row(0, 19, 0.90), row(1, 20, 0.30), row(2, 21, 0.10)]) == 1
    assert best_cell([row(0, 20, 0.10), row(1, 19, 0.90)]) == 0


def test_ties_go_to_the_lower_index_in_any_order():
    assert best_cell([row(0, 30, -0.1), row(1, 30, 0.2), row(2, 30, 0.2)]) == 1
    assert best_cell([row(0, 30, 0.2), row(1, 30, 0.2), row(2, 30, -0.1)]) == 0


def test_without_an_eligible_cell_the_highest_mean_r_of_all_wins():
    assert best_cell([row(0, 3, 0.1), row(1, 8, 0.6), row(2, 12, -0.3), row(3, 0, None)]) == 1
    assert best_cell([row(0, 0, None), row(1, 0, None)]) == 0


def test_grid_study_headlines_the_rule_s_cell():
    """IWM 2015 to mid-2017: the two narrowest zones have the best mean R on fewer than 20 trades."""
    res = study(SEED, start="2015-01-01", end="2017-06-30", grid=["zone_width=0.1,0.3,1.0,2.0 stop=5%,10%"],
                n_boot=100)
    rows = res.grid
    assert [r["cell"] for r in rows] == list(range(8))
    # re-derive the rule in plain Python from the grid rows
    eligible = [r for r in rows if r["signals"] >= 20 and r["mean_r"] is not None]
    top = max(r["mean_r"] for r in eligible)
    expected = min(r["cell"] for r in eligible if r["mean_r"] == top)
    # the case is not vacuous: the unrestricted best and the worst eligible cell are other cells
    unrestricted = max((r for r in rows if r["mean_r"] is not None), key=lambda r: r["mean_r"])
    assert unrestricted["signals"] < 20 and unrestricted["cell"] != expected
    assert min(eligible, key=lambda r: r["mean_r"])["cell"] != expected
    assert res.cell == expected == 4
    doc = res.to_dict()
    assert doc["cell"]["index"] == expected and doc["cell"]["stop"] == "5%"
    assert doc["grid"]["multiple_comparisons"]["best_cell"] == expected
    # the headline figures are that cell's figures
    assert doc["signals"] == rows[expected]["signals"]
    assert doc["mean_r"] == rows[expected]["mean_r"]
    closed = res.occurrences[res.occurrences["outcome"].isin(["stop", "target", "time"])]
    assert np.isclose(closed["r"].mean(), rows[expected]["mean_r"])
