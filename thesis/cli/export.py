"""`thesis export pine`: an idea as a Pine Script v6 indicator for TradingView (docs/pine.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from thesis.cli._common import console, err_console, esc, handle_errors, output_file, output_folder, plural

app = typer.Typer(help="Export ideas to other tools (TradingView's Pine Script).", no_args_is_help=True)


@app.command("pine")
@handle_errors
def pine(idea: Optional[Path] = typer.Argument(None, help="Idea file (TOML)"),
         output: Optional[Path] = typer.Option(None, "-o", "--output",
                                               help="Write the script here (one idea: a .pine file, default: "
                                                    "print it; with --all: a folder, default out/pine)"),
         all_in: Optional[Path] = typer.Option(None, "--all", metavar="DIR",
                                               help="Export every idea file in DIR and its subfolders")):
    """Write an idea as a Pine Script v6 indicator: levels, dates, triggers and alerts whose JSON
    `thesis serve` takes back in (/inbound/tradingview/SECRET)."""
    from thesis.errors import BadInput

    if all_in is not None and idea is None:
        _export_folder(all_in, output_folder(output or Path("out/pine"), "-o"))
        return
    if idea is None or all_in is not None:
        raise BadInput("give one idea file, or --all DIR for every idea in a folder")
    if idea.is_dir():
        raise BadInput(f"{idea} is a folder: use --all {idea} to export every idea in it")
    out = output_file(output, "-o")
    from thesis.export.pine import export
    from thesis.spec import load

    source, levels = export(load(idea), idea)
    for name, why in levels.not_exported:
        err_console.print(f"[yellow]not exported:[/] {esc(name)}: {esc(why)}", highlight=False)
    if out is None:
        typer.echo(source, nl=False)
        return
    write_text(out, source)
    console.print(f"wrote {esc(out)} ({_summary(levels)})", highlight=False)


def _summary(levels) -> str:
    text = f"{plural(len(levels.triggers), 'trigger')} exported"
    if levels.not_exported:
        text += f", {len(levels.not_exported)} not exported"
    return text


def _export_folder(folder: Path, out: Path) -> None:
    from thesis.errors import BadInput, ThesisError
    from thesis.export.pine import export
    from thesis.spec import load

    if not folder.is_dir():
        raise BadInput(f"--all {folder}: no such folder")
    files = idea_files(folder)
    if not files:
        raise BadInput(f"--all {folder}: no idea files (*.toml with an [idea] table) in it")
    seen: dict[str, Path] = {}
    for f in files:
        if f.stem in seen:
            raise BadInput(f"{seen[f.stem]} and {f} would both be {f.stem}.pine: rename one")
        seen[f.stem] = f
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for f in files:
        try:
            source, levels = export(load(f), f)
        except ThesisError as exc:
            failed += 1
            err_console.print(f"[bold red]error:[/] {esc(exc)}", highlight=False)
            continue
        target = out / f"{f.stem}.pine"
        write_text(target, source)
        console.print(f"wrote {esc(target)} ({_summary(levels)})", highlight=False)
        for name, why in levels.not_exported:
            err_console.print(f"[yellow]not exported:[/] {esc(f.stem)}: {esc(name)}: {esc(why)}", highlight=False)
    console.print(f"{plural(len(files) - failed, 'script')} in {esc(out)}", highlight=False)
    if failed:
        raise typer.Exit(2)


def idea_files(folder: Path) -> list[Path]:
    """Every *.toml under ``folder`` that has an [idea] table (alerts.toml, pyproject.toml are not ideas)."""
    out = []
    for p in sorted(folder.rglob("*.toml")):
        try:
            with open(p, "rb") as fh:
                if b"[idea]" in fh.read(1 << 20):
                    out.append(p)
        except OSError:
            continue
    return out


def write_text(path: Path, text: str) -> None:
    """Write through a temporary file and a rename: the old script or the whole new one, never half;
    an existing file keeps its mode, a symlink is written through, a new file gets the umask's mode."""
    import os
    import tempfile

    if path.is_symlink():
        path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file():
        mode = path.stat().st_mode & 0o7777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="export")
