"""Untrusted text never reaches rich as markup (issue 10.2, 9.9).

Three layers: the helper itself (any text survives a round trip), every
command's output and error paths with markup characters in file contents,
titles, symbols and folder names, and a static check of thesis/cli that every
f-string placeholder sent to console.print / Table / Panel is escaped, a
number with a format spec, or a value the program made itself.
"""
from __future__ import annotations

import ast
import io
import re
import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from thesis.cli._common import esc

ROOT = Path(__file__).resolve().parents[2]
IDEA = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"
NASTY = "[/] [bold]x[/bold] :x: [red] \\[ [link=file:///etc]y[/link]"


def _flat(text: str) -> str:
    """Output without the line breaks and padding rich adds."""
    return "".join(text.split())


def _render(markup: str) -> str:
    buf = io.StringIO()
    Console(file=buf, width=10_000, emoji=False, color_system=None).print(markup, highlight=False, end="")
    return buf.getvalue()


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=60))
def test_esc_round_trips_any_text(text):
    if not text.endswith("\\"):      # a trailing backslash gets one more (rich's rule, see below)
        assert _render(f"{esc(text)} x") == text + " x"
    # Before a tag, rich reads trailing backslashes as escapes: esc keeps the tag working
    # (never a MarkupError, never a leaked style); only the count of those backslashes may differ.
    assert _render(f"[bold]{esc(text)}[/]").rstrip("\\") == text.rstrip("\\")


def test_esc_keeps_emoji_codes_and_the_issue_example():
    assert _render(esc("entry_zone [184, 180] is empty: write [low, high]")) == \
        "entry_zone [184, 180] is empty: write [low, high]"
    assert _render(esc(":x: :thumbs_up:")) == ":x: :thumbs_up:"
    assert esc("x" * 50, limit=10).startswith("x" * 10 + "... (40 more")


def _idea_with(tmp: Path, **replace) -> Path:
    text = IDEA.read_text()
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    out = tmp / "idea.toml"
    out.write_text(text)
    return out


def test_idea_title_with_markup_prints_literally(run, tmp_path):
    idea = _idea_with(tmp_path, **{'title = "IWM: no love for small caps"': 'title = "IWM [/] [bold]no love :x:"'})
    for args in (["check", idea], ["evaluate", idea], ["replay", idea], ["study", idea, "--bootstrap", "0",
                                                                          "--base-rate", "0"]):
        out = run(args)
        assert out.problem() is None, (args, out.problem())
        assert out.exit_code == 0, (args, out.stderr)
        assert _flat("IWM [/] [bold]no love :x:") in _flat(out.stdout), (args, out.stdout[:500])


def test_error_message_keeps_brackets(run, tmp_path):
    """Issue 9.9: 'write [low, high]' was eaten as a markup tag."""
    text = IDEA.read_text()
    zone = re.search(r"entry_zone\s*=\s*\[[^\]]*\]", text).group(0)
    idea = _idea_with(tmp_path, **{zone: "entry_zone = [184, 180]"})
    out = run(["check", idea])
    assert out.exit_code == 2 and out.problem() is None, out.stderr
    assert "[low, high]" in out.stderr, out.stderr


def test_symbols_and_folders_with_markup(run, tmp_path, daily_dir):
    for sym in ("[/]", "[bold]X", ":x:"):
        out = run(["data", "show", sym])
        assert out.exit_code == 2 and out.problem() is None, (sym, out.stderr)
        assert sym in out.stderr or sym.upper() in out.stderr, (sym, out.stderr)
    folder = tmp_path / "[bold]data[red] :x:"
    folder.mkdir()
    shutil.copy(daily_dir / "IWM.csv", folder / "IWM.csv")
    out = run(["data", "show", "IWM", "--source", f"csv:{folder}", "--rows", "3"])
    assert out.exit_code == 0 and out.problem() is None, out.stderr
    assert _flat("[bold]data[red] :x:") in _flat(out.stdout), out.stdout


