"""Kernels that compile with numba for batches and run as plain Python for one idea.

The ``nb.py`` modules decorate their hot loops with ``thesis.jit.njit`` instead of numba's.
Each kernel is the same source either way:

- **compiled** (numba): the batches (study, scorecard, watch, breadth over a universe, the web app)
  call ``use_compiled()`` first, and a process that already imported numba keeps using it.
  On first compiled use every kernel in the ``thesis`` modules is swapped for its numba dispatcher
  (kernels call each other through module globals, which numba must see as dispatchers).
- **python**: a process that has not imported numba (``thesis replay IDEA``, ``thesis evaluate``,
  ``thesis.replay(idea)`` in a fresh interpreter) runs the kernel's Python source over the same
  numpy arrays, or its registered numpy twin (``@twin(kernel)``) where the loop is too long for
  Python (rolling windows over a whole history). One idea's kernels are short loops: they run in
  milliseconds, below numba's start-up (about 0.8 s: its registries, LLVM, scipy.linalg).

``THESIS_KERNELS=compiled`` or ``=python`` forces one mode (benchmarks, tests). The two modes give
the same numbers: tests/replay/test_kernel_paths.py checks the fill kernel, the triggers and the
market kernels both ways on random bars (hypothesis).

When numba compiles anyway (an empty cache), ``thesis`` prints one line on stderr the first time
in the process; ``thesis warmup`` (run by ``make setup``) fills numba's cache ahead.
"""
from __future__ import annotations

import os
import sys
import types

_MODES = ("auto", "compiled", "python")
_state = {"mode": os.environ.get("THESIS_KERNELS", "auto") or "auto", "materialised": False, "told": False}
if _state["mode"] not in _MODES:
    raise SystemExit(f"THESIS_KERNELS must be one of {', '.join(_MODES)}, got {_state['mode']!r}")
_KERNELS: list[Kernel] = []
_BY_DISPATCHER: dict[int, Kernel] = {}
_SHADOWS: dict[int, dict] = {}


class Kernel:
    """A numba-decorated function that has not been compiled (yet)."""

    def __init__(self, py_func, options: dict, python_ok: bool = True):
        self.py_func = py_func
        self.python_ok = python_ok     # False: a loop too long for Python (Monte Carlo): always numba
        self.options = options
        self.python = py_func          # what runs in python mode: the source, or a numpy twin
        self.dispatcher = None
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__module__ = py_func.__module__
        self.__doc__ = py_func.__doc__
        self.__wrapped__ = py_func

    def __call__(self, *args):
        if not self.python_ok or compiled_wanted():
            return compiled(self)(*args)
        return self.python(*args)

    def __repr__(self) -> str:
        return f"<thesis kernel {self.__module__}.{self.__qualname__}>"


def njit(*args, **options):
    """``numba.njit`` for the nb.py modules: ``@njit(cache=True, nogil=True)`` or bare ``@njit``;
    ``python=False`` keeps a kernel compiled in every mode."""
    python_ok = options.pop("python", True)

    def wrap(fn):
        kernel = Kernel(fn, options, python_ok)
        _KERNELS.append(kernel)
        if _state["materialised"]:           # a module imported after the switch: compile at once
            return compiled(kernel)
        return kernel
    if args and callable(args[0]):
        return wrap(args[0])
    return wrap


def twin(kernel):
    """``@twin(kernel)``: ``fn`` (same arguments, same results) runs in python mode instead of the
    kernel's source. A kernel already compiled (its module imported after the switch) keeps numba."""
    def wrap(fn):
        if isinstance(kernel, Kernel):
            kernel.python = fn
        return fn
    return wrap


def quiet() -> None:
    """No compile notice in this process (``thesis warmup`` says what it does itself)."""
    _state["told"] = True


def cache_location() -> str:
    """Where numba writes compiled kernels: NUMBA_CACHE_DIR, else __pycache__ beside each nb.py."""
    return os.environ.get("NUMBA_CACHE_DIR") or "__pycache__ beside each thesis/*/nb.py"


def mode() -> str:
    return str(_state["mode"])


def compiled_wanted() -> bool:
    m = _state["mode"]
    return bool(m == "compiled" or (m == "auto" and (_state["materialised"] or "numba" in sys.modules)))


def use_compiled() -> None:
    """Declare this process a batch: kernels compile with numba (unless THESIS_KERNELS=python)."""
    if _state["mode"] == "auto":
        _state["mode"] = "compiled"


def compiled(kernel: Kernel):
    """The numba dispatcher of ``kernel`` (every kernel in thesis's modules is swapped on first use)."""
    if kernel.dispatcher is None:
        _materialise()
    return kernel.dispatcher


def _materialise() -> None:
    import numba

    _listen_for_compiles()
    _state["materialised"] = True
    for kernel in _KERNELS:
        if kernel.dispatcher is None:
            kernel.dispatcher = numba.njit(**kernel.options)(kernel.py_func)
            _BY_DISPATCHER[id(kernel.dispatcher)] = kernel
    swap = {id(k): k.dispatcher for k in _KERNELS}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "thesis" or name.startswith("thesis.")):
            continue
        namespace = getattr(module, "__dict__", {})
        for attr, value in list(namespace.items()):
            if isinstance(value, Kernel):
                namespace[attr] = swap[id(value)]


def python_path(fn):
    """The python-mode function of a kernel (given as the kernel or its numba dispatcher), usable in
    any process, even after the switch to numba: its twin, or its source with every kernel it calls
    through module globals replaced by theirs (tests and benchmarks compare the two paths)."""
    kernel = _as_kernel(fn)
    if kernel is None:
        raise TypeError(f"{fn!r} is not a thesis kernel")
    if kernel.python is not kernel.py_func:       # a numpy twin calls no kernels
        return kernel.python
    src = kernel.py_func
    return types.FunctionType(src.__code__, _shadow(src.__globals__), src.__name__, src.__defaults__,
                              src.__closure__)


def _as_kernel(value):
    if isinstance(value, Kernel):
        return value
    try:
        return _BY_DISPATCHER.get(id(value))
    except TypeError:
        return None


def _shadow(namespace: dict) -> dict:
    """A copy of a module's globals whose kernels are their python paths (one copy per module)."""
    shadow = _SHADOWS.get(id(namespace))
    if shadow is None:
        shadow = _SHADOWS[id(namespace)] = dict(namespace)
        for name, value in namespace.items():
            if _as_kernel(value) is not None:
                shadow[name] = python_path(value)
    return shadow


def _listen_for_compiles() -> None:
    """One line on stderr the first time numba really compiles (a cache miss) in this process."""
    from numba.core import event

    class _Tell(event.Listener):
        def on_start(self, ev):
            if not _state["told"]:
                _state["told"] = True
                print("thesis: compiling numba kernels (first run only; `thesis warmup` does this ahead) ...",
                      file=sys.stderr, flush=True)

        def on_end(self, ev):
            pass

    event.register("numba:compile", _Tell())
