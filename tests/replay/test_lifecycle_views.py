"""Cross-view agreement (issue 20): for every idea in examples/ (examples/, authors/, markets/)
and 40 dates each (publication-1 to the last bar, each event's session and the session after, the
rest spread between them), every view's own entry point says what the idea's lifecycle, computed
once on all its bars and cut at the date, says: state, the stop in force, position, realized /
open-part / position R, the (kind, session, price) event list, the exit markers and labels at each
leg's own price and an open position at the close.

At every one of the 40 dates, each entry point as a user reaches it:
- a watch pass to the date (`watch_pass`, in date order, so the journal holds what each pass
  added), then `thesis journal IDEA --json`;
- the board: `thesis ideas FOLDER --asof D --json` and `/api/ideas?asof=D`;
- `thesis evaluate IDEA --asof D --json` (its trades' fills and exit legs too: the kernel's run on
  the bars up to D agrees with the cut);
- the idea page JSON `/api/ideas/{id}?asof=D`: its evaluate document, timeline and chart markers;
- the snapshot renderer's label list (`thesis.chart.chart(..., draw=False)`: the window, marks and
  label texts the drawing uses, without building the figure).
Once per idea, at the session after its last event, the figure itself is built and laid out
(`chart(path=None)`: no PNG rasterized) and the labels it drew equal that list.

And at each event's session and the session after (where a cut could differ) the lifecycle of
the bars up to the date says what the cut of the whole history says (the views cut one cached
history, thesis.replay.history; tests/replay/test_lifecycle_cut.py checks it as a property).

The commands run through click's runner on the one command object typer builds (once, not per
call); the pages through one FastAPI TestClient per idea folder. Every view as of a date cuts the
idea's one cached history (thesis.replay.history), so 40 dates cost 40 cuts, not 40 replays."""
from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from typer.main import get_command

from thesis.chart import chart
from thesis.cli import app
from thesis.data import load_bars
from thesis.replay.lifecycle import EXIT_KINDS, TERMINAL, lifecycle
from thesis.spec import load
from thesis.watch.journal import Journal
from thesis.watch.run import watch_pass

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [p for folder in ("", "authors", "markets") for p in sorted((ROOT / "examples" / folder).glob("*.toml"))]
IGNORED = ("note", "idea_revised", "data_stale")           # journal kinds that are not lifecycle events
LEG_KINDS = {"target": "target_hit", "stop": "stopped", "time": "time_exit"}
runner = CliRunner()
CLI = get_command(app)


def event_days(life) -> set:
    """The session before publication, each event's session and the session after, the last bar."""
    idx = life.bars.index
    first = int(idx.searchsorted(pd.Timestamp(life.idea.idea.published)))
    out = {idx[max(0, first - 1)], idx[-1]}
    for e in life.events:
        i = idx.get_loc(e.session)
        out |= {idx[i], idx[min(i + 1, len(idx) - 1)]}
    return out


def dates_for(life, n: int = 40) -> list[pd.Timestamp]:
    """``n`` sessions from publication-1 to the last bar (all of them when fewer): every one of
    ``event_days``, then each time the session farthest from those chosen."""
    idx = life.bars.index
    first = max(0, int(idx.searchsorted(pd.Timestamp(life.idea.idea.published))) - 1)
    chosen = sorted(int(idx.get_loc(d)) for d in event_days(life))
    pool = np.arange(first, len(idx))
    while len(chosen) < min(n, len(pool)):
        at = np.searchsorted(chosen, pool)
        gap = np.minimum(np.abs(pool - np.take(chosen, np.clip(at, 0, len(chosen) - 1))),
                         np.abs(pool - np.take(chosen, np.clip(at - 1, 0, len(chosen) - 1))))
        chosen = sorted(chosen + [int(pool[int(np.argmax(gap))])])
    return [idx[i] for i in chosen]


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


def trade_fills_and_legs(doc) -> list:
    """The fills and exit legs of evaluate's trades (the kernel's run on the bars up to the date)."""
    out = []
    for t in doc["trades"]:
        if t["filled"]:
            out.append(_ev("filled", t["entry"]["date"], t["entry"]["price"]))
            out += [_ev(LEG_KINDS[leg["kind"]], leg["date"], leg["price"]) for leg in t["legs"] if leg["kind"] != "open"]
    return sorted(out)


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


