"""CSV folder adapter: one ``SYMBOL.csv`` per symbol.

``csv:DIR`` accepts either a root laid out like ``../shared/market-data``
(sub-folders ``daily/`` = as-traded and ``daily-adjusted/`` = adjusted; the
adjustment an analysis asks for picks the folder) or a folder of CSVs itself,
whose adjustment follows its name: ``*adjusted*`` and ``*constituents*`` are
adjusted, anything else as-traded.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from thesis.data.adapters.base import Provider, clip_dates
from thesis.data.csvfile import LINE, read_csv_bars
from thesis.data.model import ADJUSTED, AS_TRADED, make_bars
from thesis.data.validate import Report, ensure_loadable, validate_frame
from thesis.errors import BadInput, SymbolNotFound

ROOT_LAYOUT = {AS_TRADED: "daily", ADJUSTED: "daily-adjusted"}


def folder_adjustment(folder: Path) -> str:
    name = folder.name.lower()
    return ADJUSTED if ("adjusted" in name or "constituents" in name) else AS_TRADED


class CsvFolder(Provider):
    def __init__(self, root: str | Path):
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise BadInput(f"data folder {self.root} does not exist")
        self.is_root_layout = any((self.root / d).is_dir() for d in ROOT_LAYOUT.values())
        self._cache: dict[tuple, pd.DataFrame] = {}

    @property
    def name(self) -> str:
        return f"csv:{self.root}"

    def folder_for(self, adjustment: str) -> Path:
        if self.is_root_layout:
            return self.root / ROOT_LAYOUT[adjustment]
        return self.root

    def path_for(self, symbol: str, adjustment: str) -> Path:
        folder = self.folder_for(adjustment)
        if not self.is_root_layout and folder_adjustment(folder) != adjustment:
            raise SymbolNotFound(symbol, self.name,
                                 f"this folder holds {folder_adjustment(folder)} bars, {adjustment} were asked for")
        path = folder / f"{symbol.upper()}.csv"
        if not path.is_file():
            other = [a for a in ROOT_LAYOUT if a != adjustment and self.is_root_layout
                     and (self.folder_for(a) / path.name).is_file()]
            hint = f"it exists as {other[0]} bars" if other else f"no {path.name} in {folder}"
            raise SymbolNotFound(symbol, self.name, hint)
        return path

    def symbols(self, adjustment: str | None = None) -> list[str]:
        adjs = [adjustment] if adjustment else list(ROOT_LAYOUT)
        found = set()
        for adj in adjs:
            folder = self.folder_for(adj)
            if folder.is_dir() and (self.is_root_layout or folder_adjustment(folder) == adj):
                found.update(p.stem.upper() for p in folder.glob("*.csv"))
        return sorted(found)

    def check(self, symbol: str, adjustment: str) -> Report:
        """Full validation report for one file (parse errors become one rejection)."""
        from thesis.data.validate import Problem, REJECT
        from thesis.errors import DataFileError

        path = self.path_for(symbol, adjustment)
        try:
            parsed = read_csv_bars(path, symbol)
        except DataFileError as exc:
            return Report([Problem(symbol, str(path), exc.line, None, "unreadable", REJECT, str(exc))])
        _, report = validate_frame(parsed, symbol, str(path))
        return report

    def fetch(self, symbol: str, adjustment: str = AS_TRADED, start=None, end=None) -> pd.DataFrame:
        key = (symbol.upper(), adjustment)
        bars = self._cache.get(key)
        if bars is None:
            path = self.path_for(symbol, adjustment)
            parsed = read_csv_bars(path, symbol.upper())
            frame, report = validate_frame(parsed, symbol.upper(), str(path))
            ensure_loadable(report, str(path), symbol.upper())
            bars = make_bars(frame.drop(columns=[LINE]).set_index("date"), symbol.upper(),
                             f"csv:{path.parent}", adjustment)
            bars.attrs["warnings"] = [p.text() for p in report.problems]
            self._cache[key] = bars
        out = clip_dates(bars, start, end)
        out.attrs = dict(bars.attrs)
        return out
