"""The python path of each kernel (thesis.jit: one idea without numba) gives the numba kernel's answer.

Random bars with gaps through the zone, the stop and the targets, missing opens, random plans; every
output array must be equal (NaN equal to NaN, nothing approximate): the fill kernel, the triggers a
replay or an evaluation runs, the market kernels (numpy twins) and the option kernels.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thesis import jit
from thesis.breadth import nb as bnb
from thesis.market import nb as mnb
from thesis.options import nb as onb
from thesis.replay import nb as rnb
from thesis.signals import nb as snb

finite = dict(allow_nan=False, allow_infinity=False)


def both(kernel, *args):
    """(python path, numba) results of ``kernel`` on copies of the same arguments."""
    copy = lambda a: a.copy() if isinstance(a, np.ndarray) else a  # noqa: E731
    py_args, nb_args = [copy(a) for a in args], [copy(a) for a in args]
    got_py = jit.python_path(kernel)(*py_args)
    got_nb = jit.compiled(jit._as_kernel(kernel))(*nb_args)
    return (got_py, py_args), (got_nb, nb_args)


def assert_same(kernel, *args):
    (got_py, py_args), (got_nb, nb_args) = both(kernel, *args)
    flat_py = got_py if isinstance(got_py, tuple) else (got_py,)
    flat_nb = got_nb if isinstance(got_nb, tuple) else (got_nb,)
    assert len(flat_py) == len(flat_nb)
    for a, b in zip(flat_py, flat_nb):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), strict=False)
        if isinstance(a, np.ndarray):
            assert a.dtype == np.asarray(b).dtype
    for a, b in zip(py_args, nb_args):   # kernels that write into the caller's arrays
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)


@st.composite
def bars(draw, min_n=2, max_n=60, nan_opens=True):
    """OHLC with gaps: each open jumps from the previous close by up to 8 (through levels near 100)."""
    n = draw(st.integers(min_n, max_n))
    closes, opens, highs, lows = [], [], [], []
    prev = 100.0
    for _ in range(n):
        o = prev + draw(st.floats(-8, 8, **finite))
        c = o + draw(st.floats(-5, 5, **finite))
        hi = max(o, c) + draw(st.floats(0, 3, **finite))
        lo = min(o, c) - draw(st.floats(0, 3, **finite))
        if nan_opens and draw(st.integers(0, 9)) == 0:
            o = np.nan
        opens.append(o), highs.append(hi), lows.append(lo), closes.append(c)
        prev = c
    return tuple(np.array(x, dtype=np.float64) for x in (opens, highs, lows, closes))


@st.composite
def plans(draw, n):
    """m trades over n bars: limit or next-open entries, stops (or none), 0-3 targets with sizes."""
    m = draw(st.integers(1, 6))
    k = draw(st.integers(0, 3))
    level = st.floats(85, 115, **finite)
    direction = np.array([draw(st.sampled_from([1, -1])) for _ in range(m)], dtype=np.int64)
    kind = np.array([draw(st.sampled_from([rnb.ENTRY_LIMIT, rnb.ENTRY_NEXT_OPEN])) for _ in range(m)], dtype=np.int64)
    limit = np.array([draw(level) for _ in range(m)])
    start = np.array([draw(st.integers(0, n)) for _ in range(m)], dtype=np.int64)
    stop = np.array([draw(st.one_of(st.just(np.nan), level)) for _ in range(m)])
    targets = np.array([[draw(st.one_of(st.just(np.nan), level)) for _ in range(k)] for _ in range(m)]).reshape(m, k)
    sizes = np.array([[draw(st.sampled_from([0.0, 0.25, 0.5, 1.0 / 3])) for _ in range(k)] for _ in range(m)])
    sizes = sizes.reshape(m, k)
    horizon = np.array([draw(st.integers(0, n + 2)) for _ in range(m)], dtype=np.int64)
    hold = np.array([draw(st.integers(0, 5)) for _ in range(m)], dtype=np.int64)
    breakeven = np.array([draw(st.booleans()) for _ in range(m)], dtype=np.bool_)
    return direction, kind, limit, start, stop, targets, sizes, horizon, hold, breakeven


@st.composite
def fill_case(draw):
    ohlc = draw(bars())
    return ohlc, draw(plans(len(ohlc[0])))


@settings(max_examples=300, deadline=None)
@given(fill_case())
def test_fill_kernel_python_path_equals_numba(case):
    ohlc, plan = case
    assert_same(rnb.simulate_trades_nb, *ohlc, *plan)


def test_fill_kernel_python_path_equals_numba_on_a_real_replay(data_root):
    """The seed idea's bars: a short limit at 188, stop 212, target 130, gaps through the levels."""
    from thesis.data import load_bars

    b = load_bars("IWM")
    ohlc = tuple(b[c].to_numpy(dtype=np.float64) for c in ("open", "high", "low", "close"))
    start = int(b.index.searchsorted("2023-06-05"))
    m = 3
    plan = (np.array([-1, -1, 1]), np.array([rnb.ENTRY_LIMIT, rnb.ENTRY_NEXT_OPEN, rnb.ENTRY_LIMIT]),
            np.array([188.0, np.nan, 170.0]), np.full(m, start), np.array([212.0, 212.0, 160.0]),
            np.array([[130.0, 150.0], [130.0, np.nan], [200.0, 240.0]]), np.array([[0.5, 0.5], [1.0, 0.0], [0.5, 0.5]]),
            np.full(m, len(b)), np.array([0, 120, 0]), np.array([False, True, True]))
    assert_same(rnb.simulate_trades_nb, *ohlc, *plan)
    out = jit.python_path(rnb.simulate_trades_nb)(*ohlc, *plan)
    assert (out[0] >= start).all()          # the three trades filled: the comparison saw real fills


