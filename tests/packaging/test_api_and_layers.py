"""The package's front door and its layers: `import thesis` is cheap and changes nothing; the
verbs are the real functions (signatures and docstrings); the layer contracts run and can fail."""
from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import thesis

ROOT = Path(__file__).resolve().parents[2]
VERBS = {"evaluate": "thesis.evaluate", "replay": "thesis.replay.run", "chart": "thesis.chart",
         "study": "thesis.study.run", "market_report": "thesis.market.report", "load": "thesis.spec.load"}


def _python(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)


def test_import_thesis_loads_nothing_heavy_and_leaves_the_environment():
    out = _python("""
        import os, sys, types
        os.access = lambda *a, **k: False        # a read-only install: still no environment change
        before = dict(os.environ)
        import thesis
        assert dict(os.environ) == before, set(os.environ.items()) ^ set(before.items())
        assert type(thesis) is types.ModuleType, type(thesis)     # no module class swap
        heavy = [m for m in ("numpy", "pandas", "numba", "pydantic") if m in sys.modules]
        assert not heavy, heavy
        print("ok")
    """)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_verbs_are_the_real_functions(verb):
    module, _, name = VERBS[verb].rpartition(".") if verb == "load" else (VERBS[verb], "", verb)
    real = getattr(importlib.import_module(module), name)
    assert getattr(thesis, verb) is real
    params = inspect.signature(getattr(thesis, verb)).parameters.values()
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params), f"{verb} takes **kwargs"
    assert (real.__doc__ or "").strip()


def test_study_and_replay_show_their_parameters():
    assert {"universe", "grid", "base_rate", "dask", "seed"} <= set(inspect.signature(thesis.study).parameters)
    assert {"bars", "source", "asof"} <= set(inspect.signature(thesis.replay).parameters)
    assert {"bars", "source", "asof", "account"} <= set(inspect.signature(thesis.evaluate).parameters)


def test_verbs_survive_submodule_imports_in_a_fresh_process():
    out = _python("""
        import thesis.replay.fills, thesis.study.stats, importlib
        from thesis.evaluate import evaluate as direct
        import thesis
        assert callable(thesis.replay) and callable(thesis.study) and callable(thesis.chart)
        assert thesis.evaluate is direct
        assert importlib.import_module("thesis.replay").__name__ == "thesis.replay"
        from thesis.replay import fills
        assert fills.__name__ == "thesis.replay.fills"
        print("ok")
    """)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_import_as_reaches_a_verbs_submodules():
    """``import thesis.replay.run as run`` is the usual way to name a submodule; the verb in its
    package's place must not break it (nor ``help``'s signature of the verb)."""
    out = _python("""
        import inspect
        import thesis.replay.run as run
        import thesis.study.run as study_run
        import thesis
        assert run.__name__ == "thesis.replay.run" and study_run.__name__ == "thesis.study.run"
        assert thesis.replay is run.replay and thesis.study is study_run.study
        assert thesis.replay.__qualname__ == "replay" and "bars" in inspect.signature(thesis.replay).parameters
        print("ok")
    """)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_threads_importing_the_verbs_modules_at_once_all_get_them():
    """A server's worker threads import ``thesis.evaluate`` and ``thesis.replay.run`` on their first
    requests, often at the same moment; each must get the full module (CI once saw
    "cannot import name 'evaluate' from 'thesis.evaluate'" from a half-run lazy module)."""
    out = _python("""
        import threading
        import thesis
        start, errors = threading.Barrier(8), []
        def first_request():
            start.wait()
            try:
                from thesis.evaluate import evaluate, evaluate_document
                import thesis.replay.run as run
                from thesis.study.run import study
                assert callable(run.replay) and callable(evaluate_document)
            except Exception as exc:
                errors.append(repr(exc))
        threads = [threading.Thread(target=first_request) for _ in range(8)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert not errors, errors
        assert callable(thesis.evaluate) and callable(thesis.replay) and callable(thesis.study)
        print("ok")
    """)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_a_submodule_imported_first_runs_once():
    """The lazily registered packages (thesis.replay, thesis.study) must not run a module twice when
    it is imported before its package: a second run makes a second class (two ``Trade``s, two
    ``FromFill``s), and pydantic then refuses its own model."""
    out = _python("""
        import sys
        from thesis.replay.fills import Trade
        from thesis.replay.document import FromFill
        from thesis.study.spec import parse_grid
        import thesis.evaluate, thesis.study.run
        from thesis.replay import ReplayResult
        from thesis.study import study
        run = sys.modules["thesis.replay.run"]
        assert run.Trade is Trade and run.FromFill is FromFill, "thesis.replay ran a module twice"
        assert sys.modules["thesis.study"].parse_grid is parse_grid, "thesis.study ran a module twice"
        assert ReplayResult.__module__ == "thesis.replay.run" and study.__module__ == "thesis.study.run"
        print("ok")
    """)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_the_layer_contracts_hold():
    pytest.importorskip("importlinter")
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=600,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "broken" not in out.stdout.split("Contracts:")[-1].split(",")[0]


def test_the_private_names_contract_finds_a_planted_import(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT))
    from tools.import_contracts import private_name_imports

    pkg = tmp_path / "planted"
    (pkg / "a").mkdir(parents=True)
    (pkg / "b").mkdir()
    for init in (pkg, pkg / "a", pkg / "b"):
        (init / "__init__.py").write_text("")
    (pkg / "a" / "core.py").write_text("def _helper():\n    return 1\n\ndef public():\n    return 2\n")
    (pkg / "a" / "same.py").write_text("from planted.a.core import _helper\n")          # same package: fine
    (pkg / "b" / "user.py").write_text("def f():\n    from planted.a.core import _helper, public\n"
                                       "    from ..a.core import _helper as h\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = private_name_imports("planted")
    assert found == [("planted.b.user", "planted.a.core._helper", 2), ("planted.b.user", "planted.a.core._helper", 3)]
