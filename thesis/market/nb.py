"""Numba kernels for single series used by thesis.market."""
from __future__ import annotations

import numpy as np
from thesis.jit import njit, twin


@njit(cache=True, nogil=True)
def rolling_ols_slope_nb(y, window):
    """Least-squares slope of y against 0..window-1 over each trailing window.

    NaN until ``window`` values are seen and for any window containing a NaN.
    Computed directly per window (O(T * window)), so no drift.
    """
    n = y.shape[0]
    out = np.full(n, np.nan)
    if window < 2:
        return out
    x_mean = (window - 1) / 2.0
    sxx = 0.0
    for k in range(window):
        sxx += (k - x_mean) ** 2
    for t in range(window - 1, n):
        s = 0.0
        ok = True
        for k in range(window):
            v = y[t - window + 1 + k]
            if np.isnan(v):
                ok = False
                break
            s += v
        if not ok:
            continue
        y_mean = s / window
        sxy = 0.0
        for k in range(window):
            sxy += (k - x_mean) * (y[t - window + 1 + k] - y_mean)
        out[t] = sxy / sxx
    return out


@njit(cache=True, nogil=True)
def rolling_percentile_nb(values, lookback):
    """Percent (0-100) of the last ``lookback`` values (today included) that are
    <= today's value. NaN until ``lookback`` present values; NaNs in the window
    are skipped but the window must hold at least ``lookback`` // 2 values."""
    n = values.shape[0]
    out = np.full(n, np.nan)
    for t in range(lookback - 1, n):
        x = values[t]
        if np.isnan(x):
            continue
        le = 0
        cnt = 0
        for k in range(t - lookback + 1, t + 1):
            v = values[k]
            if np.isnan(v):
                continue
            cnt += 1
            if v <= x:
                le += 1
        if cnt >= max(1, lookback // 2):
            out[t] = 100.0 * le / cnt
    return out


# numpy twins for one idea without numba (thesis.jit): the same operations in the same order per
# element, vectorised over the windows instead of looping over them in Python (8 s -> milliseconds).

def _windowed(values, window, smallest):
    """(the all-NaN output, the trailing windows as rows), or windows None when there are none."""
    from numpy.lib.stride_tricks import sliding_window_view

    values = np.asarray(values, dtype=np.float64)
    out = np.full(values.shape[0], np.nan)
    if window < smallest or values.shape[0] < window:
        return out, None
    return out, sliding_window_view(values, window)


@twin(rolling_ols_slope_nb)
def rolling_ols_slope_np(y, window):
    out, w = _windowed(y, window, 2)
    if w is None:
        return out
    x_mean = (window - 1) / 2.0
    sxx = 0.0
    for k in range(window):
        sxx += (k - x_mean) ** 2
    s = np.zeros(w.shape[0])
    for k in range(window):            # left to right, as the kernel adds
        s += w[:, k]
    y_mean = s / window
    sxy = np.zeros(w.shape[0])
    for k in range(window):
        sxy += (k - x_mean) * (w[:, k] - y_mean)
    slope = sxy / sxx
    slope[np.isnan(w).any(axis=1)] = np.nan
    out[window - 1:] = slope
    return out


@twin(rolling_percentile_nb)
def rolling_percentile_np(values, lookback):
    out, w = _windowed(values, lookback, 1)
    if w is None:
        return out
    x = w[:, -1]
    le = (w <= x[:, None]).sum(axis=1)
    cnt = (~np.isnan(w)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = 100.0 * le / cnt
    pct[(cnt < max(1, lookback // 2)) | np.isnan(x)] = np.nan
    out[lookback - 1:] = pct
    return out
