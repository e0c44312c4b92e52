"""Issue 10.3, 10.4, 10.6: impossible values, dates out of range, size limits checked before parsing."""
import builtins
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thesis.cli import app
from thesis.data import AS_TRADED, CsvFolder
from thesis.data.csvfile import read_csv_bars, read_limited
from thesis.errors import DataFileError

HEADER = "date,open,high,low,close,volume\n"
ROWS = ["2023-06-12,185.23,186.68,184.22,185.80,100", "2023-06-13,186.44,188.98,186.27,187.93,200",
        "2023-06-14,188.32,189.24,184.55,185.91,300"]
runner = CliRunner()


def folder_with(tmp_path, text, name="X", mode="w"):
    folder = tmp_path / "daily"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return folder


@pytest.mark.parametrize("row,line,what", [
    ("2023-06-15,188,inf,184,186,10", 5, "not a finite number: 'inf'"),
    ("2023-06-15,188,190,-inf,186,10", 5, "not a finite number"),
    ("2023-06-15,188,190,184,NaN,10", 5, "not a finite number: 'NaN'"),
    ("2023-06-15,188,190,184,186,Infinity", 5, "not a finite number"),
    ("2023-06-15,188,1e308,184,186,10", 5, "implausible price"),
    ("2023-06-15,188,190,1e-300,186,10", 5, "implausible price"),
    ("2023-06-15,188,190,184,186,1e300", 5, "implausible volume"),
    ("2023-06-15,1e999,190,184,186,10", 5, "not a finite number"),
])
def test_impossible_values_rejected_with_file_and_line(tmp_path, row, line, what):
    folder = folder_with(tmp_path, HEADER + "\n".join(ROWS + [row]) + "\n")
    with pytest.raises(DataFileError) as err:
        CsvFolder(folder).fetch("X", AS_TRADED)
    assert err.value.line == line and what in str(err.value) and "X.csv" in str(err.value)
    res = runner.invoke(app, ["data", "check", f"csv:{folder}", "--json"])
    assert res.exit_code == 1
    problem = json.loads(res.stdout)["problems"][0]
    assert problem["action"] == "reject" and problem["line"] == line


@pytest.mark.parametrize("date", ["1500-01-03", "9999-12-31", "1677-09-21", "2262-04-12", "2200-01-01"])
def test_dates_outside_the_accepted_range_rejected(tmp_path, date):
    folder = folder_with(tmp_path, HEADER + "\n".join(ROWS) + f"\n{date},1,2,1,2,0\n")
    with pytest.raises(DataFileError, match="outside the accepted range") as err:
        CsvFolder(folder).fetch("X", AS_TRADED)
    assert err.value.line == 5
    for argv in (["data", "check", f"csv:{folder}"], ["data", "show", "X", "--source", f"csv:{folder}"]):
        res = runner.invoke(app, argv)
        assert res.exit_code in (1, 2) and "Traceback" not in res.output
        assert "line 5" in res.output.replace(":5", "line 5")  # "X.csv:5" in the check table


def test_line_numbers_survive_form_feed_and_unicode_line_separators(tmp_path):
    # \f, \v, U+2028 and U+0085 inside a row do not end a line: lines are counted as an editor shows them
    text = (HEADER + ROWS[0] + "\f\n"                                   # line 2
            + "2023-06-13,186.44\u2028,188.98\x85,186.27\v,187.93,200\n"  # line 3 (separators as padding)
            + "2023-06-14,188.32,189.24,184.55,x,300\n")                  # line 4: the bad value
    with pytest.raises(DataFileError) as err:
        CsvFolder(folder_with(tmp_path, text)).fetch("X", AS_TRADED)
    assert err.value.line == 4 and "'close' is not a number: 'x'" in str(err.value)
    inside = HEADER + ROWS[0] + "\n2023-06-13,186\u202844,188.98,186.27,187.93,200\n" + ROWS[2] + "\n"
    with pytest.raises(DataFileError) as err:
        CsvFolder(folder_with(tmp_path, inside, name="Y")).fetch("Y", AS_TRADED)
    assert err.value.line == 3 and "'open'" in str(err.value)
    ok = HEADER + ROWS[0] + "\f\n" + ROWS[1] + "\u2028\n" + ROWS[2] + "\n"
    assert len(CsvFolder(folder_with(tmp_path, ok, name="Z")).fetch("Z", AS_TRADED)) == 3


def test_nul_file_is_refused_fast_with_a_short_message(tmp_path):
    folder = folder_with(tmp_path, b"\x00" * 2_000_000)
    for argv in (["data", "check", f"csv:{folder}"], ["data", "show", "X", "--source", f"csv:{folder}"]):
        res = runner.invoke(app, argv)
        assert res.exit_code in (1, 2) and "NUL byte" in res.output
        assert len(res.output) < 2000


