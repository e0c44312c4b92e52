import numpy as np
import pandas as pd
import pytest

from thesis.data import ADJUSTED, AS_TRADED, CsvFolder, load_bars
from thesis.data.csvfile import read_csv_bars
from thesis.data.validate import validate_frame
from thesis.errors import DataFileError, SymbolNotFound

HEADER = "date,open,high,low,close,volume\n"


def write(tmp_path, name, text):
    folder = tmp_path / "daily"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.csv"
    path.write_text(text)
    return tmp_path


def good_rows():
    return ("2023-06-12,185.23,186.68,184.22,185.80,100\n"
            "2023-06-13,186.44,188.98,186.27,187.93,200\n"
            "2023-06-14,188.32,189.24,184.55,185.91,300\n")


def test_real_iwm_as_traded_levels(data_root):
    bars = load_bars("IWM", start="2023-06-13", end="2023-06-14")
    assert list(bars.columns) == ["open", "high", "low", "close", "volume"]
    assert bars.attrs["adjustment"] == AS_TRADED and bars.attrs["symbol"] == "IWM"
    raw = pd.read_csv(data_root / "daily" / "IWM.csv", index_col="date", parse_dates=True)
    assert bars.loc["2023-06-13", "high"] == raw.loc["2023-06-13", "high"]
    assert len(bars) == 2


def test_adjusted_differs_from_as_traded(data_root):
    traded = load_bars("IWM", start="2010-01-04", end="2010-01-04")
    adjusted = load_bars("IWM", adjustment=ADJUSTED, start="2010-01-04", end="2010-01-04")
    # Dividends lower earlier total-return prices below the as-traded print.
    assert adjusted["close"].iloc[0] < traded["close"].iloc[0]
    assert adjusted.attrs["adjustment"] == ADJUSTED


def test_unknown_symbol_names_symbol_and_folder(data_root):
    with pytest.raises(SymbolNotFound, match="NOPE"):
        load_bars("NOPE")
    with pytest.raises(SymbolNotFound, match="exists as adjusted"):
        load_bars("HYG")


def test_wrong_header(tmp_path):
    root = write(tmp_path, "X", "day,o,h,l,c\n2023-01-03,1,2,1,2\n")
    with pytest.raises(DataFileError, match=r"X.csv, line 1 \[X\]: unexpected header"):
        CsvFolder(root).fetch("X", AS_TRADED)


def test_text_in_price_column_names_line(tmp_path):
    root = write(tmp_path, "X", HEADER + good_rows() + "2023-06-15,185.08,abc,184.91,187.44,10\n")
    with pytest.raises(DataFileError) as err:
        CsvFolder(root).fetch("X", AS_TRADED)
    assert err.value.line == 5 and "'high' is not a number: 'abc'" in str(err.value)


def test_truncated_last_line(tmp_path):
    root = write(tmp_path, "X", HEADER + good_rows() + "2023-06-15,185.08,187.5")
    with pytest.raises(DataFileError, match="truncated") as err:
        CsvFolder(root).fetch("X", AS_TRADED)
    assert err.value.line == 5


def test_truncated_number_without_newline(tmp_path):
    root = write(tmp_path, "X", HEADER + good_rows() + "2023-06-15,185.08,187.5,184.9,187.44,")
    with pytest.raises(DataFileError, match="'volume' is empty .*truncated"):
        CsvFolder(root).fetch("X", AS_TRADED)


def test_empty_file_and_header_only(tmp_path):
    root = write(tmp_path, "E", "")
    with pytest.raises(DataFileError, match="E.csv.*empty"):
        CsvFolder(root).fetch("E", AS_TRADED)
    root = write(tmp_path, "H", HEADER)
    with pytest.raises(DataFileError, match="no rows"):
        CsvFolder(root).fetch("H", AS_TRADED)


def test_bad_date(tmp_path):
    root = write(tmp_path, "X", HEADER + "06/12/2023,1,2,1,2,0\n")
    with pytest.raises(DataFileError, match="line 2.*YYYY-MM-DD"):
        CsvFolder(root).fetch("X", AS_TRADED)


def test_non_positive_price_rejected(tmp_path):
    root = write(tmp_path, "X", HEADER + good_rows().replace("184.55", "-1"))
    with pytest.raises(DataFileError, match=r"line 4 \[X\]: non-positive price"):
        CsvFolder(root).fetch("X", AS_TRADED)


def test_conflicting_duplicate_rejected_identical_repaired(tmp_path):
    rows = good_rows()
    root = write(tmp_path, "D", HEADER + rows + rows.splitlines()[2] + "\n")
    bars = CsvFolder(root).fetch("D", AS_TRADED)
    assert len(bars) == 3
    assert any("duplicate date (repair)" in w for w in bars.attrs["warnings"])
    root = write(tmp_path, "C", HEADER + rows + "2023-06-14,188.32,189.24,184.55,186.00,300\n")
    with pytest.raises(DataFileError, match="duplicate date"):
        CsvFolder(root).fetch("C", AS_TRADED)


def test_out_of_order_sorted_with_warning(tmp_path):
    lines = good_rows().splitlines()
    root = write(tmp_path, "O", HEADER + "\n".join([lines[1], lines[0], lines[2]]) + "\n")
    bars = CsvFolder(root).fetch("O", AS_TRADED)
    assert bars.index.is_monotonic_increasing
    assert any("out of order" in w for w in bars.attrs["warnings"])


def test_high_below_body_repaired(tmp_path):
    root = write(tmp_path, "B", HEADER + good_rows().replace("188.98", "187.00"))
    bars = CsvFolder(root).fetch("B", AS_TRADED)
    assert bars.loc["2023-06-13", "high"] == pytest.approx(187.93)  # widened to the close
    assert any("high below body (repair)" in w and ":3" in w for w in bars.attrs["warnings"])


def test_missing_sessions_reported_not_invented(tmp_path):
    text = HEADER + "2023-06-12,1,2,1,2,0\n2023-06-15,1,2,1,2,0\n"
    root = write(tmp_path, "M", text)
    bars = CsvFolder(root).fetch("M", AS_TRADED)
    assert len(bars) == 2
    assert any("2 XNYS sessions have no bar: 2023-06-13, 2023-06-14" in w for w in bars.attrs["warnings"])


def test_weekend_date_reported(tmp_path):
    frame = read_csv_bars(write(tmp_path, "W", HEADER + "2023-06-09,1,2,1,2,0\n2023-06-10,1,2,1,2,0\n"
                                "2023-06-12,1,2,1,2,0\n") / "daily" / "W.csv", "W")
    _, report = validate_frame(frame, "W", "W.csv")
    assert [p.kind for p in report.problems] == ["not a session"]


def test_hlc_only_file(tmp_path):
    folder = tmp_path / "universe-constituents"
    folder.mkdir()
    (folder / "AAA.csv").write_text("date,high,low,close\n2023-06-12,2,1,1.5\n2023-06-13,2.5,1.2,2.4\n")
    bars = CsvFolder(folder).fetch("AAA", ADJUSTED)
    assert bars.attrs["has_open"] is False and np.isnan(bars["open"]).all()
    with pytest.raises(SymbolNotFound, match="holds adjusted bars"):
        CsvFolder(folder).fetch("AAA", AS_TRADED)
