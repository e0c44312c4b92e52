"""One truth for every view of an idea (issue 20): the lifecycle (thesis.replay.lifecycle) is
computed once per idea and cut at each date; every view at that date says the same thing.

Views compared, called in-process: `thesis evaluate --json` (thesis.evaluate.evaluate, the
function the command prints), `thesis ideas --json` (the board of a watch pass, as the command
builds it), `thesis journal` (the journal after a watch pass to the date), the dashboard's
/api/ideas and idea page JSON (FastAPI TestClient), the chart JSON's markers and the snapshot's
labels (the renderer's label texts)."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from thesis.chart import lifecycle_marks
from thesis.data import load_bars
from thesis.evaluate import evaluate
from thesis.plotting._price_panel import arrow_texts
from thesis.replay import replay
from thesis.replay.lifecycle import EXIT_KINDS, lifecycle
from thesis.spec import Idea, load
from thesis.watch.journal import Journal
from thesis.watch.run import board, watch_pass

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml")) + sorted((ROOT / "examples" / "authors").glob("*.toml"))
SEED = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"


def dates_for(life, n: int = 40) -> list[pd.Timestamp]:
    """Publication-1 to the last bar: each event's session and the session after, then evenly
    spaced sessions up to ``n`` dates."""
    idx = life.bars.index
    pub = pd.Timestamp(life.idea.idea.published)
    want = {idx[max(0, int(idx.searchsorted(pub)) - 1)], idx[-1]}
    for e in life.events:
        i = idx.get_loc(e.session)
        want |= {idx[i], idx[min(i + 1, len(idx) - 1)]}
    first = int(idx.searchsorted(pub))
    extra = n - len(want)
    while len(want) < min(n, len(idx) - first + 1) and extra < len(idx):
        want |= {idx[i] for i in np.linspace(first, len(idx) - 1, num=max(2, extra)).astype(int)}
        extra += n - len(want) + 1
    return sorted(want)


def _r(v):
    return None if v is None else round(float(v), 3)


def truth(life, day) -> dict:
    cut = life.at(day)
    s = cut.snapshot
    return {"state": s.state, "stop": s.stop, "position": _r(s.position) if s.filled else None,
            "realized_r": _r(s.realized_r), "open_part_r": _r(s.open_part_r), "position_r": _r(s.position_r),
            "events": [(e.kind, e.session.date().isoformat(), None if e.price is None else round(e.price, 4))
                       for e in cut.events]}


def from_evaluate(doc) -> dict:
    st = doc["state"]
    return {"state": st["state"], "stop": doc["levels"]["stop"]["level"], "position": _r(st["position"]) if st["filled"]
            else None, "realized_r": _r(st["realized_r"]), "open_part_r": _r(st["open_part_r"]),
            "position_r": _r(st["position_r"]),
            "events": [(e["kind"], e["session"], None if e["price"] is None else round(e["price"], 4))
                       for e in doc["events"]]}


def from_board(row) -> dict:
    return {"state": row["state"], "stop": row["stop"]["level"] if row["stop"] else None,
            "position": row["position"], "realized_r": row["realized_r"], "open_part_r": row["open_part_r"],
            "position_r": row["position_r"]}


def _same(got: dict, want: dict, where) -> None:
    for k, v in got.items():
        w = want[k]
        if isinstance(v, float) or isinstance(w, float):
            assert v == pytest.approx(w, abs=2e-3), (where, k, v, w)
        else:
            assert v == w, (where, k, v, w)


def _bars_for(idea):
    return load_bars(idea.symbol, idea.idea.adjustment)


# ------------------------------------------------------------------ cross-view agreement
@pytest.fixture
def no_confirmations(monkeypatch):
    """Confirmations (breadth, other symbols) are not part of an idea's lifecycle and cost most of
    an evaluate; they are left out of these runs to keep 26 ideas x 40 dates fast."""
    import importlib

    monkeypatch.setattr(importlib.import_module("thesis.replay.run"), "confirmations_on", lambda *a, **k: ([], []))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_view_agrees_with_the_lifecycle_cut(path, no_confirmations):
    idea = load(path)
    full = _bars_for(idea)
    life = lifecycle(idea, full)                         # computed once, cut at every date
    days = dates_for(life)
    available = int((full.index >= pd.Timestamp(idea.idea.published)).sum()) + 1   # publication-1 to the end
    assert len(days) >= min(40, available)
    for day in days:
        want = truth(life, day)
        published = day >= pd.Timestamp(idea.idea.published)
        if published:                                    # evaluate refuses a date before publication
            _same(from_evaluate(evaluate(idea, asof=day)), want, ("evaluate", day))
        res = watch_pass([path], asof=day.date().isoformat(), write=False, deliver=False)
        [row] = board(res)
        cells = {k: v for k, v in want.items() if k != "events"}
        if want["state"] in ("closed", "expired", "invalidated"):
            cells["stop"] = None                         # an ended idea shows no distance to a stop
        _same(from_board(row), cells, ("ideas", day))
        assert row["direction"] == idea.direction
        assert row["last_event"] is None or row["last_event"]["session"] <= day.date().isoformat()
        # the snapshot's labels: one per fill and exit leg at its own price, OPEN at the close
        entries, exits = lifecycle_marks(life.at(day), list(idea.levels.targets), idea.direction)
        texts = arrow_texts(idea.direction, [(0, p, s) for _, p, s in entries], [(0, p, s) for _, p, s in exits])
        fills = [(k, d, p) for k, d, p in want["events"] if k == "filled"]
        legs = [(k, d, p) for k, d, p in want["events"] if k in EXIT_KINDS]
        assert [(d.date().isoformat(), round(p, 4)) for d, p, _ in entries] == [(d, p) for _, d, p in fills]
        shown = [(d.date().isoformat(), round(p, 4)) for (d, p, _), t in zip(exits, texts[len(entries):])
                 if not t.startswith("OPEN ")]
        assert shown == [(d, p) for _, d, p in legs]
        for (d, p, _), t in zip(exits, texts[len(entries):]):
            if t.startswith("OPEN "):
                assert p == pytest.approx(float(full.loc[d, "close"])) and t.startswith(f"OPEN {p:.2f}")


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """One client per example idea (a folder holding just that idea), sharing nothing."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from thesis.web.app import create_app

    def make(path: Path):
        folder = tmp_path_factory.mktemp(path.stem)
        shutil.copy(path, folder / path.name)
        return TestClient(create_app(folder), base_url="http://127.0.0.1:8765")

    return make


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_dashboard_and_journal_agree_with_the_lifecycle_cut(path, web, tmp_path, monkeypatch, no_confirmations):
    """The board (/api/ideas), the idea page JSON (state, level table, timeline, chart markers) and the
    journal after a watch pass to the date, at each event's session and the session after."""
    monkeypatch.setenv("THESIS_HOME", str(tmp_path / "home"))
    idea = load(path)
    full = _bars_for(idea)
    life = lifecycle(idea, full)
    client = web(path)
    days = [d for d in dates_for(life, n=0) if d >= pd.Timestamp(idea.idea.published)][:12]
    for day in days:
        iso = day.date().isoformat()
        want = truth(life, day)
        [row] = client.get(f"/api/ideas?asof={iso}").json()["ideas"]
        cells = {k: v for k, v in want.items() if k != "events"}
        if want["state"] in ("closed", "expired", "invalidated"):
            cells["stop"] = None
        _same(from_board(row), cells, ("api/ideas", day))
        page = client.get(f"/api/ideas/{path.stem}?asof={iso}").json()
        _same(from_evaluate(page["evaluate"]), want, ("idea page", day))
        timeline = [(e["kind"], e["date"], None if e["price"] is None else round(e["price"], 4))
                    for e in page["journal"]["events"] if e["kind"] not in ("note", "idea_revised", "data_stale")]
        assert timeline == want["events"], day
        markers = page["chart"]["markers"]
        fills = [(m["date"], round(m["price"], 4)) for m in markers if m["kind"] == "entry"]
        exits = [(m["date"], round(m["price"], 4)) for m in markers if m["kind"] == "exit"]
        assert fills == [(d, p) for k, d, p in want["events"] if k == "filled"]
        assert exits == [(d, p) for k, d, p in want["events"] if k in EXIT_KINDS]
        for m in markers:
            if m["kind"] == "open":
                assert m["price"] == pytest.approx(float(full.loc[day, "close"]))
        # the journal after a watch pass to the date holds exactly the lifecycle's events so far
        watch_pass([path], asof=iso, write=True, deliver=False, journal=Journal(tmp_path / "journal"))
        journaled = [(e["kind"], e["session"], None if e["price"] is None else round(e["price"], 4))
                     for e in Journal(tmp_path / "journal").events()
                     if e["idea"] == path.stem and e["kind"] not in ("note", "idea_revised", "data_stale")]
        assert sorted(journaled) == sorted(want["events"]), day


# ------------------------------------------------------------------ the seed's trigger after the fill
def test_the_seeds_trigger_after_the_fill_is_journaled_and_alerted_once(tmp_path):
    jr = Journal(tmp_path / "journal")
    alerts = []
    for day in ("2023-06-09", "2023-06-12", "2023-06-13", "2023-06-14", "2023-06-15", "2023-06-16"):
        res = watch_pass([SEED], asof=day, write=True, deliver=False, journal=Journal(tmp_path / "journal"))
        alerts += res.alerts
    events = [e for e in jr.events() if e["kind"] in ("trigger", "filled")]
    assert [(e["kind"], e["session"], e["price"]) for e in events] == [
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
    rows = [r for r in _json.loads(out.output)["events"] if r["kind"] == "trigger"]
    assert [(r["session"], r["price"]) for r in rows] == [("2023-06-14", pytest.approx(185.91))]
    assert [v["status"] for v in rows[0]["deliveries"].values()] == ["sent"]
