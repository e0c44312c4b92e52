"""No look-ahead, by construction and by test: every view of an idea at D rendered from the
lifecycle of the full bars cut at D equals the same view rendered from the lifecycle of the bars
cut at D (random ideas and bars with gaps through the zone, the stop and the targets)."""
from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings

from tests.watch.test_engine import scenario, scenario_source
from thesis.chart import lifecycle_marks
from thesis.data import load_bars
from thesis.replay.lifecycle import lifecycle, state_text
from thesis.spec import Idea
from thesis.watch.engine import status_of
from thesis.watch.run import board_cells

_ctr = itertools.count()


def views(life, day, idea) -> dict:
    """Every rendering of the cut at ``day``: watch's Status (events with ids), the board's cells,
    the snapshot's marks, the state sentence, the evaluate/API state document."""
    cut = life.at(day)
    status = status_of(cut, idea, "rand", 0, life.primary)
    return {"status": status.to_dict(), "board": board_cells(cut.snapshot, idea, day),
            "marks": lifecycle_marks(cut, list(idea.levels.targets), idea.direction),
            "text": state_text(cut, idea), "doc": cut.to_dict()}


def first_difference(a, b, path=""):
    """The path and values where two nested documents first differ (for the failure message)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if a.get(k) != b.get(k):
                return first_difference(a.get(k), b.get(k), f"{path}.{k}")
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
    return path, a, b


def _idea(rows, p, sym):
    spec = {"idea": {"title": "random", "symbol": sym, "published": rows[p["pub"]][0].date(),
                     "direction": p["direction"], "horizon": p["horizon"]},
            "levels": {"entry_zone": p["zone"], "stop": p["stop"], "targets": p["targets"], "sizes": p["sizes"],
                       "move_stop_to_breakeven": p["breakeven"]},
            "entry": {"order": p["order"]},
            "triggers": [{"kind": "outside_bar", "timeframe": "1d"}]}
    return Idea.model_validate(spec)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_every_view_at_d_is_the_same_on_full_bars_and_on_bars_cut_at_d(sc):
    rows, p = sc
    sym = f"LC{next(_ctr)}"
    idea = _idea(rows, p, sym)
    full = load_bars(sym, source=scenario_source(rows, sym))
    whole = lifecycle(idea, full)                 # computed once on every bar
    for day in full.index:
        cut_bars = full.loc[:day]
        got, want = views(whole, day, idea), views(lifecycle(idea, cut_bars), day, idea)
        assert got == want, (day, first_difference(got, want))
    # and the cut is a prefix of the whole list
    for day in full.index:
        assert whole.at(day).events == whole.events[:len(whole.at(day).events)]
