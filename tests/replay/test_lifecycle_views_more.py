"""The second half of the example ideas for tests/replay/test_lifecycle_views.py (one file per
half, so that pytest-xdist's loadfile spreads them over two workers)."""
from __future__ import annotations

import pytest

from tests.replay.test_lifecycle_views import EXAMPLES, FIRST_HALF, check_every_view, no_confirmations

__all__ = ["no_confirmations"]      # the module fixture, used here too


@pytest.mark.parametrize("path", EXAMPLES[len(FIRST_HALF):], ids=lambda p: p.stem)
def test_every_view_agrees_with_the_lifecycle_at_40_dates(path, client_for, tmp_path, monkeypatch):
    monkeypatch.setenv("THESIS_HOME", str(tmp_path / "home"))
    check_every_view(path, client_for)
