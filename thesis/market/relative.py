"""Relative strength of one symbol against another.

Inputs are close Series indexed by session date. Use total-return (adjusted)
closes where the data has them: a ratio of as-traded prices drifts with the
dividend gap between the two funds.

Rules:
- ratio = close_a / close_b on the sessions both have.
- trend: least-squares slope of ln(ratio) over the last ``window`` (50) sessions,
  reported as percent per session and over the window (slope * window * 100).
  "stronger" when that slope > 0 and the ratio is above its ``window`` SMA,
  "weaker" when slope < 0 and ratio below the SMA, else "mixed".
- percentile: percent of the last ``lookback`` (252) ratio values <= today's.
- beta/correlation: of daily log returns over ``beta_window`` (60) sessions;
  beta = cov(a, b) / var(b).
- performance: simple return from the last close on or before the period's
  start date to the as-of close. 1W/1M/3M/1Y are calendar offsets (7 days,
  1/3/12 months) from the as-of session; YTD starts at the last close of the
  previous year; "since" at a given date.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from thesis.errors import BadInput
from thesis.market import nb
from thesis.jsonable import number

TREND_WINDOW = 50
PERCENTILE_LOOKBACK = 252
BETA_WINDOW = 60
PERIODS = {"1W": pd.DateOffset(days=7), "1M": pd.DateOffset(months=1), "3M": pd.DateOffset(months=3),
           "1Y": pd.DateOffset(years=1)}


def ratio_series(close_a: pd.Series, close_b: pd.Series) -> pd.Series:
    """close_a / close_b on their common sessions, named "A/B"."""
    a, b = close_a.dropna().align(close_b.dropna(), join="inner")
    if a.empty:
        raise BadInput(f"{close_a.name} and {close_b.name} have no session in common")
    return (a / b).rename(f"{close_a.name}/{close_b.name}")


def ratio_trend(ratio: pd.Series, window: int = TREND_WINDOW, lookback: int = PERCENTILE_LOOKBACK) -> pd.DataFrame:
    """Columns: ratio, sma, slope_pct (per session), slope_window_pct, percentile, trend."""
    if window < 2 or lookback < 2:
        raise BadInput(f"window and lookback must be >= 2, got {window} and {lookback}")
    values = ratio.to_numpy(dtype="float64")
    slope = nb.rolling_ols_slope_nb(np.log(values), int(window)) * 100.0
    sma = ratio.rolling(window).mean()
    pct = nb.rolling_percentile_nb(values, int(lookback))
    trend = np.where((slope > 0) & (values > sma), "stronger",
                     np.where((slope < 0) & (values < sma), "weaker", "mixed"))
    trend = np.where(np.isnan(slope) | sma.isna().to_numpy(), "n/a", trend)
    return pd.DataFrame({"ratio": values, "sma": sma, "slope_pct": slope, "slope_window_pct": slope * window,
                         "percentile": pct, "trend": trend}, index=ratio.index)


def rolling_beta_corr(close_a: pd.Series, close_b: pd.Series, window: int = BETA_WINDOW) -> pd.DataFrame:
    """Rolling beta of a on b and their correlation, from daily log returns."""
    a, b = close_a.dropna().align(close_b.dropna(), join="inner")
    ra, rb = np.log(a).diff(), np.log(b).diff()
    cov = ra.rolling(window).cov(rb)
    beta = cov / rb.rolling(window).var()
    corr = ra.rolling(window).corr(rb)
    return pd.DataFrame({"beta": beta, "corr": corr}, index=a.index)


def _close_on_or_before(close: pd.Series, when: pd.Timestamp) -> tuple[pd.Timestamp, float] | None:
    part = close.loc[:when].dropna()
    if part.empty:
        return None
    return part.index[-1], float(part.iloc[-1])


def period_starts(asof: pd.Timestamp, since=None) -> dict[str, pd.Timestamp]:
    """Start date of each performance column for an as-of session."""
    starts = {k: asof - off for k, off in PERIODS.items()}
    starts["YTD"] = pd.Timestamp(year=asof.year - 1, month=12, day=31)
    if since is not None:
        starts["since"] = pd.Timestamp(since)
    order = ["1W", "1M", "3M", "YTD", "1Y"] + (["since"] if since is not None else [])
    return {k: starts[k] for k in order}


def performance_table(closes: dict[str, pd.Series], asof, since=None) -> pd.DataFrame:
    """Percent returns per symbol (rows) and period (columns) to the as-of close.

    Each symbol uses its own last close on or before ``asof``; a period whose
    start precedes the symbol's first bar is NaN.
    """
    asof = pd.Timestamp(asof)
    rows = {}
    for sym, close in closes.items():
        end = _close_on_or_before(close, asof)
        row: dict[str, float] = {}
        if end is None:
            rows[sym] = row
            continue
        for col, start in period_starts(end[0], since).items():
            begin = _close_on_or_before(close, start)
            row[col] = np.nan if begin is None else 100.0 * (end[1] / begin[1] - 1.0)
        rows[sym] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def relative_strength(close_a: pd.Series, close_b: pd.Series, asof, window: int = TREND_WINDOW,
                      lookback: int = PERCENTILE_LOOKBACK, beta_window: int = BETA_WINDOW) -> dict:
    """One pair's state on the last common session on or before ``asof``."""
    asof = pd.Timestamp(asof)
    a, b = close_a.loc[:asof], close_b.loc[:asof]
    ratio = ratio_series(a, b)
    tr = ratio_trend(ratio, window, lookback).iloc[-1]
    bc = rolling_beta_corr(a, b, beta_window).iloc[-1]
    perf = performance_table({"a": a, "b": b}, ratio.index[-1])
    rel = {k: number(perf.loc["a", k] - perf.loc["b", k]) for k in perf.columns}
    return {"pair": ratio.name, "symbol": close_a.name, "versus": close_b.name,
            "date": ratio.index[-1].date().isoformat(), "ratio": number(tr["ratio"]),
            "slope_pct_per_session": number(tr["slope_pct"]), "slope_window_pct": number(tr["slope_window_pct"]),
            "above_sma": bool(tr["ratio"] > tr["sma"]) if pd.notna(tr["sma"]) else None,
            "percentile": number(tr["percentile"]), "trend": str(tr["trend"]), "window": window,
            "beta": number(bc["beta"]), "corr": number(bc["corr"]), "relative_return_pct": rel}
