"""A standing fuzz suite (issue 10): seeded mutations of idea files, CSV files and
symbols, run through the commands in-process.

Every case must end with exit 0 or 2 (1 only where it is the documented answer:
`data check` finding problems), never a traceback, never a hang (a time limit per
case), never an error message over a few KB; and an idea file that `check`
accepts must not be rejected by `replay` (one validation for every command).

Bounded by time: THESIS_FUZZ_SECONDS (default 10 per target, 30 in all) and
THESIS_FUZZ_SEED (default 0, so CI always draws the same cases). A failure names
the seed and case, and keeps the mutated input in the test's temp folder, so

    THESIS_FUZZ_SEED=7 THESIS_FUZZ_SECONDS=600 python -m pytest tests/cli/test_fuzz.py

hunts for longer, and the same seed reproduces what it found.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IDEA = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"
SECONDS = float(os.environ.get("THESIS_FUZZ_SECONDS", "10"))
SEED = int(os.environ.get("THESIS_FUZZ_SEED", "0"))
MIN_CASES = 8            # at least this many per target, however slow the machine
CASE_TIMEOUT = 30.0      # seconds: beyond it a case is a hang

NASTY_VALUES = [
    "nan", "inf", "-inf", "1e308", "-1e308", "1e-300", "0", "-1", "-0.0", "99999999999", '"+700"', '"abc"', '""',
    '"[/]"', '"[bold]x"', '":x:"', '"../../etc/passwd"', '"' + "x" * 5000 + '"', "[]", "[nan, 190]", "[190, nan]",
    "[1, 2, 3]", "[[[[[[[[[[1]]]]]]]]]]", "true", "{}", "9999-12-31", "1500-01-03", "2023-02-29", '"0s"',
    '"99999999999y"', '"40s"', '"-5d"', '"2:1"', '"2 to 1"', "1000", "0.0001", '"\\u0000"', '"\\u2028"',
]
NASTY_CELLS = ["", "nan", "inf", "-inf", "1e308", "1e-300", "-5", "0", "[/]", ":x:", "\x00", "9999-12-31",
               "1500-01-03", "2023-02-30", "\x0c", "\u2028", "1,5", '"', "x" * 3000, "１２３"]
SYMBOL_PARTS = ["IWM", "../", "..", "/", "/etc/passwd", "%2e%2e", "\\", "\x00", "[/]", ":x:", "a", "Z", ".", "-",
                "^", "=", "é", " ", "*", "?", "~", "$HOME", "A" * 300, "spy", "BRK.B", "^VIX"]


def _budget_loop(name: str, one_case):
    """Run one_case(rng, k) for SECONDS (at least MIN_CASES cases); collect failures."""
    failures, k = [], 0
    t_end = time.monotonic() + SECONDS
    while k < MIN_CASES or time.monotonic() < t_end:
        rng = random.Random(f"{name}:{SEED}:{k}")
        problem = one_case(rng, k)
        if problem:
            failures.append(f"{name} seed {SEED} case {k}: {problem}")
        k += 1
    return failures, k


# ----------------------------------------------------------------- idea files
PLAUSIBLE = ['"40s"', '"1y"', '"3w"', '"20d"', "2023-06-05", "2022-08-01", "2026-08-21", '"long"', '"short"',
             '"stop"', '"limit"', '"market"', '"1w"', '"1mo"', "0.5", "1.5", '"SPY"', '"QQQ"', '"TLT"']


def _perturb_numbers(line: str, rng: random.Random) -> str:
    """Numbers moved a little or a lot (a stop on the wrong side, a zone reversed, a tiny target)."""
    def move(m):
        x = float(m.group(0)) * rng.choice([0.5, 0.9, 0.99, 1.01, 1.1, 1.5, 2.0, -1.0, 0.0])
        return f"{x:.2f}"
    return re.sub(r"(?<![\w-])\d+\.\d+(?![\w-])", move, line)


def _mutate_idea(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        op = rng.random()
        assignments = [i for i, line in enumerate(lines) if re.match(r"^\s*\w+\s*=", line)]
        if op < 0.35 and assignments:                     # plausible edits: check may pass, then replay runs
            i = rng.choice(assignments)
            if rng.random() < 0.6:
                lines[i] = _perturb_numbers(lines[i], rng)
            else:
                lines[i] = f"{lines[i].split('=', 1)[0]}= {rng.choice(PLAUSIBLE)}"
        elif op < 0.6 and assignments:                    # a value replaced by a careless one
            i = rng.choice(assignments)
            key = lines[i].split("=", 1)[0]
            lines[i] = f"{key}= {rng.choice(NASTY_VALUES)}"
        elif op < 0.7 and assignments:                    # a line dropped
            del lines[rng.choice(assignments)]
        elif op < 0.8:                                    # a line duplicated (a key given twice)
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
        elif op < 0.9:                                    # characters flipped
            i = rng.randrange(len(lines))
            chars = list(lines[i])
            for _ in range(rng.randint(1, 4)):
                if chars:
                    chars[rng.randrange(len(chars))] = rng.choice("[]{}=\"'#\\,.0-9 \t:")
            lines[i] = "".join(chars)
        else:                                             # a note with hostile text
            lines.append(f'\n[[notes]]\ndate = {rng.choice(["2023-07-03", "9999-12-31", "1500-01-03"])}\n'
                         f'text = {rng.choice(NASTY_VALUES[10:20])}')
    return "\n".join(lines) + "\n"


def test_fuzz_idea_files(run, tmp_path):
    base = IDEA.read_text()

    def case(rng, k):
        path = tmp_path / f"idea-{k}.toml"
        path.write_text(_mutate_idea(base, rng))
        checked = run(["check", path], timeout=CASE_TIMEOUT)
        problem = checked.problem()
        if problem:
            return f"check: {problem} (input kept: {path})"
        if checked.exit_code != 0:
            return None
        for args in (["replay", path], ["evaluate", path, "--asof", "2023-07-03"]):
            out = run(args, timeout=CASE_TIMEOUT)
            problem = out.problem()
            if problem:
                return f"{args[0]}: {problem} (input kept: {path})"
            # check passed: no other command may reject the file itself (errors naming the file).
            if out.exit_code == 2 and out.stderr.lstrip().startswith(f"error: {path}"):
                return f"check passed but {args[0]} rejected the file: {out.stderr.strip()[:300]} (input kept: {path})"
        path.unlink()
        return None

    failures, n = _budget_loop("idea", case)
    assert n >= MIN_CASES
    assert not failures, "\n".join(failures)


# ----------------------------------------------------------------- CSV files
def _mutate_csv(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        i = rng.randrange(1, len(lines))
        if op < 0.5:                                      # a cell replaced
            cells = lines[i].split(",")
            cells[rng.randrange(len(cells))] = rng.choice(NASTY_CELLS)
            lines[i] = ",".join(cells)
        elif op < 0.6:                                    # a row duplicated or moved
            lines.insert(rng.randrange(1, len(lines)), lines[i])
        elif op < 0.7:                                    # a row cut short
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        elif op < 0.8:                                    # the header damaged
            lines[0] = rng.choice(["", "date,open,high,low", "Date;Open;High;Low;Close;Volume", "[/]<html>",
                                   "\ufeffdate,open,high,low,close,volume", lines[0].upper()])
        elif op < 0.9:                                    # a price a million times its neighbours
            cells = lines[i].split(",")
            if len(cells) > 4:
                cells[2] = str(float(cells[2] or 1) * 1e6) if re.match(r"^[\d.]+$", cells[2] or "") else "1e9"
            lines[i] = ",".join(cells)
        else:                                             # binary junk
            lines[i] = "".join(chr(rng.randrange(0, 0x250)) for _ in range(rng.randrange(1, 80)))
    return "\r\n".join(lines) if rng.random() < 0.2 else "\n".join(lines) + "\n"


def test_fuzz_csv_files(run, tmp_path, daily_dir):
    source = (daily_dir / "IWM.csv").read_text().splitlines()
    base = "\n".join([source[0], *source[-260:]]) + "\n"     # about a year of bars

    def case(rng, k):
        folder = tmp_path / f"csv-{k}"
        folder.mkdir()
        (folder / "FUZZ.csv").write_text(_mutate_csv(base, rng), encoding="utf-8", errors="surrogatepass")
        for args, exit_1 in ((["data", "check", f"csv:{folder}"], True),
                             (["data", "show", "FUZZ", "--source", f"csv:{folder}", "--rows", "5"], False),
                             (["data", "show", "FUZZ", "--source", f"csv:{folder}", "--timeframe", "1w"], False)):
            out = run(args, timeout=CASE_TIMEOUT)
            problem = out.problem(allow_exit_1=exit_1)
            if problem:
                return f"{' '.join(args[:2])}: {problem} (input kept: {folder / 'FUZZ.csv'})"
        shutil.rmtree(folder)
        return None

    failures, n = _budget_loop("csv", case)
    assert n >= MIN_CASES
    assert not failures, "\n".join(failures)


# ----------------------------------------------------------------- symbols
def test_fuzz_symbols(run, tmp_path, daily_dir):
    folder = tmp_path / "bars"
    folder.mkdir()
    shutil.copy(daily_dir / "IWM.csv", folder / "IWM.csv")
    outside = tmp_path / "OUT"
    outside.mkdir()
    (outside / "EVIL.csv").write_text((daily_dir / "SPY.csv").read_text())

    def case(rng, k):
        sym = "".join(rng.choice(SYMBOL_PARTS) for _ in range(rng.randint(1, 4)))
        if k % 7 == 0:
            sym = rng.choice(["../OUT/EVIL", str(outside / "EVIL"), "..\\OUT\\EVIL", "%2e%2e/OUT/EVIL"])
        for args in (["data", "show", sym, "--source", f"csv:{folder}", "--rows", "3"],
                     ["data", "pull", sym, "--source", f"csv:{folder}"]):
            out = run(args, timeout=CASE_TIMEOUT)
            problem = out.problem()
            if problem:
                return f"{args[:2]} {sym[:60]!r}: {problem}"
            if "EVIL" in sym.upper() and out.exit_code == 0:
                return f"{args[:2]} {sym[:60]!r} read a file outside the source folder"
            if any(bad in sym for bad in ("/", "\\", "\x00", "..")) and out.exit_code == 0:
                return f"{args[:2]} {sym[:60]!r}: a path-like symbol was accepted"
        return None

    failures, n = _budget_loop("symbol", case)
    assert n >= MIN_CASES
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("text", ["A" * 20_000, "[/]" * 1000])
def test_long_or_hostile_messages_are_cut(run, tmp_path, text):
    """An echoed value never floods the terminal: the error stays a few KB."""
    out = run(["data", "show", text])
    assert out.problem() is None, out.problem()
    assert out.exit_code == 2 and len(out.stderr) < 4000
