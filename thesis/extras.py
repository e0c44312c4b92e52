"""Optional parts of thesis and the pip extra that installs each (pyproject.toml
``[project.optional-dependencies]``). ``require`` imports an optional package or raises
``MissingExtra`` naming the extra, so a missing part is one clear message, never a traceback."""
from __future__ import annotations

import importlib
from types import ModuleType

from thesis.errors import MissingExtra

#: import name -> (distribution name, extra)
EXTRAS: dict[str, tuple[str, str]] = {
    "dask": ("dask", "dask"),
    "distributed": ("distributed", "dask"),
    "fastapi": ("fastapi", "web"),
    "uvicorn": ("uvicorn", "web"),
    "jinja2": ("Jinja2", "web"),
    "apprise": ("apprise", "alerts"),
    "yfinance": ("yfinance", "yahoo"),
    "QuantLib": ("QuantLib", "quantlib"),
}


def require(module: str, feature: str) -> ModuleType:
    """Import ``module`` (an optional package or one of its submodules) for ``feature``.

    >>> require("QuantLib", "American option prices")   # doctest: +SKIP
    """
    top = module.split(".")[0]
    package, extra = EXTRAS[top]
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] != top:
            raise                                   # the package is there but broken: show why
        raise MissingExtra(feature, package, extra) from None
