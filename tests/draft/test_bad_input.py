"""Careless input: clear messages, exit status 2, no traceback, never a half-written output file."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from thesis.cli import app

runner = CliRunner()


def _run(tmp_path, data: bytes, *extra):
    post = tmp_path / "post.txt"
    post.write_bytes(data)
    out = tmp_path / "idea.toml"
    result = runner.invoke(app, ["draft", str(post), "-o", str(out), *extra])
    return result, out


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"   \n\n  \t\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not text"),
    ("Compramos oro en la zona de 168 a 169, con stop en 166 y objetivo en 175. Es una buena "
     "oportunidad para los que esperan una subida del precio del metal durante las próximas semanas."
     .encode(), "English"),
    ("ゴールドを168で買う。ストップは166、目標は175。".encode(), "English"),
    ("Ich kaufe GLD bei 168, Stop bei 166, Ziel 175. Das ist eine gute Gelegenheit für alle, die auf steigende "
     "Preise setzen.".encode(), "English"),
    (b"I think small caps are going lower from here. Short them and buy puts, the macro is bad.", "no numbers"),
    (b"\xff\xfe\x00I\x00W\x00M", "not"),
    (b"Random thoughts on 2023 and beyond. Nothing to trade, 42 is the answer.", "no entry, stop or target"),
])
def test_bad_posts_exit_2_with_a_message(tmp_path, data, words):
    result, out = _run(tmp_path, data)
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_5_mb_paste_is_refused_before_reading(tmp_path):
    result, out = _run(tmp_path, b"IWM short 188 stop 212 target 130\n" * 150_000)
    assert result.exit_code == 2 and "bytes" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_missing_file_and_folder_output(tmp_path):
    result = runner.invoke(app, ["draft", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2 and "no such file" in result.output
    post = tmp_path / "p.txt"
    post.write_text("GLD BUY ZONE 168.50 - 169.50\nSL 166\nTP1 172\nPublished 2023-03-01\n")
    result = runner.invoke(app, ["draft", str(post), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "folder" in result.output


def test_bad_published_flag(tmp_path):
    result, out = _run(tmp_path, b"GLD BUY ZONE 168.50 - 169.50\nSL 166\nTP1 172\n", "--published", "yesterday")
    assert result.exit_code == 2 and "--published" in result.output and not out.exists()


def test_two_symbols_two_trades_drafts_the_first_and_names_the_second(tmp_path):
    post = (b"Two shorts for the week\nMay 1, 2023\n\nFirst: XLE rolled over at resistance. Short 90-91, stop 94, "
            b"target 84.\n\nSecond: SLV looks heavy. Short 24.50, stop 25.40, target 22.\n")
    result, out = _run(tmp_path, post)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert 'symbol = "XLE"' in text and "entry_zone = [90.0, 91.0]" in text
    assert "second trade (SLV" in text and "second trade (SLV" in result.output


def test_an_existing_output_is_replaced_whole_or_left_alone(tmp_path):
    out = tmp_path / "idea.toml"
    out.write_text("old")
    post = tmp_path / "p.txt"
    post.write_text("")
    assert runner.invoke(app, ["draft", str(post), "-o", str(out)]).exit_code == 2
    assert out.read_text() == "old"
    post.write_text("GLD BUY ZONE 168.50 - 169.50\nSL 166\nTP1 172\nPublished 2023-03-01\n")
    assert runner.invoke(app, ["draft", str(post), "-o", str(out)]).exit_code == 0
    assert out.read_text().startswith("# Drafted by") and not list(tmp_path.glob(".idea.toml.*"))


def test_unknown_symbol_is_said(tmp_path):
    post = tmp_path / "p.txt"
    post.write_text("$ZZQX long setup\nJune 1, 2023\nBuying $ZZQX at 12.50, stop 11.80, target 15.\n")
    result = runner.invoke(app, ["draft", str(post), "--json"])
    assert result.exit_code == 0, result.output
    assert '"symbol_in_data": false' in result.stdout and "not in the data source" in result.stdout
