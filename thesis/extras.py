"""Optional parts of thesis and the pip extra that installs each (pyproject.toml
``[project.optional-dependencies]``). ``require`` imports an optional package or raises
``MissingExtra`` naming the extra, so a missing part is one clear message, never a traceback."""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

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


def dask_client(dask: Any, feature: str) -> tuple[Any, bool]:
    """``(client, owned)`` for ``dask``: a ``distributed.Client`` (used as is, owned False), a scheduler
    address such as "tcp://127.0.0.1:8786" or a cluster object (e.g. ``distributed.LocalCluster``):
    a new client the caller closes. ``feature`` names the work in the missing-extra message."""
    from thesis.errors import ParameterError

    Client = require("distributed", feature).Client
    if isinstance(dask, Client):
        return dask, False
    if isinstance(dask, str):
        if not dask.strip():
            raise ParameterError("dask", "needs a scheduler address such as tcp://127.0.0.1:8786")
        try:
            return Client(dask, timeout="10s"), True
        except (OSError, TimeoutError) as exc:
            raise ParameterError("dask", f"{dask}: cannot reach the scheduler ({exc})") from None
        except (ValueError, TypeError) as exc:
            raise ParameterError("dask", f"{dask!r} is not a scheduler address such as tcp://127.0.0.1:8786 "
                                         f"({exc})") from None
    return Client(dask), True
