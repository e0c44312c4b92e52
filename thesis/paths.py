"""Where thesis keeps its files: ``$THESIS_HOME`` (default: the user data directory, e.g.
``~/.local/share/thesis``). The bottom layer: the store, the cache, the watch journal and the
alerts configuration all find their folder here, never through an adapter."""
from __future__ import annotations

import os
from pathlib import Path


def default_home() -> Path:
    """``$THESIS_HOME``, else the platform's user data directory for thesis."""
    env = os.environ.get("THESIS_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("thesis", appauthor=False))


def numba_cache_dir(package_dir: str) -> str | None:
    """Where numba should cache thesis' compiled kernels: None (numba's default, ``__pycache__``
    beside the code) when the package directory is writable or NUMBA_CACHE_DIR is set; else
    ``$THESIS_HOME/numba-cache`` (an installed, read-only package still compiles only once)."""
    if os.environ.get("NUMBA_CACHE_DIR") or os.access(package_dir, os.W_OK):
        return None
    return str(default_home() / "numba-cache")


def use_thesis_numba_cache() -> str | None:
    """Point numba's cache at :func:`numba_cache_dir` for this process. The command line calls it
    at start-up (it owns its process); ``import thesis`` never changes the environment, so a
    library user keeps numba's own rule (beside the code, else numba's user-wide cache folder)."""
    import sys

    where = numba_cache_dir(str(Path(__file__).resolve().parent))
    if where is None:
        return None
    os.environ["NUMBA_CACHE_DIR"] = where          # read by numba when it is first imported
    if "numba" in sys.modules:                      # imported already: tell its config directly
        sys.modules["numba"].config.CACHE_DIR = where
    return where