def test_long_line_and_long_field_are_refused_with_excerpts(tmp_path, monkeypatch):
    monkeypatch.setenv("THESIS_MAX_LINE_CHARS", "200")
    folder = folder_with(tmp_path, HEADER + ROWS[0] + "\n" + "9" * 100_000 + "\n")
    with pytest.raises(DataFileError, match=r"line is 100,000 bytes long, over the limit of 200") as err:
        CsvFolder(folder).fetch("X", AS_TRADED)
    assert err.value.line == 3 and len(str(err.value)) < 300
    folder = folder_with(tmp_path, HEADER + ROWS[0] + "\n2023-06-13,1,2,1," + "2" * 150 + ",0\n", name="F")
    with pytest.raises(DataFileError, match=r"column 'close' is 150 characters long") as err:
        CsvFolder(folder).fetch("F", AS_TRADED)
    assert err.value.line == 3 and "2" * 30 not in str(err.value)
    res = runner.invoke(app, ["data", "show", "X", "--source", f"csv:{folder}"])
    assert res.exit_code == 2 and len(res.output) < 1000


def test_unknown_header_is_quoted_as_an_excerpt(tmp_path):
    folder = folder_with(tmp_path, "[bold]" + "z" * 900 + "\n" + ROWS[0] + "\n")
    res = runner.invoke(app, ["data", "show", "X", "--source", f"csv:{folder}"])
    assert res.exit_code == 2 and "unexpected header '[bold]zzz" in res.stderr and len(res.stderr) < 1000


def test_size_limit_is_enforced_before_reading(tmp_path, monkeypatch):
    """A 200 MB sparse file: refused from its size alone; the file is never opened."""
    folder = tmp_path / "daily"
    folder.mkdir()
    big = folder / "BIG.csv"
    with open(big, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        assert Path(str(file)) != big, "the oversized file was opened"
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    with pytest.raises(DataFileError, match="209,715,200 bytes, over the limit of 67,108,864"):
        read_limited(big, "BIG")
    with pytest.raises(DataFileError, match="over the limit"):
        CsvFolder(folder).fetch("BIG", AS_TRADED)
    monkeypatch.setattr(builtins, "open", real_open)
    res = runner.invoke(app, ["data", "check", f"csv:{folder}", "--json"])
    assert res.exit_code == 1 and "over the limit" in json.loads(res.stdout)["problems"][0]["message"]


def test_lowered_size_limit_by_environment(tmp_path, monkeypatch):
    folder = folder_with(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    assert len(read_csv_bars(folder / "X.csv", "X")) == 3
    monkeypatch.setenv("THESIS_MAX_CSV_BYTES", "100")
    with pytest.raises(DataFileError, match="over the limit of 100 bytes"):
        read_csv_bars(folder / "X.csv", "X")
    assert len(read_csv_bars(folder / "X.csv", "X", max_bytes=10_000)) == 3  # a parameter overrides


def test_universe_rejects_non_finite_with_line(tmp_path):
    from thesis.data import load_fields

    folder = tmp_path / "u-constituents"
    folder.mkdir()
    (folder / "AAA.csv").write_text("date,high,low,close\n2023-06-12,2,1,1.5\n2023-06-13,inf,1.2,2.4\n")
    (folder / "BBB.csv").write_text("date,high,low,close\n2023-06-12,2,1,1.5\n")
    with pytest.raises(DataFileError) as err:
        load_fields(f"csv:{folder}")
    assert "AAA.csv" in str(err.value) and err.value.line == 3
    os.mkfifo(folder / "CCC.csv")  # never opened: refused as not a regular file
    (folder / "AAA.csv").write_text("date,high,low,close\n2023-06-12,2,1,1.5\n")
    with pytest.raises(DataFileError, match="not a regular file"):
        load_fields(f"csv:{folder}")


def test_universe_refuses_long_lines_and_nul(tmp_path, monkeypatch):
    from thesis.data import load_fields

    monkeypatch.setenv("THESIS_MAX_LINE_CHARS", "200")
    folder = tmp_path / "u-constituents"
    folder.mkdir()
    (folder / "AAA.csv").write_text("date,high,low,close\n2023-06-12,2,1,1.5\n")
    (folder / "BBB.csv").write_text("date,high,low,close\n2023-06-12,2,1,1." + "5" * 5000 + "\n")
    with pytest.raises(DataFileError, match="BBB.csv, line 2 .*over the limit of 200"):
        load_fields(f"csv:{folder}")
    (folder / "BBB.csv").write_bytes(b"date,high,low,close\n2023-06-12,2,1\x00,1.5\n")
    with pytest.raises(DataFileError, match="BBB.csv, line 2 .*NUL byte"):
        load_fields(f"csv:{folder}")
