"""Derived data cached on disk in ``$THESIS_HOME/cache``, with honest invalidation.

What is cached: the universe matrices (``thesis.data.load_fields``: parsing 503 CSV files)
and the breadth frame (``MarketContext.breadth``). An entry's key is a hash of everything the
result depends on:

- every source file's path, size and modification time (nanoseconds); the folder's file list,
  so adding or removing a member changes the key;
- the thesis code that computes it (size and mtime of every ``.py`` file under
  ``thesis/data``, ``thesis/breadth`` and ``thesis/market``) and the numpy/pandas versions;
- the request itself (fields, symbols, dates, parameters) and the ``THESIS_MAX_*`` limits.

Touching a file (``touch``, a re-download, an edit) recomputes; an edit that keeps both the size
and the modification time of a file is not seen (the price of not reading 503 files to hash
them). File times tick coarsely (a few ms), so a file changed within the last ``RACY_SECONDS``
could change again without its time moving: such a request bypasses the cache altogether
(git's "racily clean" rule). ``THESIS_CACHE=0`` turns the cache off. Entries are numpy ``.npz`` files (no pickle),
written atomically (temporary file + rename), so concurrent runs never read half a file; an
unreadable entry is recomputed and rewritten; a read-only or missing home just skips caching.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import pandas as pd

CACHE_VERSION = 1
CODE_DIRS = ("data", "breadth", "market")
RACY_SECONDS = 2.0
# Entries kept per kind (the oldest beyond it are removed): universe matrices are ~35 MB each.
MAX_ENTRIES = {"fields": 4, "breadth": 8, "calendar": 16}
MAX_OTHER = 256


def enabled() -> bool:
    return os.environ.get("THESIS_CACHE", "1").strip().lower() not in ("0", "no", "off", "false")


def cache_dir() -> Path:
    from thesis.paths import default_home

    return default_home() / "cache"


#: ``thesis warmup`` also writes its entries here (``publish``), and every home reads them when its
#: own cache misses: a new $THESIS_HOME does not parse the 503-member universe again (docs/speed.md).
SHARED_ENV = "THESIS_SHARED_CACHE"
_publish = {"on": False}


def shared_dir() -> Path | None:
    """``$THESIS_SHARED_CACHE`` (``0``/``off``: none), else the user's cache folder for thesis
    (platformdirs, e.g. ``~/.cache/thesis``). Entries are keyed by content like the home's, so a
    shared entry is right for any home; one the warm-up did not write is simply a miss."""
    env = os.environ.get(SHARED_ENV)
    if env is not None and env.strip().lower() in ("", "0", "no", "off", "false"):
        return None
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("thesis", appauthor=False))


def publish(on: bool = True) -> None:
    """Also write every entry this process computes to the shared folder (``thesis warmup``)."""
    _publish["on"] = on


def _stat(path: Path) -> list:
    try:
        st = path.stat()
    except OSError:
        return [str(path), None, None]
    return [str(path), st.st_size, st.st_mtime_ns]


def files_fingerprint(paths) -> list:
    """[path, size, mtime_ns] of each path (None, None for a missing one)."""
    return [_stat(Path(p)) for p in paths]


def folder_fingerprint(folder: str | os.PathLike, suffix: str = ".csv") -> list:
    """Fingerprint of every ``*suffix`` file of a folder, in name order."""
    folder = Path(folder)
    with os.scandir(folder) as it:
        names = sorted(e.name for e in it if e.name.lower().endswith(suffix))
    return [str(folder.resolve())] + [[n, *_stat(folder / n)[1:]] for n in names]


@lru_cache(maxsize=1)
def _code_fingerprint() -> list:
    """(Once per process: the code a process runs does not change under it.)"""
    root = Path(__file__).resolve().parent
    out = [_stat(Path(__file__))]
    for d in CODE_DIRS:
        out += [_stat(p) for p in sorted((root / d).rglob("*.py"))]
    return out


def _racy(parts) -> bool:
    """True when a fingerprinted file (an mtime_ns in ``parts``) changed less than RACY_SECONDS ago."""
    import time

    now = time.time_ns()
    stack = [parts]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            if len(item) == 3 and isinstance(item[2], int) and item[2] > 10**17:   # [path, size, mtime_ns]
                if now - item[2] < RACY_SECONDS * 1e9:
                    return True
            else:
                stack.extend(item)
    return False


def make_key(kind: str, parts: dict) -> str:
    import numpy
    import pandas

    limits = {k: v for k, v in os.environ.items() if k.startswith("THESIS_MAX_")}
    doc = {"kind": kind, "version": CACHE_VERSION, "numpy": numpy.__version__, "pandas": pandas.__version__,
           "code": _code_fingerprint(), "limits": limits, "parts": parts}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:32]


# ------------------------------------------------------------------ frames <-> npz
def _pack(frames: dict[str, pd.DataFrame]) -> dict:
    import numpy as np
    import pandas as pd

    arrays: dict[str, Any] = {}
    described: dict[str, dict[str, Any]] = {}
    for name, df in frames.items():
        idx = df.index
        arrays[f"{name}.index"] = idx.to_numpy()
        freq = getattr(idx, "freq", None)
        if freq is not None and pd.tseries.frequencies.to_offset(freq.freqstr) != freq:
            raise TypeError(f"index frequency {freq!r} cannot be stored")
        cols = [str(c) for c in df.columns]
        same = df.shape[1] > 0 and len(set(df.dtypes)) == 1 and df.dtypes.iloc[0] != object  # noqa: E721 - numpy's dtype == object idiom
        if same:
            arrays[f"{name}.values"] = df.to_numpy()
        else:
            for i, c in enumerate(df.columns):
                values = df[c].to_numpy()
                if values.dtype == object:
                    raise TypeError(f"column {c!r} is not numeric")
                arrays[f"{name}.col{i}"] = values
        described[name] = {"columns": cols, "index_name": idx.name, "columns_name": df.columns.name,
                                "same": bool(same), "attrs": df.attrs,
                                "freq": None if freq is None else freq.freqstr}
    arrays["meta"] = np.frombuffer(json.dumps({"frames": described}, default=str).encode(), dtype=np.uint8)
    return arrays


def _unpack(data) -> dict[str, pd.DataFrame]:
    import pandas as pd

    meta = json.loads(bytes(data["meta"]).decode())
    out = {}
    for name, m in meta["frames"].items():
        index = pd.Index(data[f"{name}.index"], name=m["index_name"])
        if m.get("freq"):
            index = pd.DatetimeIndex(index, freq=m["freq"])
        columns = pd.Index(m["columns"], name=m["columns_name"])
        if m["same"]:
            df = pd.DataFrame(data[f"{name}.values"], index=index, columns=columns)
        else:
            df = pd.DataFrame({c: data[f"{name}.col{i}"] for i, c in enumerate(m["columns"])}, index=index)
            df.columns = columns
        df.attrs = m["attrs"]
        out[name] = df
    return out


def _path(kind: str, key: str, root: Path | None = None) -> Path:
    return (root or cache_dir()) / kind / f"{key}.npz"


def load(kind: str, key: str) -> dict[str, pd.DataFrame] | None:
    """The home's entry, else the shared folder's (``shared_dir``), else None."""
    shared = shared_dir()
    for root in (cache_dir(), shared) if shared is not None else (cache_dir(),):
        hit = _load_file(_path(kind, key, root))
        if hit is not None:
            return hit
    return None


def _load_file(path: Path) -> dict[str, pd.DataFrame] | None:
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            return _unpack(data)
    except Exception:         # missing, half-written by a crashed older version, unreadable: recompute
        return None


def save(kind: str, key: str, frames: dict[str, pd.DataFrame]) -> Path | None:
    shared = shared_dir() if _publish["on"] else None
    if shared is not None and shared.resolve() != cache_dir().resolve():
        _save_file(_path(kind, key, shared), kind, frames)
    return _save_file(_path(kind, key), kind, frames)


def _save_file(path: Path, kind: str, frames: dict[str, pd.DataFrame]) -> Path | None:
    import numpy as np

    try:
        arrays = _pack(frames)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(path.parent, MAX_ENTRIES.get(kind, MAX_OTHER))
        return path
    except (OSError, TypeError, ValueError):  # read-only home, full disk, a frame we cannot store
        return None


def _prune(folder: Path, keep: int) -> None:
    entries = sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[keep:]:
        old.unlink(missing_ok=True)


def cached_frames(kind: str, parts: dict, compute: Callable[[], dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """``compute()`` (a dict of DataFrames), or its copy cached under ``kind`` and ``parts``."""
    if not enabled() or _racy(parts):
        return compute()
    key = make_key(kind, parts)
    hit = load(kind, key)
    if hit is not None:
        return hit
    frames = compute()
    save(kind, key, frames)
    return frames
