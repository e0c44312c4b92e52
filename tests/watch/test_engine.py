"""The invariant: what `watch` says after the bars up to D equals what `replay(idea, asof=D)` reports.

Checked for every example idea at every session from publication to the exit (and a few after),
and as a hypothesis property on random ideas and random bars with gaps through the zone, the
stop and the targets.  Also: folding the pure one-bar ``step`` gives the same events, in a
growing prefix, as evaluating at each D.
"""
from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from thesis.data import load_bars
from thesis.replay import replay
from thesis.spec import Idea, load
from thesis.watch.engine import evaluate, event_id, initial, step

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))

COARSE = {"waiting": "waiting", "in zone": "waiting", "triggered": "waiting", "expired": "waiting",
          "in trade": "in trade", "closed": "closed", "invalidated": "closed"}


def coarse_state(t, bars, day) -> str:
    """Where the replayed trade stands at the close of ``day``, read off the trade itself."""
    session = bars.index[bars.index <= pd.Timestamp(day)][-1]
    if not t.filled or session < t.entry_date:
        return "waiting"
    if t.exit_date is not None and session >= t.exit_date and t.reason != "open":
        return "closed"
    return "in trade"


def assert_agrees(status, res, day) -> None:
    """``status`` (watch) against ``res`` (replay as of ``day``)."""
    t = res.primary
    by_kind = {}
    for e in status.events:
        if not e.key.startswith("signal"):     # the signal variant of a limit idea has its own events
            by_kind.setdefault(e.kind, []).append(e)
    coarse = coarse_state(t, res.bars, day)
    want = COARSE[status.state]
    if status.state == "invalidated" and not t.filled:
        want = "waiting"    # replay: never filled, invalidated by the stop
    assert coarse == want, (day, status.state, coarse)
    if status.state == "invalidated":
        if not t.filled:    # the stop traded before any entry (one rule: thesis.replay.run._signal_trade)
            assert t.invalidated is not None
            assert f"invalidated: stop traded on {t.invalidated.date()} before any entry" in t.notes
            [inv] = by_kind["invalidated"]
            assert inv.session == t.invalidated.date().isoformat()
            return
        assert t.filled and t.reason == "stop" and t.entry_date == t.exit_date
        assert "entry_beyond_level" in t.flags
        return
    assert t.invalidated is None or t.filled, (day, status.state)
    if t.filled:
        [filled] = by_kind["filled"]
        assert filled.session == t.entry_date.date().isoformat()
        assert filled.price == pytest.approx(t.entry_price)
        targets = [(leg.date.date().isoformat(), round(leg.price, 4)) for leg in t.legs if leg.kind == "target"]
        got = [(e.session, round(e.price, 4)) for e in by_kind.get("target_hit", [])]
        assert sorted(got) == sorted(targets)
        exits = [(leg.kind, leg.date.date().isoformat(), leg.price) for leg in t.legs if leg.kind in ("stop", "time")]
        got_exits = [({"stopped": "stop", "time_exit": "time"}[e.kind], e.session, e.price)
                     for e in by_kind.get("stopped", []) + by_kind.get("time_exit", [])]
        assert [(k, d) for k, d, _ in got_exits] == [(k, d) for k, d, _ in exits]
        assert status.state == ("closed" if t.reason in ("stop", "target", "time") else "in trade")
        if status.state == "in trade":
            sign = -1 if t.direction == "short" else 1
            close = float(res.bars["close"].iloc[-1])
            assert status.open_r == pytest.approx(sign * (close - t.entry_price) / abs(t.entry_price - t.stop))
    else:
        assert "filled" not in by_kind
        assert status.state in ("waiting", "in zone", "triggered", "expired")
        if res.idea.entry.order == "limit":
            from thesis.replay.trades import stale_date

            start = res.bars.index[res.bars.index >= pd.Timestamp(res.idea.idea.published)][0]
            stale = stale_date(res.idea, res.bars, start)
            before_start = stale is not None and stale < start     # the horizon ended before the first session
            assert (status.state == "expired") == (t.last_date is not None or before_start)
    # triggers journaled are replay's triggers after publication, up to the entry (plus the one after a
    # limit fill that opens the signal variant: key "signal")
    start = res.bars.index[res.bars.index >= pd.Timestamp(res.idea.idea.published)][0]
    end = t.entry_date if t.filled else res.bars.index[-1]
    rt = res.triggers
    want_days = sorted({pd.Timestamp(d).date().isoformat() for d in rt["date"] if start <= pd.Timestamp(d) <= end})
    got_days = sorted({e.session for e in by_kind.get("trigger", [])})
    if status.state != "expired":
        assert got_days == want_days


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_watch_equals_replay_asof_every_session(path):
    idea = load(path)
    full = load_bars(idea.symbol, idea.idea.adjustment)
    final = replay(idea, with_confirmations=False, with_options=False).primary
    published = pd.Timestamp(idea.idea.published)
    end = final.exit_date if final.exit_date is not None else full.index[-1]
    sessions = full.index[(full.index >= published) & (full.index <= end)]
    sessions = sessions.append(full.index[full.index > end][:3])
    assert len(sessions) > 20
    seen: list = []
    for day in sessions:
        res = replay(idea, asof=day, with_confirmations=False, with_options=False)
        status = evaluate(idea, full.loc[:day], path.stem)
        assert_agrees(status, res, day)
        ids = [e.id for e in status.events]
        # a growing prefix: nothing journaled earlier ever disappears or changes
        assert set(seen) <= set(ids), day
        seen = ids
    kinds = [e.kind for e in status.events]
    assert "filled" in kinds and ("time_exit" in kinds or "target_hit" in kinds)


