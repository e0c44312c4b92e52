import json

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
