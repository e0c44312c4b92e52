"""Issue 10.1: one symbol rule at every boundary; paths never leave the source folder."""
import json
import os

import pytest
from typer.testing import CliRunner

from thesis.cli import app
from thesis.data import AS_TRADED, CsvFolder, Store, load_bars
from thesis.data.symbols import validate_symbol
from thesis.errors import BadInput, DataFileError

HOSTILE = ["../../OUT/EVIL", "..", "../IWM", "/etc/passwd", "/abs/IWM", "%2e%2e", "%2e%2e%2fIWM", "..\\..\\IWM",
           "A\\B", "IWM\x00", "IW\x00M", "A" * 500, "", "   ", "[/]", ":x:", "I W M", "IWM/", ".IWM", "-IWM",
           "IWM;rm", "ÄBC", "I\u2028WM"]
GOOD = {"IWM": "IWM", " iwm ": "IWM", "brk-b": "BRK-B", "BRK.B": "BRK.B", "^VIX": "^VIX", "EURUSD=X": "EURUSD=X",
        "A" * 21: "A" * 21}

runner = CliRunner()


@pytest.mark.parametrize("raw,expected", GOOD.items())
def test_valid_symbols_are_upper_cased(raw, expected):
    assert validate_symbol(raw) == expected


@pytest.mark.parametrize("raw", HOSTILE + ["A" * 22])
def test_hostile_symbols_are_refused_with_a_short_message(raw):
    with pytest.raises(BadInput) as err:
        validate_symbol(raw)
    assert len(str(err.value)) < 300 and "\x00" not in str(err.value)


def _folder_with_outside(tmp_path):
    """A data folder, and a CSV outside it that a traversal would reach."""
    out = tmp_path / "OUT"
    out.mkdir()
    (out / "EVIL.csv").write_text("date,open,high,low,close,volume\n2023-06-12,1,2,1,2,0\n")
    data = tmp_path / "data" / "daily"
    data.mkdir(parents=True)
    (data / "GOOD.csv").write_text("date,open,high,low,close,volume\n2023-06-12,1,2,1,2,0\n")
    return data


@pytest.mark.parametrize("raw", ["../../OUT/EVIL", "../OUT/EVIL", str("/") + "OUT/EVIL", "%2e%2e/OUT/EVIL",
                                 "..\\OUT\\EVIL", "EVIL\x00", "E" * 500])
def test_every_adapter_refuses_traversal(tmp_path, raw):
    data = _folder_with_outside(tmp_path)
    with pytest.raises(BadInput):
        CsvFolder(data).fetch(raw, AS_TRADED)
    with pytest.raises(BadInput):
        load_bars(raw, source=f"csv:{data}")
    with pytest.raises(BadInput):
        Store(tmp_path / "s.duckdb").fetch(raw, AS_TRADED)
    from thesis.data.adapters.yahoo import Yahoo

    with pytest.raises(BadInput):
        Yahoo(retries=1).fetch(raw, AS_TRADED)  # refused before any network call


@pytest.mark.parametrize("argv", [["data", "show", "../../OUT/EVIL"], ["data", "pull", "../../OUT/EVIL"],
                                  ["data", "check", "csv:DATA", "../../OUT/EVIL"], ["data", "show", "A" * 500],
                                  ["data", "pull", "IWM", "/OUT/EVIL"], ["data", "show", "[/]"]])
def test_cli_refuses_hostile_symbols_exit_2(tmp_path, argv):
    data = _folder_with_outside(tmp_path)
    argv = [a.replace("DATA", str(data)) for a in argv] + ["--source", f"csv:{data}"] * (argv[1] != "check")
    res = runner.invoke(app, argv)
    assert res.exit_code == 2, res.output
    assert "not a valid symbol" in res.stderr or "too long" in res.stderr
    assert "EVIL" not in res.stdout and len(res.stderr) < 1000
    assert not (tmp_path / "thesis-home" / "store.duckdb").exists() or "EVIL" not in json.dumps(
        runner.invoke(app, ["data", "ls", "--json"]).stdout)


def test_symlink_leaving_the_folder_is_refused(tmp_path):
    data = _folder_with_outside(tmp_path)
    os.symlink(tmp_path / "OUT" / "EVIL.csv", data / "LINK.csv")
    with pytest.raises(BadInput, match="outside the source folder"):
        CsvFolder(data).fetch("LINK", AS_TRADED)
    os.symlink(data / "GOOD.csv", data / "ALIAS.csv")  # a link inside the folder is fine
    assert CsvFolder(data).fetch("ALIAS", AS_TRADED)["close"].iloc[0] == 2


def test_lowercase_file_is_listed_and_found(tmp_path):
    folder = tmp_path / "daily"
    folder.mkdir()
    (folder / "iwm.csv").write_text("date,open,high,low,close,volume\n2023-06-12,1,2,1,2,0\n")
    provider = CsvFolder(folder)
    assert provider.symbols() == ["IWM"]
    assert provider.fetch("iwm", AS_TRADED).attrs["symbol"] == "IWM"
    res = runner.invoke(app, ["data", "check", f"csv:{folder}", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["checked"] == 1
    res = runner.invoke(app, ["data", "show", "iwm", "--source", f"csv:{folder}", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["symbol"] == "IWM"


def test_dangling_symlink_and_fifo_are_one_problem_each(tmp_path):
    folder = tmp_path / "daily"
    folder.mkdir()
    (folder / "GOOD.csv").write_text("date,open,high,low,close,volume\n2023-06-12,1,2,1,2,0\n2023-06-13,1,2,1,x,0\n")
    os.symlink(tmp_path / "nowhere.csv", folder / "DANG.csv")
    os.mkfifo(folder / "FIFO.csv")  # reading it would block forever: it must never be opened
    (folder / "x[b]y.csv").write_text("date,open,high,low,close,volume\n")
    res = runner.invoke(app, ["data", "check", f"csv:{folder}", "--json"])
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    kinds = {(p["symbol"], p["kind"]) for p in doc["problems"]}
    assert doc["checked"] == 3
    assert ("DANG", "unreadable") in kinds and ("FIFO", "unreadable") in kinds
    assert ("x[b]y", "not a symbol") in kinds
    assert any(p["symbol"] == "GOOD" and p["line"] == 3 for p in doc["problems"])  # the rest was checked
    with pytest.raises(DataFileError, match="leads nowhere"):
        CsvFolder(folder).fetch("DANG", AS_TRADED)
    with pytest.raises(DataFileError, match="not a regular file"):
        CsvFolder(folder).fetch("FIFO", AS_TRADED)
    table = runner.invoke(app, ["data", "check", f"csv:{folder}"])
    assert table.exit_code == 1 and "x[b]y" in table.stdout  # markup in a file name printed as written