def test_step_fold_equals_evaluate_on_the_seed():
    path = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"
    idea = load(path)
    bars = load_bars("IWM").loc[:"2023-07-14"]
    published = pd.Timestamp(idea.idea.published)
    history = bars[bars.index < published]
    state = initial(idea, path.stem, history)
    emitted = []
    for day, row in bars[bars.index >= published].iterrows():
        state, new = step(state, (day, row["open"], row["high"], row["low"], row["close"]), idea)
        emitted += new
        assert [e.id for e in emitted] == [e.id for e in evaluate(idea, bars.loc[:day], path.stem).events]
    assert state.status.state == "in trade"
    assert [e.kind for e in emitted][:2] == ["zone_touched", "filled"]
    with pytest.raises(ValueError):
        step(state, (pd.Timestamp("2023-06-01"), 1, 2, 0.5, 1.5), idea)


def test_event_ids_are_deterministic_and_distinct():
    a = event_id("iwm", "filled", "2023-06-13")
    assert a == event_id("iwm", "filled", "2023-06-13")
    assert len({a, event_id("iwm", "filled", "2023-06-14"), event_id("iwm", "stopped", "2023-06-13"),
                event_id("iwm", "filled", "2023-06-13", revision=1), event_id("qqq", "filled", "2023-06-13")}) == 5


# ------------------------------------------------------------------ property: random ideas, random bars
_ctr = itertools.count()


def _bars(moves, gaps, wicks):
    price = 100.0
    rows = []
    from thesis.data.calendar import sessions

    days = sessions("2021-01-04", "2021-12-31")[:len(moves)]   # exchange sessions: holidays have no bar
    for d, m, g, (u, w) in zip(days, moves, gaps, wicks):
        o = price * (1 + g)
        c = o * (1 + m)
        h = max(o, c) * (1 + u)
        lo = min(o, c) * (1 - w)
        rows.append((d, round(o, 4), round(h, 4), round(lo, 4), round(c, 4)))
        price = c
    return rows


@st.composite
def scenario(draw):
    n = draw(st.integers(18, 30))
    moves = draw(st.lists(st.floats(-0.04, 0.04), min_size=n, max_size=n))
    gaps = draw(st.lists(st.sampled_from([0.0, 0.0, 0.0, 0.0, 0.05, -0.05, 0.09, -0.09]), min_size=n, max_size=n))
    wicks = draw(st.lists(st.tuples(st.floats(0, 0.03), st.floats(0, 0.03)), min_size=n, max_size=n))
    direction = draw(st.sampled_from(["long", "short"]))
    s = 1 if direction == "long" else -1
    off = draw(st.floats(0.0, 0.08))
    width = draw(st.floats(0.005, 0.03))
    edge = 100 * (1 - s * off)
    zone = sorted([edge, edge - s * 100 * width])
    entry = zone[1] if s > 0 else zone[0]
    stop = (zone[0] if s > 0 else zone[1]) - s * 100 * draw(st.floats(0.02, 0.08))
    k = draw(st.integers(1, 3))
    steps = sorted(draw(st.lists(st.floats(0.02, 0.15), min_size=k, max_size=k, unique=True)))
    targets = [round(entry + s * 100 * x, 2) for x in steps]
    sizes = None if k == 1 else [round(1 / k, 6)] * (k - 1) + [round(1 - round(1 / k, 6) * (k - 1), 6)]
    horizon = draw(st.sampled_from([None, "8s", "15s", "12d", "3w"]))
    order = draw(st.sampled_from(["limit", "limit", "signal"]))
    breakeven = draw(st.booleans())
    pub = draw(st.integers(2, 6))
    return _bars(moves, gaps, wicks), dict(direction=direction, zone=zone, stop=round(stop, 2), targets=targets,
                                           sizes=sizes, horizon=horizon, order=order, breakeven=breakeven,
                                           pub=pub)


