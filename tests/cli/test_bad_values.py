"""Every command, every option, careless values: never a traceback, never a hang.

The commands are enumerated from the typer app, so a new command is swept without
editing this file (a command without an entry in BASE gets arguments guessed from
its parameter names). For each parameter the sweep passes values a person might
type by mistake: zero, negative, huge, nan, a reversed date range, a future or
prehistoric date, a folder where a file belongs, a file where a folder belongs,
a missing file, markup characters. Allowed outcomes: exit 0 or 2 (bad input, with
a message on stderr); exit 1 only for commands whose documented failure it is.
"""
from __future__ import annotations

import datetime as dt
import shutil
import typing
from pathlib import Path

import pytest
import typer

ROOT = Path(__file__).resolve().parents[2]
IDEA = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"

FUTURE = (dt.date.today() + dt.timedelta(days=3650)).isoformat()
DATES = [FUTURE, "1800-01-01", "2023-02-30"]
# Commands that run until stopped by design; swept only where they end by themselves.
SKIP: dict = {}
# `serve` runs until stopped: the sweep replaces uvicorn.run with a stub that returns at once.
SERVER = ("serve",)
# Baselines too slow for the sweep and run elsewhere (`make demo`); their bad values are still swept.
NO_BASELINE = {("demo",)}
# (command, reason) pairs where exit status 1 is the documented answer.
EXIT_1_OK = {("data", "check"): "problems found"}


def _walk(cmd, path=()):
    import typer._click as click

    if hasattr(cmd, "list_commands"):
        ctx = click.Context(cmd)
        for name in cmd.list_commands(ctx):
            yield from _walk(cmd.get_command(ctx, name), path + (name,))
    else:
        yield path, cmd


def all_commands():
    from thesis.cli import app

    return list(_walk(typer.main.get_command(app)))


def _base(path: tuple, tmp: Path, daily: Path) -> dict:
    """Valid arguments of each command: {param name: value} (None = a flag given)."""
    idea = tmp / "idea.toml"
    if not idea.exists():
        shutil.copy(IDEA, idea)
    authors = tmp / "authors"
    if not authors.exists():
        authors.mkdir()
        for f in sorted((ROOT / "examples" / "authors").glob("*.toml"))[:2]:
            shutil.copy(f, authors / f.name)
    base = {
        ("check",): {"idea": idea},
        ("evaluate",): {"idea": idea},
        ("replay",): {"idea": idea},
        ("chart",): {"idea": idea, "out": tmp / "snap.png", "width": 400, "height": 300},
        ("demo",): {"out": tmp / "demo-out"},
        ("study",): {"idea": idea, "bootstrap": 50, "base_rate": 0, "from_": "2022-01-01"},
        ("market",): {},
        ("serve",): {"ideas": authors, "port": 48765},
        ("scorecard",): {"folder": authors, "draws": 0, "setup": "--no-setup"},
        ("watch",): {"paths": idea, "once": None},
        ("ideas",): {"folder": tmp},
        ("journal",): {},
        ("note",): {"idea": idea, "text": "a note"},
        ("export", "pine"): {"idea": idea},
        ("data", "pull"): {"symbols": "IWM", "source": f"csv:{daily}", "from_": "2023-01-01"},
        ("data", "show"): {"symbol": "IWM", "from_": "2023-01-02", "to": "2023-03-31"},   # --all stays short
        ("data", "check"): {"source": f"csv:{daily}", "symbols": "IWM"},
        ("options", "price"): {"type": "call", "spot": 100, "strike": 100, "iv": 0.2, "days": 30},
        ("options", "plan"): {"idea": idea},
        ("options", "scenario"): {"type": "call", "strike": 100, "spot": 100, "iv": 0.2, "days": 30,
                                  "n_prices": 5, "n_dates": 3},
    }
    return base.get(path, {})


def _annotation(param):
    ann = getattr(getattr(param, "type_descriptor", None), "annotation", str)
    args = typing.get_args(ann)
    if typing.get_origin(ann) in (list, typing.List) and args:
        return args[0]
    if type(None) in args:
        return next(a for a in args if a is not type(None))
    return ann


def _guess(param, tmp: Path, daily: Path):
    """A plausible value for a required parameter of a command BASE does not know."""
    ann, name = _annotation(param), param.name.lower()
    if ann is Path:
        return tmp / "idea.toml" if "idea" in name or "file" in name else tmp   # a copy: commands may write
    if "symbol" in name:
        return "IWM"
    if "source" in name:
        return f"csv:{daily}"
    return {int: 1, float: 1.0}.get(ann, "x")


