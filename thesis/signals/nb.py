"""Numba kernels for the price-action triggers (arrays in, arrays out).

Conventions shared by every kernel:

- Inputs are 1-D float64 arrays of equal length, oldest bar first.
- ``short`` is a bool: True for the bearish/resistance rule, False for the
  bullish/support mirror.
- Causal: ``out[t]`` reads bars ``0..t`` only, so truncating the arrays after
  ``t`` never changes ``out[:t+1]``.
- NaN anywhere a rule needs a value makes the comparison False: no event.
- Missing open (NaN at bar ``t``): the *effective open* is the previous close
  clipped into the bar's range ``[low[t], high[t]]`` (see ``effective_open``);
  on bar 0 there is no previous close, so the effective open stays NaN.
"""
from __future__ import annotations

import numpy as np
from thesis.jit import njit


@njit(cache=True, nogil=True)
def effective_open(open_, high, low, close, t):
    """open[t] when finite, else close[t-1] clipped into [low[t], high[t]], else NaN."""
    o = open_[t]
    if np.isfinite(o):
        return o
    if t == 0:
        return np.nan
    p = close[t - 1]
    if not np.isfinite(p):
        return np.nan
    if p > high[t]:
        return high[t]
    if p < low[t]:
        return low[t]
    return p


@njit(cache=True, nogil=True)
def outside_bar_nb(open_, high, low, close, short):
    """Outside bar: high[t] > high[t-1] and low[t] < low[t-1] (t >= 1), plus the close:

    short (bearish): close[t] < effective open (open, or previous close when open is NaN);
    long (bullish): close[t] > effective open.
    """
    n = close.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    for t in range(1, n):
        if not (high[t] > high[t - 1] and low[t] < low[t - 1]):
            continue
        o = effective_open(open_, high, low, close, t)
        out[t] = close[t] < o if short else close[t] > o
    return out


@njit(cache=True, nogil=True)
def zone_rejection_nb(high, low, close, lo, hi, short):
    """Zone rejection.

    short (resistance): high[t] >= lo and close[t] < lo (traded into the zone, closed below it);
    long (support): low[t] <= hi and close[t] > hi (traded into the zone, closed above it).
    """
    n = close.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    for t in range(n):
        if short:
            out[t] = high[t] >= lo and close[t] < lo
        else:
            out[t] = low[t] <= hi and close[t] > hi
    return out


@njit(cache=True, nogil=True)
def outside_bar_rejection_nb(open_, high, low, close, lo, hi, short):
    """Outside-bar rejection = outside bar (with its close rule) AND zone rejection on the same bar.

    short: high[t] > high[t-1], low[t] < low[t-1], high[t] >= lo, close[t] < lo,
           close[t] < effective open;
    long:  high[t] > high[t-1], low[t] < low[t-1], low[t] <= hi, close[t] > hi,
           close[t] > effective open.
    """
    ob = outside_bar_nb(open_, high, low, close, short)
    zr = zone_rejection_nb(high, low, close, lo, hi, short)
    return ob & zr


@njit(cache=True, nogil=True)
def failed_breakout_nb(close, lo, hi, within, short):
    """Failed breakout (short) / failed breakdown (long), on closes only.

    short: a breakout bar b has close[b] > hi and close[b-1] <= hi. The event is the
    first later bar t with close[t] < lo, if t - b <= within. A new breakout bar
    replaces the previous one; after the first close below lo the breakout is spent.
    long (mirror): breakdown bar b has close[b] < lo and close[b-1] >= lo; event at the
    first later t with close[t] > hi, if t - b <= within.
    With a single level, lo == hi == level. The rule is ``failed_breakout_band_nb``.
    """
    n = close.shape[0]
    return failed_breakout_band_nb(close, np.full(n, 1.0 * lo), np.full(n, 1.0 * hi), within, short)