def test_csv_cell_and_first_line_with_markup(run, tmp_path):
    folder = tmp_path / "csvs"
    folder.mkdir()
    (folder / "AAA.csv").write_text("date,open,high,low,close,volume\n2023-01-03,[/]1,2,0.5,1.5,100\n")
    (folder / "BBB.csv").write_text("[/]<html> :x: [bold]not a csv\n")
    out = run(["data", "check", f"csv:{folder}"])
    assert out.problem(allow_exit_1=True) is None, out.stderr
    assert out.exit_code in (1, 2)
    both = _flat(out.stdout + out.stderr)
    assert "MarkupError" not in both
    assert "[/]" in both
    assert "\u274c" not in both          # ':x:' never becomes an emoji


def test_note_text_with_markup(run, tmp_path):
    idea = tmp_path / "idea.toml"
    shutil.copy(IDEA, idea)
    out = run(["note", idea, NASTY, "--date", "2023-07-03"])
    assert out.problem() is None, out.stderr
    out = run(["replay", idea])
    assert out.problem() is None, out.stderr


# ----------------------------------------------------------------- static check
SAFE_CALLS = {"esc", "plural", "len", "int", "float", "round", "abs", "min", "max", "sum"}
SINKS = {"print", "add_row", "add_column", "Table", "Panel", "fit", "status", "log", "rule"}
# Values the program makes itself: dates, counts, closed vocabularies (never a user's free text).
SAFE_NAMES = {"date", "asof", "asof_d", "published", "direction", "adjustment", "kind", "units", "type", "expiry",
              "expiry_d", "price_kind", "members", "cells_tried", "n_days", "horizon_days", "evaluation_date",
              "iv_date", "by", "timeframe", "style", "rank_by", "mark", "verdict", "prefix", "variant", "state",
              "count", "n", "rows", "lookback_sessions", "label", "history"}


def _callee(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _last_name(e: ast.AST) -> str | None:
    if isinstance(e, ast.Subscript) and isinstance(e.slice, ast.Constant):
        return str(e.slice.value)
    if isinstance(e, ast.Attribute):
        return e.attr
    if isinstance(e, ast.Name):
        return e.id
    return None


def _unsafe(node: ast.AST):
    """f-string placeholders in ``node`` that are not escaped (skips safe calls)."""
    if isinstance(node, ast.Call) and (_callee(node) in SAFE_CALLS or _callee(node).startswith("_")):
        return
    if isinstance(node, ast.JoinedStr):
        for v in node.values:
            if isinstance(v, ast.FormattedValue) and v.format_spec is None:
                e = v.value
                if isinstance(e, ast.Constant) or _last_name(e) in SAFE_NAMES:
                    continue
                if isinstance(e, ast.IfExp) and isinstance(e.body, ast.Constant) and isinstance(e.orelse, ast.Constant):
                    continue
                if isinstance(e, ast.BinOp) and not isinstance(e.op, (ast.Add, ast.Mod)):   # arithmetic on numbers
                    continue
                if isinstance(e, ast.Call) and (_callee(e) in SAFE_CALLS or _callee(e).startswith("_")):
                    continue
                yield ast.unparse(e)
    for child in ast.iter_child_nodes(node):
        yield from _unsafe(child)


def unescaped_placeholders(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and _callee(node) in SINKS):
            continue
        if any(k.arg == "markup" and isinstance(k.value, ast.Constant) and k.value.value is False
               for k in node.keywords):
            continue
        for arg in [*node.args, *(k.value for k in node.keywords if k.arg in ("title", "caption"))]:
            out += [f"{path.name}:{node.lineno}: {{{p}}}" for p in _unsafe(arg)]
    return out


def test_scanner_finds_an_unescaped_title(tmp_path):
    bad = tmp_path / "probe.py"
    bad.write_text("def f(doc):\n    console.print(f\"[bold]{doc['title']}[/] {esc(doc['x'])} {doc['n']:.2f}\")\n")
    assert unescaped_placeholders(bad) == ["probe.py:2: {doc['title']}"]


def test_no_unescaped_text_reaches_rich():
    found = [hit for p in sorted((ROOT / "thesis" / "cli").glob("*.py")) for hit in unescaped_placeholders(p)]
    assert not found, "wrap these in esc(...) (thesis.cli._common), or add a program-made name to SAFE_NAMES:\n" + \
        "\n".join(found)
