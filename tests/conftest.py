"""Test setup: real bars from ../shared/market-data (or $THESIS_DATA), a private store."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
if not os.environ.get("THESIS_DATA"):
    shared = ROOT.parent / "shared" / "market-data"
    if shared.is_dir():
        os.environ["THESIS_DATA"] = str(shared)


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