@njit(cache=True, nogil=True)
def failed_breakout_band_nb(close, lo, hi, within, short):
    """failed_breakout_nb with per-bar bounds (the zone as known at bar t): breakout bar b has
    close[b] > hi[b] and close[b-1] <= hi[b]; the event is the first later t with close[t] < lo[t],
    if t - b <= within (long: the mirror). Event studies use it with zones relative to each
    symbol's own history (thesis.study.nb)."""
    n = close.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    b = -1
    for t in range(1, n):
        if short:
            crossed = close[t] > hi[t] and close[t - 1] <= hi[t]
            failed = close[t] < lo[t]
        else:
            crossed = close[t] < lo[t] and close[t - 1] >= lo[t]
            failed = close[t] > hi[t]
        if crossed:
            b = t
        elif b >= 0 and failed:
            out[t] = t - b <= within
            b = -1
    return out


@njit(cache=True, nogil=True)
def is_swing_high(high, p, k):
    """Fractal swing high at p: high[p] > each of the k highs before, >= each of the k after."""
    n = high.shape[0]
    if p - k < 0 or p + k >= n or not np.isfinite(high[p]):
        return False
    for j in range(p - k, p):
        if not high[p] > high[j]:
            return False
    for j in range(p + 1, p + k + 1):
        if not high[p] >= high[j]:
            return False
    return True


@njit(cache=True, nogil=True)
def is_swing_low(low, p, k):
    """Fractal swing low at p: low[p] < each of the k lows before, <= each of the k after."""
    n = low.shape[0]
    if p - k < 0 or p + k >= n or not np.isfinite(low[p]):
        return False
    for j in range(p - k, p):
        if not low[p] < low[j]:
            return False
    for j in range(p + 1, p + k + 1):
        if not low[p] <= low[j]:
            return False
    return True


@njit(cache=True, nogil=True)
def confirmed_swings_nb(high, low, k):
    """Swing points as CONFIRMED: (highs, lows) int64 arrays where highs[t] = p if the
    swing high at bar p = t - k is confirmed at bar t, else -1 (same for lows)."""
    n = high.shape[0]
    highs = np.full(n, -1, dtype=np.int64)
    lows = np.full(n, -1, dtype=np.int64)
    for t in range(n):
        p = t - k
        if p < 0:
            continue
        if is_swing_high(high[: t + 1], p, k):
            highs[t] = p
        if is_swing_low(low[: t + 1], p, k):
            lows[t] = p
    return highs, lows


@njit(cache=True, nogil=True)
def lower_high_breakdown_nb(high, low, close, lo, hi, k, tolerance, max_wait, short):
    """Held at a zone, made another high, broke down (short) / mirror for longs.

    short: swing highs are fractal(k) and used only from their confirmation bar p + k.
    The band is [lo*(1-tolerance), hi*(1+tolerance)] (lo=-inf, hi=+inf: anywhere).
    When a swing high H2 in the band is confirmed, H1 is the previous swing high that was
    in the band (swing highs below the band are skipped). The pattern is armed when
      - high[H2] <= high[H1]*(1+tolerance)   (lower high, or double top within tolerance),
      - no bar strictly between H1 and H2 has a high above peak = max(high[H1], high[H2])
        (the zone held),
    with neckline = min(low[H1+1 .. H2-1]). While armed, on each bar t from H2's
    confirmation bar on:
      - max_wait > 0 and t - H2 > max_wait, or high[t] > peak (the zone did not
        hold), disarms it;
      - else close[t] < neckline is the EVENT (then disarmed).
    The next in-band swing high replaces the pair (re-arms or disarms).
    long: the mirror with swing lows, band check on the lows, low[L2] >= low[L1]*(1-tolerance)
    (higher low or double bottom), no low between below trough = min(low[L1], low[L2]),
    neckline = max(high[L1+1 .. L2-1]); low[t] < trough disarms, close[t] > neckline fires.

    Returns (event bool, first pivot int64, second pivot int64, neckline float64); the
    last three are set on event bars only (-1 / NaN elsewhere).
    """
    n = close.shape[0]
    return lower_high_breakdown_band_nb(high, low, close, np.full(n, lo * (1.0 - tolerance)),
                                        np.full(n, hi * (1.0 + tolerance)), k, tolerance, max_wait, short)


