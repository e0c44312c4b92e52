"""The on-disk cache (thesis.cache): universe matrices and breadth frames are reused while the
source files are unchanged and recomputed when a file is touched, added or removed."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import thesis.data.universe as universe_mod
from thesis import cache
from thesis.data import load_fields
from thesis.market.context import MarketContext

ROOT = Path(__file__).resolve().parents[2]


def _write_member(folder: Path, symbol: str, n: int = 260, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2022-01-03", periods=n)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    frame = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "high": (close * 1.01).round(4),
                          "low": (close * 0.99).round(4), "close": close.round(4)})
    path = folder / f"{symbol}.csv"
    frame.to_csv(path, index=False)
    _age(path)
    return path


def _age(path: Path, seconds: float = 100) -> None:
    """Date a file in the past: a file written just now bypasses the cache (see test_racy...)."""
    then = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(then, then))


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("THESIS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("THESIS_CACHE", raising=False)
    return tmp_path / "home"


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "mini-constituents"
    d.mkdir()
    for k, sym in enumerate(("AAA", "BBB", "CCC")):
        _write_member(d, sym, seed=k)
    return d


@pytest.fixture
def computed(monkeypatch):
    """Counts the real (uncached) matrix loads."""
    calls = []
    real = universe_mod.load_matrix

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(universe_mod, "load_matrix", counting)
    return calls


def _bump_mtime(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_fields_cached_then_recomputed_when_a_file_is_touched(home, folder, computed):
    first = load_fields(f"csv:{folder}")
    assert len(computed) == 1 and list((home / "cache" / "fields").glob("*.npz"))
    second = load_fields(f"csv:{folder}")
    assert len(computed) == 1                      # read from the cache, no CSV parsed
    for k in first:
        pd.testing.assert_frame_equal(first[k], second[k], check_exact=True)
        assert first[k].attrs == second[k].attrs
    _bump_mtime(folder / "BBB.csv")                # touch -> recomputed
    load_fields(f"csv:{folder}")
    assert len(computed) == 2
    load_fields(f"csv:{folder}")
    assert len(computed) == 2


def test_fields_recomputed_when_a_member_is_added_or_removed(home, folder, computed):
    assert list(load_fields(f"csv:{folder}")["close"].columns) == ["AAA", "BBB", "CCC"]
    _write_member(folder, "DDD", seed=9)
    assert list(load_fields(f"csv:{folder}")["close"].columns) == ["AAA", "BBB", "CCC", "DDD"]
    (folder / "AAA.csv").unlink()
    assert list(load_fields(f"csv:{folder}")["close"].columns) == ["BBB", "CCC", "DDD"]
    assert len(computed) == 3


def test_changed_content_is_seen(home, folder, computed):
    """A rewrite changes size or mtime, so the new prices come through."""
    before = load_fields(f"csv:{folder}")["close"]
    path = folder / "CCC.csv"
    text = path.read_text().replace("\n2022-01-03,", "\n2022-01-03,", 1)
    lines = text.splitlines()
    head, first = lines[0], lines[1].split(",")
    first[3] = "12345.0"
    path.write_text("\n".join([head, ",".join(first), *lines[2:]]) + "\n")
    _age(path, 50)
    after = load_fields(f"csv:{folder}")["close"]
    assert after["CCC"].iloc[0] == 12345.0 != before["CCC"].iloc[0]


def test_unreadable_entry_is_recomputed_and_cache_can_be_off(home, folder, computed, monkeypatch):
    load_fields(f"csv:{folder}")
    (entry,) = (home / "cache" / "fields").glob("*.npz")
    entry.write_bytes(b"not an npz file")
    again = load_fields(f"csv:{folder}")
    assert len(computed) == 2 and again["close"].shape == (260, 3)
    monkeypatch.setenv("THESIS_CACHE", "0")
    load_fields(f"csv:{folder}")
    load_fields(f"csv:{folder}")
    assert len(computed) == 4


def test_breadth_frame_cached_equal_and_invalidated(home, folder, monkeypatch):
    calls = []
    real = MarketContext._compute_breadth

    def counting(self, source, params):
        calls.append(source)
        return real(self, source, params)

    monkeypatch.setattr(MarketContext, "_compute_breadth", counting)
    a = MarketContext(universe=f"csv:{folder}").breadth()
    b = MarketContext(universe=f"csv:{folder}").breadth()      # a new process would do the same
    assert len(calls) == 1
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert a.attrs == b.attrs and b.attrs["params"]["ma_windows"] == a.attrs["params"]["ma_windows"]
    monkeypatch.setenv("THESIS_CACHE", "0")
    fresh = MarketContext(universe=f"csv:{folder}").breadth()
    pd.testing.assert_frame_equal(fresh, b, check_exact=True)
    assert fresh.attrs == b.attrs
    monkeypatch.delenv("THESIS_CACHE")
    _bump_mtime(folder / "AAA.csv")
    MarketContext(universe=f"csv:{folder}").breadth()
    assert len(calls) == 3


def test_read_only_home_only_skips_caching(tmp_path, folder, monkeypatch, computed):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    monkeypatch.setenv("THESIS_HOME", str(blocker / "home"))   # cannot be created
    assert load_fields(f"csv:{folder}")["close"].shape == (260, 3)
    assert load_fields(f"csv:{folder}")["close"].shape == (260, 3)
    assert len(computed) == 2


def test_frames_round_trip_exactly(home):
    idx = pd.DatetimeIndex(pd.bdate_range("2023-01-02", periods=5), name="date")
    mixed = pd.DataFrame({"f": [1.5, np.nan, 3, 4, 5], "i": np.arange(5, dtype=np.int64),
                          "b": [True, False, True, False, True]}, index=idx)
    mixed.attrs = {"warning": None, "universe": "x", "n": 3}
    cache.save("test", "k", {"m": mixed})
    back = cache.load("test", "k")["m"]
    pd.testing.assert_frame_equal(back, mixed, check_exact=True)
    assert back.attrs == mixed.attrs


# ------------------------------------------------------------------ numba's cache location
def test_numba_cache_dir_rule(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("THESIS_HOME", str(tmp_path / "home"))
    from thesis.paths import numba_cache_dir

    assert numba_cache_dir(str(tmp_path)) is None                 # writable: numba's default
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    assert numba_cache_dir(str(tmp_path)) == str(tmp_path / "home" / "numba-cache")
    monkeypatch.setenv("NUMBA_CACHE_DIR", "/somewhere/else")
    assert numba_cache_dir(str(tmp_path)) is None                 # the user's choice wins


def test_read_only_package_compiles_into_thesis_home(tmp_path):
    """With the package directory not writable, the command line (thesis.cli.main) caches kernels
    under $THESIS_HOME, and `import thesis` alone leaves the environment as it was."""
    home = tmp_path / "home"
    (tmp_path / "tiny_kernel.py").write_text("from numba import njit\n\n@njit(cache=True)\n"
                                             "def twice(x):\n    return 2 * x\n")
    code = ("import os; os.access = lambda *a, **k: False\n"
            "import thesis, numba\n"
            "assert 'NUMBA_CACHE_DIR' not in os.environ, 'import thesis changed the environment'\n"
            "import thesis.cli as cli\n"
            "cli.app = lambda: None                   # main() without running a command\n"
            "cli.main()\n"
            "import tiny_kernel\n"
            "print(numba.config.CACHE_DIR, tiny_kernel.twice(21))\n")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["THESIS_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == [str(home / "numba-cache"), "42"]
    assert list((home / "numba-cache").rglob("*.nbi"))        # the compiled kernel's index is there


def test_racy_file_bypasses_the_cache(home, folder, computed):
    """A file changed in the last RACY_SECONDS could change again within its mtime tick: no cache."""
    load_fields(f"csv:{folder}")
    load_fields(f"csv:{folder}")
    assert len(computed) == 1
    (folder / "AAA.csv").write_text((folder / "AAA.csv").read_text())     # just written
    load_fields(f"csv:{folder}")
    load_fields(f"csv:{folder}")
    assert len(computed) == 3
    _age(folder / "AAA.csv")
    load_fields(f"csv:{folder}")
    load_fields(f"csv:{folder}")
    assert len(computed) == 4


def test_validated_bars_cached_with_their_warnings(home, tmp_path, monkeypatch):
    import thesis.data.adapters.csv_folder as cf
    from thesis.data import get_provider

    folder = tmp_path / "bars-adjusted"
    folder.mkdir()
    path = folder / "XYZ.csv"
    path.write_text("date,open,high,low,close,volume\n2023-06-12,10,11,9,10.5,100\n2023-06-13,10.5,10.6,9.5,10.8,100\n"
                    "2023-06-12,10,11,9,10.5,100\n")      # duplicate identical row, high below close: warnings
    _age(path)
    import thesis.data.csvfile as csvfile

    calls = []
    real = csvfile.read_csv_bars
    monkeypatch.setattr(csvfile, "read_csv_bars", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = get_provider(f"csv:{folder}").fetch("XYZ", "adjusted")
    cf_fresh = cf.CsvFolder(folder)                    # a new provider, as a new process would have
    second = cf_fresh.fetch("XYZ", "adjusted")
    assert len(calls) == 1 and first.attrs["warnings"]
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    assert first.attrs == second.attrs
    _age(path, 10)
    cf.CsvFolder(folder).fetch("XYZ", "adjusted")
    assert len(calls) == 2


def test_warmup_publishes_entries_every_new_home_reads(tmp_path, folder, computed, monkeypatch):
    """`thesis warmup` writes its data caches to the shared folder too; a new home reads them there
    (no parse), its own entries win, and a touched file is a miss in both."""
    shared = tmp_path / "shared-cache"
    monkeypatch.setenv("THESIS_SHARED_CACHE", str(shared))
    monkeypatch.delenv("THESIS_CACHE", raising=False)
    monkeypatch.setenv("THESIS_HOME", str(tmp_path / "warmup-home"))
    cache.publish()
    try:
        first = load_fields(f"csv:{folder}", ("close",))["close"]
    finally:
        cache.publish(False)
    assert len(computed) == 1 and list(shared.glob("fields/*.npz"))
    monkeypatch.setenv("THESIS_HOME", str(tmp_path / "new-home"))
    again = load_fields(f"csv:{folder}", ("close",))["close"]
    assert len(computed) == 1
    pd.testing.assert_frame_equal(again, first)
    assert not (tmp_path / "new-home" / "cache").exists()          # publishing is warm-up's alone
    _bump_mtime(folder / "AAA.csv")
    load_fields(f"csv:{folder}", ("close",))
    assert len(computed) == 2
    monkeypatch.setenv("THESIS_SHARED_CACHE", "off")
    monkeypatch.setenv("THESIS_HOME", str(tmp_path / "third-home"))
    load_fields(f"csv:{folder}", ("close",))
    assert len(computed) == 3
