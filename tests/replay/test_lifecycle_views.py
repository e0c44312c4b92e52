"""Cross-view agreement (issue 20): for every idea in examples/ (examples/, authors/, markets/)
and 40 dates each (publication-1 to the last bar, each event's session and the session after),
every view says what the idea's lifecycle, computed once on all its bars and cut at the date, says:
state, the stop in force, position, realized / open-part / position R, the (kind, session, price)
event list, the exit markers and labels at each leg's own price and an open position at the close.

At every one of the 40 dates (the functions the commands and pages print, in-process):
- a watch pass to the date (`watch_pass`, in date order, so the journal holds what each pass
  added): its journal records and its board (`thesis watch --json`'s rows);
- the replay the idea page serves as of the date (`thesis.web.core.replayed`) and what renders
  from it: evaluate's document (`thesis evaluate --json` prints it), the chart JSON's markers
  (`chart_document`) and the snapshot's labels (`thesis.chart.snapshot_labels`, the renderer's
  label texts of the lifecycle marks).
At publication-1, each event's session, the session after it and the last bar (about a third of
the dates), the entry points themselves as a user reaches them: `thesis evaluate --json`,
`thesis ideas --json` and `thesis journal --json` (typer's CliRunner), `/api/ideas` and the idea
page JSON (its evaluate document, timeline and chart markers; one FastAPI TestClient per idea
folder). Each costs a replay or a pass of its own, so running them at all 40 dates would take
several minutes of CI; between events they render the same computation checked above.
Once per idea, at the session after its last event: the real matplotlib renderer's label list
(`chart(path=None)`: the figure built and laid out, no PNG rasterized) equals snapshot_labels."""
from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from thesis.chart import chart, snapshot_labels
from thesis.cli import app as cli
from thesis.data import load_bars
from thesis.replay.lifecycle import EXIT_KINDS, TERMINAL, lifecycle
from thesis.spec import load
from thesis.watch.journal import Journal
from thesis.watch.run import watch_pass

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [p for folder in ("", "authors", "markets") for p in sorted((ROOT / "examples" / folder).glob("*.toml"))]
IGNORED = ("note", "idea_revised", "data_stale")           # journal kinds that are not lifecycle events
runner = CliRunner()


def dates_for(life, n: int = 40) -> list[pd.Timestamp]:
    """Publication-1 to the last bar: the session before publication, each event's session and the
    session after, the last bar, then evenly spaced sessions up to ``n`` dates."""
    idx = life.bars.index
    first = int(idx.searchsorted(pd.Timestamp(life.idea.idea.published)))
    want = event_days(life)
    extra = n - len(want)
    while len(want) < min(n, len(idx) - first + 1) and extra < len(idx):
        want |= {idx[i] for i in np.linspace(first, len(idx) - 1, num=max(2, extra)).astype(int)}
        extra += n - len(want) + 1
    return sorted(want)


def _r(v):
    return None if v is None else round(float(v), 3)


def _ev(kind, session, price):
    return (kind, session, None if price is None else round(float(price), 4))


def truth(life, day) -> dict:
    cut = life.at(day)
    s = cut.snapshot
    return {"state": s.state, "reason": s.reason, "stop": s.stop, "position": _r(s.position) if s.filled else None,
            "realized_r": _r(s.realized_r), "open_part_r": _r(s.open_part_r), "position_r": _r(s.position_r),
            "events": [_ev(e.kind, e.session.date().isoformat(), e.price) for e in cut.events]}


def from_evaluate(doc) -> dict:
    st = doc["state"]
    return {"state": st["state"], "reason": st["reason"], "stop": doc["levels"]["stop"]["level"],
            "position": _r(st["position"]) if st["filled"] else None, "realized_r": _r(st["realized_r"]),
            "open_part_r": _r(st["open_part_r"]), "position_r": _r(st["position_r"]),
            "events": [_ev(e["kind"], e["session"], e["price"]) for e in doc["events"]]}


