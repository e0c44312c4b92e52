"""MarketContext: lazy, cached access to everything the market tools read.

Nothing is loaded until asked for; every load is kept for the context's life,
so evaluating many confirmations over many dates reads each file once.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from thesis.breadth import BreadthParams, Universe, compute_breadth, load_breadth_universe
from thesis.data.model import ADJUSTED, AS_TRADED
from thesis.errors import BadInput, SymbolNotFound
from thesis.jsonable import number

INDEX_SYMBOL = "GSPC"   # price level for "index near its high" (no dividends in an index)
FUND_SYMBOL = "SPY"     # cap-weighted returns (adjusted) for equal- vs cap-weight
VIX_SYMBOL = "VIX"


class MarketContext:
    """``source``: bar source for load_bars (None = default, $THESIS_DATA);
    ``universe``: breadth universe folder (None = $THESIS_DATA/sp500-constituents)
    or a ready ``Universe`` (e.g. built in code with ``universe_from_frames``);
    ``survivorship``: override the universe's survivorship detection."""

    def __init__(self, source: str | None = None, universe: str | Universe | None = None,
                 index_symbol: str = INDEX_SYMBOL, fund_symbol: str = FUND_SYMBOL, survivorship: bool | None = None):
        self.source, self.universe_source = source, universe
        self.index_symbol, self.fund_symbol = index_symbol.upper(), fund_symbol.upper()
        self.survivorship = survivorship
        self._bars: dict[tuple[str, str], pd.DataFrame | Exception] = {}
        self._breadth: dict[tuple, pd.DataFrame] = {}
        self._regime: dict[tuple, pd.DataFrame] = {}

    # --- bars -------------------------------------------------------------
    def bars(self, symbol: str, adjustment: str) -> pd.DataFrame:
        """Daily bars (cached); raises SymbolNotFound like load_bars."""
        from thesis.data import load_bars

        key = (symbol.upper(), adjustment)
        if key not in self._bars:
            try:
                self._bars[key] = load_bars(key[0], adjustment=adjustment, source=self.source)
            except SymbolNotFound as exc:
                self._bars[key] = exc
        got = self._bars[key]
        if isinstance(got, Exception):
            raise got
        return got

    def bars_prefer(self, symbol: str, prefer: str) -> pd.DataFrame:
        """Bars in the preferred adjustment, else the other one (attrs say which)."""
        other = ADJUSTED if prefer == AS_TRADED else AS_TRADED
        try:
            return self.bars(symbol, prefer)
        except SymbolNotFound:
            try:
                return self.bars(symbol, other)
            except SymbolNotFound as exc:
                raise SymbolNotFound(symbol.upper(), exc.source, "found neither as-traded nor adjusted bars") from exc

    def close(self, symbol: str, prefer: str = AS_TRADED) -> pd.Series:
        bars = self.bars_prefer(symbol, prefer)
        return bars["close"].rename(symbol.upper())

    # --- breadth ----------------------------------------------------------
    def breadth(self, universe: str | None = None, params: BreadthParams | None = None) -> pd.DataFrame:
        """compute_breadth for a universe (default: the context's), cached per params."""
        source = universe or self.universe_source
        params = params or BreadthParams()
        key = (id(source) if isinstance(source, Universe) else source, params)
        if key not in self._breadth:
            parts = None if isinstance(source, Universe) else self._breadth_cache_parts(source, params)
            if parts is None:
                self._breadth[key] = self._compute_breadth(source, params)
            else:
                # Cached in $THESIS_HOME/cache, keyed by the universe's and the index/fund files'
                # sizes and mtimes (thesis.cache): a second `thesis market` parses no CSV.
                from dataclasses import asdict

                from thesis.cache import cached_frames

                frame = cached_frames("breadth", parts,
                                      lambda: {"breadth": self._compute_breadth(source, params)})["breadth"]
                frame.attrs["params"] = asdict(params)
                self._breadth[key] = frame
        return self._breadth[key]

    def _compute_breadth(self, source, params: BreadthParams) -> pd.DataFrame:
        uni = source if isinstance(source, Universe) else load_breadth_universe(source, survivorship=self.survivorship)
        index = self._optional_close(self.index_symbol, AS_TRADED)
        fund = self._optional_close(self.fund_symbol, ADJUSTED)
        return compute_breadth(uni, index, fund, params)

    def _breadth_cache_parts(self, source, params: BreadthParams) -> dict | None:
        """Everything the breadth frame depends on (thesis.cache key); None when a part cannot be
        fingerprinted by files (a store or symbols: universe, a non-CSV bar source)."""
        from thesis.breadth.universe import normalise_source
        from thesis.cache import files_fingerprint, folder_fingerprint
        from thesis.data import CsvFolder, get_provider

        norm = normalise_source(source)
        provider = get_provider(self.source)
        if not norm.startswith("csv:") or not isinstance(provider, CsvFolder):
            return None
        paths: list[Path | str] = []
        for symbol in (self.index_symbol, self.fund_symbol):
            for adjustment in (AS_TRADED, ADJUSTED):
                try:
                    paths.append(provider.path_for(symbol, adjustment))
                except BadInput:
                    paths.append(f"{symbol} {adjustment}: none")
        return {"universe": folder_fingerprint(norm[4:]), "survivorship": self.survivorship, "params": repr(params),
                "symbols": [self.index_symbol, self.fund_symbol], "bars": files_fingerprint(paths)}

    def _optional_close(self, symbol: str, prefer: str) -> pd.Series | None:
        try:
            return self.close(symbol, prefer)
        except BadInput:
            return None

    # --- regime -----------------------------------------------------------
    def regime(self, symbol: str, timeframe: str, date) -> dict:
        """As-of regime of a symbol (as-traded bars) on the session on or before ``date``.

        Uses ``regime_history`` (all sessions at once, cached per symbol and
        timeframe); same values as ``regime_asof`` for that session."""
        from thesis.market.regime import SETTINGS, regime_history

        key = (symbol.upper(), timeframe)
        if key not in self._regime:
            self._regime[key] = regime_history(self.bars_prefer(symbol, AS_TRADED), timeframe)
        hist = self._regime[key]
        s = session_on_or_before(hist.index, date)
        if s is None:
            return {"timeframe": timeframe, "label": "n/a", "date": None, "score": 0, "stack": 0, "slope": 0,
                    "structure": 0}
        row = hist.loc[s]
        st = SETTINGS[timeframe]
        if any(pd.isna(row[k]) for k in ("score", "stack", "slope", "structure")):
            # Too little history for the averages: say so instead of guessing a trend.
            return {"timeframe": timeframe, "label": "n/a", "date": s.date().isoformat(), "score": 0, "stack": 0,
                    "slope": 0, "structure": 0}
        return {"timeframe": timeframe, "date": s.date().isoformat(), "label": str(row["label"]),
                "score": int(row["score"]), "stack": int(row["stack"]), "slope": int(row["slope"]),
                "structure": int(row["structure"]), "close": float(row["close"]),
                f"sma{st.fast}": number(row["fast"]), f"sma{st.slow}": number(row["slow"]),
                "partial": bool(row["partial"])}


def session_on_or_before(index: pd.DatetimeIndex, date) -> pd.Timestamp | None:
    """The last date in ``index`` that is <= ``date`` (None if there is none)."""
    pos = index.searchsorted(pd.Timestamp(date), side="right") - 1
    return None if pos < 0 else index[pos]