@st.composite
def zone(draw):
    lo = draw(st.floats(85, 115, **finite))
    return lo, lo + draw(st.floats(0, 10, **finite))


@settings(max_examples=150, deadline=None)
@given(bars(min_n=2, max_n=80), zone(), st.booleans(), st.integers(1, 4), st.floats(0, 0.05, **finite),
       st.integers(1, 30), st.floats(0, 1, **finite), st.floats(0, 3, **finite))
def test_trigger_kernels_python_path_equals_numba(ohlc, lohi, short, k, tol, wait, min_wick, min_body):
    o, h, lo_, c = ohlc
    lo, hi = lohi
    assert_same(snb.outside_bar_nb, o, h, lo_, c, short)
    assert_same(snb.zone_rejection_nb, h, lo_, c, lo, hi, short)
    assert_same(snb.outside_bar_rejection_nb, o, h, lo_, c, lo, hi, short)
    assert_same(snb.failed_breakout_nb, c, lo, hi, wait, short)
    assert_same(snb.confirmed_swings_nb, h, lo_, k)
    assert_same(snb.lower_high_breakdown_nb, h, lo_, c, lo, hi, k, tol, wait, short)
    band_lo = lo + np.linspace(-3, 3, len(c))
    assert_same(snb.lower_high_breakdown_band_nb, h, lo_, c, band_lo, band_lo + (hi - lo), k, tol, wait, short)
    assert_same(snb.failed_breakout_band_nb, c, band_lo, band_lo + (hi - lo), wait, short)
    assert_same(snb.squeeze_state_nb, h, lo_, c, k + 1, 2.0, 1.5)
    assert_same(snb.squeeze_release_nb, h, lo_, c, k + 1, 2.0, 1.5)
    assert_same(snb.long_wick_nb, o, h, lo_, c, lo, hi, min_wick, min_body, short)
    week = (np.arange(len(c)) // 5).astype(np.int64)
    end = np.r_[week[1:] != week[:-1], True]
    assert_same(snb.period_extreme_nb, lo_, h, week, end, short)
    assert_same(snb.running_period_extreme_nb, lo_, h, week, short)


def with_gaps(values, draw_mask):
    v = values.copy()
    v[draw_mask] = np.nan
    return v


@settings(max_examples=150, deadline=None)
@given(bars(min_n=1, max_n=120, nan_opens=False), st.integers(0, 30), st.integers(0, 40),
       st.lists(st.integers(0, 119), max_size=6))
def test_market_twins_equal_the_numba_kernels(ohlc, window, lookback, holes):
    close = ohlc[3]
    close = with_gaps(close, [i for i in holes if i < len(close)])
    assert_same(mnb.rolling_ols_slope_nb, np.log(close), window)
    assert_same(mnb.rolling_percentile_nb, close, lookback)
    assert jit.python_path(mnb.rolling_percentile_nb) is mnb.rolling_percentile_np   # the twin ran


@settings(max_examples=100, deadline=None)
@given(bars(min_n=1, max_n=80, nan_opens=False), st.integers(1, 30), st.floats(0.1, 0.9, **finite))
def test_breadth_kernels_python_path_equals_numba(ohlc, window, band):
    o, h, lo_, c = ohlc
    assert_same(bnb.rolling_max_nb, c, window)
    assert_same(bnb.ema_nb, c, window)
    ema = jit.compiled(jit._as_kernel(bnb.ema_nb))(c / 200.0, window)
    assert_same(bnb.thrust_nb, ema, band / 2, band, window)
    members = np.column_stack([c, h, lo_])
    assert_same(bnb.pct_above_sma_nb, members, window, 1e-9)
    assert_same(bnb.daily_changes_nb, members)
    # window 1 reads an empty deque (numba: whatever memory holds; Python: IndexError): the callers pass >= 2
    assert_same(bnb.new_highs_lows_nb, np.column_stack([h, h]), np.column_stack([lo_, lo_]), max(window, 2))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.floats(20, 400, **finite), st.floats(20, 400, **finite),
                          st.floats(0, 3, **finite), st.floats(0.02, 2, **finite), st.floats(-0.02, 0.08, **finite),
                          st.floats(0, 0.05, **finite)), min_size=1, max_size=8))
def test_option_kernels_python_path_equals_numba(quotes):
    f, s, k, t, v, r, q = (np.array(col, dtype=np.bool_ if i == 0 else np.float64)
                           for i, col in enumerate(zip(*quotes)))
    n = len(s)
    assert_same(onb.bsm_price_nb, f, s, k, t, v, r, q, np.empty(n))
    assert_same(onb.bsm_greeks_nb, f, s, k, t, v, r, q, np.empty((6, n)))
    prices = jit.compiled(jit._as_kernel(onb.bsm_price_nb))
    out = np.empty(n)
    prices(f, s, k, t, v, r, q, out)
    assert_same(onb.implied_vol_nb, out, f, s, k, t, r, q, 1e-12, 100, np.empty(n))


def test_python_path_refuses_a_plain_function():
    with pytest.raises(TypeError, match="not a thesis kernel"):
        jit.python_path(np.sum)


def test_the_python_path_runs_python_all_the_way_down():
    """After the switch to numba the python path still calls Python kernels (else the tests above compare
    numba with itself)."""
    import types

    jit.compiled(jit._as_kernel(rnb.simulate_trades_nb))
    path = jit.python_path(rnb.simulate_trades_nb)
    assert isinstance(path, types.FunctionType)
    inner = path.__globals__["_simulate_one"]
    assert isinstance(inner, types.FunctionType) and isinstance(inner.__globals__["_fill_entry"], types.FunctionType)
    assert not isinstance(rnb.__dict__["_simulate_one"], (types.FunctionType, jit.Kernel))   # numba's
