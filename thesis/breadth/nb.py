"""Numba kernels for breadth over a dates x symbols matrix (rows = sessions).

Every kernel takes float64 arrays where NaN means "no bar for this member on
this session" and returns per-session counts. A member is counted on a
session only when every value its rule needs is present (see each kernel);
members without enough history are left out of that session's count instead
of being treated as "below" or "declining".

Kernels walk each column top to bottom, so pass Fortran-ordered arrays
(``np.asfortranarray``) for contiguous reads; any layout gives the same result.
"""
from __future__ import annotations

import numpy as np
from thesis.jit import njit

# Ties: a close within this relative distance of its SMA is "not above". This
# keeps a flat price from flipping on the last bit of a floating-point sum.
TIE_TOLERANCE = 1e-10


@njit(cache=True, nogil=True)
def pct_above_sma_nb(close, window, tol):
    """Members whose close is above their own ``window``-session SMA.

    A member counts on session t when its closes t-window+1..t are all present
    (no NaN); it is "above" when close[t] > sma[t] * (1 + tol). The SMA is a
    running sum with Neumaier compensation, so it matches a direct mean to
    ~1e-15 relative. Returns (above, counted) as int64 arrays of length T.
    """
    n_rows, n_cols = close.shape
    above = np.zeros(n_rows, dtype=np.int64)
    counted = np.zeros(n_rows, dtype=np.int64)
    for j in range(n_cols):
        total = 0.0
        comp = 0.0
        run = 0  # consecutive present values ending at t
        for t in range(n_rows):
            x = close[t, j]
            if np.isnan(x):
                run = 0
                total = 0.0
                comp = 0.0
                continue
            run += 1
            # add x (Neumaier)
            s = total + x
            if abs(total) >= abs(x):
                comp += (total - s) + x
            else:
                comp += (x - s) + total
            total = s
            if run > window:
                y = -close[t - window, j]
                s = total + y
                if abs(total) >= abs(y):
                    comp += (total - s) + y
                else:
                    comp += (y - s) + total
                total = s
            if run >= window:
                sma = (total + comp) / window
                counted[t] += 1
                if x > sma * (1.0 + tol):
                    above[t] += 1
    return above, counted


@njit(cache=True, nogil=True)
def daily_changes_nb(close):
    """Advances, declines, unchanged and the equal-weight mean return per session.

    A member counts on session t when close[t-1] and close[t] are both present
    (the previous *row* of the matrix, i.e. the previous session of the
    universe). Advance: close[t] > close[t-1]; decline: <; unchanged: ==.
    mean_return[t] is the plain average of close[t]/close[t-1]-1 over the
    counted members (NaN when none). Row 0 has no previous session: all zero.
    Returns (advances, declines, unchanged, mean_return).
    """
    n_rows, n_cols = close.shape
    adv = np.zeros(n_rows, dtype=np.int64)
    dec = np.zeros(n_rows, dtype=np.int64)
    unch = np.zeros(n_rows, dtype=np.int64)
    ret_sum = np.zeros(n_rows)
    for j in range(n_cols):
        for t in range(1, n_rows):
            p = close[t - 1, j]
            x = close[t, j]
            if np.isnan(p) or np.isnan(x):
                continue
            if x > p:
                adv[t] += 1
            elif x < p:
                dec[t] += 1
            else:
                unch[t] += 1
            ret_sum[t] += x / p - 1.0
    mean_ret = np.full(n_rows, np.nan)
    for t in range(n_rows):
        n = adv[t] + dec[t] + unch[t]
        if n > 0:
            mean_ret[t] = ret_sum[t] / n
    return adv, dec, unch, mean_ret


@njit(cache=True, nogil=True)
def new_highs_lows_nb(high, low, window):
    """New ``window``-session highs and lows per session.

    A member counts on session t when its high and low are present on each of
    sessions t-window+1..t. New high: high[t] > max(high[t-window+1..t-1])
    (strictly above every prior high in the window); new low: low[t] <
    min(low[t-window+1..t-1]). Monotonic deques make it O(T) per member.
    Returns (new_highs, new_lows, counted).
    """
    n_rows, n_cols = high.shape
    new_hi = np.zeros(n_rows, dtype=np.int64)
    new_lo = np.zeros(n_rows, dtype=np.int64)
    counted = np.zeros(n_rows, dtype=np.int64)
    dq_hi = np.empty(n_rows, dtype=np.int64)
    dq_lo = np.empty(n_rows, dtype=np.int64)
    for j in range(n_cols):
        h0 = 0
        h1 = 0  # deque of indices into dq_hi[h0:h1], highs decreasing
        l0 = 0
        l1 = 0
        run = 0
        for t in range(n_rows):
            h = high[t, j]
            lo = low[t, j]
            if np.isnan(h) or np.isnan(lo):
                run = 0
                h0 = h1 = l0 = l1 = 0
                continue
            run += 1
            # drop indices that left the prior window t-window+1..t-1
            while h1 > h0 and dq_hi[h0] <= t - window:
                h0 += 1
            while l1 > l0 and dq_lo[l0] <= t - window:
                l0 += 1
            if run >= window:
                counted[t] += 1
                if h > high[dq_hi[h0], j]:
                    new_hi[t] += 1
                if lo < low[dq_lo[l0], j]:
                    new_lo[t] += 1
            while h1 > h0 and high[dq_hi[h1 - 1], j] <= h:
                h1 -= 1
            dq_hi[h1] = t
            h1 += 1
            while l1 > l0 and low[dq_lo[l1 - 1], j] >= lo:
                l1 -= 1
            dq_lo[l1] = t
            l1 += 1
    return new_hi, new_lo, counted


@njit(cache=True, nogil=True)
def ema_nb(values, span):
    """Exponential moving average with alpha = 2 / (span + 1).

    Seeded with the first present value (pandas ``ewm(span, adjust=False)``);
    a NaN input leaves the average unchanged and yields NaN for that session
    only before the seed.
    """
    alpha = 2.0 / (span + 1.0)
    out = np.full(values.shape[0], np.nan)
    prev = np.nan
    for t in range(values.shape[0]):
        x = values[t]
        if np.isnan(x):
            out[t] = prev
            continue
        if np.isnan(prev):
            prev = x
        else:
            prev = prev + alpha * (x - prev)
        out[t] = prev
    return out


@njit(cache=True, nogil=True)
def thrust_nb(ema, low, high, within):
    """Zweig-style thrust: True on session t when ema[t] > high, ema[t-1] <= high,
    and ema[s] < low for some s with t - within <= s < t (the rise from below
    ``low`` to above ``high`` took at most ``within`` sessions)."""
    n = ema.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    last_below = -1_000_000
    for t in range(n):
        x = ema[t]
        if t > 0 and x > high and ema[t - 1] <= high and t - last_below <= within:
            out[t] = True
        if x < low:
            last_below = t
    return out


@njit(cache=True, nogil=True)
def rolling_max_nb(values, window):
    """Trailing max over ``window`` present values (NaN until window values seen;
    a NaN input restarts the window)."""
    n = values.shape[0]
    out = np.full(n, np.nan)
    dq = np.empty(n, dtype=np.int64)
    a = 0
    b = 0
    run = 0
    for t in range(n):
        x = values[t]
        if np.isnan(x):
            a = b = 0
            run = 0
            continue
        run += 1
        while b > a and dq[a] <= t - window:
            a += 1
        while b > a and values[dq[b - 1]] <= x:
            b -= 1
        dq[b] = t
        b += 1
        if run >= window:
            out[t] = values[dq[a]]
    return out
