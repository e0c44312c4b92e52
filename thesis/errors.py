"""Errors a user can act on. Each names the file, line, key or symbol at fault.

CLI exit codes: `BadInput` subclasses exit 2, everything else exits 1.
"""
from __future__ import annotations

import os
from collections.abc import Callable


class ThesisError(Exception):
    """Base class for every error thesis raises on purpose."""

    exit_code = 1


class BadInput(ThesisError):
    """The user gave us something we cannot use (a file, a flag, a symbol)."""

    exit_code = 2


class ParameterError(BadInput):
    """A value of one named parameter is unusable. The library names the parameter (``n_boot``,
    ``asof``); the command line names its flag instead (``--bootstrap``), through
    ``thesis.cli._common.flag_for``. ``detail`` may name parameters again as ``{name}`` (this
    one) or ``{other}`` for each parameter listed in ``mentions``."""

    def __init__(self, param: str, detail: str, mentions: tuple[str, ...] = ()):
        self.param, self.detail, self.mentions = param, detail, mentions
        super().__init__(self.named(lambda p: p))

    def named(self, name_for: Callable[[str], str]) -> str:
        """The message with every parameter called ``name_for(parameter)``."""
        text = self.detail.replace("{name}", name_for(self.param))
        for other in self.mentions:
            text = text.replace("{" + other + "}", name_for(other))
        return f"{name_for(self.param)}{'' if text.startswith(':') else ' '}{text}"


class DataFileError(BadInput):
    """A data file is malformed. Message names file, line and symbol."""

    def __init__(self, path: str | os.PathLike[str], message: str, line: int | None = None, symbol: str | None = None):
        self.path, self.line, self.symbol = str(path), line, symbol
        where = self.path + (f", line {line}" if line else "")
        who = f" [{symbol}]" if symbol else ""
        super().__init__(f"{where}{who}: {message}")


class SymbolNotFound(BadInput):
    def __init__(self, symbol: str, source: str, hint: str = ""):
        self.symbol, self.source = symbol, source
        super().__init__(f"symbol {symbol!r} not found in {source}" + (f" ({hint})" if hint else ""))


class ProviderUnavailable(ThesisError):
    """An online provider is down, timing out or refusing us."""


class StoreError(ThesisError):
    """The local store cannot be opened or written (locked, corrupted)."""


class IdeaError(BadInput):
    """An idea file is malformed. Message names file, line and key."""

    def __init__(self, path: str | os.PathLike[str], message: str, line: int | None = None, key: str | None = None):
        self.path, self.line, self.key = str(path), line, key
        where = self.path + (f", line {line}" if line else "")
        what = f", key '{key}'" if key else ""
        super().__init__(f"{where}{what}: {message}")


class MissingExtra(ThesisError):
    """An optional part of thesis is not installed. Message names the extra that installs it."""

    def __init__(self, feature: str, package: str, extra: str):
        self.feature, self.package, self.extra = feature, package, extra
        super().__init__(f"{feature} needs the optional package {package!r}, which is not installed: "
                         f"pip install 'trade-thesis[{extra}]' (or 'trade-thesis[all]' for every optional part)")
