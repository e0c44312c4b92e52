"""The study's own resampling of daily arrays (thesis.study.periods) at its edges."""
import numpy as np

from thesis.study.periods import resample_arrays


def test_resampling_no_dates_gives_empty_arrays():
    e = np.zeros(0)
    for timeframe in ("1w", "1mo"):
        out = resample_arrays(np.zeros(0, "datetime64[ns]"), e, e, e, e, timeframe)
        assert [len(a) for a in out] == [0] * 6
