"""Issue 9.6: one range check for every command; data show says when rows are cut or none match."""
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from thesis.cli import app
from thesis.data.dates import check_range, empty_range_message
from thesis.errors import BadInput

runner = CliRunner()
TODAY = "2026-12-01"


def test_check_range_accepts_and_normalises():
    a, b = check_range("2023-06-01", pd.Timestamp("2023-06-30 15:00"), today=TODAY)
    assert (a, b) == (pd.Timestamp("2023-06-01"), pd.Timestamp("2023-06-30"))
    assert check_range(None, None) == (None, None)
    assert check_range("2026-09-01", None, last="2026-08-21", today=TODAY)[0] == pd.Timestamp("2026-09-01")


@pytest.mark.parametrize("start,end,last,match", [
    ("2023-06-10", "2023-06-01", None, "start 2023-06-10 is after end 2023-06-01: the range is reversed"),
    ("2030-01-01", None, None, "in the future"),
    ("2030-01-01", None, "2026-08-21", "the data ends 2026-08-21"),
    ("1500-01-03", None, None, "outside the dates thesis accepts"),
    ("9999-12-31", None, None, "outside the dates thesis accepts"),
    ("not-a-date", None, None, "is not a date"),
])
def test_check_range_refuses(start, end, last, match):
    with pytest.raises(BadInput, match=match):
        check_range(start, end, last=last, today=TODAY)


def test_empty_range_message_names_the_data():
    bars = pd.DataFrame({"close": [1.0, 2.0, 3.0]}, index=pd.to_datetime(["2023-06-09", "2023-06-12", "2023-06-13"]))
    assert "the data ends 2023-06-13" in empty_range_message("X", "2024-01-01", None, bars)
    assert "the data starts 2023-06-09" in empty_range_message("X", None, "2020-01-01", bars)
    assert "no session in that range" in empty_range_message("X", "2023-06-10", "2023-06-11", bars)


def test_show_says_rows_were_cut_and_prints_all_on_request(data_root):
    res = runner.invoke(app, ["data", "show", "IWM", "--from", "2023-06-01"])
    assert res.exit_code == 0
    n = len(pd.read_csv(data_root / "daily" / "IWM.csv").query("date >= '2023-06-01'"))
    assert f"the last 20 of {n} rows" in " ".join(res.stdout.split())
    res = runner.invoke(app, ["data", "show", "IWM", "--from", "2023-06-01", "--to", "2023-06-30", "--all"])
    assert res.exit_code == 0 and "2023-06-01" in res.stdout and "2023-06-30" in res.stdout
    assert "rows; --rows" not in res.stdout
    res = runner.invoke(app, ["data", "show", "IWM", "--rows", "0"])
    assert res.exit_code == 2 and "--rows" in res.stderr


def test_show_empty_range_says_so(data_root):
    res = runner.invoke(app, ["data", "show", "IWM", "--from", "2023-06-03", "--to", "2023-06-04"])
    assert res.exit_code == 0 and "no bars of IWM between 2023-06-03 and 2023-06-04" in res.stderr
    res = runner.invoke(app, ["data", "show", "IWM", "--to", "1990-01-01", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["bars"] == [] and "the data starts" in res.stderr


@pytest.mark.parametrize("argv,match", [
    (["data", "show", "IWM", "--from", "2023-06-10", "--to", "2023-06-01"], "reversed"),
    (["data", "show", "IWM", "--from", "2030-01-01"], "in the future"),
    (["data", "pull", "IWM", "--from", "2030-01-01"], "in the future"),
    (["data", "pull", "IWM", "--from", "2023-06-10", "--to", "2023-06-01"], "reversed"),
])
def test_bad_ranges_exit_2_without_traceback(data_root, argv, match):
    res = runner.invoke(app, argv)
    assert res.exit_code == 2 and match in res.stderr
    assert isinstance(res.exception, SystemExit) and "Traceback" not in res.output


def test_pull_of_an_empty_range_says_where_the_data_is(data_root):
    res = runner.invoke(app, ["data", "pull", "IWM", "--from", "2026-09-01", "--json"])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit)
    assert "the data ends 2026-08-21" in json.loads(res.stdout)["failed"][0]["error"]


PLAIN_DAYS = ["2023-06-05", " 2023-06-05 ", "2024-02-29", "2023-02-29", "2023-02-30", "2023-13-01", "2023-00-10",
              "1800-01-01", "1799-12-31", "2200-12-31", "2201-01-01", "0000-01-01", "2026-12-01", "2026-12-02",
              "2023-6-5", "2023-06-05T10:00", "2023-06-05 23:59:59+02:00", "20230605", "", "  ", "June 5",
              "2023-06-05x", "२०२३-०६-०५"]


@pytest.mark.parametrize("text", PLAIN_DAYS)
def test_check_since_answers_like_check_range(text):
    """`thesis journal --since` checks its date without pandas (check_since): the same day or the same
    message as the range check every other command uses."""
    from datetime import date

    from thesis.data.dates import check_since

    def outcome(fn):
        try:
            return "ok", fn()
        except BadInput as exc:
            return "error", str(exc)

    want = outcome(lambda: (lambda a: None if a is None else a.date())(
        check_range(text, None, names=("--since", "--to"), today=TODAY)[0]))
    got = outcome(lambda: check_since(text, "--since", today=date.fromisoformat(TODAY)))
    assert got == want
