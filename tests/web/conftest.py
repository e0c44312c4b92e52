"""Fixtures of the dashboard tests: a private copy of the example ideas, an app and a client."""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = "iwm-no-love-for-small-caps"
LONG = "iwm-oversold-bounce-long"


def copy_examples(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for p in (ROOT / "examples").glob("*.toml"):
        shutil.copy(p, dest / p.name)
    return dest


@pytest.fixture(scope="module")
def ideas_dir(tmp_path_factory) -> Path:
    return copy_examples(tmp_path_factory.mktemp("ideas"))


def make_client(folder: Path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from thesis.web.app import create_app

    return TestClient(create_app(folder, **kw), base_url="http://127.0.0.1:8765", follow_redirects=False)


@pytest.fixture(scope="module")
def client(ideas_dir):
    return make_client(ideas_dir)
