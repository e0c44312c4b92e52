import numpy as np
import pandas as pd
import pytest

from thesis.data import load_fields, load_universe
from thesis.errors import DataFileError


def test_sp500_matrix_aligned(data_root):
    folder = data_root / "sp500-constituents"
    m = load_fields(f"csv:{folder}", ("high", "low", "close"))
    close = m["close"]
    assert close.shape[1] == len(list(folder.glob("*.csv")))
    assert close.attrs["survivorship"] and close.attrs["adjustment"] == "adjusted"
    raw = pd.read_csv(folder / "MSFT.csv", index_col="date", parse_dates=True)
    pd.testing.assert_series_equal(close["MSFT"].dropna(), raw["close"], check_names=False, check_freq=False,
                                  check_index_type=False)
    assert (m["high"].to_numpy() >= m["low"].to_numpy())[~np.isnan(close.to_numpy())].all()
    # A later listing has NaN before its first bar, not zeros.
    abnb = close["ABNB"]
    assert abnb.loc[:"2020-12-01"].isna().all() and abnb.notna().sum() > 1000


def test_universe_subset_and_dates(data_root):
    m = load_universe(str(data_root / "sp500-constituents"), symbols=["AAPL", "MSFT"], start="2020-01-01",
                      end="2020-12-31")
    assert list(m.columns) == ["AAPL", "MSFT"] and m.index.min().year == 2020 and m.index.max().year == 2020


def test_corrupt_member_named(tmp_path):
    for name, body in (("AAA", "2023-06-12,2,1,1.5\n"), ("BBB", "2023-06-12,2,1,oops\n")):
        (tmp_path / f"{name}.csv").write_text("date,high,low,close\n" + body)
    with pytest.raises(DataFileError, match=r"BBB.csv, line 2 \[BBB\]: column 'close' is not a number"):
        load_universe(str(tmp_path))
