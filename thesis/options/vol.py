"""Where the volatility comes from: an explicit number, a VIX proxy or realised volatility.

Rules (all on daily closes up to and including the as-of date, no look-ahead):
- realised vol over N sessions = standard deviation (ddof=1) of the last N close-to-close
  log returns x sqrt(252).
- ``"realized"`` = the mean of the 20-session and the 60-session realised vol.
- ``"vix"`` = VIX close / 100 on the as-of date (the last close on or before it) x scale,
  where scale = realised vol of the symbol / realised vol of the S&P 500 (GSPC, else SPY),
  both over 120 sessions (about six months), clipped to [0.5, 3.0]. The VIX measures
  S&P 500 implied vol; the scale carries it over to another ETF. For SPY/GSPC it is ~1.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from thesis.errors import BadInput, SymbolNotFound

TRADING_DAYS = 252
REALIZED_WINDOWS = (20, 60)
VIX_SCALE_WINDOW = 120
VIX_SCALE_BOUNDS = (0.5, 3.0)
VIX_REFERENCES = ("GSPC", "SPY")
MAX_STALE_DAYS = 7
SOURCES = ("explicit", "vix", "realized")


@dataclass
class VolChoice:
    iv: float
    source: str          # "explicit", "vix" or "realized"
    rule: str            # one sentence saying how iv was made
    detail: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def load_vol_bars(symbol: str, source: str | None) -> pd.DataFrame:
    from thesis.data import load_bars

    return load_bars(symbol, source=source)


def _closes_until(frame: pd.DataFrame, asof, name: str) -> pd.Series:
    closes = frame["close"].dropna()
    closes = closes[closes.index <= pd.Timestamp(asof)]
    if closes.empty:
        raise BadInput(f"{name}: no closes on or before {pd.Timestamp(asof).date()}")
    return closes


def realized_vol(closes: pd.Series, window: int, asof=None) -> float:
    """Annualised realised vol of the last ``window`` log returns up to ``asof``, as a DECIMAL
    (0.20 = 20 %; ``thesis.market.cross_asset.realized_vol_pct`` is the market report's percent series)."""
    s = closes.dropna()
    if asof is not None:
        s = s[s.index <= pd.Timestamp(asof)]
    rets = np.diff(np.log(s.to_numpy(dtype=float)))[-window:]
    if len(rets) < window:
        raise BadInput(f"realised vol needs {window + 1} closes up to {asof}, found {len(s)}")
    return float(np.std(rets, ddof=1) * math.sqrt(TRADING_DAYS))


def rolling_realized(closes: pd.Series, windows=REALIZED_WINDOWS) -> pd.Series:
    """Per date: the mean of the realised vols over ``windows`` sessions (NaN while short)."""
    rets = np.log(closes.dropna()).diff()
    parts = [rets.rolling(w, min_periods=w).std(ddof=1) * math.sqrt(TRADING_DAYS) for w in windows]
    return sum(parts) / len(parts)


def vix_scale(bars: pd.DataFrame, index_bars: pd.DataFrame, asof) -> tuple[float, float, float]:
    """(scale, symbol vol, index vol) for the VIX proxy, see the module rule."""
    rv_sym = realized_vol(bars["close"], VIX_SCALE_WINDOW, asof)
    rv_idx = realized_vol(index_bars["close"], VIX_SCALE_WINDOW, asof)
    scale = float(np.clip(rv_sym / rv_idx, *VIX_SCALE_BOUNDS))
    return scale, rv_sym, rv_idx


def vix_close(vix_bars: pd.DataFrame, asof) -> tuple[float, dt.date]:
    closes = _closes_until(vix_bars, asof, "VIX")
    day = closes.index[-1].date()
    if (pd.Timestamp(asof).date() - day).days > MAX_STALE_DAYS:
        raise BadInput(f"VIX: last close before {pd.Timestamp(asof).date()} is {day}, too old")
    return float(closes.iloc[-1]), day


def load_index_bars(source: str | None) -> pd.DataFrame:
    for sym in VIX_REFERENCES:
        try:
            return load_vol_bars(sym, source)
        except SymbolNotFound:
            continue
    raise BadInput(f"the VIX proxy needs S&P 500 bars ({' or '.join(VIX_REFERENCES)}) in the data source")


def choose_vol(iv: float | None = None, iv_source: str | None = None, asof=None,
               symbol: str | None = None, bars: pd.DataFrame | None = None,
               vix_bars: pd.DataFrame | None = None, index_bars: pd.DataFrame | None = None,
               source: str | None = None) -> VolChoice:
    """Pick the volatility: explicit ``iv`` wins; else ``iv_source`` "vix" or "realized".

    Bars not given are loaded with thesis.data.load_bars(symbol / "VIX" / "GSPC", source).
    """
    if iv is not None and iv_source not in (None, "explicit"):
        raise BadInput("give either iv or iv_source, not both")
    if iv is not None:
        if not (math.isfinite(iv) and iv > 0):
            raise BadInput(f"iv must be > 0 (0.20 means 20 %), got {iv!r}")
        return VolChoice(float(iv), "explicit", f"explicit implied vol {iv:.4f}", {})
    if iv_source not in ("vix", "realized"):
        raise BadInput(f"iv_source must be 'vix' or 'realized' (or give iv), got {iv_source!r}")
    if asof is None:
        raise BadInput(f"iv_source {iv_source!r} needs an as-of date")
    if bars is None:
        if not symbol:
            raise BadInput(f"iv_source {iv_source!r} needs a symbol (or bars)")
        bars = load_vol_bars(symbol, source)
    sym = symbol or bars.attrs.get("symbol", "?")
    day = pd.Timestamp(asof).date()
    if iv_source == "realized":
        vols = {w: realized_vol(bars["close"], w, day) for w in REALIZED_WINDOWS}
        value = float(np.mean(list(vols.values())))
        return VolChoice(value, "realized",
                         f"mean of 20- and 60-session realised vol of {sym} up to {day}",
                         {f"rv{w}": v for w, v in vols.items()})
    vix_bars = vix_bars if vix_bars is not None else load_vol_bars("VIX", source)
    index_bars = index_bars if index_bars is not None else load_index_bars(source)
    level, vix_day = vix_close(vix_bars, day)
    scale, rv_sym, rv_idx = vix_scale(bars, index_bars, day)
    return VolChoice(level / 100 * scale, "vix",
                     f"VIX close {level:.2f} on {vix_day} / 100 x scale {scale:.3f} "
                     f"(120-session realised vol {sym} {rv_sym:.4f} / S&P 500 {rv_idx:.4f}, clipped to [0.5, 3])",
                     {"vix": level, "vix_date": vix_day.isoformat(), "scale": scale,
                      "rv_symbol": rv_sym, "rv_index": rv_idx,
                      "index": index_bars.attrs.get("symbol", "S&P 500")})


def vol_path(choice: VolChoice, dates: pd.DatetimeIndex, bars: pd.DataFrame,
             vix_bars: pd.DataFrame | None = None) -> pd.Series:
    """The chosen source's vol on each date (explicit: constant; vix: that day's VIX x the
    scale fixed at the choice date; realized: that day's 20/60-session mean)."""
    if choice.source == "explicit":
        return pd.Series(choice.iv, index=dates)
    if choice.source == "realized":
        series = rolling_realized(bars["close"])
    else:
        if vix_bars is None:
            raise BadInput("the VIX proxy path needs VIX bars")
        series = vix_bars["close"].dropna() / 100 * choice.detail["scale"]
    out = series.reindex(series.index.union(dates)).ffill().reindex(dates)
    if out.isna().any():
        missing = out.index[out.isna()][0].date()
        raise BadInput(f"no {choice.source} volatility available on {missing}")
    return out
