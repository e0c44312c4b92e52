"""CSV folder adapter: one ``SYMBOL.csv`` per symbol.

``csv:DIR`` accepts either a root laid out like ``../shared/market-data``
(sub-folders ``daily/`` = as-traded and ``daily-adjusted/`` = adjusted; the
adjustment an analysis asks for picks the folder; ``markets/`` = crypto, FX, futures,
rates, which pay no dividends, so it serves both adjustments) or a folder of CSVs itself,
whose adjustment follows its name: ``*adjusted*`` and ``*constituents*`` are
adjusted, anything else as-traded.

Symbols pass ``thesis.data.symbols.validate_symbol`` before a path is built, a
file name matches its symbol in any case (``iwm.csv`` is IWM), and the resolved
path (symlinks followed) must lie inside the source folder.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from thesis.data.adapters.base import Provider, clip_dates
from thesis.data.model import ADJUSTED, AS_TRADED, make_bars
from thesis.data.symbols import inside, is_symbol, validate_symbol
from thesis.errors import BadInput, DataFileError, SymbolNotFound

# The parser and the validation (numpy, pandas, the calendar) load in check/fetch: listing a
# folder's symbols (`thesis check` does) needs none of them.
if TYPE_CHECKING:
    import pandas as pd

    from thesis.data.validate import Report

ROOT_LAYOUT = {AS_TRADED: "daily", ADJUSTED: "daily-adjusted"}
MARKETS = "markets"   # beside daily/: markets without dividends, read for either adjustment


def folder_adjustment(folder: Path) -> str:
    name = folder.name.lower()
    return ADJUSTED if ("adjusted" in name or "constituents" in name) else AS_TRADED


class CsvFolder(Provider):
    def __init__(self, root: str | Path):
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            what = "is a file, not a folder of SYMBOL.csv files" if self.root.exists() else "does not exist"
            raise BadInput(f"data folder {self.root} {what}")
        self.is_root_layout = any((self.root / d).is_dir() for d in (*ROOT_LAYOUT.values(), MARKETS))
        self._cache: dict[tuple, pd.DataFrame] = {}
        self.name = f"csv:{self.root}"

    def folder_for(self, adjustment: str) -> Path:
        if self.is_root_layout:
            return self.root / ROOT_LAYOUT[adjustment]
        return self.root

    def folders_for(self, adjustment: str) -> list[Path]:
        """Where ``adjustment`` bars are looked for, in order: the adjustment's folder, then markets/."""
        folders = [self.folder_for(adjustment)]
        if self.is_root_layout and (self.root / MARKETS).is_dir():
            folders.append(self.root / MARKETS)
        return folders

    def _find(self, symbol: str, adjustment: str) -> Path | None:
        for folder in self.folders_for(adjustment):
            path = self._entry(folder, symbol)
            if path is not None:
                return path
        return None

    def _entry(self, folder: Path, symbol: str) -> Path | None:
        """The directory entry naming ``symbol`` (exact ``SYMBOL.csv`` first, then any case)."""
        exact = folder / f"{symbol}.csv"
        if exact.exists() or exact.is_symlink():
            return exact
        if not folder.is_dir():
            return None
        for entry in folder.iterdir():
            if entry.suffix.lower() == ".csv" and entry.stem.upper() == symbol:
                return entry
        return None

    def path_for(self, symbol: str, adjustment: str) -> Path:
        symbol = validate_symbol(symbol)
        folder = self.folder_for(adjustment)
        if not self.is_root_layout and folder_adjustment(folder) != adjustment:
            raise SymbolNotFound(symbol, self.name,
                                 f"this folder holds {folder_adjustment(folder)} bars, {adjustment} were asked for")
        path = self._find(symbol, adjustment)
        if path is None:
            other = [a for a in ROOT_LAYOUT if a != adjustment and self.is_root_layout
                     and self._entry(self.folder_for(a), symbol) is not None]
            where = " or ".join(str(f) for f in self.folders_for(adjustment))
            hint = f"it exists as {other[0]} bars" if other else f"no {symbol}.csv in {where}"
            raise SymbolNotFound(symbol, self.name, hint + _near(symbol, self.symbols()))
        if path.is_symlink() and not path.exists():
            raise DataFileError(path, "is a symbolic link that leads nowhere (a dangling link or a loop)",
                                symbol=symbol)
        inside(self.root, path)
        if not path.is_file():
            raise DataFileError(path, "is not a regular file (a folder, FIFO or device): not read", symbol=symbol)
        return path

    def symbols(self, adjustment: str | None = None) -> list[str]:
        """Symbols of the ``*.csv`` entries (any case); names that break the symbol rule are left out."""
        adjs = [adjustment] if adjustment else list(ROOT_LAYOUT)
        found: set[str] = set()
        for adj in adjs:
            for folder in self.folders_for(adj):
                if folder.is_dir() and (self.is_root_layout or folder_adjustment(folder) == adj):
                    found.update(p.stem.upper() for p in folder.iterdir()
                                 if p.suffix.lower() == ".csv" and is_symbol(p.stem))
        return sorted(found)

    def stray_files(self, adjustment: str | None = None) -> list[Path]:
        """``*.csv`` entries whose name is not a valid symbol (reported by ``data check``)."""
        adjs = [adjustment] if adjustment else list(ROOT_LAYOUT)
        out = []
        for adj in adjs:
            for folder in self.folders_for(adj):
                if folder.is_dir() and (self.is_root_layout or folder_adjustment(folder) == adj):
                    out += [p for p in folder.iterdir() if p.suffix.lower() == ".csv" and not is_symbol(p.stem)]
        return sorted(set(out))

    def check(self, symbol: str, adjustment: str) -> Report:
        """Full validation report for one file (a file that cannot be read becomes one rejection)."""
        from thesis.data.csvfile import read_csv_bars
        from thesis.data.validate import REJECT, Problem, Report, validate_frame

        try:
            path = self.path_for(symbol, adjustment)
            parsed = read_csv_bars(path, symbol)
        except DataFileError as exc:
            return Report([Problem(symbol, exc.path, exc.line, None, "unreadable", REJECT, str(exc))])
        except BadInput as exc:
            return Report([Problem(symbol, str(self.folder_for(adjustment) / f"{symbol}.csv"), None, None,
                                   "unreadable", REJECT, str(exc))])
        _, report = validate_frame(parsed, symbol, str(path))
        return report

    def fetch(self, symbol: str, adjustment: str = AS_TRADED, start=None, end=None) -> pd.DataFrame:
        symbol = validate_symbol(symbol)
        key = (symbol, adjustment)
        bars = self._cache.get(key)
        if bars is None:
            path = self.path_for(symbol, adjustment)

            def parse() -> dict:
                from thesis.data.csvfile import LINE, read_csv_bars
                from thesis.data.validate import ensure_loadable, validate_frame

                parsed = read_csv_bars(path, symbol)
                frame, report = validate_frame(parsed, symbol, str(path))
                ensure_loadable(report, str(path), symbol)
                out = make_bars(frame.drop(columns=[LINE]).set_index("date"), symbol, f"csv:{path.parent}",
                                adjustment)
                out.attrs |= report.bar_attrs()
                return {"bars": out}

            # Validated bars cached in $THESIS_HOME/cache, keyed by the file's size and mtime and by
            # today's date (the session calendar the checks use ends a year after today): thesis.cache.
            from datetime import date

            from thesis.cache import cached_frames, files_fingerprint

            parts = {"file": files_fingerprint([path]), "symbol": symbol, "adjustment": adjustment,
                     "source": f"csv:{path.parent}", "today": date.today().isoformat()}
            bars = cached_frames("bars", parts, parse)["bars"]
            self._cache[key] = bars
        out = clip_dates(bars, start, end)
        out.attrs = dict(bars.attrs)
        return out


def _near(symbol: str, known: list[str]) -> str:
    """``; did you mean ...`` with the folder's nearest names (difflib), or nothing."""
    import difflib

    near = difflib.get_close_matches(symbol, known, n=3, cutoff=0.6)
    return f"; did you mean {', '.join(near)}?" if near else ""
