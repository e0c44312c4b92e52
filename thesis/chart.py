"""Draw an idea (with its replay) as the snapshot a trader would post."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from thesis.data import load_bars, resample
from thesis.spec import Idea

REASON_WORD = {"stop": "stop", "target": "target", "time": "time stop", "open": "still open"}


def chart(idea: Idea, path, asof=None, timeframe: str = "1d", source: str | None = None, replayed=None,
          start=None, end=None, width: int = 1600, height: int = 900) -> Path:
    """Render ``idea`` to ``path`` (PNG). ``replayed`` reuses a ReplayResult."""
    from thesis.plotting import snapshot
    from thesis.replay import replay

    if not isinstance(idea, Idea):
        from thesis.spec import load

        idea = load(idea)
    res = replayed if replayed is not None else replay(idea, source=source, asof=asof, with_confirmations=False,
                                                       with_options=False)
    bars = res.bars
    compare = {}
    for sym in idea.idea.compare:
        compare[sym] = load_bars(sym, idea.idea.adjustment, source, end=bars.index[-1])
    shown = resample(bars, timeframe) if timeframe != "1d" else bars
    if timeframe != "1d":
        compare = {k: resample(v, timeframe) for k, v in compare.items()}
    published = pd.Timestamp(idea.idea.published)
    triggers = [(pd.Timestamp(r.date), r.kind, float(r.price)) for r in res.triggers.itertuples()
                if pd.Timestamp(r.date) >= published - pd.Timedelta(days=30)]
    entries, exits = [], []
    for variant, t in res.trades:
        if t.filled:
            entries.append((t.entry_date, t.entry_price, f"{variant} entry"))
            if t.exit_date is not None:
                exits.append((t.exit_date, t.exit_price, f"{variant}: {REASON_WORD.get(t.reason, t.reason)}"))
    notes = [(pd.Timestamp(n.date), n.text) for n in idea.notes]
    if start is None and end is None:
        first = min([published] + [e[0] for e in entries])
        last = max([published] + [e[0] for e in exits] + [n[0] for n in notes])
        pad = {"1d": 90, "1w": 400, "1mo": 1500}[timeframe]
        start = first - pd.Timedelta(days=pad)
        end = min(bars.index[-1], last + pd.Timedelta(days=pad // 3))
    tf_word = {"1d": "daily", "1w": "weekly", "1mo": "monthly"}[timeframe]
    title = f"{idea.idea.title}  ({idea.symbol} {tf_word}, {idea.direction})"
    return snapshot(shown, path, title=title, compare=compare, zone=tuple(idea.levels.entry_zone),
                    stop=idea.levels.stop, targets=list(idea.levels.targets), triggers=triggers,
                    entries=entries, exits=exits, notes=notes, direction=idea.direction, start=start, end=end,
                    width=width, height=height)
