"""The seed setup's study on IWM since 2000: every occurrence's trade equals a direct
thesis.replay.fills.simulate of the same trade; fixed levels find exactly the idea's trigger
events; the base rate is matched and seeded."""
import numpy as np
import pandas as pd
import pytest

from thesis.data import load_bars
from thesis.replay.fills import simulate
from thesis.signals import detect_all
from thesis.spec import load
from thesis.study import study

SEED = "examples/iwm-no-love-for-small-caps.toml"


@pytest.fixture(scope="module")
def seed_study():
    return study(SEED, start="2000-01-01", n_boot=500)


@pytest.fixture(scope="module")
def iwm():
    return load_bars("IWM")


def test_the_published_signal_is_an_occurrence(seed_study):
    occ = seed_study.occurrences
    row = occ[occ["date"] == pd.Timestamp("2023-06-14")]
    assert len(row) == 1 and "outside_bar_rejection" in row["trigger"].iloc[0]
    assert row["entry_date"].iloc[0] == pd.Timestamp("2023-06-15")
    assert row["entry_price"].iloc[0] == 185.08            # the 2023-06-15 open
    assert row["stop"].iloc[0] == pytest.approx(185.08 * 212 / 188)
    assert row["target"].iloc[0] == pytest.approx(185.08 - 58 / 24 * (185.08 * 24 / 188))
    assert seed_study.signals > 100


def test_every_trade_equals_a_direct_replay_simulation(seed_study, iwm):
    idea = load(SEED)
    occ = seed_study.occurrences
    assert (occ["date"] >= pd.Timestamp("2000-01-01")).all()
    for row in occ.itertuples():
        entry_date = iwm.index[iwm.index.searchsorted(row.date, side="right")]
        t = simulate(iwm, "short", {"order": "next_open", "signal_date": row.date}, stop=row.stop,
                     targets=[row.target], end_date=idea.horizon_end(entry_date))
        assert t.entry_date == row.entry_date and t.entry_price == row.entry_price
        assert t.exit_date == row.exit_date and t.exit_price == pytest.approx(row.exit_price, rel=1e-12)
        assert t.reason == row.outcome
        assert t.r_multiple == pytest.approx(row.r, rel=1e-9)
        risk = abs(t.entry_price - row.stop)
        assert t.mfe / risk == pytest.approx(row.mfe_r, rel=1e-9, abs=1e-12)
        assert -t.mae / risk == pytest.approx(row.mae_r, rel=1e-9, abs=1e-12)
        assert t.sessions_held == row.sessions


def test_summary_figures_follow_from_the_occurrences(seed_study):
    occ = seed_study.occurrences
    closed = occ[occ["outcome"].isin(["stop", "target", "time"])]
    s = seed_study.summary
    assert s["signals"] == len(closed)
    assert s["hit_rate"] == pytest.approx((closed["outcome"] == "target").mean())
    assert s["mean_r"] == pytest.approx(closed["r"].mean())
    lo, hi = s["mean_r_ci"]
    assert lo < s["mean_r"] < hi
    assert s["open_trades"] == int((occ["outcome"] == "open").sum())


def test_fixed_levels_find_the_ideas_trigger_events(iwm):
    idea = load(SEED)
    res = study(SEED, levels="fixed", start="2000-01-01", base_rate=0, n_boot=100)
    events = detect_all(idea.triggers, iwm, idea.direction)
    events = events[events["date"] < iwm.index[-1]]
    # an occurrence needs the next open between the idea's target (130) and stop (212)
    nxt = iwm["open"].shift(-1).reindex(pd.DatetimeIndex(events["date"]))
    valid = sorted(set(events["date"][(nxt.to_numpy() > 130) & (nxt.to_numpy() < 212)]))
    assert list(res.occurrences["date"]) == valid
    assert (res.occurrences["stop"] == 212.0).all() and (res.occurrences["target"] == 130.0).all()


def test_fixed_levels_refuse_other_symbols():
    from thesis.errors import BadInput

    with pytest.raises(BadInput, match="only mean something on IWM"):
        study(SEED, levels="fixed", symbols=["SPY"])


def test_base_rate_is_matched_per_symbol_and_seeded():
    kw = dict(symbols=["IWM", "SPY", "QQQ"], start="2005-01-01", end="2020-12-31", base_rate=2, n_boot=100)
    res = study(SEED, seed=3, **kw)
    table = res.table
    occ = table.cand[:, 0] & table.trades["valid"][:, 0].astype(bool)
    from thesis.study.table import base_mask

    base = base_mask(table, occ, 0, 2)
    for j, sym in enumerate(table.symbols):
        n_occ = int((occ & (table.sym == j)).sum())
        assert int((base & (table.sym == j)).sum()) == 2 * n_occ, sym
    dates = table.date[base]
    assert (dates >= np.datetime64("2005-01-01")).all() and (dates <= np.datetime64("2020-12-31")).all()
    assert res.base_rate["signals"] + res.base_rate["open_trades"] == int(base.sum())
    again = study(SEED, seed=3, **kw)
    other = study(SEED, seed=4, **kw)
    assert np.array_equal(again.table.date[again.table.pool_rank >= 0], table.date[table.pool_rank >= 0])
    assert again.base_rate["mean_r"] == res.base_rate["mean_r"]
    assert not np.array_equal(other.table.pool_rank, table.pool_rank)


def test_walk_forward_split_partitions_the_occurrences(seed_study):
    res = study(SEED, start="2000-01-01", split="2015-01-01", n_boot=200)
    sp = res.split
    closed = res.occurrences[res.occurrences["outcome"].isin(["stop", "target", "time"])]
    n_in = int((closed["date"] < pd.Timestamp("2015-01-01")).sum())
    assert sp["in_sample"]["summary"]["signals"] == n_in
    assert sp["out_of_sample"]["summary"]["signals"] == len(closed) - n_in
    assert set(res.occurrences["sample"]) == {"in", "out"}
