"""Draw an idea (with its replay) as the snapshot a trader would post."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from thesis.data import load_bars, resample
from thesis.errors import BadInput, SymbolNotFound
from thesis.spec import Idea

REASON_WORD = {"stop": "stop", "target": "target", "time": "time stop", "open": "still open"}
#: Image formats the snapshot is written in (the renderer writes PNG bytes).
SUFFIXES = (".png",)


def check_chart_path(path, option: str = "-o") -> Path:
    """Refuse a chart path whose suffix names a format the snapshot is not written in."""
    p = Path(path)
    if p.suffix.lower() not in SUFFIXES:
        raise BadInput(f"{option} {p}: snapshots are written as PNG; give a file name ending in .png "
                       f"(got {p.suffix or 'no suffix'!r})")
    return p


def exit_marks(variant: str, trade, targets) -> list[tuple[pd.Timestamp, float, str]]:
    """One mark per exit leg, at the leg's own date and fill price (a scale-out is several marks,
    never one blended price). An open trade gets no exit mark: see ``open_marks``."""
    marks = []
    legs = trade.legs or []
    for leg in legs:
        if leg.kind == "open":
            continue
        word = REASON_WORD.get(leg.kind, leg.kind)
        if leg.kind == "target" and leg.level in targets and len(targets) > 1:
            word = f"target {list(targets).index(leg.level) + 1}"
        size = f" {leg.size:.0%}" if len(legs) > 1 else ""
        marks.append((leg.date, leg.price, f"{variant}: {word}{size}"))
    if not legs and trade.exit_date is not None and trade.reason != "open":
        marks.append((trade.exit_date, trade.exit_price, f"{variant}: {REASON_WORD.get(trade.reason, trade.reason)}"))
    return marks


def open_marks(variant: str, trade) -> list[tuple[pd.Timestamp, float, str]]:
    """An open position at the last bar: marked OPEN with its open P&L in R (never 'EXIT')."""
    if not trade.filled or trade.reason != "open" or trade.exit_date is None:
        return []
    risk = abs(trade.entry_price - trade.stop) if trade.stop is not None else 0.0
    sign = -1 if trade.direction == "short" else 1
    pnl = sign * (trade.exit_price - trade.entry_price)
    r = f", {round(pnl / risk, 2) + 0.0:+.2f} R" if risk else ""
    return [(trade.exit_date, trade.exit_price,
             f"OPEN {trade.exit_price:.2f}\n{variant}: open P&L {round(pnl, 2) + 0.0:+.2f}{r}")]


def chart(idea: Idea, path, asof=None, timeframe: str = "1d", source: str | None = None, replayed=None,
          start=None, end=None, width: int = 1600, height: int = 900, missing: list | None = None,
          notices: list | None = None) -> Path:
    """Render ``idea`` to ``path`` (PNG). ``replayed`` reuses a ReplayResult.

    With ``asof`` the chart shows only what was known then: bars and notes up to that date, and a
    trade still open then marked as open. A compare symbol the source lacks is left out and named
    in ``missing`` (when a list is given)."""
    from thesis.plotting import snapshot
    from thesis.replay import replay

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
    triggers = [(pd.Timestamp(r.date), r.kind, float(r.price)) for r in res.triggers.itertuples()
                if pd.Timestamp(r.date) >= published - pd.Timedelta(days=30)]
    entries, exits = [], []
    targets = list(idea.levels.targets)
    for variant, t in res.trades:
        if t.filled:
            entries.append((t.entry_date, t.entry_price, f"{variant} entry"))
            exits += exit_marks(variant, t, targets) + open_marks(variant, t)
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
    return snapshot(shown, path, title=title, compare=compare, zone=tuple(idea.levels.entry_zone),
                    stop=idea.levels.stop, targets=targets, triggers=triggers,
                    entries=entries, exits=exits, notes=notes, direction=idea.direction, start=start, end=end,
                    width=width, height=height)