def from_board(row) -> dict:
    return {"state": row["state"], "reason": row["reason"], "stop": row["stop"]["level"] if row["stop"] else None,
            "position": row["position"], "realized_r": row["realized_r"], "open_part_r": row["open_part_r"],
            "position_r": row["position_r"]}


def board_cells(want: dict) -> dict:
    cells = {k: v for k, v in want.items() if k != "events"}
    if want["state"] in TERMINAL:
        cells["stop"] = None                       # an ended idea shows no distance to a stop
    return cells


def same(got: dict, want: dict, where) -> None:
    for k, v in got.items():
        w = want[k]
        if isinstance(v, float) or isinstance(w, float):
            assert v == pytest.approx(w, abs=2e-3), (where, k, v, w)
        else:
            assert v == w, (where, k, v, w)


def invoke(*args) -> dict:
    out = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert out.exit_code == 0, (args, out.output)
    return json.loads(out.stdout)


@pytest.fixture(scope="module", autouse=True)
def no_confirmations():
    """Confirmations (breadth, other symbols) are no part of an idea's lifecycle and cost most of
    an evaluate; they are left out of these runs."""
    run = importlib.import_module("thesis.replay.run")
    kept = run.confirmations_on
    run.confirmations_on = lambda *a, **k: ([], [])
    yield
    run.confirmations_on = kept


def event_days(life) -> set:
    """The session before publication, each event's session and the session after, the last bar."""
    idx = life.bars.index
    first = int(idx.searchsorted(pd.Timestamp(life.idea.idea.published)))
    out = {idx[max(0, first - 1)], idx[-1]}
    for e in life.events:
        i = idx.get_loc(e.session)
        out |= {idx[i], idx[min(i + 1, len(idx) - 1)]}
    return out


def check_markers_and_labels(markers, labels, want, close: float, open_variants: int, where) -> None:
    legs = [(d, p) for k, d, p in want["events"] if k in EXIT_KINDS]
    fills = [(d, p) for k, d, p in want["events"] if k == "filled"]
    assert [(m["date"], round(m["price"], 4)) for m in markers if m["kind"] == "entry"] == fills, where
    assert [(m["date"], round(m["price"], 4)) for m in markers if m["kind"] == "exit"] == legs, where
    opens = [m for m in markers if m["kind"] == "open"]
    assert len(opens) == open_variants and all(m["price"] == pytest.approx(close) for m in opens), where
    if labels is None:
        return
    assert [(d.date().isoformat(), round(p, 4)) for d, p, t in labels if t.startswith("EXIT ")] == legs, where
    assert [(d.date().isoformat(), round(p, 4)) for d, p, t in labels if t.startswith(("LONG ", "SHORT "))] == \
        fills, where
    assert [p for _, p, t in labels if t.startswith("OPEN ")] == [pytest.approx(close)] * open_variants, where