def _bad_values(param, tmp: Path, daily: Path) -> list:
    ann, name = _annotation(param), param.name.lower()
    if getattr(param, "is_flag", False):
        return [None]
    folder = tmp / "a-folder"
    folder.mkdir(exist_ok=True)
    # A CSV of our own: a command given it as an output file would overwrite it (never the shared data).
    csv_file = tmp / "IWM.csv"
    csv_file.write_text("date,open,high,low,close,volume\n2023-06-12,185.23,186.68,184.22,185.80,100\n")
    blocker = tmp / "a-file"
    blocker.write_text("not a folder\n")
    if ann is int:
        return ["0", "-5", "99999999999"]
    if ann is float:
        return ["0", "-5", "nan", "inf", "1e308"]
    if ann in (dt.datetime, dt.date) or name in ("asof", "since", "expiry", "date", "split") or \
            getattr(param, "metavar", None) == "YYYY-MM-DD":   # every date flag (thesis.cli._common.DATE_METAVAR)
        return DATES
    if ann is Path:
        return [folder, tmp / "missing" / "x.toml", csv_file, blocker / "x.png"]
    if "source" in name or "universe" in name:
        return [f"csv:{tmp / 'missing'}", f"csv:{csv_file}", "store:/nonexistent/store.duckdb", "csv:"]
    if "symbol" in name:
        return ["../../etc/passwd", "[/]", "A" * 500, ""]
    return ["", "[/]", "x" * 5000]


def _argv(cmd, values: dict) -> list[str]:
    argv, positional = [], []
    for p in cmd.params:
        if p.name not in values:
            continue
        v = values[p.name]
        if p.param_type_name == "argument":
            positional.append(str(v))
        elif v is None or (isinstance(v, str) and v.startswith("--")):
            argv.append(v or p.opts[0])
        else:
            argv += [p.opts[-1] if p.opts[-1].startswith("--") else p.opts[0], str(v)]
    return positional + argv


def _cases(path, cmd, tmp: Path, daily: Path):
    base = dict(_base(path, tmp, daily))
    for p in cmd.params:
        if p.required and p.name not in base:
            base[p.name] = _guess(p, tmp, daily)
    if path not in NO_BASELINE:
        yield "baseline", base
    for p in cmd.params:
        if p.name == "help":
            continue
        for v in _bad_values(p, tmp, daily):
            label = f"{p.name}={str(v)[:40]!r}"
            yield label, {**base, p.name: v}
    names = {p.name for p in cmd.params}
    for lo, hi in (("from_", "to"),):
        if lo in names and hi in names:
            yield "reversed dates", {**base, lo: "2024-01-01", hi: "2023-01-01"}


COMMANDS = all_commands()


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_bad_values_never_crash(path, cmd, run, tmp_path, daily_dir, monkeypatch):
    if path in SKIP:
        pytest.skip(SKIP[path])   # listed, with the reason, in the test report
    if path == SERVER:
        import uvicorn

        monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    failures = []
    for label, values in _cases(path, cmd, tmp_path, daily_dir):
        out = run([*path, *_argv(cmd, values)], timeout=60)
        problem = out.problem(allow_exit_1=path in EXIT_1_OK)
        if label == "baseline" and path in {p for p in _known()} and out.exit_code != 0:
            problem = problem or f"baseline exit {out.exit_code}: {out.stderr.strip()[-300:]}"
        if _never_valid(label) and out.exit_code == 0:
            problem = problem or "accepted without a word (exit 0)"
        if problem:
            failures.append(f"{' '.join(path)} [{label}]: {problem}")
    assert not failures, "\n".join(failures)


def _never_valid(label: str) -> bool:
    """Values no option may accept: nan/inf numbers, impossible dates, path-like symbols."""
    value = label.split("=", 1)[-1]
    return value in ("'nan'", "'inf'", "'2023-02-30'", "'../../etc/passwd'")


def _known():
    return {("serve",), ("check",), ("evaluate",), ("replay",), ("chart",), ("study",), ("market",), ("data", "show"),
            ("data", "check"), ("data", "pull"), ("options", "price"), ("options", "plan"), ("options", "scenario")}


def test_every_command_is_swept():
    """The sweep sees the commands the README lists (guards the enumeration itself)."""
    names = {" ".join(p) for p, _ in COMMANDS}
    for expected in ("check", "evaluate", "replay", "chart", "study", "market", "data pull", "data show",
                     "data check", "options price", "options plan", "options scenario"):
        assert expected in names
