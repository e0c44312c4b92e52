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
import sys
import types


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