def scenario_source(rows, sym: str) -> str:
    """A CSV source holding the scenario's bars as ``sym``."""
    folder = Path(tempfile.mkdtemp(prefix="watchprop"))
    frame = pd.DataFrame(rows, columns=["date", "open", "high", "low", "close"])
    frame["volume"] = 1000
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    frame.to_csv(folder / f"{sym}.csv", index=False)
    return f"csv:{folder}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_property_watch_equals_replay_on_random_bars(sc):
    rows, p = sc
    sym = f"ZZ{next(_ctr)}"
    source = scenario_source(rows, sym)
    spec = {"idea": {"title": "random", "symbol": sym, "published": rows[p["pub"]][0].date(),
                     "direction": p["direction"], "horizon": p["horizon"]},
            "levels": {"entry_zone": p["zone"], "stop": p["stop"], "targets": p["targets"], "sizes": p["sizes"],
                       "move_stop_to_breakeven": p["breakeven"]},
            "entry": {"order": p["order"]}}
    if p["order"] == "signal":
        spec["triggers"] = [{"kind": "outside_bar", "timeframe": "1d"}]
    idea = Idea.model_validate(spec)
    full = load_bars(sym, source=source)
    history = full[full.index < pd.Timestamp(idea.idea.published)]
    state = initial(idea, "rand", history)
    emitted = []
    for day in full.index[full.index >= pd.Timestamp(idea.idea.published)]:
        row = full.loc[day]
        state, new = step(state, (day, row["open"], row["high"], row["low"], row["close"]), idea)
        emitted += new
        res = replay(idea, source=source, asof=day, with_confirmations=False, with_options=False)
        assert_agrees(state.status, res, day)
        assert [e.id for e in emitted] == [e.id for e in state.status.events]
    assert np.isfinite(full["close"]).all()
    event(f"final state {state.status.state} ({state.status.reason}); flags {','.join(state.status.flags) or '-'}")


# ------------------------------------------------------------------ invalidated signals, horizons before the start
# A small synthetic tape (business days from 2021-01-04): the short idea is published on day 1, the
# stop (110) trades on day 2, a bearish outside bar (the trigger) closes on day 4.
TAPE = [(100, 101, 99, 100), (100, 101, 99, 100), (100, 112, 99, 105), (105, 106, 104, 105),
        (106, 107, 103, 103.5), (103, 104, 102, 103), (103, 103.5, 101, 102), (102, 102.5, 100, 101)]


def _tape_source(tmp_path, sym="INV", tape=TAPE, start="2021-01-04"):
    days = pd.bdate_range(start, periods=len(tape))
    frame = pd.DataFrame(tape, columns=["open", "high", "low", "close"], index=days.strftime("%Y-%m-%d"))
    frame["volume"] = 1000
    frame.index.name = "date"
    frame.to_csv(tmp_path / f"{sym}.csv")
    return f"csv:{tmp_path}", days


def _short_signal(sym, published, stop, order="signal", horizon=None):
    spec = {"idea": {"title": "t", "symbol": sym, "published": published, "direction": "short",
                     "horizon": horizon},
            "levels": {"entry_zone": [104.0, 106.0], "stop": stop, "targets": [90.0]},
            "entry": {"order": order}, "triggers": [{"kind": "outside_bar", "timeframe": "1d"}]}
    return Idea.model_validate(spec)


