"""Test setup: real bars from ../shared/market-data (or $THESIS_DATA), a private store."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, Phase, settings

matplotlib.use("Agg")

# Hypothesis profiles. "ci" (chosen when $CI is set, and by `make test`) is derandomized: every run draws
# the same examples, so a submission cannot fail CI by chance. "dev" (HYPOTHESIS_PROFILE=dev) is random
# and runs DEV_SCALE times the examples each test asks for, to hunt for new counterexamples locally.
DEV_SCALE = 5
settings.register_profile("ci", settings.get_profile("ci"), derandomize=True, database=None, deadline=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
# make mutate: the ci examples without shrinking (a mutant is killed by the first failing example;
# shrinking it can take longer than the timeout that would call the mutant a survivor)
settings.register_profile("mutate", settings.get_profile("ci"), print_blob=False,
                          phases=(Phase.explicit, Phase.reuse, Phase.generate))
settings.register_profile("dev", settings.get_profile("default"), derandomize=False, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default"))


def pytest_collection_modifyitems(config, items):
    """Under the dev profile, scale each test's example count (its own @settings or the default 100)."""
    if settings.get_current_profile_name() != "dev":
        return
    for item in items:
        fn = getattr(item, "obj", None)
        own = getattr(fn, "_hypothesis_internal_use_settings", None)
        if own is not None and not getattr(fn, "_thesis_dev_scaled", False):
            fn._hypothesis_internal_use_settings = settings(own, max_examples=own.max_examples * DEV_SCALE)
            fn._thesis_dev_scaled = True

ROOT = Path(__file__).resolve().parents[1]
if not os.environ.get("THESIS_DATA"):
    shared = ROOT.parent / "shared" / "market-data"
    if shared.is_dir():
        os.environ["THESIS_DATA"] = str(shared)
# Each test computes its data caches in its own home: never from the user's shared cache folder that
# `thesis warmup` fills (thesis.cache.shared_dir); tests/cache/test_cache.py turns it on where it tests it.
os.environ["THESIS_SHARED_CACHE"] = "off"


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The market-data root. Tests that need it fail loudly when it is missing."""
    root = os.environ.get("THESIS_DATA")
    assert root and Path(root).is_dir(), "THESIS_DATA must point at the shared market-data folder"
    return Path(root)


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    """Every test gets its own THESIS_HOME, so no test touches a user's store."""
    home = tmp_path / "thesis-home"
    monkeypatch.setenv("THESIS_HOME", str(home))
    return home