def invoke(*args, code: int = 0):
    out = runner.invoke(CLI, [str(a) for a in args], catch_exceptions=False)
    assert out.exit_code == code, (args, out.output)
    return json.loads(out.stdout) if code == 0 else out.output


@pytest.fixture(scope="module", autouse=True)
def no_confirmations():
    """Confirmations (breadth, other symbols) are no part of an idea's lifecycle and cost most of
    an evaluate; they are left out of these runs."""
    run = importlib.import_module("thesis.replay.run")
    kept = run.confirmations_on
    run.confirmations_on = lambda *a, **k: ([], [])
    yield
    run.confirmations_on = kept


def check_markers_and_labels(markers, labels, want, close: float, open_variants: int, where, bars) -> None:
    """The chart JSON's markers and the snapshot's labels: each fill and exit leg at its own session
    and price, an open position at the close, and every one at a price that traded in its session."""
    def traded(day, price) -> bool:
        low, high = bars.loc[pd.Timestamp(day), ["low", "high"]]
        return low - 1e-9 <= price <= high + 1e-9

    assert all(traded(m["date"], m["price"]) for m in markers if m["kind"] in ("entry", "exit", "open")), where
    assert all(traded(d, p) for d, p, _ in labels), where
    legs = [(d, p) for k, d, p in want["events"] if k in EXIT_KINDS]
    fills = [(d, p) for k, d, p in want["events"] if k == "filled"]
    assert [(m["date"], round(m["price"], 4)) for m in markers if m["kind"] == "entry"] == fills, where
    assert [(m["date"], round(m["price"], 4)) for m in markers if m["kind"] == "exit"] == legs, where
    opens = [m for m in markers if m["kind"] == "open"]
    assert len(opens) == open_variants and all(m["price"] == pytest.approx(close) for m in opens), where
    assert [(d.date().isoformat(), round(p, 4)) for d, p, t in labels if t.startswith("EXIT ")] == legs, where
    assert [(d.date().isoformat(), round(p, 4)) for d, p, t in labels if t.startswith(("LONG ", "SHORT "))] == \
        fills, where
    assert [p for _, p, t in labels if t.startswith("OPEN ")] == [pytest.approx(close)] * open_variants, where


def check_boards(boards, want, idea, stem: str, iso: str, published: bool, cut) -> None:
    others = [(v.variant, round(v.entry, 4), _r(v.position_r)) for v in cut.snapshot.variants
              if v.variant != ("limit" if idea.entry.order == "limit" else "signal")]
    for where, doc in boards:
        if not published:                               # not on a board before it was published
            assert doc["ideas"] == [] and [u["id"] for u in doc["not_yet_published"]] == [stem], where
            continue
        [row] = doc["ideas"]
        same(from_board(row), board_cells(want), (where, iso))
        if row["variants"] is not None:                 # None: an ended idea's row kept from the journal
            got = [(v["variant"], round(v["entry"], 4), v["position_r"]) for v in row["variants"]]
            assert got == others, (where, "the signal variant's position", iso)
        assert row["direction"] == idea.direction and doc["not_yet_published"] == []
        assert row["last_event"] is None or row["last_event"]["session"] <= iso, (where, iso)


