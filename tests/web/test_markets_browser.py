"""`thesis serve` renders a bitcoin idea in real headless Chromium: weekend bars drawn without gaps,
the plan's levels, the Saturday stop, prices at the instrument's precision."""
from __future__ import annotations

import shutil
import time

import pytest

from tests.web.conftest import ROOT, drawn, need_browser, served

BTC = "btc-68k-rejection-short"
GBP = "gbpusd-cable-double-top-short"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_browser()
    folder = tmp_path_factory.mktemp("markets") / "ideas"
    shutil.copytree(ROOT / "examples" / "markets", folder)
    with served(folder, tmp_path_factory) as (base, _log):
        yield {"base": base}


def test_a_bitcoin_idea_page_draws_every_day_of_the_week(tab):
    tab.open(f"/ideas/{BTC}")
    drawn(tab)
    lines = {x["name"]: x["price"] for x in tab.js("window.thesis.lines()")}
    assert lines == {"zone low": 67000.0, "zone high": 67800.0, "stop": 68900.0, "target 1": 63000.0,
                     "target 2": 60000.0, "entry": 67500.0}
    marks = {m["id"]: m for m in tab.js("window.thesis.markers.markers()")}
    assert marks["exit-limit"]["price"] == 68900.0 and marks["exit-limit"]["time"] == 1722038400   # Sat 2024-07-27
    times = tab.js("window.thesis.candles.data().map(b => b.time)")
    days = {time.gmtime(t).tm_wday for t in times}
    assert days == set(range(7))                         # Saturdays and Sundays are bars
    steps = {b - a for a, b in zip(times, times[1:])}
    assert steps == {86400}                              # one bar a day, no weekend gap
    assert tab.js("window.thesis.doc.chart.precision") == 2
    tab.shot("markets-btc")
    assert tab.errors == []


def test_an_fx_idea_page_prices_in_pips(tab):
    tab.open(f"/ideas/{GBP}")
    drawn(tab)
    assert tab.js("window.thesis.doc.chart.precision") == 4 and tab.js("window.thesis.doc.chart.tick") == 0.0001
    fmt = tab.js("window.thesis.candles.priceFormatter().format(1.32)")
    assert fmt == "1.3200"
    assert tab.errors == []
