"""One truth for every view of an idea (issue 20): the seed's trigger after the fill, partial
exits and the breakeven stop, an open position at the close, as-of views after a later watch.
The cross-view agreement of every view at 40 dates per example idea is in
tests/replay/test_lifecycle_views.py; no look-ahead (full bars cut at D = bars cut at D) in
tests/replay/test_lifecycle_cut.py."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from thesis.chart import lifecycle_marks
from thesis.data import load_bars
from thesis.evaluate import evaluate
from thesis.replay import replay
from thesis.replay.lifecycle import EXIT_KINDS, lifecycle
from thesis.spec import Idea, load
from thesis.watch.journal import Journal
from thesis.watch.run import board, watch_pass

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"


def _bars_for(idea):
    return load_bars(idea.symbol, idea.idea.adjustment)


# ------------------------------------------------------------------ the dashboard
@pytest.fixture(scope="module")
def web(client_for):
    """One dashboard client per idea (a folder holding just that idea), sharing nothing."""
    return lambda path: client_for(path)[1]


# ------------------------------------------------------------------ evaluate and watch agree on state
def test_the_authors_ideas_never_filled_are_expired_in_evaluate_and_on_the_board(monkeypatch):
    """Before issue 20, 9 of the 24 authors' ideas were `waiting` in evaluate but `expired` in watch
    (13-spy-virus-short: "waiting: limit 345.37 is -54.9% away" in 2026, its horizon over in April
    2020). The replay's kernel says which never filled before their horizon; evaluate and the board
    say those expired, with the session the horizon ended."""
    import importlib

    run = importlib.import_module("thesis.replay.run")
    monkeypatch.setattr(run, "confirmations_on", lambda *a, **k: ([], []))   # not part of the state
    folder = ROOT / "examples" / "authors"
    rows = {r["id"]: r for r in board(watch_pass([folder], write=False, deliver=False))}
    never = {}
    for path in sorted(folder.glob("*.toml")):
        res = replay(load(path), with_confirmations=False, with_options=False)
        trade = res.primary
        if not trade.filled and trade.invalidated is None and trade.last_date is not None:
            never[path.stem] = trade.last_date.date().isoformat()
            doc = evaluate(res.idea, replayed=res)
            assert (doc["state"]["state"], doc["state"]["reason"]) == ("expired", "never filled"), path.stem
            assert [e["session"] for e in doc["events"] if e["kind"] == "expired"] == [never[path.stem]]
            assert doc["state"]["text"].startswith(f"expired on {never[path.stem]}"), doc["state"]["text"]
            assert (rows[path.stem]["state"], rows[path.stem]["stop"]) == ("expired", None), path.stem
    assert len(never) == 9 and never["13-spy-virus-short"] == "2020-04-21"


# ------------------------------------------------------------------ the seed's trigger after the fill
def test_the_seeds_trigger_after_the_fill_is_journaled_and_alerted_once(tmp_path):
    jr = Journal(tmp_path / "journal")
    alerts = []
    for day in ("2023-06-09", "2023-06-12", "2023-06-13", "2023-06-14", "2023-06-15", "2023-06-16"):
        res = watch_pass([SEED], asof=day, write=True, deliver=False, journal=Journal(tmp_path / "journal"))
        alerts += res.alerts
    events = [e for e in jr.events() if e.kind in ("trigger", "filled")]
    assert [(e.kind, e.session, e.price) for e in events] == [
        ("filled", "2023-06-13", 188.0), ("trigger", "2023-06-14", pytest.approx(185.91)),
        ("filled", "2023-06-15", pytest.approx(185.08))]
    triggers = [a for a in alerts if a["kind"] == "trigger"]
    assert len(triggers) == 1 and triggers[0]["session"] == "2023-06-14"
    assert "opens the signal variant" in triggers[0]["text"]
    [signal_fill] = [a for a in alerts if a["kind"] == "filled" and a["session"] == "2023-06-15"]
    assert signal_fill["price"] == pytest.approx(185.08) and signal_fill["text"].startswith("signal: sold short")
    # the board shows the signal variant's position beside the limit's
    res = watch_pass([SEED], asof="2023-06-16", write=False, deliver=False)
    snap = res.rows[0].status.snapshot
    assert [(v.variant, v.entry) for v in snap.variants] == [("limit", 188.0), ("signal", pytest.approx(185.08))]
    [row] = board(res)                            # thesis ideas --json, the dashboard's board
    assert row["position"] == 1.0
    assert [(v["variant"], v["entry"], v["entry_session"]) for v in row["variants"]] == \
        [("signal", pytest.approx(185.08), "2023-06-15")]
    # and replay's signal variant is that very trade
    variants = dict(replay(load(SEED), with_confirmations=False, with_options=False).trades)
    assert variants["signal"].entry_date == pd.Timestamp("2023-06-15")
    assert variants["signal"].entry_price == pytest.approx(185.08)


# ------------------------------------------------------------------ partial exits, breakeven
TWO_TARGETS = [  # (open, high, low, close): fill at 100 on day 1, target 1 (104) on day 3, breakeven on day 6
    (101, 102, 100.5, 101.5), (101, 101.5, 99.5, 100.5), (100.5, 102, 99.5, 101.5), (101.5, 104.6, 101, 103.8),
    (103.8, 104.2, 102, 102.5), (102.5, 103, 101, 101.2), (101.2, 101.5, 99.0, 99.4), (99.4, 100, 98, 98.5),
]


def _source(tmp_path, sym, tape):
    from tests.watch.test_engine import _tape_source

    return _tape_source(tmp_path, sym=sym, tape=tape, start="2022-01-03")


def test_partial_exits_are_drawn_inside_their_sessions_range_and_the_stop_moves(tmp_path):
    source, days = _source(tmp_path, "PX", TWO_TARGETS)
    idea = Idea.model_validate({
        "idea": {"title": "two targets", "symbol": "PX", "published": days[0].date(), "direction": "long"},
        "levels": {"entry_zone": [99.0, 100.0], "stop": 96.0, "targets": [104.0, 108.0], "sizes": [0.5, 0.5],
                   "move_stop_to_breakeven": True},
        "entry": {"order": "limit", "price": 100.0}})
    bars = load_bars("PX", source=source)
    life = lifecycle(idea, bars)
    kinds = [(e.kind, e.session) for e in life.events]
    assert ("target_hit", days[3]) in kinds and ("stop_moved", days[3]) in kinds and ("stopped", days[6]) in kinds
    after_t1 = life.at(days[4]).snapshot
    assert after_t1.stop == 100.0 and after_t1.stop_moved and after_t1.position == 0.5
    assert after_t1.realized_r == pytest.approx(0.5 * 1.0)               # half off at +1 R (4 / 4)
    assert after_t1.open_part_r == pytest.approx((102.5 - 100) / 4)
    assert after_t1.position_r == pytest.approx(0.5 + 0.5 * 2.5 / 4)
    done = life.at(days[-1]).snapshot
    assert done.state == "closed" and done.reason == "stop after target 1 of 2"
    assert done.realized_r == pytest.approx(0.5)                          # the rest out at breakeven, 0 R
    target = next(e for e in life.events if e.kind == "target_hit")
    assert "stop moved to breakeven 100.00" in target.text               # the alert says the stop moved
    for day in days[1:]:
        cut = life.at(day)
        entries, exits = lifecycle_marks(cut, [104.0, 108.0], "long")
        for d, p, _ in entries + exits:
            lo, hi = float(bars.loc[d, "low"]), float(bars.loc[d, "high"])
            assert lo - 1e-9 <= p <= hi + 1e-9, (day, d, p, lo, hi)
    # the snapshot draws the breakeven stop, and labels each leg at its own price
    from thesis.chart import chart

    labels: list = []
    chart(idea, tmp_path / "px.png", source=source, labels=labels, asof=days[-1])
    assert [(d, p) for d, p, t in labels if t.startswith("EXIT")] == [(days[3], 104.0), (days[6], 100.0)]
    assert "breakeven stop" in labels[-1][2]
    for d, p, _ in labels:
        assert float(bars.loc[d, "low"]) <= p <= float(bars.loc[d, "high"])
    # the board and evaluate show the stop in force
    doc = evaluate(idea, asof=days[4], source=source)
    assert doc["levels"]["stop"]["level"] == 100.0 and doc["levels"]["stop"]["moved"]
    assert [t["hit"] for t in doc["levels"]["targets"]] == [True, False]


def test_an_open_position_is_labelled_at_the_close_not_a_blend(tmp_path):
    source, days = _source(tmp_path, "PY", TWO_TARGETS[:5])
    idea = Idea.model_validate({
        "idea": {"title": "open half", "symbol": "PY", "published": days[0].date(), "direction": "long"},
        "levels": {"entry_zone": [99.0, 100.0], "stop": 96.0, "targets": [104.0, 108.0], "sizes": [0.5, 0.5]},
        "entry": {"order": "limit", "price": 100.0}})
    from thesis.chart import chart

    labels: list = []
    chart(idea, tmp_path / "py.png", source=source, labels=labels)
    [open_label] = [(d, p, t) for d, p, t in labels if t.startswith("OPEN ")]
    assert open_label[0] == days[4] and open_label[1] == 102.5 and open_label[2].startswith("OPEN 102.50")


# ------------------------------------------------------------------ the chart JSON of the authors' scale-outs
@pytest.mark.parametrize("name", ["01-spy-christmas-low-long", "07-eem-after-the-crash", "16-iwm-rate-hike-short"])
def test_chart_markers_of_scale_outs_are_each_leg_in_its_range(name):
    from thesis.web.core import chart_document

    idea = load(ROOT / "examples" / "authors" / f"{name}.toml")
    res = replay(idea, with_confirmations=False, with_options=False)
    doc = chart_document(idea, res)
    exits = [m for m in doc["markers"] if m["kind"] == "exit"]
    legs = [e for e in res.lifecycle.events if e.kind in EXIT_KINDS]
    assert len(exits) == len(legs) >= 2
    for m in exits:
        lo, hi = float(res.bars.loc[m["date"], "low"]), float(res.bars.loc[m["date"], "high"])
        assert lo - 1e-9 <= m["price"] <= hi + 1e-9, m


# ------------------------------------------------------------------ as-of views after a later watch
def test_asof_views_never_show_the_future_after_a_later_watch(tmp_path, monkeypatch, web):
    """Watch the example folder through 2024-07-31, then ask for 2023-06-10: nothing later shows up
    (before issue 20 the seed was listed with last event "2024-07-12 stopped", an idea not yet
    published with a later target_hit, and the dashboard timeline with later notes)."""
    import json

    from typer.testing import CliRunner

    from thesis.cli import app as cli

    monkeypatch.setenv("THESIS_HOME", str(tmp_path / "home"))
    folder = tmp_path / "ideas"
    folder.mkdir()
    for p in (ROOT / "examples").glob("*.toml"):
        shutil.copy(p, folder / p.name)
    run = CliRunner().invoke(cli, ["watch", str(folder), "--once", "--asof", "2024-07-31"], catch_exceptions=False)
    assert run.exit_code == 0, run.output
    for asof in ("2023-06-10", "2023-06-14"):
        res = CliRunner().invoke(cli, ["ideas", str(folder), "--asof", asof, "--json"], catch_exceptions=False)
        doc = json.loads(res.stdout)
        for row in doc["ideas"]:
            assert row["last_event"] is None or row["last_event"]["session"] <= asof, row
            idea = load(folder / f"{row['id']}.toml")
            want = lifecycle(idea, _bars_for(idea)).at(asof).snapshot
            assert (row["state"], row["reason"]) == (want.state, want.reason)
    # the journal knows the later events; the board as of 2024-07-31 shows each ended idea's R, its
    # direction, and no distance to a stop it no longer has
    res = CliRunner().invoke(cli, ["ideas", str(folder), "--asof", "2024-07-31", "--json"], catch_exceptions=False)
    for row in json.loads(res.stdout)["ideas"]:
        idea = load(folder / f"{row['id']}.toml")
        assert row["direction"] == idea.direction
        if row["state"] == "closed":
            trade = replay(idea, asof="2024-07-31", with_confirmations=False, with_options=False).primary
            assert row["stop"] is None and row["realized_r"] == pytest.approx(trade.r_multiple, abs=1e-3)
    client = web(SEED)
    page = client.get(f"/api/ideas/{SEED.stem}?asof=2023-06-10").json()
    assert all(e["date"] <= "2023-06-10" for e in page["journal"]["events"])


def test_the_seeds_trigger_reaches_a_live_receiver_once_and_thesis_journal_shows_it(tmp_path, httpserver):
    """The same trigger end to end: a real local webhook gets it exactly once over daily passes, and
    `thesis journal --json` (the command, not the records) lists it once with its delivery sent."""
    import json as _json

    from typer.testing import CliRunner

    from tests.watch.test_alerts import Receiver, config
    from thesis.cli import app
    from thesis.watch.alerts import load_config

    rec = Receiver(httpserver)
    cfg = load_config(config(tmp_path, f'[[channels]]\nkind = "webhook"\nurl = "{rec.url}"\n'))
    for day in ("2023-06-09", "2023-06-12", "2023-06-13", "2023-06-14", "2023-06-15", "2023-06-16"):
        watch_pass([SEED], asof=day, config=cfg, snapshots=False)
    got = [(p["kind"], p["session"]) for p in rec.got if p["kind"] in ("trigger", "filled")]
    assert got == [("filled", "2023-06-13"), ("trigger", "2023-06-14"), ("filled", "2023-06-15")]
    out = CliRunner().invoke(app, ["journal", SEED.stem, "--json"])
    assert out.exit_code == 0, out.output
    rows = [r for r in _json.loads(out.stdout)["events"] if r["kind"] == "trigger"]
    assert [(r["session"], r["price"]) for r in rows] == [("2023-06-14", pytest.approx(185.91))]
    assert [v["status"] for v in rows[0]["deliveries"].values()] == ["sent"]
