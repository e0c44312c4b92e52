"""Yahoo Finance through yfinance (online).

As-traded bars are Yahoo's split-adjusted OHLC; adjusted bars scale OHLC by
``Adj Close / Close`` (dividends and splits). Calls are retried with
exponential backoff; after the last try a ProviderUnavailable says so, and
callers fall back to what the store already holds.  After such an outage the
provider is not asked again (and nothing waits) for ``OUTAGE_MEMORY`` seconds:
a run that needs ten symbols offline waits once, not ten times
(``thesis.data.get_provider`` keeps one provider per process for this).
"""
from __future__ import annotations

import logging
import re
import time
from contextlib import contextmanager
from typing import Callable

import pandas as pd

from thesis.data.adapters.base import Provider, clip_dates
from thesis.data.model import ADJUSTED, make_bars
from thesis.data.symbols import validate_symbol
from thesis.data.validate import ensure_loadable, validate_frame
from thesis.errors import ProviderUnavailable, SymbolNotFound
from thesis.extras import require


# yfinance reports a dead network as "possibly delisted; no timezone found": its log
# lines say what really happened, so they decide between "unknown symbol" and "down".
NETWORK = re.compile(r"resolve host|Failed to perform|curl: \(|DNSError|timed? ?out|Connection|SSL|HTTP Error 5",
                     re.IGNORECASE)


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextmanager
def _captured_yfinance_log():
    """Collect yfinance's log lines instead of letting them reach the user's terminal."""
    logger = logging.getLogger("yfinance")
    handler, propagate = _Capture(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


#: seconds an outage is remembered: long enough for any one command, short enough that a
#: `thesis watch --every` loop or the dashboard asks again on a later pass
OUTAGE_MEMORY = 300.0


class Yahoo(Provider):
    name = "yahoo"

    def __init__(self, retries: int = 3, backoff: float = 1.0, timeout: float = 20.0,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        self.retries, self.backoff, self.timeout, self.sleep = retries, backoff, timeout, sleep
        self.clock = clock
        self.outage: tuple[float, str] | None = None     # (until, what happened) after the last try failed

    def _history(self, symbol: str, start, end) -> pd.DataFrame:
        """The one network call. Tests replace it with recorded responses."""
        yf = require("yfinance", "the yahoo source")

        end_excl = (pd.Timestamp(end) + pd.Timedelta(days=1)).date() if end is not None else None
        return yf.Ticker(symbol).history(start=start or "1990-01-01", end=end_excl, interval="1d",
                                         auto_adjust=False, actions=False, raise_errors=True,
                                         timeout=self.timeout)

    def _download(self, symbol: str, start, end) -> pd.DataFrame:
        yfe = require("yfinance.exceptions", "the yahoo source")

        missing = (yfe.YFTickerMissingError, yfe.YFPricesMissingError, yfe.YFTzMissingError)
        if self.outage is not None and self.clock() < self.outage[0]:
            raise ProviderUnavailable(f"{self.outage[1]}; {symbol} was not asked (no more waiting for Yahoo in "
                                      f"this run); data already in the store is still usable")
        last: Exception | None = None
        for attempt in range(self.retries):
            with _captured_yfinance_log() as log:
                try:
                    return self._history(symbol, start, end)
                except missing as exc:
                    network = [m for m in log if NETWORK.search(m)]
                    if not network:
                        raise SymbolNotFound(symbol, self.name, str(exc).strip()) from exc
                    last = ConnectionError(network[-1])
                except Exception as exc:  # network errors come from several libraries
                    last = exc
            if attempt + 1 < self.retries:
                self.sleep(self.backoff * 2 ** attempt)
        said = f"Yahoo Finance did not answer for {symbol} after {self.retries} tries ({type(last).__name__}: {last})"
        self.outage = (self.clock() + OUTAGE_MEMORY, said)
        raise ProviderUnavailable(f"{said}; data already in the store is still usable")

    def fetch(self, symbol: str, adjustment: str, start=None, end=None) -> pd.DataFrame:
        symbol = validate_symbol(symbol)
        raw = self._download(symbol, start, end)
        if raw is None or raw.empty:
            raise SymbolNotFound(symbol, self.name, "Yahoo returned no bars")
        raw = raw.rename(columns=str.lower)
        index = pd.DatetimeIndex(raw.index)
        if index.tz is not None:
            index = index.tz_localize(None)
        frame = pd.DataFrame({c: raw[c].to_numpy(dtype="float64") for c in ("open", "high", "low", "close", "volume")})
        if adjustment == ADJUSTED:
            factor = raw["adj close"].to_numpy(dtype="float64") / frame["close"].to_numpy()
            for c in ("open", "high", "low", "close"):
                frame[c] = frame[c].to_numpy() * factor
        frame.insert(0, "date", index.normalize())
        frame = frame.dropna(subset=["close"])  # Yahoo pads non-trading rows with NaN
        frame[["open", "high", "low", "close"]] = frame[["open", "high", "low", "close"]].round(6)
        where = f"yahoo:{symbol}"
        frame, report = validate_frame(frame, symbol, where)
        ensure_loadable(report, where, symbol)
        bars = make_bars(frame.set_index("date"), symbol, self.name, adjustment)
        bars.attrs["warnings"] = [p.text() for p in report.problems]
        bars.attrs["flagged"] = report.flagged
        out = clip_dates(bars, start, end)
        out.attrs = dict(bars.attrs)
        return out