def test_a_signal_after_the_stop_traded_never_enters_replay_and_watch_agree(tmp_path):
    source, days = _tape_source(tmp_path)
    idea = _short_signal("INV", days[1].date(), 110.0)
    res = replay(idea, source=source, with_confirmations=False, with_options=False)
    t = res.primary
    assert not t.filled and t.entry_date is None
    assert t.invalidated == days[2]
    assert t.notes == [f"invalidated: stop traded on {days[2].date()} before any entry"]
    assert res.to_dict()["trades"][0]["notes"] == t.notes
    bars = load_bars("INV", source=source)
    for k in range(1, len(days)):       # watch == replay(asof=D) every session, invalidated from day 2 on
        status = evaluate(idea, bars.loc[:days[k]], "inv")
        assert_agrees(status, replay(idea, source=source, asof=days[k], with_confirmations=False,
                                     with_options=False), days[k])
        assert status.state == ("invalidated" if k >= 2 else "waiting"), k
    [inv] = [e for e in status.events if e.kind == "invalidated"]
    assert (inv.session, inv.price) == (days[2].date().isoformat(), 110.0)
    assert "before any entry" in inv.text and status.reason == "stop traded before any entry"
    # the same tape with the stop out of reach: the trigger on day 4 fills at day 5's open
    control = replay(_short_signal("INV", days[1].date(), 115.0), source=source, with_confirmations=False,
                     with_options=False).primary
    assert control.filled and control.entry_date == days[5] and control.entry_price == 103.0
    assert control.invalidated is None


def test_a_limit_ideas_signal_variant_after_the_stop_is_reported_unfilled(tmp_path):
    source, days = _tape_source(tmp_path)
    res = replay(_short_signal("INV", days[1].date(), 110.0, order="limit"), source=source,
                 with_confirmations=False, with_options=False)
    variants = dict(res.trades)
    assert variants["limit"].filled and variants["limit"].reason == "stop"       # filled at 104, stopped at 110
    sig = variants["signal"]
    assert not sig.filled and sig.entry_order == "next_open" and sig.invalidated == days[2]
    assert sig.notes == [f"invalidated: stop traded on {days[2].date()} before any entry"]


def test_a_horizon_ending_before_the_first_session_is_expired_not_waiting(tmp_path):
    # published on a Saturday with the horizon ending on Sunday: it ends before Monday's first session
    source, days = _tape_source(tmp_path, sym="HOR", start="2021-01-11")
    saturday = (days[0] - pd.Timedelta(days=2)).date()
    for order in ("limit", "signal"):
        idea = _short_signal("HOR", saturday, 115.0, order=order,
                             horizon=(days[0] - pd.Timedelta(days=1)).date().isoformat())
        bars = load_bars("HOR", source=source)
        for k in range(len(days)):
            status = evaluate(idea, bars.loc[:days[k]], "hor")
            res = replay(idea, source=source, asof=days[k], with_confirmations=False, with_options=False)
            assert not res.primary.filled
            assert_agrees(status, res, days[k])
            assert status.state == "expired" and status.reason == "never filled", (order, k)
            [exp] = [e for e in status.events if e.kind == "expired"]
            assert exp.session == days[0].date().isoformat()      # the first session, not a pre-publication bar


def test_a_trigger_on_the_windows_last_day_is_triggered_not_expired(tmp_path):
    # the bearish outside bar on day 4 is the only trigger; the horizon ends that day, whose close is
    # the last bar: the entry fills at the next open, so the idea is "triggered", never "expired"
    source, days = _tape_source(tmp_path, sym="EDGE")
    idea = _short_signal("EDGE", days[1].date(), 115.0, horizon=days[4].date().isoformat())
    bars = load_bars("EDGE", source=source)
    status = evaluate(idea, bars.loc[:days[4]], "edge")
    assert [e.kind for e in status.events].count("trigger") == 1
    assert status.state == "triggered" and status.reason is None
    assert status.to_dict()["reason"] is None
    assert_agrees(status, replay(idea, source=source, asof=days[4], with_confirmations=False,
                                 with_options=False), days[4])


def test_a_zone_touched_after_the_idea_expired_is_not_an_event(tmp_path):
    # the limit's horizon ends on day 3 with the price below the zone; day 5 trades into it, too late
    tape = [(100, 101, 99, 100)] * 5 + [(104, 106, 103.5, 105), (105, 105.5, 104, 104.5)]
    source, days = _tape_source(tmp_path, sym="LATE", tape=tape)
    idea = _short_signal("LATE", days[0].date(), 115.0, order="limit", horizon=days[3].date().isoformat())
    bars = load_bars("LATE", source=source)
    status = evaluate(idea, bars, "late")
    assert status.state == "expired" and [e.kind for e in status.events] == ["expired"]
    assert status.horizon_end == days[3].date().isoformat()
    assert_agrees(status, replay(idea, source=source, with_confirmations=False, with_options=False), days[-1])