def check_every_view(path: Path, client_for) -> dict:
    """Every view of the idea at its 40 dates against the lifecycle cut (see the module doc);
    returns how many dates each view was checked on."""
    from thesis.evaluate import evaluate
    from thesis.watch.run import board, not_yet_published
    from thesis.web.core import chart_document, replayed

    idea = load(path)
    full = load_bars(idea.symbol, idea.idea.adjustment)
    life = lifecycle(idea, full)                              # computed once, cut at every date
    days = dates_for(life)
    published = pd.Timestamp(idea.idea.published)
    assert len(days) >= min(40, int((full.index >= published).sum()) + 1)
    entry_points = event_days(life)
    folder, client = client_for(path)
    mine = folder / path.name
    idx = full.index
    # one figure per idea (a figure costs about a second of layout): the session after the last
    # event, where every fill and exit label (and an open position's) is drawn
    last = life.events[-1].session if life.events else idx[-1]
    render_on = idx[min(idx.get_loc(last) + 1, len(idx) - 1)]
    checked: dict = {}

    def seen(view):
        checked[view] = checked.get(view, 0) + 1

    for day in days:
        iso = day.date().isoformat()
        want = truth(life, day)
        cut = life.at(day)
        on_entry_points = day in entry_points
        # the watch pass to the date: its journal records and its board (`thesis watch --json`)
        res = watch_pass([mine], asof=iso, write=True, deliver=False, journal=Journal())
        records = [_ev(e.kind, e.session, e.price) for e in Journal().events() if e.kind not in IGNORED]
        assert sorted(records) == sorted(want["events"]), ("journal records", iso)
        boards = [("watch board", {"ideas": board(res), "not_yet_published": not_yet_published(res)})]
        if on_entry_points:
            journal = invoke("journal", path.stem, "--json") if day >= published else {"events": []}
            got = [_ev(e["kind"], e["session"], e["price"]) for e in journal["events"] if e["kind"] not in IGNORED]
            assert sorted(got) == sorted(want["events"]), ("thesis journal --json", iso)
            boards += [("thesis ideas --json", invoke("ideas", folder, "--asof", iso, "--json")),
                       ("/api/ideas", client.get(f"/api/ideas?asof={iso}").json())]
        for where, doc in boards:
            seen(where)
            if day < published:                          # not on a board before it was published
                assert doc["ideas"] == [] and [u["id"] for u in doc["not_yet_published"]] == [path.stem], where
                continue
            [row] = doc["ideas"]
            same(from_board(row), board_cells(want), (where, iso))
            assert row["direction"] == idea.direction and doc["not_yet_published"] == []
            assert row["last_event"] is None or row["last_event"]["session"] <= iso, (where, iso)
        if day < published:                              # evaluate and the idea page refuse the date
            out = runner.invoke(cli, ["evaluate", str(path), "--asof", iso, "--json"])
            assert out.exit_code == 2 and "before the idea was published" in out.output
            page = client.get(f"/api/ideas/{path.stem}?asof={iso}")
            assert page.status_code == 422 and "before the idea was published" in page.text
            continue
        # the replay the idea page serves as of the date: evaluate's document, the chart JSON's
        # markers and the snapshot's labels, all rendered from it
        rep = replayed(mine, day.date(), None)
        close = float(rep.bars["close"].iloc[-1])
        open_variants = sum(v.size > 0 for v in cut.snapshot.variants)
        doc = evaluate(idea, asof=day, replayed=rep)
        same(from_evaluate(doc), want, ("evaluate", iso))
        assert [t["hit"] for t in doc["levels"]["targets"]] == \
            [t not in cut.snapshot.targets_left for t in idea.levels.targets]
        labels = snapshot_labels(idea, rep)
        check_markers_and_labels(chart_document(idea, rep)["markers"], labels, want, close, open_variants,
                                 ("chart markers, snapshot labels", iso))
        seen("evaluate, chart markers, snapshot labels")
        if on_entry_points:                              # the command and the page themselves
            same(from_evaluate(invoke("evaluate", path, "--asof", iso, "--json")), want, ("thesis evaluate", iso))
            page = client.get(f"/api/ideas/{path.stem}?asof={iso}").json()
            same(from_evaluate(page["evaluate"]), want, ("idea page", iso))
            timeline = [_ev(e["kind"], e["date"], e["price"]) for e in page["journal"]["events"]
                        if e["kind"] not in IGNORED]
            assert timeline == want["events"], ("idea page timeline", iso)
            check_markers_and_labels(page["chart"]["markers"], None, want, close, open_variants, ("idea page", iso))
            seen("thesis evaluate --json, idea page")
        if day == render_on:                             # the real renderer draws these very labels
            drawn: list = []
            chart(idea, None, asof=day, replayed=rep, labels=drawn)
            assert drawn == labels, ("renderer", iso)
            seen("renderer")
    assert checked.get("renderer") == 1 and checked["watch board"] == len(days)
    return checked


FIRST_HALF = EXAMPLES[: len(EXAMPLES) // 2]


@pytest.mark.parametrize("path", FIRST_HALF, ids=lambda p: p.stem)
def test_every_view_agrees_with_the_lifecycle_at_40_dates(path, client_for, tmp_path, monkeypatch):
    monkeypatch.setenv("THESIS_HOME", str(tmp_path / "home"))
    check_every_view(path, client_for)
