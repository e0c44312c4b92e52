"""The batch lifecycle (many ideas on one symbol, the fill kernel called once per round) is the
per-idea lifecycle: the same trades, the same events and the same snapshots, on every example
idea cut at dates through its life and on random ideas sharing random bars."""
from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.watch.test_engine import scenario, scenario_source
from thesis.data import load_bars
from thesis.replay.lifecycle import lifecycle, lifecycles
from thesis.replay.trades import batchable
from thesis.spec import Idea, load

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").rglob("*.toml"))
_ctr = itertools.count()


def document(life) -> dict:
    """Everything the views read from a lifecycle: its trades, its events, the cut at its last bar."""
    return {"start": life.start, "trades": [(v, t.to_dict()) for v, t in life.trades],
            "events": [e.to_dict() for e in life.events],
            "cut": life.at().to_dict() if len(life.bars) else None}


def assert_same(ideas, bars):
    batch = lifecycles(ideas, bars)
    assert len(batch) == len(ideas)
    for idea, got in zip(ideas, batch):
        want = lifecycle(idea, bars)
        assert document(got) == document(want), (idea.idea.title, bars.index[-1] if len(bars) else None)


def test_examples_at_dates_through_their_lives():
    groups: dict[tuple, list] = {}
    for f in EXAMPLES:
        idea = load(f)
        groups.setdefault((idea.symbol, idea.idea.adjustment), []).append(idea)
    assert sum(batchable(i) for g in groups.values() for i in g) >= 10     # the batch rounds are exercised
    cuts = 0
    for (symbol, adjustment), ideas in groups.items():
        bars = load_bars(symbol, adjustment)
        first = min(pd.Timestamp(i.idea.published) for i in ideas)
        days = bars.index[bars.index >= first - pd.Timedelta(days=3)]
        for day in list(days[:: max(1, len(days) // 4)]) + [bars.index[-1]]:
            assert_same(ideas, bars.loc[:day])
            cuts += 1
    assert cuts >= 30


def _idea(p, sym: str, published, triggers: bool) -> Idea:
    spec = {"idea": {"title": f"random {p['order']}", "symbol": sym, "published": published,
                     "direction": p["direction"], "horizon": p["horizon"]},
            "levels": {"entry_zone": p["zone"], "stop": p["stop"], "targets": p["targets"], "sizes": p["sizes"],
                       "move_stop_to_breakeven": p["breakeven"]},
            "entry": {"order": p["order"]}}
    if triggers or p["order"] == "signal":
        spec["triggers"] = [{"kind": "outside_bar", "timeframe": "1d"}]
    return Idea.model_validate(spec)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario(), st.lists(st.tuples(scenario(), st.booleans()), min_size=2, max_size=4))
def test_random_ideas_sharing_random_bars(sc, others):
    rows, p = sc
    sym = f"LB{next(_ctr)}"
    bars = load_bars(sym, source=scenario_source(rows, sym))
    ideas = [_idea(p, sym, rows[p["pub"]][0].date(), False)]
    # the other ideas' levels are around 100 as well (the scenarios start at 100): same bars, other plans
    ideas += [_idea(q, sym, rows[q["pub"]][0].date(), trig) for (_, q), trig in others]
    for day in list(bars.index[::8]) + [bars.index[-1]]:
        assert_same(ideas, bars.loc[:day])


def test_ideas_sharing_a_trigger_spec_detect_it_once(monkeypatch):
    """Triggers are detected once per (trigger spec, direction, first session) in a batch, and every
    idea still gets the events its own lifecycle gives."""
    import importlib

    detect = importlib.import_module("thesis.signals.detect")     # the module (the package exports a function)
    bars = load_bars("SPY").loc[:"2023-06-30"]
    plans = [("long", (380, 385), 370, [420]), ("long", (390, 395), 375, [430]),
             ("short", (420, 425), 440, [390]), ("short", (410, 415), 430, [380])]
    ideas = [Idea.model_validate({
        "idea": {"title": f"shared {k}", "symbol": "SPY", "published": "2023-01-03", "direction": d, "horizon": "3mo"},
        "levels": {"entry_zone": list(zone), "stop": stop, "targets": targets},
        "triggers": [{"kind": "outside_bar", "timeframe": "1d"}]}) for k, (d, zone, stop, targets) in enumerate(plans)]
    calls = []
    real = detect.detect_all
    monkeypatch.setattr(detect, "detect_all", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    batch = lifecycles(ideas, bars)
    assert sorted(calls) == ["long", "short"]           # one detection per direction, not per idea
    monkeypatch.setattr(detect, "detect_all", real)
    assert any(len(life.triggers) for life in batch)
    for idea, got in zip(ideas, batch):
        assert document(got) == document(lifecycle(idea, bars))
