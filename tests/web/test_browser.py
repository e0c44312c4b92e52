"""The dashboard in a real browser: Debian's chromium, headless, driven by Playwright.

One server (`thesis serve` on a free loopback port, over a private copy of the example
ideas) and one browser for the module. Each page: no console errors, the chart drawn,
what the page claims read back through the chart's own API, a screenshot in out/web/
(with THESIS_WEB_DOCS_IMG=1 also in docs/img/, the README's pictures).
"""
from __future__ import annotations

import socket
import time

import pytest

from tests.web.conftest import LONG, SEED, Page, copy_examples, drawn, need_browser, served


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_browser()
    folder = copy_examples(tmp_path_factory.mktemp("run") / "examples")
    # warm: the first paint is measured warm
    with served(folder, tmp_path_factory, warm=f"/api/ideas/{SEED}") as (base, log):
        yield {"base": base, "folder": folder, "log": log}


def test_board(tab):
    tab.open("/")
    rows = tab.page.locator("#board-rows tr")
    assert rows.count() == 2
    assert tab.page.locator("#board-rows tr[data-id='iwm-no-love-for-small-caps'] .state").inner_text() == "closed"
    assert tab.page.locator("svg.spark polyline").count() == 2
    for _ in range(2):                                    # the server sorts: ascending, then descending
        with tab.page.expect_navigation():
            tab.page.locator("th[data-key='title'] a").click()
        tab.wait("() => !!(window.thesis && window.thesis.ready)")
    assert rows.first.get_attribute("data-id") == LONG and tab.js("window.thesis.sortKey") == "title desc"
    assert tab.page.locator("th[data-key='title']").get_attribute("aria-sort") == "descending"
    tab.shot("board")
    assert tab.errors == []


def test_idea_chart_holds_the_plan(tab):
    tab.open(f"/ideas/{SEED}")
    print(f"\nfirst paint of the idea page (26 years of daily bars, warm server): "
          f"{tab.js('window.thesis.firstPaintMs'):.0f} ms")
    drawn(tab)
    lines = {x["name"]: x["price"] for x in tab.js("window.thesis.lines()")}
    assert lines == {"zone low": 188.0, "zone high": 190.0, "stop": 212.0, "target 1": 130.0}
    marks = {m["id"]: m for m in tab.js("window.thesis.markers.markers()")}
    assert marks["entry-limit"]["price"] == 188.0 and marks["entry-limit"]["position"] == "atPriceMiddle"
    assert marks["exit-limit"]["price"] == 193.33 and marks["exit-limit"]["time"] == 1702425600  # 2023-12-13
    assert marks["entry-signal"]["price"] == pytest.approx(185.08)
    assert sorted(k for k in marks if k.startswith("note-")) == [f"note-{i}" for i in range(6)]
    assert sum(1 for k in marks if k.startswith("trigger-")) >= 3
    assert tab.js("window.thesis.candles.data().length") > 6000  # 26 years of sessions
    assert sorted(tab.js("Object.keys(window.thesis.ratios)")) == ["QQQ", "SPY"]
    assert tab.js("window.thesis.chart.panes().length") == 3
    assert tab.page.locator("#option-chart canvas").count() > 0
    tab.shot("idea")
    # Hover the note of 2023-06-14 (zoomed in on June 2023): its words show.
    tab.js("window.thesis.chart.timeScale().setVisibleRange({from: 1684108800, to: 1689379200})")
    time.sleep(0.3)
    x = tab.js("window.thesis.chart.timeScale().timeToCoordinate(1686700800)")
    y = tab.js("window.thesis.candles.priceToCoordinate(186)")
    box = tab.page.locator("#chart").bounding_box()
    tab.page.mouse.move(box["x"] + x, box["y"] + y)
    tab.wait("() => !document.getElementById('tooltip').hidden")
    assert "outside bar and rejection of the $188 zone" in tab.page.locator("#tooltip").inner_text()
    tab.shot("idea-hover")
    assert tab.errors == []


def test_the_idea_page_offers_its_pine_script_to_copy(tab):
    tab.open(f"/ideas/{SEED}")
    tab.page.locator("#pine summary").click()
    tab.wait("() => document.getElementById('pine-text').value.length > 1000")
    text = tab.js("document.getElementById('pine-text').value")
    assert text.startswith("//@version=6") and 'indicator("thesis: IWM: no love for small caps"' in text
    tab.page.locator("#pine-copy").click()
    tab.wait("() => document.getElementById('pine-status').textContent.length > 0")
    assert tab.js("document.getElementById('pine-status').textContent") in ("copied", "select the text and copy it")
    tab.page.locator("#pine").scroll_into_view_if_needed()
    tab.shot("idea-pine")
    assert tab.errors == []


def test_as_of_slider_relives_the_notes(tab):
    tab.open(f"/ideas/{SEED}")
    assert tab.page.locator("#state-line").inner_text().startswith("closed by time")
    # Move the slider to 2023-06-14 as a user would (the input's value, then its change event).
    tab.js("""(() => { const s = document.getElementById('asof'); window.thesis.ready = false;
        s.value = String(Math.round((Date.parse('2023-06-14') - Date.parse('2023-06-04')) / 864e5));
        s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change')); })()""")
    tab.wait("() => window.thesis.ready && window.thesis.loads === 1")
    assert tab.page.locator("#state-line").inner_text().startswith("in trade since 2023-06-13 at 188.00")
    assert tab.page.locator("#panel-body").get_attribute("data-asof") == "2023-06-14"
    assert "asof=2023-06-14" in tab.page.url
    marks = {m["id"]: m for m in tab.js("window.thesis.markers.markers()")}
    assert marks["entry-limit"]["price"] == 188.0 and "exit-limit" not in marks
    assert sorted(k for k in marks if k.startswith("note-")) == [f"note-{i}" for i in range(4)]
    assert tab.js("window.thesis.candles.data().at(-1).time") == 1686700800
    drawn(tab)
    tab.shot("idea-asof")
    tab.page.locator(".tf button[data-tf='1w']").click()
    tab.wait("() => window.thesis.ready && window.thesis.loads === 2")
    assert tab.js("window.thesis.doc.chart.timeframe") == "1w" and tab.js("window.thesis.candles.data().length") < 1400
    assert [x["price"] for x in tab.js("window.thesis.lines()")] == [188.0, 190.0, 212.0, 130.0]
    assert tab.errors == []


