"""Tables never cut dates, prices or R (issue 9.8): the main tables rendered at
80 and 100 columns show every key figure in full, and $COLUMNS is honoured."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.table import Table

import thesis.cli._common as common

ROOT = Path(__file__).resolve().parents[2]
IDEA = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"
ELLIPSIS = "\u2026"


@pytest.fixture
def columns(monkeypatch):
    """columns(n): the CLI consoles render n columns wide."""
    def set_width(n: int) -> None:
        monkeypatch.setattr(common.console, "_width", n)
        monkeypatch.setattr(common.err_console, "_width", n)
    return set_width


def _json(run, args) -> dict:
    out = run([*args, "--json"])
    assert out.exit_code == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("width", [80, 100])
def test_replay_trades_show_full_dates_prices_and_r(run, columns, width):
    doc = _json(run, ["replay", IDEA])
    columns(width)
    out = run(["replay", IDEA])
    assert out.exit_code == 0, out.stderr
    assert ELLIPSIS not in out.stdout
    filled = [t for t in doc["trades"] if t["filled"]]
    assert filled
    for t in filled:
        for leg in (t["entry"], t["exit"]):
            assert leg["date"] in out.stdout and f"{leg['price']:.2f}" in out.stdout, (leg, out.stdout)
        if t["pnl"]["r"] is not None:
            assert f"{t['pnl']['r']:+.2f}" in out.stdout


@pytest.mark.parametrize("width", [80, 100])
def test_evaluate_levels_show_full_prices(run, columns, width):
    doc = _json(run, ["evaluate", IDEA, "--asof", "2023-07-03"])
    columns(width)
    out = run(["evaluate", IDEA, "--asof", "2023-07-03"])
    assert out.exit_code == 0, out.stderr
    assert ELLIPSIS not in out.stdout
    assert f"{doc['levels']['stop']['level']:.2f}" in out.stdout
    for t in doc["levels"]["targets"]:
        assert f"{t['level']:.2f}" in out.stdout


@pytest.mark.parametrize("width", [80, 100])
def test_data_show_full_dates_and_prices(run, columns, width):
    doc = _json(run, ["data", "show", "IWM", "--from", "2023-06-01", "--to", "2023-06-30"])
    columns(width)
    out = run(["data", "show", "IWM", "--from", "2023-06-01", "--to", "2023-06-30"])
    assert out.exit_code == 0, out.stderr
    assert ELLIPSIS not in out.stdout
    last = doc["bars"][-1]
    assert str(last["date"])[:10] in out.stdout
    assert f"{last['close']:.2f}" in out.stdout and f"{last['high']:.2f}" in out.stdout


@pytest.mark.parametrize("width", [80, 100])
def test_options_plan_full_expiries(run, columns, width):
    doc = _json(run, ["options", "plan", IDEA])
    columns(width)
    out = run(["options", "plan", IDEA])
    assert out.exit_code == 0, out.stderr
    assert ELLIPSIS not in out.stdout
    for c in doc["candidates"][:10]:
        assert str(c["expiry"])[:10] in out.stdout


@pytest.mark.parametrize("width", [80, 100])
def test_market_and_study_tables_not_cut(run, columns, width):
    columns(width)
    for args in (["market", "--asof", "2023-05-31"], ["study", IDEA, "--bootstrap", "100"]):
        out = run(args)
        assert out.exit_code == 0, (args, out.stderr)
        assert ELLIPSIS not in out.stdout, (args, out.stdout)


def test_print_table_drops_optional_columns_then_widens():
    buf = io.StringIO()
    from rich.console import Console

    con = Console(file=buf, width=40, emoji=False, color_system=None)
    t = Table(title="t")
    t.add_column("date", no_wrap=True)
    t.add_column("price", no_wrap=True)
    t.add_column("comment")
    t.add_column("extra", no_wrap=True)
    t.add_row("2023-06-14", "188.12", "a long comment that may wrap freely", "x" * 30)
    common.print_table(t, drop=("extra",), out=con)
    text = buf.getvalue()
    assert "2023-06-14" in text and "188.12" in text and ELLIPSIS not in text
    assert "left out for width: extra" in "".join(text.split("\n"))
    assert max(len(line) for line in text.splitlines()) <= 40
    # Key columns wider than the terminal: printed wider, never cut.
    buf.seek(0), buf.truncate()
    wide = Table()
    for k in range(6):
        wide.add_column(f"c{k}", no_wrap=True)
    wide.add_row(*(f"2023-06-1{k} @ 188.1{k}" for k in range(6)))
    common.print_table(wide, out=con)
    text = buf.getvalue()
    assert all(f"2023-06-1{k} @ 188.1{k}" in text for k in range(6)) and ELLIPSIS not in text


def test_columns_env_is_honoured_and_pipes_are_not_squeezed(monkeypatch):
    from rich.console import Console

    pipe = io.StringIO()
    monkeypatch.setenv("COLUMNS", "100")
    assert Console(file=pipe, width=common._width(pipe)).width == 100
    monkeypatch.delenv("COLUMNS")
    assert common._width(pipe) == common.PIPE_WIDTH

