"""Draw an idea (with its replay) as the snapshot a trader would post."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from thesis.data import load_bars, resample
from thesis.errors import BadInput, SymbolNotFound
from thesis.spec import Idea

#: Image formats the snapshot is written in (the renderer writes PNG bytes).
SUFFIXES = (".png",)


def check_chart_path(path, option: str = "-o") -> Path:
    """Refuse a chart path whose suffix names a format the snapshot is not written in."""
    p = Path(path)
    if p.suffix.lower() not in SUFFIXES:
        raise BadInput(f"{option} {p}: snapshots are written as PNG; give a file name ending in .png "
                       f"(got {p.suffix or 'no suffix'!r})")
    return p


def lifecycle_marks(cut, targets, direction: str, inst=None) -> tuple[list, list]:
    """(entries, exits) of the snapshot from a lifecycle cut: one entry per fill; one exit mark per
    exit leg at its own session and price (a scale-out is several marks, never a blended price); a
    position still open at the cut is marked OPEN at that session's close, the price that traded."""
    entries, exits = [], []
    for e in cut.events:
        if e.kind == "filled":
            entries.append((e.session, e.price, f"{e.variant} entry"))
        elif e.kind in ("target_hit", "stopped", "time_exit"):      # each leg named by the lifecycle
            size = f" {e.size:.0%}" if e.size is not None and e.size < 1 - 1e-9 else ""
            exits.append((e.session, e.price, f"{e.variant}: {e.label}{size}"))
    snap = cut.snapshot
    for v in snap.variants:
        if v.size > 0 and snap.session is not None:
            part = f"{v.size:.0%} " if v.size < 1 - 1e-9 else ""
            pnl = (snap.close - v.entry) * (-1 if direction == "short" else 1)     # the open part, per share
            r = f", {v.open_part_r:+.2f} R" if v.open_part_r is not None else ""
            whole = f"; position {v.position_r:+.2f} R" if part and v.position_r is not None else ""
            exits.append((snap.session, snap.close,
                          f"OPEN {_open_price(snap.close, inst)}\n{v.variant}: {part}open P&L {_open_move(pnl, inst)}"
                          f"{r}{whole}"))
    return entries, exits


def snapshot_labels(idea: Idea, res) -> list[tuple]:
    """The (date, price, text) of every entry/exit label the snapshot of ``res`` (a ReplayResult,
    as of its last bar) draws: the renderer's own label list (``chart(..., draw=False)``: the same
    window, lifecycle marks and label texts as the drawing, without building the figure)."""
    out: list = []
    chart(idea, None, replayed=res, labels=out, draw=False)
    return out


def _open_price(price: float, inst) -> str:
    return f"{price:.2f}" if inst is None else inst.price_text(price)


def _open_move(move: float, inst) -> str:
    """The open part's move per unit: +50.0 pips on FX, +12.3 points on futures, +1.23 on a stock."""
    if inst is not None and inst.unit != "price":
        return inst.move_text(move)
    d = 2 if inst is None else inst.decimals
    return f"{round(move, d) + 0.0:+.{d}f}"


def _fill_of(cut, variant: str):
    return next((e.price for e in cut.events if e.kind == "filled" and e.variant == variant), None)


def chart(idea: Idea | str | Path, path, asof=None, timeframe: str = "1d", source: str | None = None, replayed=None,
          start=None, end=None, width: int = 1600, height: int = 900, missing: list | None = None,
          notices: list | None = None, labels: list | None = None, draw: bool = True) -> Path | None:
    """Render ``idea`` to ``path`` (PNG). ``replayed`` reuses a ReplayResult.

    With ``asof`` the chart shows only what was known then: bars and notes up to that date, and a
    trade still open then marked as open. A compare symbol the source lacks is left out and named
    in ``missing`` (when a list is given). ``labels`` receives the (date, price, text) of every
    entry/exit label the renderer drew. Marks, the stop in force and labels come from the idea's
    lifecycle (thesis.replay.lifecycle) cut at the chart's last bar. ``path`` None builds and lays
    out the same figure (``labels`` filled) without rasterizing a PNG; ``draw`` False (with ``path``
    None) fills ``labels`` from the same window and marks without building a figure."""
    from thesis.plotting import snapshot
    from thesis.replay import replay

    if path is not None:
        check_chart_path(path, "path")
    if not isinstance(idea, Idea):
        from thesis.spec import load

        idea = load(idea)
    res = replayed if replayed is not None else replay(idea, source=source, asof=asof, with_confirmations=False,
                                                       with_options=False)
    bars = res.bars
    cut = pd.Timestamp(asof) if asof is not None else res.asof
    if notices is not None:
        from thesis.replay.run import data_warnings

        notices += data_warnings(bars)
        if cut is not None and cut > bars.index[-1]:
            notices.append(f"the data ends on {bars.index[-1].date()}: the chart stops there")
    compare = {}
    for sym in idea.idea.compare:
        try:
            compare[sym] = load_bars(sym, idea.idea.adjustment, source, end=bars.index[-1])
        except SymbolNotFound as exc:
            if missing is not None:
                missing.append(f"no data for {exc.symbol} in {exc.source}: the {sym} ratio panel is left out")
    shown = resample(bars, timeframe) if timeframe != "1d" else bars
    if timeframe != "1d":
        compare = {k: resample(v, timeframe) for k, v in compare.items()}
    published = pd.Timestamp(idea.idea.published)
    ev = res.triggers
    ev = ev[ev["date"] >= published - pd.Timedelta(days=30)] if len(ev) else ev
    triggers = list(zip(pd.DatetimeIndex(ev["date"]), ev["kind"].tolist(), ev["price"].astype("float64").tolist()))
    targets = list(idea.levels.targets)
    known = res.lifecycle.at(bars.index[-1])
    entries, exits = lifecycle_marks(known, targets, idea.direction, idea.instrument)
    stop = known.snapshot.stop             # the stop in force (the fill once moved to breakeven)
    notes = [(pd.Timestamp(n.date), n.text) for n in idea.notes
             if cut is None or pd.Timestamp(n.date) <= cut]
    if start is None and end is None:
        first = min([published] + [e[0] for e in entries])
        last = max([published] + [e[0] for e in exits] + [n[0] for n in notes])
        pad = {"1d": 90, "1w": 400, "1mo": 1500}[timeframe]
        start = first - pd.Timedelta(days=pad)
        end = min(bars.index[-1], last + pd.Timedelta(days=pad // 3))
    tf_word = {"1d": "daily", "1w": "weekly", "1mo": "monthly"}[timeframe]
    title = f"{idea.idea.title}  ({idea.symbol} {tf_word}, {idea.direction})"
    if cut is not None:
        title += f"  as of {min(cut, bars.index[-1]).date()}"
    return snapshot(shown, path, title=title, compare=compare, zone=(idea.levels.entry_zone[0], idea.levels.entry_zone[1]),
                    stop=stop, targets=targets, triggers=triggers,
                    entries=entries, exits=exits, notes=notes, direction=idea.direction, start=start, end=end,
                    width=width, height=height, labels=labels,
                    stop_name="breakeven stop" if known.snapshot.stop_moved else "stop",
                    planned_stop=idea.levels.stop, draw=draw or path is not None)
