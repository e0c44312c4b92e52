"""Cross-asset trend states, VIX and realised volatility.

Proxies (funds, since yields and commodities are not in the data as such):
dollar = UUP, long yields = TLT inverted (TLT down = yields up), oil = USO,
credit = HYG. Trend states use price *levels*, so as-traded bars are preferred;
UUP and HYG exist only as adjusted (total-return) bars in the shared data and
fall back to those (the result names the adjustment used). Realised volatility
uses returns, so adjusted bars are preferred.

Trend rule (``trend_state``): with SMA = 50-session simple average of closes,
    up    close > SMA and SMA > SMA 10 sessions earlier
    down  close < SMA and SMA < SMA 10 sessions earlier
    flat  anything else (including a missing SMA)
For an inverted proxy the state is mirrored (up <-> down).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from thesis.data.model import ADJUSTED, AS_TRADED
from thesis.errors import BadInput
from thesis.market import nb
from thesis.market.proxies import MIRROR, PROXIES, Proxy  # noqa: F401  (there: no numpy, for thesis check)
from thesis.jsonable import number

TREND_WINDOW = 50
SLOPE_LOOKBACK = 10
VIX_LOOKBACK = 252
VIX_CHANGE = 20
VOL_WINDOW = 20


def trend_state(close: pd.Series, window: int = TREND_WINDOW, slope_lookback: int = SLOPE_LOOKBACK) -> pd.DataFrame:
    """Columns close, sma, sma_change_pct (over ``slope_lookback``), state."""
    if window < 2 or slope_lookback < 1:
        raise BadInput(f"trend window must be >= 2 and slope lookback >= 1, got {window}, {slope_lookback}")
    close = close.dropna().astype("float64")
    sma = close.rolling(window).mean()
    prev = sma.shift(slope_lookback)
    up = (close > sma) & (sma > prev)
    down = (close < sma) & (sma < prev)
    state = np.where(up, "up", np.where(down, "down", "flat"))
    return pd.DataFrame({"close": close, "sma": sma, "sma_change_pct": 100.0 * (sma / prev - 1.0), "state": state},
                        index=close.index)


def asset_state(close: pd.Series, asof, inverted: bool = False) -> dict:
    """Trend state on the last session on or before ``asof`` (mirrored if inverted)."""
    t = trend_state(close.loc[: pd.Timestamp(asof)])
    if t.empty:
        return {"date": None, "state": "n/a", "close": None}
    row = t.iloc[-1]
    state = str(row["state"])
    return {"date": t.index[-1].date().isoformat(), "close": number(row["close"]), "sma50": number(row["sma"]),
            "sma50_change_pct": number(row["sma_change_pct"]), "fund_state": state,
            "state": MIRROR[state] if inverted else state}


def vix_state(vix_close: pd.Series, asof, lookback: int = VIX_LOOKBACK, change: int = VIX_CHANGE) -> dict:
    """VIX level, its percentile over ``lookback`` sessions (percent of closes <=
    today's, today included), and the change over ``change`` sessions."""
    v = vix_close.loc[: pd.Timestamp(asof)].dropna().astype("float64")
    if v.empty:
        return {"date": None, "level": None}
    pct = nb.rolling_percentile_nb(v.to_numpy()[-lookback:], min(lookback, len(v)))[-1]
    prev = v.iloc[-1 - change] if len(v) > change else np.nan
    return {"date": v.index[-1].date().isoformat(), "level": number(v.iloc[-1]), "percentile": number(pct),
            "lookback": lookback, "change_points": number(v.iloc[-1] - prev),
            "change_pct": number(100.0 * (v.iloc[-1] / prev - 1.0)), "change_sessions": change}


def realized_vol_pct(close: pd.Series, window: int = VOL_WINDOW, periods_per_year: int = 252) -> pd.Series:
    """Annualised realised volatility in PERCENT, as a rolling series: sample standard deviation
    of daily log returns over ``window`` sessions times sqrt(periods_per_year) times 100.
    (``thesis.options.vol.realized_vol`` is the options' figure: one DECIMAL value, 0.20.)"""
    if window < 2:
        raise BadInput(f"volatility window must be >= 2, got {window}")
    r = np.log(close.dropna().astype("float64")).diff()
    return (r.rolling(window).std(ddof=1) * np.sqrt(periods_per_year) * 100.0).rename(f"rv{window}")


def cross_asset_snapshot(ctx, asof) -> dict:
    """Trend state of every proxy as of ``asof``; ``ctx`` is a MarketContext."""
    out: dict[str, dict[str, Any]] = {}
    for name, proxy in PROXIES.items():
        try:
            bars = ctx.bars_prefer(proxy.symbol, AS_TRADED)
        except BadInput as exc:
            out[name] = {"symbol": proxy.symbol, "state": "n/a", "error": str(exc)}
            continue
        state = asset_state(bars["close"], asof, proxy.inverted)
        rv = realized_vol_pct(ctx.bars_prefer(proxy.symbol, ADJUSTED)["close"].loc[: pd.Timestamp(asof)])
        out[name] = {"symbol": proxy.symbol, "what": proxy.what, "adjustment": bars.attrs.get("adjustment"),
                     "inverted": proxy.inverted, **state, "realized_vol_20": number(rv.iloc[-1]) if len(rv) else None}
    return out
