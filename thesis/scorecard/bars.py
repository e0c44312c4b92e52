"""Bars for many ideas: loaded once per symbol, and, for a plain folder of CSVs holding many
of the symbols (a constituent universe), read in one pass by the universe loader."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

BULK_FROM = 20   # symbols from one plain folder: read them together


class BarsCache:
    def __init__(self, source: str | None = None, asof=None):
        from thesis.data import default_source

        self.source = source or default_source()
        self.asof = None if asof is None else pd.Timestamp(asof)
        self._bars: dict[tuple[str, str], pd.DataFrame] = {}

    def __call__(self, symbol: str, adjustment: str) -> pd.DataFrame:
        key = (symbol, adjustment)
        if key not in self._bars:
            from thesis.data import load_bars

            self._bars[key] = load_bars(symbol, adjustment, self.source, end=self.asof)
        return self._bars[key]

    def preload(self, symbols: set[str], adjustment: str) -> None:
        """Read many symbols of a plain CSV folder (no daily/ layout) in one pass."""
        folder = self._plain_folder()
        if folder is None or len(symbols) < BULK_FROM:
            return
        from thesis.data import load_fields
        from thesis.data.adapters.csv_folder import folder_adjustment
        from thesis.data.model import COLUMNS

        if folder_adjustment(folder) != adjustment:
            return
        present = sorted(s for s in symbols if (folder / f"{s}.csv").is_file())
        if not present:
            return
        header = (folder / f"{present[0]}.csv").open().readline().lower()
        fields = tuple(f for f in ("open", "high", "low", "close") if f in header)
        mats = load_fields(f"csv:{folder}", fields, present, end=self.asof)
        import numpy as np

        index = mats["close"].index
        arrays = {f: mats[f].to_numpy(dtype="float64") for f in fields}
        column = {sym: i for i, sym in enumerate(mats["close"].columns)}
        nan = np.full(len(index), np.nan)
        for sym in present:
            j = column[sym]
            valid = np.flatnonzero(np.isfinite(arrays["close"][:, j]))
            if not len(valid):
                continue
            rows = valid     # the sessions the file has (the matrix is NaN where it has none)
            # The bar model (thesis.data.model.make_bars) built directly: the matrices are
            # already validated float64, so no copy or cast per symbol is needed.
            frame = pd.DataFrame({c: (arrays[c][rows, j] if c in arrays else (nan[rows] if c != "volume"
                                                                              else np.zeros(len(nan[rows]))))
                                  for c in COLUMNS}, index=index[rows])
            frame.index.name = "date"
            frame.attrs = {"symbol": sym, "source": f"csv:{folder}", "adjustment": adjustment, "timeframe": "1d",
                           "has_open": "open" in arrays}
            self._bars[(sym, adjustment)] = frame

    def _plain_folder(self) -> Path | None:
        if not self.source.startswith("csv:"):
            return None
        folder = Path(self.source[4:]).expanduser()
        if not folder.is_dir() or (folder / "daily").is_dir():
            return None
        return folder
