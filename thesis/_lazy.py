"""Lazy re-exports for package ``__init__`` files (PEP 562), so that importing a light
submodule (``thesis.options.spec``, ``thesis.signals.spec``) does not import its whole
package (QuantLib, scipy, numba kernels).

    # thesis/options/__init__.py
    from thesis._lazy import lazy_exports
    lazy_exports(__name__, {"bsm": ["bsm_price", ...], "plan": ["plan_options", ...]})

Each name loads its submodule on first access (``from thesis.options import price`` works as
before). A name equal to its submodule's (``thesis.signals.detect``, the function in the
module of that name) keeps meaning the function: the import system's assignment of the
submodule to the package attribute is refused for such names, as an eager re-export did.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import threading
import types
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from importlib.abc import Loader


class _LazyPackage(types.ModuleType):
    def __getattr__(self, name: str):
        where = self.__dict__.get("_lazy_where", {})
        sub = where.get(name)
        if sub is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{self.__name__}.{sub}"), name)
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, types.ModuleType) and self.__dict__.get("_lazy_where", {}).get(name) == name:
            return                      # the function `detect`, not the module thesis.signals.detect
        super().__setattr__(name, value)

    def __dir__(self):
        return sorted(set(self.__dict__) | set(self.__dict__.get("_lazy_where", {})))


def lazy_exports(package: str, exports: dict[str, list[str]]) -> None:
    """Make ``package`` export ``exports`` ({submodule: [names]}) lazily."""
    module = sys.modules[package]
    module.__dict__["_lazy_where"] = {name: sub for sub, names in exports.items() for name in names}
    module.__class__ = _LazyPackage


class _PendingModule(types.ModuleType):
    """A registered module whose code has not run: the first attribute read runs it, under the
    module's own lock, so two threads touching it at once both see it whole. The standard
    library's ``importlib.util.LazyLoader`` is thread-safe only from Python 3.12.3 (gh-114763);
    on 3.11 a second thread read the half-run module ("cannot import name 'evaluate'")."""

    def __getattribute__(self, attr: str):
        spec = object.__getattribute__(self, "__spec__")
        state = spec.loader_state
        with state["lock"]:
            if object.__getattribute__(self, "__class__") is _PendingModule:
                if state["loading"]:        # the module's own code (or an import it makes) reading it
                    return types.ModuleType.__getattribute__(self, attr)
                state["loading"] = True
                namespace = types.ModuleType.__getattribute__(self, "__dict__")
                kept = dict(namespace)
                try:
                    spec.loader.exec_module(self)
                finally:
                    state["loading"] = False
                # submodules bound to it before it ran (``import thesis.replay.fills``) stay bound
                for key, value in kept.items():
                    namespace.setdefault(key, value)
                object.__setattr__(self, "__class__", types.ModuleType)
        return getattr(self, attr)


class _PendingLoader:
    """Hands the module to its real loader on first use (see ``_PendingModule``)."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        spec = module.__spec__
        assert spec is not None
        spec.loader = self.loader
        module.__loader__ = self.loader
        spec.loader_state = {"lock": threading.RLock(), "loading": False}
        module.__class__ = _PendingModule


def register_pending(name: str) -> None:
    """Enter module ``name`` in ``sys.modules`` without running it; it runs on first attribute
    read, once, whichever thread reads first."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):  # pragma: no cover
        return                          # the modules ship as source with the package
    pending = _PendingLoader(spec.loader)
    spec.loader = cast("Loader", pending)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    pending.exec_module(module)
