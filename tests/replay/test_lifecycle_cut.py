"""No look-ahead, by construction and by test: every view of an idea as of D is rendered from
the idea's whole history cut at D (thesis.replay.history: the lifecycle, the trigger table and
the bars up to D), and that cut equals what the bars cut at D give on their own (random ideas and
bars with gaps through the zone, the stop and the targets; a daily and a weekly trigger)."""
from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings

from tests.watch.test_engine import scenario, scenario_source
from thesis.chart import lifecycle_marks, snapshot_labels
from thesis.data import load_bars
from thesis.replay import replay
from thesis.replay.history import history
from thesis.replay.lifecycle import lifecycle, state_text
from thesis.signals.detect import detect_all
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
            "triggers": [{"kind": "outside_bar", "timeframe": "1d"}, {"kind": "outside_bar", "timeframe": "1w"}]}
    return Idea.model_validate(spec)


def replayed_views(res, idea) -> dict:
    """What the replay as of a date serves (evaluate, the idea page, the chart): its document without
    the as-of field, and the snapshot's labels."""
    doc = res.to_dict()
    doc.pop("asof")
    return {"replay": doc, "labels": snapshot_labels(idea, res)}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_every_view_at_d_is_the_same_on_full_bars_and_on_bars_cut_at_d(sc):
    rows, p = sc
    sym = f"LC{next(_ctr)}"
    idea = _idea(rows, p, sym)
    full = load_bars(sym, source=scenario_source(rows, sym))
    whole = history(idea, full)                   # computed once on every bar: what each view cuts
    published = full.index[full.index >= rows[p["pub"]][0]][0]
    # the replay's documents and labels where something happens (each event's session and the one
    # after, the last bar): between events they differ only by the kernel's run on the same bars
    idx = full.index
    busy = {idx[-1]} | {idx[min(idx.get_loc(e.session) + k, len(idx) - 1)] for e in whole.life.events for k in (0, 1)}
    for day in full.index:
        known = whole.until(day)
        cut_bars = full.loc[:day]
        if day < published or day not in busy:
            alone = lifecycle(idea, cut_bars)     # the bars cut at D, on their own
            assert known.triggers.to_dict("records") == \
                detect_all(idea.triggers, cut_bars, idea.direction).to_dict("records"), day
        else:                                     # the replay of the bars cut at D, on their own
            res = replay(idea, bars=cut_bars)
            alone = res.lifecycle
            got, want = replayed_views(replay(idea, bars=full, asof=day), idea), replayed_views(res, idea)
            assert got == want, (day, first_difference(got, want))
            assert known.triggers.to_dict("records") == res.triggers.to_dict("records"), day
        got, want = views(known.life, day, idea), views(alone, day, idea)
        assert got == want, (day, first_difference(got, want))
        assert known.life.events == alone.events and known.bars.index.equals(cut_bars.index)
    # and the cut is a prefix of the whole list
    for day in full.index:
        assert whole.life.at(day).events == whole.life.events[:len(whole.life.at(day).events)]
