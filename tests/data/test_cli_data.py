import json

import pytest
from typer.testing import CliRunner

from thesis.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_pull_show_ls_json(data_root):
    res = run("data", "pull", "IWM", "SPY", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [p["symbol"] for p in doc["pulled"]] == ["IWM", "SPY"] and doc["failed"] == []
    assert run("data", "pull", "IWM", "--json").exit_code == 0  # twice: nothing changes
    inv = json.loads(run("data", "ls", "--json").stdout)
    assert {(s["symbol"], s["rows"]) for s in inv["sets"]} == {(p["symbol"], p["rows"]) for p in doc["pulled"]}
    shown = json.loads(run("data", "show", "IWM", "--timeframe", "1w", "--from", "2023-06-01", "--to",
                           "2023-06-30", "--json").stdout)
    assert shown["timeframe"] == "1w" and shown["source"].startswith("store:")
    assert [b["date"] for b in shown["bars"]] == ["2023-06-02", "2023-06-09", "2023-06-16", "2023-06-23",
                                                   "2023-06-30"]


def test_unknown_symbol_exit_2_on_stderr(data_root):
    res = run("data", "pull", "NOPE", "--json")
    assert res.exit_code == 2
    assert "NOPE" in res.stderr and json.loads(res.stdout)["failed"][0]["symbol"] == "NOPE"
    res = run("data", "show", "NOPE")
    assert res.exit_code == 2 and "not found" in res.stderr


def test_check_exit_status(data_root, tmp_path):
    ok = run("data", "check", f"csv:{data_root}", "IWM", "SPY", "--json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["ok"] is True
    bad = tmp_path / "daily"
    bad.mkdir()
    (bad / "X.csv").write_text("date,open,high,low,close,volume\n2023-06-12,1,2,1,x,0\n")
    res = run("data", "check", f"csv:{bad}", "--json")
    assert res.exit_code == 1
    problem = json.loads(res.stdout)["problems"][0]
    assert problem["symbol"] == "X" and problem["line"] == 2


def test_bad_timeframe_is_bad_input(data_root):
    res = run("data", "show", "IWM", "--timeframe", "5m")
    assert res.exit_code == 2 and "timeframe" in res.stderr


def test_pull_from_a_plain_adjusted_folder(data_root):
    res = run("data", "pull", "UUP", "--source", f"csv:{data_root / 'daily-adjusted'}", "--json")
    assert res.exit_code == 0, res.output
    pulled = json.loads(res.stdout)["pulled"][0]
    assert pulled["adjustment"] == "adjusted" and pulled["source"].endswith("daily-adjusted")


# Issue 10.9: data check never reports success when it checked nothing; sources are parsed strictly.
@pytest.mark.parametrize("source,match", [
    ("csv:", "names no folder"),
    ("csv:EMPTY", "nothing to check"),
    ("store:/nonexistent/store.duckdb", "does not exist"),
    ("csv:~nouser_thesis_x/x", "no such user"),
    ("yahoo", "name them"),
])
def test_check_of_nothing_is_an_error(tmp_path, source, match):
    (tmp_path / "empty").mkdir()
    res = run("data", "check", source.replace("EMPTY", str(tmp_path / "empty")))
    assert res.exit_code == 2 and match in res.stderr and "no problems" not in res.stdout


def test_check_of_a_folder_of_other_files_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    res = run("data", "check", f"csv:{tmp_path}")
    assert res.exit_code == 2 and "nothing to check" in res.stderr


def test_source_csv_without_folder_is_refused_everywhere(data_root):
    for argv in (("data", "show", "IWM", "--source", "csv:"), ("data", "pull", "IWM", "--source", "csv:")):
        res = run(*argv)
        assert res.exit_code == 2 and "names no folder" in res.stderr


@pytest.mark.parametrize("source", ["store", "store:/tmp/any.duckdb"])
def test_pull_from_the_store_is_refused(data_root, source):
    assert run("data", "pull", "IWM", "--from", "2023-06-01", "--to", "2023-06-30").exit_code == 0
    res = run("data", "pull", "IWM", "--source", source)
    assert res.exit_code == 2 and "INTO the store" in res.stderr
    inv = json.loads(run("data", "ls", "--json").stdout)["sets"]
    assert len(inv) == 1  # no duplicate set under a new source name


def test_store_check_reads_the_store(data_root):
    assert run("data", "pull", "IWM", "--from", "2023-06-01", "--to", "2023-06-30").exit_code == 0
    res = run("data", "check", "store", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["checked"] == 1


def test_show_flags_and_fallback_go_to_stderr_not_the_table(data_root):
    res = run("data", "show", "VIX", "--rows", "3")
    assert res.exit_code == 0
    assert "3 dates are not XNYS sessions" in res.stderr and "XNYS" not in res.stdout


def test_pull_both_adjustments_notes_a_missing_one(data_root):
    res = run("data", "pull", "UUP", "IWM", "--adjustment", "both", "--from", "2023-06-01", "--to", "2023-06-30",
              "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert sorted((p["symbol"], p["adjustment"]) for p in doc["pulled"]) == [
        ("IWM", "adjusted"), ("IWM", "as-traded"), ("UUP", "adjusted")]
    assert doc["failed"] == [] and doc["skipped"][0]["symbol"] == "UUP" and "note:" in res.stderr
    res = run("data", "pull", "NOPE", "--adjustment", "both")
    assert res.exit_code == 2 and "NOPE" in res.stderr  # missing in both: still an error