def check_every_view(path: Path, client_for) -> dict:
    """Every view of the idea at its 40 dates against the lifecycle cut (see the module doc);
    returns how many dates each view was checked on."""
    idea = load(path)
    full = load_bars(idea.symbol, idea.idea.adjustment)
    life = lifecycle(idea, full)                              # computed once, cut at every date
    days = dates_for(life)
    published = pd.Timestamp(idea.idea.published)
    assert len(days) == min(40, int((full.index >= published).sum()) + 1) and event_days(life) <= set(days)
    changes = event_days(life)
    folder, client = client_for(path)
    mine = folder / path.name
    idx = full.index
    last = life.events[-1].session if life.events else idx[-1]
    render_on = idx[min(idx.get_loc(last) + 1, len(idx) - 1)]
    checked: dict = {}

    def seen(*views):
        for view in views:
            checked[view] = checked.get(view, 0) + 1

    for day in days:
        iso = day.date().isoformat()
        want = truth(life, day)
        if day in changes:
            assert truth(lifecycle(idea, full.loc[:day]), day) == want, ("the replay of the bars up to the date", iso)
        cut = life.at(day)
        on = day >= published
        # a watch pass to the date, then the journal it wrote
        watch_pass([mine], asof=iso, write=True, deliver=False, journal=Journal())
        if any(e.kind not in IGNORED for e in cut.events) or any(n.date <= day.date() for n in idea.notes):
            got = [_ev(e["kind"], e["session"], e["price"]) for e in invoke("journal", path.stem, "--json")["events"]
                   if e["kind"] not in IGNORED]
        else:                                           # nothing journaled for it yet
            assert "no idea" in invoke("journal", path.stem, "--json", code=2)
            got = []
        assert sorted(got) == sorted(want["events"]), ("thesis journal --json", iso)
        check_boards([("thesis ideas --json", invoke("ideas", folder, "--asof", iso, "--json")),
                      ("/api/ideas", client.get(f"/api/ideas?asof={iso}").json())], want, idea, path.stem, iso, on,
                     cut)
        seen("thesis journal --json", "thesis ideas --json", "/api/ideas")
        if not on:                                      # evaluate and the idea page refuse the date
            assert "before the idea was published" in invoke("evaluate", path, "--asof", iso, "--json", code=2)
            page = client.get(f"/api/ideas/{path.stem}?asof={iso}")
            assert page.status_code == 422 and "before the idea was published" in page.text
            continue
        close = float(full.loc[day, "close"])
        open_variants = sum(v.size > 0 for v in cut.snapshot.variants)
        doc = invoke("evaluate", path, "--asof", iso, "--json")
        same(from_evaluate(doc), want, ("thesis evaluate", iso))
        assert [t["hit"] for t in doc["levels"]["targets"]] == \
            [t not in cut.snapshot.targets_left for t in idea.levels.targets]
        if not any(k == "invalidated" for k, _, _ in want["events"]):   # (a fill through the stop is no trade)
            assert trade_fills_and_legs(doc) == sorted(e for e in want["events"] if e[0] in ("filled", *EXIT_KINDS))
        page = client.get(f"/api/ideas/{path.stem}?asof={iso}").json()
        same(from_evaluate(page["evaluate"]), want, ("idea page", iso))
        timeline = [_ev(e["kind"], e["date"], e["price"]) for e in page["journal"]["events"] if e["kind"] not in IGNORED]
        assert timeline == want["events"], ("idea page timeline", iso)
        labels: list = []
        chart(idea, None, asof=day, labels=labels, draw=False)
        check_markers_and_labels(page["chart"]["markers"], labels, want, close, open_variants,
                                 ("idea page chart markers, snapshot labels", iso), full)
        assert page["chart"]["stop"] == want["stop"], ("the chart's stop line is the stop in force", iso)
        seen("thesis evaluate --json", "idea page", "snapshot labels")
        if day == render_on:                             # the figure draws these very labels
            drawn: list = []
            chart(idea, None, asof=day, labels=drawn)
            assert drawn == labels, ("renderer", iso)
            seen("drawn figure")
    assert checked.get("drawn figure") == 1 and checked["/api/ideas"] == len(days)
    return checked


FIRST_HALF = EXAMPLES[: len(EXAMPLES) // 2]


@pytest.mark.parametrize("path", FIRST_HALF, ids=lambda p: p.stem)
def test_every_view_agrees_with_the_lifecycle_at_40_dates(path, client_for, tmp_path, monkeypatch):
    monkeypatch.setenv("THESIS_HOME", str(tmp_path / "home"))
    check_every_view(path, client_for)


def test_the_dates_are_forty_with_every_event_day():
    """dates_for: exactly 40 sessions, every event's session and the session after among them,
    from the session before publication to the last bar, spread between them."""
    path = ROOT / "examples" / "authors" / "20-spy-svb-dip.toml"
    idea = load(path)
    life = lifecycle(idea, load_bars(idea.symbol, idea.idea.adjustment))
    days = dates_for(life)
    idx = life.bars.index
    before = idx[idx < pd.Timestamp(idea.idea.published)][-1]
    assert len(days) == len(set(days)) == 40 and days == sorted(days)
    assert days[0] == before and days[-1] == idx[-1] and event_days(life) <= set(days)
    gaps = np.diff([idx.get_loc(d) for d in days])
    assert gaps.max() <= 2 * (len(idx) - idx.get_loc(before)) / 40   # no long stretch left out
