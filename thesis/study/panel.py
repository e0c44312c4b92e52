"""Load the bars a study runs on: the idea's symbol, a list of symbols, or a universe folder.

Symbols are read with ``thesis.data.load_bars`` in the idea's adjustment. A universe
(``csv:DIR``) is read as matrices with ``thesis.data.load_fields`` (the open is
requested only when the folder's files have an open column) and split into one array
set per symbol, keeping the sessions where high, low and close are all present.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from thesis.errors import BadInput
from thesis.study.engine import SymbolData


@dataclass
class Panel:
    data: list[SymbolData]
    source: str
    adjustment: str
    universe: str | None = None
    survivorship: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def symbols(self) -> list[str]:
        return [d.symbol for d in self.data]

    @property
    def has_open(self) -> bool:
        return any(d.has_open for d in self.data)


def _clean(symbol: str, dates, o, h, l, c) -> SymbolData:
    keep = np.isfinite(h) & np.isfinite(l) & np.isfinite(c)
    return SymbolData(symbol, np.ascontiguousarray(dates[keep]).astype("datetime64[ns]"),
                      *(np.ascontiguousarray(a[keep], dtype="float64") for a in (o, h, l, c)))


def split_symbols(symbols) -> list[str]:
    """["IWM,SPY", "QQQ"] -> ["IWM", "SPY", "QQQ"] (upper case, order kept, duplicates dropped); names
    people write are resolved (``BTCUSDT`` -> ``BTC-USD``, thesis.data.instruments)."""
    from thesis.data.instruments import resolve

    out: list[str] = []
    for item in symbols or []:
        for s in str(item).replace(";", ",").split(","):
            s = resolve(s).symbol if s.strip() else ""
            if s and s not in out:
                out.append(s)
    return out


def _folder_fields(folder: Path) -> tuple[str, ...]:
    first = next(iter(sorted(folder.glob("*.csv"))), None)
    if first is None:
        raise BadInput(f"no CSV files in universe folder {folder}")
    with open(first, encoding="utf-8") as fh:
        header = [h.strip().lower() for h in fh.readline().split(",")]
    return tuple(f for f in ("open", "high", "low", "close") if f in header)


def load_symbols(symbols: list[str], adjustment: str, source: str | None = None) -> Panel:
    from thesis.data import load_bars

    data, src = [], None
    for sym in symbols:
        bars = load_bars(sym, adjustment=adjustment, source=source)
        src = src or bars.attrs.get("source")
        idx = bars.index.to_numpy().astype("datetime64[ns]")
        data.append(_clean(sym, idx, *(bars[c].to_numpy(dtype="float64", na_value=np.nan)
                                       for c in ("open", "high", "low", "close"))))
    return Panel(data, src or (source or "default"), adjustment)


def load_universe_panel(universe: str, symbols: list[str] | None = None) -> Panel:
    from thesis.data import load_fields

    folder = Path(universe[4:] if universe.startswith("csv:") else universe).expanduser()
    if not folder.is_dir():
        raise BadInput(f"universe folder {folder} does not exist")
    fields = _folder_fields(folder)
    missing = [f for f in ("high", "low", "close") if f not in fields]
    if missing:
        raise BadInput(f"universe folder {folder} has no {', '.join(missing)} column")
    mats = load_fields(universe, fields, symbols or None)
    close = mats["close"]
    dates = close.index.to_numpy().astype("datetime64[ns]")
    cols = {f: m.to_numpy(dtype="float64") for f, m in mats.items()}
    nan = np.full(len(dates), np.nan)
    data = [_clean(str(sym), dates, cols["open"][:, j] if "open" in cols else nan, cols["high"][:, j],
                   cols["low"][:, j], cols["close"][:, j]) for j, sym in enumerate(close.columns)]
    data = [d for d in data if len(d.dates)]
    attrs = close.attrs
    panel = Panel(data, attrs.get("source", f"csv:{folder}"), attrs.get("adjustment", "adjusted"), folder.name,
                  bool(attrs.get("survivorship", False)), list(attrs.get("warnings", [])))
    if panel.survivorship:
        panel.warnings.append(f"{folder.name} holds today's members only (survivorship bias): stocks that left "
                              "the index are missing, so results lean optimistic for longs and pessimistic for shorts")
    if "open" not in fields:
        panel.warnings.append(f"{folder.name} has no open prices: entries fill at the signal session's close and "
                              "stops/targets at their levels; gaps through a level could not be modelled")
    if panel.adjustment == "adjusted":
        panel.warnings.append("universe bars are split- and dividend-adjusted: relative levels are unaffected, "
                              "but prices differ from an as-traded chart")
    return panel