@njit(cache=True, nogil=True)
def lower_high_breakdown_band_nb(high, low, close, band_lo, band_hi, k, tolerance, max_wait, short):
    """lower_high_breakdown_nb with a per-bar band: a swing pivot p counts when
    band_lo[p] <= pivot price <= band_hi[p] (the zone as known at the pivot bar).
    Event studies use it with zones relative to each symbol's own history."""
    n = close.shape[0]
    event = np.zeros(n, dtype=np.bool_)
    first = np.full(n, -1, dtype=np.int64)
    second = np.full(n, -1, dtype=np.int64)
    necks = np.full(n, np.nan)
    p1 = -1
    p2 = -1
    armed = False
    neck = np.nan
    extreme = np.nan
    for t in range(n):
        p = t - k
        if p >= 0:
            pivot = is_swing_high(high[: t + 1], p, k) if short else is_swing_low(low[: t + 1], p, k)
            b = high[p] if short else low[p]
            if pivot and band_lo[p] <= b <= band_hi[p]:
                p1 = p2
                p2 = p
                armed = False
                if p1 >= 0 and p2 - p1 >= 2:
                    a = high[p1] if short else low[p1]
                    if short:
                        extreme = max(a, b)
                        shape = b <= a * (1.0 + tolerance)
                        held = np.max(high[p1 + 1: p2]) <= extreme
                        neck = np.min(low[p1 + 1: p2])
                    else:
                        extreme = min(a, b)
                        shape = b >= a * (1.0 - tolerance)
                        held = np.min(low[p1 + 1: p2]) >= extreme
                        neck = np.max(high[p1 + 1: p2])
                    armed = shape and held and np.isfinite(neck)
        if not armed:
            continue
        broke_extreme = high[t] > extreme if short else low[t] < extreme
        broke_neck = close[t] < neck if short else close[t] > neck
        if (max_wait > 0 and t - p2 > max_wait) or broke_extreme:
            armed = False
        elif broke_neck:
            event[t] = True
            first[t] = p1
            second[t] = p2
            necks[t] = neck
            armed = False
    return event, first, second, necks


@njit(cache=True, nogil=True)
def squeeze_state_nb(high, low, close, length, bb_mult, kc_mult):
    """Squeeze state per bar (int8): 1 in squeeze, 0 not, -1 undefined (window incomplete or NaN).

    Defined for t >= length. mid = mean(close[t-length+1..t]);
    sd = population std (ddof=0) of the same closes; TR[i] = max(high[i]-low[i],
    |high[i]-close[i-1]|, |low[i]-close[i-1]|); atr = mean(TR over the same window).
    Bollinger = mid +/- bb_mult*sd, Keltner = mid +/- kc_mult*atr.
    In squeeze when BB upper < KC upper and BB lower > KC lower (both bands share mid).
    """
    n = close.shape[0]
    state = np.full(n, -1, dtype=np.int8)
    for t in range(length, n):
        s = 0.0
        tr_sum = 0.0
        ok = True
        for i in range(t - length + 1, t + 1):
            pc = close[i - 1]
            tr = max(high[i] - low[i], abs(high[i] - pc), abs(low[i] - pc))
            if not (np.isfinite(close[i]) and np.isfinite(tr)):
                ok = False
                break
            s += close[i]
            tr_sum += tr
        if not ok:
            continue
        mid = s / length
        var = 0.0
        for i in range(t - length + 1, t + 1):
            var += (close[i] - mid) ** 2
        sd = np.sqrt(var / length)
        atr = tr_sum / length
        inside = (mid + bb_mult * sd < mid + kc_mult * atr) and (mid - bb_mult * sd > mid - kc_mult * atr)
        state[t] = 1 if inside else 0
    return state


