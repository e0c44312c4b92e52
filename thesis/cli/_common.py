"""Shared CLI plumbing: one JSON document on stdout, errors on stderr with
exit status 2 for bad input and 1 for failures; the terminal rules (escaping
untrusted text, table widths, plurals) every command follows."""
from __future__ import annotations

import json
import math
import os
import re
import sys
from functools import wraps

import typer
from rich.console import Console
from rich.markup import escape as _rich_escape

from thesis.errors import ParameterError, ThesisError
from thesis.jsonable import to_jsonable

# Longest message we echo from an exception (the rest is cut, with a note).
MAX_MESSAGE_CHARS = 2000
PIPE_WIDTH = 140


def _width(stream) -> int | None:
    """None lets rich use the terminal's width or $COLUMNS; a pipe without
    $COLUMNS gets PIPE_WIDTH so logs are not squeezed to rich's 80 columns."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    if tty or os.environ.get("COLUMNS", "").strip().isdigit():
        return None
    return PIPE_WIDTH


# emoji=False: ":x:" in a title or a symbol stays ":x:".
console = Console(width=_width(sys.stdout), emoji=False)
err_console = Console(stderr=True, width=_width(sys.stderr), emoji=False)


def esc(value, limit: int | None = None) -> str:
    """Untrusted text (symbols, CSV cells, file and folder names, idea titles,
    notes, error messages, a file's first line) made safe to embed in rich
    markup: tags are escaped so ``[/]`` or ``[bold]`` print as written.
    ``limit`` cuts over-long text to an excerpt. Use it on every value that
    did not come from the program itself before it reaches console.print, a
    Table or a Panel."""
    text = "" if value is None else str(value)
    if limit is not None and len(text) > limit:
        text = text[:limit] + f"... ({len(text) - limit:,} more characters)"
    # rich.markup.escape covers tag-like brackets; rich's renderer also turns a backslash before
    # any other "[" into nothing, so such a backslash is doubled here.
    return _BACKSLASH_BRACKET.sub(r"\1\\\2", _rich_escape(text))


_BACKSLASH_BRACKET = re.compile(r"(\\+)(\[)(?![a-z#/@][^\[]*?\])")


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 problem', '2 problems', '0 confirmations'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


# ------------------------------------------------------------------ tables
def _column_need(out: Console, table, column) -> int:
    """Width a column needs so nothing in it is cut: no_wrap (key) columns
    their widest cell, other columns a few characters (they fold)."""
    from rich.cells import cell_len
    from rich.measure import Measurement

    pad = table._get_padding_width(column._index)
    if column.width is not None:
        return column.width + pad
    options = out.options
    widest = 1
    for c in (column.header, *column.cells):
        if isinstance(c, str):
            # Plain strings (nearly every cell) are measured cheaply; markup only when present.
            w = max(map(cell_len, (out.render_str(c).plain if "[" in c else c).split("\n")))
        else:
            w = Measurement.get(out, options, c).maximum
        widest = max(widest, w)
    if column.no_wrap:
        return widest + pad
    return min(widest, 8) + pad


def table_need(table, out: Console | None = None) -> int:
    """Columns the table needs so that no key cell (no_wrap) is truncated."""
    out = out or console
    extra = (2 if table.box and table.show_edge else 0) + (len(table.columns) - 1 if table.box else 0)
    return extra + sum(_column_need(out, table, c) for c in table.columns)


def print_table(table, *, drop: tuple[str, ...] | list[str] = (), out: Console | None = None) -> None:
    """Print a table without ever truncating a key figure.

    Key columns (dates, prices, R) are declared ``no_wrap=True`` by the caller;
    every other column folds instead of being cut with an ellipsis. When the
    key columns alone do not fit, the columns named in ``drop`` (least
    important first) are left out and named under the table; if it still does
    not fit, the table is printed wider than the terminal rather than cut.
    """
    out = out or console
    for column in table.columns:
        if not column.no_wrap and column.overflow == "ellipsis":
            column.overflow = "fold"
    width = out.width
    hidden = []
    for name in drop:
        if table_need(table, out) <= width:
            break
        for i, column in enumerate(table.columns):
            if str(column.header) == name:
                table.columns.pop(i)
                hidden.append(name)
                break
        for i, column in enumerate(table.columns):
            column._index = i
    if hidden:
        note = f"(left out for width: {esc(', '.join(hidden))}; widen the terminal or use --json)"
        table.caption = f"{table.caption}\n{note}" if table.caption else note
        table.caption_justify = "left"
    need = table_need(table, out)
    if need <= width:
        out.print(table)
        return
    saved = out._width
    out.width = need
    try:
        out.print(table, crop=False)
    finally:
        out._width = saved


def parse_date(value, option: str):
    """A YYYY-MM-DD flag as a ``datetime.date`` (None stays None); anything else, or a date
    outside the years thesis accepts, is bad input naming the flag. The one date parser is
    thesis.data.dates.parse_date (imported here, so `thesis --help` loads no pandas)."""
    if value is None:
        return None
    from thesis.data.dates import parse_date as parse

    return parse(value, option).date()


def date_range(start, end, names: tuple[str, str] = ("--from", "--to"), *, last=None, future: bool = False):
    """``(start, end)`` flags as midnight pandas Timestamps (or None), through the one range
    check (thesis.data.dates.check_range): a bad date, a reversed range, or (unless
    ``future``) a range wholly after today and the data is bad input naming the flags."""
    from thesis.data.dates import LATEST, check_range

    return check_range(start, end, names=names, last=last, today=LATEST if future else None)


DATE_METAVAR = "YYYY-MM-DD"
#: Help of every --source option that reads an idea's bars.
SOURCE_HELP = "csv:DIR, yahoo or store (default: csv:$THESIS_DATA when set, else yahoo)"


def bounded(lo: float | None = None, hi: float | None = None, *, above: float | None = None, hint: str = ""):
    """A typer callback for number options: finite (no nan/inf) and within [lo, hi]
    (or strictly above ``above``); otherwise a usage error, exit 2. Works on lists."""
    def rule() -> str:
        low = f"above {above:g}" if above is not None else (f"from {lo:g}" if lo is not None else "")
        high = f"{' and ' if above is not None else ' to ' if lo is not None else ''}{'at most ' if lo is None else ''}{hi:g}" \
            if hi is not None else ""
        return (low + high) or "finite"

    def check(value):
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if v is None:
                continue
            if not math.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi) or \
                    (above is not None and v <= above):
                raise typer.BadParameter(f"{v!r} is not a number {rule()}" + (f" ({hint})" if hint else ""))
        return value

    return check


def output_file(path, option: str = "-o"):
    """Refuse, before any work is done, an output path that cannot be a file:
    an existing folder, or one whose parent is a file. Returns the path."""
    from pathlib import Path

    from thesis.errors import BadInput

    if path is None:
        return None
    p = Path(path).expanduser()
    if p.is_dir():
        raise BadInput(f"{option} {p} is a folder; give a file name (e.g. {p / 'chart.png'})")
    return _under_a_folder(p, option)


def output_folder(path, option: str):
    """Refuse an output folder that exists as a file. Returns the path."""
    from pathlib import Path

    from thesis.errors import BadInput

    if path is None:
        return None
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise BadInput(f"{option} {p} is a file; give a folder (it is created when missing)")
    return _under_a_folder(p, option)


def _under_a_folder(p, option: str):
    """``p`` when its nearest existing ancestor is a folder (missing folders are created later);
    bad input when that ancestor is a file."""
    from thesis.errors import BadInput

    parent = p.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise BadInput(f"{option} {p}: {parent} is a file, not a folder")
    return p


# ------------------------------------------------------------------ JSON
def print_json(payload) -> None:
    sys.stdout.write(json.dumps(to_jsonable(payload), indent=2) + "\n")


def print_document(doc) -> None:
    """A typed document that writes its own JSON text (``to_json``: thesis.watch.document) on stdout."""
    sys.stdout.write(doc.to_json() + "\n")


# ------------------------------------------------------------------ errors
def print_error(message, prefix: str = "error") -> None:
    """One escaped, length-limited message on stderr."""
    err_console.print(f"[bold red]{prefix}:[/] {esc(message, MAX_MESSAGE_CHARS)}", highlight=False, soft_wrap=True)


# A library parameter whose flag is not simply --name-with-dashes.
FLAGS = {"n_boot": "--bootstrap", "start": "--from", "end": "--to", "slippage_bps": "--slippage",
         "risk_fraction": "--risk", "day": "--date"}


def flag_for(param: str) -> str:
    """The command-line flag for a library parameter (``n_boot`` -> ``--bootstrap``)."""
    if param.startswith("-"):
        return param
    return FLAGS.get(param, "--" + param.replace("_", "-"))


def error_message(exc: ThesisError) -> str:
    """What the command line says for a library error: parameters named as flags."""
    if isinstance(exc, ParameterError):
        return exc.named(flag_for)
    return str(exc)


def _os_error_message(exc: OSError) -> str:
    name = exc.filename if exc.filename is not None else ""
    if isinstance(exc, FileNotFoundError):
        return f"no such file or folder: {name}"
    if isinstance(exc, IsADirectoryError):
        return f"{name} is a folder; give a file name"
    if isinstance(exc, NotADirectoryError):
        return f"{name}: a path component is a file, not a folder"
    if isinstance(exc, FileExistsError):
        return f"{name} already exists and is not a folder"
    if isinstance(exc, PermissionError):
        return f"no permission to use {name}"
    if exc.errno == 36:  # ENAMETOOLONG
        return f"file name too long: {str(name)[:80]}..."
    return f"{str(name)[:200] + ': ' if name else ''}{exc.strerror or exc}"


def handle_errors(func):
    """Turn ThesisError (and a user's file-system mistakes) into one clean
    message and the documented exit status, never a traceback."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ThesisError as exc:
            print_error(error_message(exc))
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            # A user's file-system mistake (missing, folder for a file, no permission, name too long).
            print_error(_os_error_message(exc))
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence: a message, not a stack
            if os.environ.get("THESIS_DEBUG"):
                raise
            print_error(f"internal error ({type(exc).__name__}: {str(exc)[:300]}); this is a bug in thesis, please "
                        f"report it with the command you ran (THESIS_DEBUG=1 shows the traceback)")
            raise typer.Exit(1) from None

    return wrapper


def _tidy_help() -> None:
    """Help screens: no ``<bool>`` after plain flags, and usage lines that read
    ``IDEA`` / ``[IDEA]`` instead of ``{idea}`` (typer's own rendering)."""
    try:
        from typer import core
    except ImportError:  # pragma: no cover
        return
    opt, arg = getattr(core, "TyperOption", None), getattr(core, "TyperArgument", None)
    if opt is not None and hasattr(opt, "display_type_rich") and not getattr(opt, "_thesis_tidy", False):
        original = opt.display_type_rich

        def display_type_rich(self, ctx):
            if getattr(self, "is_flag", False) and self.metavar is None:
                return None
            return original(self, ctx)

        opt.display_type_rich = display_type_rich
        opt._thesis_tidy = True
    if arg is not None and hasattr(arg, "_usage_display_name") and not getattr(arg, "_thesis_tidy", False):
        def _usage_display_name(self):
            name = self.metavar if self.metavar is not None else (self.name or "").upper()
            name = name if self.required or name.startswith("[") else f"[{name}]"
            return name + ("..." if self.nargs != 1 and not name.endswith("...") else "")

        arg._usage_display_name = _usage_display_name
        arg._thesis_tidy = True


_tidy_help()
