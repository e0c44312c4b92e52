"""Gate occurrences by the idea's ``[[confirmations]]`` (optional, ``confirm=True``).

Each confirmation is measured with thesis.market.confirmations.evaluate_confirmations
on the occurrence's signal date. A confirmation that names the idea's own symbol
(``relative_strength``, ``trend``, ``regime`` with symbol = the idea's symbol) is
measured on the occurrence's symbol instead, so "IWM weaker than SPY" becomes "this
stock weaker than SPY". An occurrence passes when every confirmation that could be
measured on that date passed; "no data" results (the data does not reach that date,
or the symbol has no bars in the context's source) are skipped and counted.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from thesis.errors import BadInput


def _per_symbol(conf, idea_symbol: str) -> bool:
    return getattr(conf, "symbol", None) == idea_symbol


def _statuses(evaluate, conf, dates: list, ctx) -> np.ndarray | None:
    """Status per date ("pass"/"fail"/"no data"); None when the confirmation cannot be
    measured at all (e.g. its symbol has no bars). A date whose evaluation raises (a regime
    row without a slope early in a symbol's history makes thesis.market raise ValueError)
    counts as "no data"."""
    try:
        return np.array([r["status"] for r in evaluate([conf], dates, ctx)])
    except BadInput:
        return None
    except ValueError:
        out = []
        for d in dates:
            try:
                out.append(evaluate([conf], [d], ctx)[0]["status"])
            except ValueError:
                out.append("no data")
            except BadInput:
                return None
        return np.array(out)


def _describe(conf) -> str:
    """'IWM vs SPY weaker', 'UUP up', '1mo down': which pair or symbol a confirmation is about."""
    parts = [getattr(conf, "symbol", None), f"vs {conf.versus}" if getattr(conf, "versus", None) else None,
             getattr(conf, "direction", None), getattr(conf, "label", None)]
    if getattr(conf, "label", None) and getattr(conf, "timeframe", None):
        parts.insert(0, conf.timeframe)
    return " ".join(str(p) for p in parts if p)


def confirmation_gate(idea, symbols: np.ndarray, dates: np.ndarray, source: str | None = None,
                      progress=None) -> tuple[np.ndarray, dict]:
    """(passed bool per event, info) for events given as parallel arrays of symbol and date."""
    from thesis.market.confirmations import evaluate_confirmations
    from thesis.market.context import MarketContext

    n = len(dates)
    passed = np.ones(n, dtype=bool)
    measured = np.zeros(n, dtype=np.int64)
    if not idea.confirmations or n == 0:
        return passed, {"confirmations": len(idea.confirmations), "events": n, "passed": n, "unmeasured": 0}
    ctx = MarketContext(source=source)
    day = pd.DatetimeIndex(dates).normalize()
    per_conf = []
    steps = len(idea.confirmations)
    for i, conf in enumerate(idea.confirmations):
        ok = np.ones(n, dtype=bool)
        got = np.zeros(n, dtype=bool)
        groups = ([(s, np.flatnonzero(symbols == s)) for s in pd.unique(symbols)] if _per_symbol(conf, idea.symbol)
                  else [(None, np.arange(n))])
        for sym, rows in groups:
            this = conf.model_copy(update={"symbol": sym}) if sym is not None else conf
            uniq, inverse = np.unique(day[rows].to_numpy(), return_inverse=True)
            status = _statuses(evaluate_confirmations, this, list(pd.DatetimeIndex(uniq)), ctx)
            if status is None:
                continue
            ok[rows] = (status != "fail")[inverse]
            got[rows] = (status != "no data")[inverse]
        passed &= ok
        measured += got
        per_conf.append({"kind": conf.kind, "what": _describe(conf), "measured": int(got.sum()),
                         "failed": int((~ok).sum())})
        if progress:
            progress(i + 1, steps)
    info = {"confirmations": len(idea.confirmations), "events": n, "passed": int(passed.sum()),
            "unmeasured": int((measured == 0).sum()), "by_confirmation": per_conf}
    return passed, info