@njit(cache=True, nogil=True)
def squeeze_release_nb(high, low, close, length, bb_mult, kc_mult):
    """Squeeze release (int8 per bar): at bar t with state[t-1] == 1 and state[t] == 0
    (first bar out of the squeeze), +1 if close[t] > mid[t] (up), -1 if close[t] < mid[t]
    (down), 0 if equal; 0 on every other bar. mid = mean of the last `length` closes."""
    state = squeeze_state_nb(high, low, close, length, bb_mult, kc_mult)
    n = close.shape[0]
    out = np.zeros(n, dtype=np.int8)
    for t in range(1, n):
        if state[t - 1] == 1 and state[t] == 0:
            mid = np.mean(close[t - length + 1: t + 1])
            if close[t] > mid:
                out[t] = 1
            elif close[t] < mid:
                out[t] = -1
    return out


@njit(cache=True, nogil=True)
def long_wick_nb(open_, high, low, close, lo, hi, min_wick, min_wick_body, short):
    """Long upper wick (short) / long lower wick (long).

    With o = effective open, body = |close - o|, range = high - low > 0,
    upper = high - max(o, close), lower = min(o, close) - low:
    short: upper >= min_wick*range and upper >= min_wick_body*body and upper > lower
           and high >= lo (the wick reached the zone; lo = -inf for anywhere);
    long:  lower >= min_wick*range and lower >= min_wick_body*body and lower > upper
           and low <= hi (hi = +inf for anywhere).
    """
    n = close.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    for t in range(n):
        rng = high[t] - low[t]
        o = effective_open(open_, high, low, close, t)
        if not (rng > 0 and np.isfinite(o) and np.isfinite(close[t])):
            continue
        body = abs(close[t] - o)
        upper = high[t] - max(o, close[t])
        lower = min(o, close[t]) - low[t]
        if short:
            wick, other, reach = upper, lower, high[t] >= lo
        else:
            wick, other, reach = lower, upper, low[t] <= hi
        out[t] = reach and wick > other and wick >= min_wick * rng and wick >= min_wick_body * body
    return out


@njit(cache=True, nogil=True)
def period_extreme_nb(low, high, period_id, period_end, short):
    """Low (long) / high (short) of each period, known at the period's close.

    out[t] = index of the bar with the lowest low (long) or highest high (short) of the
    period ending at t, when period_end[t] is True; -1 otherwise. A period is the run of
    consecutive bars with the same period_id; ties go to the earliest bar.
    """
    n = low.shape[0]
    out = np.full(n, -1, dtype=np.int64)
    best = -1
    for t in range(n):
        if t > 0 and period_id[t] != period_id[t - 1]:
            best = -1
        v = high[t] if short else low[t]
        if np.isfinite(v):
            if best < 0:
                best = t
            elif (short and v > high[best]) or ((not short) and v < low[best]):
                best = t
        if period_end[t]:
            out[t] = best
    return out


@njit(cache=True, nogil=True)
def running_period_extreme_nb(low, high, period_id, short):
    """New low (long) / new high (short) of the current period, known at that bar.

    out[t] True when bar t is not the period's first bar and low[t] < min(low of the
    period's earlier bars) (long) or high[t] > max(high of earlier bars) (short).
    """
    n = low.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    ext = np.nan
    for t in range(n):
        if t == 0 or period_id[t] != period_id[t - 1]:
            ext = high[t] if short else low[t]
            continue
        v = high[t] if short else low[t]
        if not np.isfinite(v):
            continue
        if not np.isfinite(ext):
            ext = v
            continue
        if (short and v > ext) or ((not short) and v < ext):
            out[t] = True
            ext = v
    return out
