"""Idea folders for the watch tests: real bars (SPY, QQQ, DIA from $THESIS_DATA), levels set so the
ideas fill, hit targets, stop out and expire at different sessions of 2022-2023."""
from __future__ import annotations

from pathlib import Path

import pytest

# (symbol, direction, zone, stop, targets, published, horizon)
PLANS = [
    ("SPY", "short", (410, 415), 430, [380, 360], "2022-08-01", "3mo"),
    ("SPY", "long", (360, 365), 345, [400], "2022-09-15", "4mo"),
    ("QQQ", "long", (265, 270), 255, [300, 320], "2022-10-01", "6mo"),
    ("QQQ", "short", (330, 335), 350, [300], "2022-07-01", "2mo"),
    ("DIA", "long", (300, 305), 290, [340], "2022-09-01", "5mo"),
    ("DIA", "short", (360, 365), 380, [330], "2022-08-01", "20s"),
    ("SPY", "long", (300, 305), 290, [400], "2022-06-01", "2mo"),   # never fills: expires
    ("QQQ", "long", (280, 290), 270, [300], "2022-08-01", "3mo"),
]


def idea_text(i, symbol, direction, zone, stop, targets, published, horizon, comment="") -> str:
    return f"""# watch test idea {i}{comment}
schema_version = 1

[idea]
title = "{symbol} {direction} {i}"
symbol = "{symbol}"
published = {published}
direction = "{direction}"
horizon = "{horizon}"

[levels]
entry_zone = [{zone[0]}.0, {zone[1]}.0]   # the zone
stop = {stop}.0
targets = [{', '.join(f'{t}.0' for t in targets)}]
"""


def write_ideas(folder: Path, n: int | None = None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    plans = PLANS if n is None else [PLANS[i % len(PLANS)] for i in range(n)]
    for i, plan in enumerate(plans):
        p = folder / f"idea-{i:02d}.toml"
        p.write_text(idea_text(i, *plan))
        out.append(p)
    return out


@pytest.fixture
def idea_dir(tmp_path) -> Path:
    folder = tmp_path / "ideas"
    write_ideas(folder)
    return folder