def test_market(tab):
    tab.open("/market?asof=2023-06-14")
    assert tab.page.locator("#market-asof").inner_text() == "2023-06-14"
    drawn(tab)
    names = tab.js("Object.keys(window.thesis.series)")
    assert {"S&P 500", "% > 50d", "A/D line", "McClellan", "VIX"} <= set(names)
    assert tab.js("window.thesis.series['S&P 500'].data().at(-1).time") == 1686700800
    assert "survivorship" in tab.page.locator("#warnings").inner_text()
    assert tab.page.locator("#rs-table tbody tr").count() >= 2
    tab.shot("market")
    with tab.page.expect_navigation():
        tab.js("""(() => { const s = document.getElementById('asof'); s.value = String(Number(s.value) - 30);
            s.dispatchEvent(new Event('change')); })()""")
    tab.wait("() => !!(window.thesis && window.thesis.ready)")
    assert tab.page.locator("#market-asof").inner_text() < "2023-06-14"
    assert tab.errors == []


def test_study_progress_and_result(tab):
    tab.open(f"/ideas/{LONG}/study?grid=stop%3D5%25%2C8%25+target%3D2R%2C3R")
    assert tab.js("window.thesis.polls") >= 1 and tab.js("window.thesis.error") is None
    assert tab.page.locator("#progress-text").inner_text().startswith("done")
    assert tab.page.locator("#histogram rect.bar").count() > 3
    assert tab.page.locator("#heatmap td[data-mean-r]").count() == 4
    assert tab.page.locator("#study-signals").inner_text() == str(tab.js("window.thesis.doc.summary.signals"))
    link = tab.page.locator("#occurrences a").first
    href = link.get_attribute("href")
    assert href.startswith(f"/ideas/{LONG}?focus=")
    tab.shot("study")
    link.click()
    tab.wait("() => !!(window.thesis && window.thesis.ready && window.thesis.markers)")
    assert any(m["id"] == "focus" for m in tab.js("window.thesis.markers.markers()"))
    assert tab.errors == []


def test_options(tab):
    tab.open(f"/ideas/{SEED}/options", ready=False)
    assert tab.page.locator("#candidates tbody tr").count() >= 5
    dates = tab.page.locator("#scenario thead th").count() - 1
    assert dates >= 3 and tab.page.locator("#payoff polyline.payoff-line").count() == dates
    assert "model prices" in tab.page.locator(".warn").first.inner_text()
    tab.shot("options", full_page=True)
    assert tab.errors == []


def test_scorecard(tab):
    tab.open("/scorecard", ready=False)
    assert "Verdict:" in tab.page.locator(".verdict").first.inner_text()
    sizes = tab.js("Array.from(document.querySelectorAll('img.card-chart')).map(i => [i.complete, i.naturalWidth])")
    assert sizes and all(done and width > 500 for done, width in sizes)
    assert tab.page.locator("table.ideas a").count() == 2
    tab.shot("scorecard", full_page=True)
    tab.page.locator("table.ideas a").first.click()
    tab.wait("() => !!(window.thesis && window.thesis.ready)")
    assert "/ideas/" in tab.page.url
    assert tab.errors == []


def test_note_form_and_live_board(browser, server, tab):
    board = Page(browser, server["base"]).open("/")
    try:
        tab.open(f"/ideas/{SEED}")
        evil = "<img src=x onerror=window.pwned=1><script>window.pwned=2</script> held at $188"
        tab.page.fill("#note-form input[name=date]", "2023-08-01")
        tab.page.fill("#note-form textarea[name=text]", evil)
        with tab.page.expect_navigation():
            tab.page.click("#note-form button[type=submit]")
        tab.wait("() => !!(window.thesis && window.thesis.ready)")
        assert tab.js("window.pwned === undefined")
        assert evil in tab.page.locator("#timeline").inner_text()
        assert len([m for m in tab.js("window.thesis.markers.markers()") if m["id"].startswith("note-")]) == 7
        assert evil in (server["folder"] / f"{SEED}.toml").read_text()
        board.wait("() => window.thesis.refreshes >= 1", timeout=20)  # the server said: something changed
        assert board.page.locator("#board-rows tr").count() == 2 and board.errors == []
        assert tab.errors == []
    finally:
        board.close()


def test_raw_paths_out_of_the_folder_are_404(server):
    port = int(server["base"].rsplit(":", 1)[1])
    for raw in ("/ideas/..%2F..%2Fetc%2Fpasswd", "/ideas/%2e%2e", "/api/ideas/..%2f..%2fpyproject/replay",
                "/static/..%2f..%2fcli%2fserve.py", "/ideas/../../../etc/passwd"):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(f"GET {raw} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            reply = b""
            while chunk := s.recv(65536):
                reply += chunk
        status = reply.split(b"\r\n", 1)[0]
        assert b" 404 " in status, (raw, status)
        assert b"root:" not in reply and b"typer" not in reply
