"""Regression tests of issue 9's terminal items owned by the CLI: study --confirm
explains 0 trades, market --asof outside the breadth/data range, output paths
that are folders or files, the study report's labels."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IDEA = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_study_confirm_with_no_trades_says_why(run):
    """9.11: every occurrence failed a confirmation: the text says so, with counts per confirmation."""
    args = ["study", IDEA, "--confirm", "--from", "2024-01-01", "--to", "2024-12-31", "--bootstrap", "10"]
    doc = json.loads(run([*args, "--json"]).stdout)
    assert doc["summary"]["signals"] == 0 and doc["confirmations"]["passed"] == 0
    out = run(args)
    assert out.exit_code == 0, out.stderr
    text = _flat(out.stdout)
    events = doc["confirmations"]["events"]
    assert f"confirmations: 0 of {events} occurrences passed all 7 confirmations" in text
    assert "no trades: every occurrence failed at least one confirmation" in text
    for k, c in enumerate(doc["confirmations"]["by_confirmation"], start=1):
        what = f"{c['kind']} {c['what']}".strip()
        assert f"#{k} {what}: failed {c['failed']} of {c['measured']} measured" in text
    assert "IWM vs SPY weaker" in text          # which pair each confirmation is


def test_confirmation_lines_pluralise():
    from thesis.cli.study import confirmation_lines

    lines = confirmation_lines({"confirmations": 1, "events": 1, "passed": 1, "unmeasured": 1,
                                "by_confirmation": [{"kind": "trend", "what": "UUP up", "measured": 0, "failed": 0}]}, 1)
    assert lines[0] == "confirmations: 1 of 1 occurrence passed all 1 confirmation"
    assert "1 occurrence had no data" in lines[-1]
    assert confirmation_lines(None, 0) == []


def test_market_before_breadth_reports_the_rest(run):
    """9.12: the breadth universe starts in 2015; the rest of a 2005 report is shown."""
    out = run(["market", "--asof", "2005-06-01"])
    assert out.exit_code == 0, out.stderr
    text = _flat(out.stdout)
    assert "Breadth: unavailable" in text and "starts 2015" in text
    assert "IWM/SPY" in text and "Performance" in text and "Regime" in text
    doc = json.loads(run(["market", "--asof", "2005-06-01", "--json"]).stdout)
    assert doc["breadth"]["available"] is False and doc["relative_strength"]


def test_market_after_the_data_says_where_it_ends(run):
    doc = json.loads(run(["market", "--json"]).stdout)
    end = doc["relative_strength"][0]["date"]
    out = run(["market", "--asof", "2099-01-01"])
    assert out.exit_code == 0, out.stderr
    assert f"the data ends {end}" in _flat(out.stdout)


def test_market_before_all_data_is_bad_input(run):
    out = run(["market", "--asof", "1980-01-01"])
    assert out.exit_code == 2 and "before the data" in out.stderr and out.problem() is None


def test_market_bad_since(run):
    for since, words in (("2023-02-30", "is not a date"), ("2099-01-01", "after the report's session")):
        out = run(["market", "--since", since])
        assert out.exit_code == 2 and words in _flat(out.stderr), out.stderr


def test_output_paths_that_cannot_be_written(run, tmp_path):
    """Issue 9 tracebacks: a folder given for a file, a file given for a folder."""
    folder = tmp_path / "folder"
    folder.mkdir()
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    cases = [(["market", "--chart", folder], "is a folder"),
             (["study", IDEA, "--report", a_file, "--bootstrap", "0"], "is a file"),
             (["chart", IDEA, "-o", folder], "folder"),
             (["replay", IDEA, "--chart", folder], "folder"),
             (["options", "plan", IDEA, "--chart", folder], "is a folder"),
             (["demo", "--out", a_file], "is a file")]
    for args, words in cases:
        out = run(args)
        assert out.exit_code == 2 and out.problem() is None, (args, out.stderr, out.problem())
        assert words in out.stderr, (args, out.stderr)
    assert a_file.read_text() == "x"


def test_study_html_report_has_no_raw_dict_and_labels_the_p_value(run, tmp_path):
    out = run(["study", IDEA, "--report", tmp_path / "rep", "--bootstrap", "20"])
    assert out.exit_code == 0, out.stderr
    page = (tmp_path / "rep" / "index.html").read_text()
    assert "{&#x27;" not in page and "{'" not in page
    assert "p(mean R &gt; 0)" not in page and "p-value, mean R &gt; 0 (one-sided t-test)" in page
    assert "stop " in page and "zone 20-session extreme" in page


def test_unexpected_errors_are_one_line_not_a_traceback(run, monkeypatch):
    """The last line of defence in handle_errors: a bug prints a message and exits 1."""
    import thesis.market.report as report

    def boom(*a, **k):
        raise ZeroDivisionError("[/] boom")

    monkeypatch.setattr(report, "market_report", boom)
    import thesis.market as market_pkg

    monkeypatch.setattr(market_pkg, "market_report", boom)
    out = run(["market"])
    assert out.exit_code == 1 and not out.crashed
    assert "internal error (ZeroDivisionError: [/] boom)" in out.stderr
    assert "Traceback" not in out.stderr
