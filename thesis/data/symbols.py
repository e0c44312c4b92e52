"""The one symbol rule, checked once at every boundary (flags, idea files, adapters).

A symbol is 1 to 21 characters: a letter, a digit or ``^`` first, then letters,
digits and ``. - ^ =`` (``IWM``, ``BRK-B``, ``BRK.B``, ``^VIX``, ``EURUSD=X``).
Lowercase input is accepted and upper-cased at the boundary (``iwm`` is ``IWM``);
surrounding whitespace is dropped. Anything else (a path separator, ``..`` at the
start, ``%``, a NUL byte, 500 characters) is refused with BadInput before any
file or network name is built from it.

    validate_symbol(" iwm ")          # -> "IWM"
    validate_symbol("../../etc/x")    # BadInput
    inside(folder, folder / "X.csv")  # the resolved path, or BadInput when it leaves the folder
"""
from __future__ import annotations

import re
from pathlib import Path

from thesis.errors import BadInput

PATTERN = r"^[A-Z0-9^][A-Z0-9.\-^=]{0,20}$"
SYMBOL_RE = re.compile(PATTERN)
MAX_LEN = 21
RULE = "1-21 characters: a letter, digit or ^ first, then letters, digits and . - ^ ="


def excerpt(value, limit: int = 40) -> str:
    """A short, printable rendering of any user value for an error message."""
    text = value if isinstance(value, str) else repr(value)
    cut = len(text) > limit
    shown = repr(text[:limit])
    return shown + (f"... ({len(text):,} characters)" if cut else "")


def validate_symbol(value, what: str = "symbol") -> str:
    """The symbol upper-cased, or BadInput naming the rule. Call it at every boundary."""
    if not isinstance(value, str):
        raise BadInput(f"{what} must be text, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise BadInput(f"{what} is empty; use {RULE}")
    if len(text) > MAX_LEN:
        raise BadInput(f"{what} {excerpt(text)} is too long: use {RULE}")
    symbol = text.upper()
    if not SYMBOL_RE.fullmatch(symbol):
        raise BadInput(f"{what} {excerpt(text)} is not a valid symbol: use {RULE}")
    return symbol


def is_symbol(value) -> bool:
    try:
        validate_symbol(value)
    except BadInput:
        return False
    return True


def inside(folder: Path, path: Path) -> Path:
    """``path`` with symlinks resolved, refused unless it lies inside ``folder`` (also resolved)."""
    base = Path(folder).resolve()
    try:
        real = Path(path).resolve()
    except (OSError, RuntimeError) as exc:  # symlink loops
        raise BadInput(f"{path.name}: cannot resolve the path ({type(exc).__name__})") from exc
    if real != base and base not in real.parents:
        raise BadInput(f"{path} resolves to {real}, outside the source folder {base}: thesis reads only files "
                       f"inside the folder it is given")
    return real
