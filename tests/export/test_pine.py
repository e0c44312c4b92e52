"""`thesis export pine`: the script parses with a Pine parser from PyPI (pynescript), its tree holds
the idea's levels, dates and alerts, and its trigger alerts fire on exactly the sessions thesis's
own kernels date the triggers on (run by tests/export/pinerun.py over the shared CSV bars)."""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.export.pinerun import PineInterpreter, parse, trigger_sessions
from thesis.cli import app as cli
from thesis.export import pine_rules
from thesis.export.pine import export, render
from thesis.signals.spec import KINDS
from thesis.spec import load

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*.toml") if b"[idea]" in p.read_bytes())
runner = CliRunner()


@lru_cache(maxsize=None)
def script(path: Path):
    """(source, description, parse tree) of an example's script, parsed once per session."""
    source, levels = export(load(path), path)
    return source, levels, parse(source)


@lru_cache(maxsize=None)
def window(path: Path) -> pd.DataFrame:
    """The idea's daily bars from 4 years before publication to 2 years after (the loader users call)."""
    from thesis.data import load_bars

    idea = load(path)
    bars = load_bars(idea.symbol, adjustment=idea.idea.adjustment)
    pub = pd.Timestamp(idea.idea.published)
    return bars[(bars.index >= pub - pd.DateOffset(years=4)) & (bars.index <= pub + pd.DateOffset(years=2))]


@lru_cache(maxsize=None)
def run(path: Path):
    source, levels, tree = script(path)
    return PineInterpreter(source, window(path), load(path).symbol, tree=tree).run()


def calls(tree, name: str) -> list:
    import pynescript.ast as pa

    out = []
    for node in pa.walk(tree):
        if type(node).__name__ == "Call":
            f = node.func
            dotted = f.id if type(f).__name__ == "Name" else (
                f.value.id + "." + f.attr if type(f).__name__ == "Attribute" and type(f.value).__name__ == "Name"
                else None)
            if dotted == name:
                out.append(node)
    return out


def constants(tree) -> dict:
    """Top-level `float NAME = number` declarations."""
    return {st.target.id: st.value.value for st in tree.body
            if type(st).__name__ == "Assign" and type(st.value).__name__ == "Constant"
            and isinstance(st.value.value, float)}


def test_every_example_gets_a_script_and_the_examples_cover_every_trigger_kind(tmp_path):
    res = runner.invoke(cli, ["export", "pine", "--all", str(ROOT / "examples"), "-o", str(tmp_path / "pine")])
    assert res.exit_code == 0, res.output
    written = sorted(p.stem for p in (tmp_path / "pine").glob("*.pine"))
    assert written == sorted(p.stem for p in EXAMPLES)
    assert f"{len(EXAMPLES)} scripts in" in res.stdout
    kinds = {t.kind for p in EXAMPLES for t in load(p).triggers}
    assert kinds == set(KINDS)
    text = (tmp_path / "pine" / f"{SEED.stem}.pine").read_text()
    assert text == export(load(SEED), SEED)[0]


def test_the_header_names_the_thesis_version_and_the_file_revision():
    from thesis import __version__

    source, levels, _ = script(SEED)
    digest = hashlib.sha256(SEED.read_bytes()).hexdigest()[:16]
    head = source.splitlines()[:12]
    assert head[0] == "//@version=6"
    assert any(f"thesis {__version__}" in line and digest in line and SEED.name in line for line in head)
    assert "// not exported: none" in head
    assert levels.content_hash == digest


def test_the_parsed_tree_holds_the_levels_dates_and_title():
    source, levels, tree = script(SEED)
    idea = load(SEED)
    [ind] = calls(tree, "indicator")
    assert ind.args[0].value.value == f"thesis: {idea.idea.title}"
    assert {a.name: a.value.value for a in ind.args if a.name == "overlay"} == {"overlay": True}
    const = constants(tree)
    assert (const["ZONE_LO"], const["ZONE_HI"]) == tuple(idea.levels.entry_zone)
    assert const["STOP"] == idea.levels.stop and const["ENTRY"] == idea.entry_price
    assert [const[f"TARGET_{i + 1}"] for i in range(len(idea.levels.targets))] == idea.levels.targets
    drawn = run(SEED).drawings
    [box] = [d for d in drawn if d[0] == "box.new"]
    ny = "America/New_York"
    assert box[1][0] == pd.Timestamp("2023-06-04", tz=ny).value // 10**6          # publication, bar time
    assert box[1][2] == pd.Timestamp("2023-12-04 23:59", tz=ny).value // 10**6    # horizon end (6mo)
    assert (box[1][1], box[1][3]) == (190.0, 188.0) and box[2]["xloc"] == "xloc.bar_time"
    labels = [d[1][2] for d in drawn if d[0] == "label.new"]
    assert {"stop 212.00", "target 1 130.00", "published 2023-06-04", "horizon end 2023-12-04"} <= set(labels)
    assert not any("breakeven" in t for t in labels)          # the seed does not move its stop


def test_breakeven_line_and_author_when_the_idea_says_so():
    path = ROOT / "examples" / "pine" / "qqq-failed-breakout-400.toml"
    source, levels, tree = script(path)
    [ind] = calls(tree, "indicator")
    assert ind.args[0].value.value == "thesis: QQQ: the $400 breakout fails (by thesis examples)"
    labels = [d[1][2] for d in run(path).drawings if d[0] == "label.new"]
    assert f"breakeven stop {levels.entry:.2f} after target 1" in labels
    assert "stop_now = target_1_done ? ENTRY : STOP" in source


def test_alerts_are_on_bar_close_with_thesis_alert_json():
    source, levels, tree = script(SEED)
    titles = [c.args[1].value.value for c in calls(tree, "alertcondition")]
    assert titles == ["trigger 1: outside_bar_rejection", "trigger 2: lower_high_breakdown", "trigger 3: long_wick",
                      "zone touched", "stop", "target 1"]
    for c in calls(tree, "alertcondition"):
        msg = c.args[2].value.value
        doc = json.loads(msg.replace("{{close}}", "1.5"))
        assert doc["schema"] == "thesis.alert/1" and doc["idea"] == SEED.stem and doc["time"] == "{{time}}"
    alerts = calls(tree, "alert")
    assert len(alerts) == len(titles)
    assert all(a.args[1].value.attr == "freq_once_per_bar_close" for a in alerts)
    for sec in calls(tree, "request.security"):
        assert {a.name: a.value.attr for a in sec.args if a.name} == {"lookahead": "lookahead_off"}
    assert [s.args[1].value.value for s in calls(tree, "request.security")] == ["1D", "1D", "1M"]
    fired = run(SEED).alerts
    kinds = {f.json()["kind"] for f in fired}
    assert kinds == {"trigger", "zone_touched", "stopped"}
    zone = [f.json() for f in fired if f.json()["kind"] == "zone_touched"]
    assert [(z["time"], z["price"]) for z in zone] == [("2023-06-13T13:30:00Z", 187.93)]   # the close


def test_the_seed_trigger_fires_on_2023_01_18_and_2023_06_14_as_in_thesis():
    sessions = trigger_sessions(run(SEED), SEED.stem)["1:outside_bar_rejection"]
    assert [d for d in sessions if d.startswith("2023")] == ["2023-01-18", "2023-06-14"]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_trigger_alerts_fire_on_thesis_trigger_sessions(path):
    from thesis.signals.detect import detect

    idea = load(path)
    source, levels, tree = script(path)
    fired = trigger_sessions(run(path), levels.idea_id)
    bars = window(path)
    assert levels.not_exported == ()
    total = 0
    for rule, trig in zip(levels.triggers, idea.triggers):
        want = [d.date().isoformat() for d in detect(trig, bars, idea.direction)["date"]]
        assert fired.get(f"{rule.number}:{rule.kind}", []) == want, rule.name
        total += len(want)
    if idea.triggers:
        assert total > 0, "no trigger fired in the window: the comparison would prove nothing"


def test_a_kind_without_a_pine_rule_is_listed_as_not_exported(monkeypatch, tmp_path):
    monkeypatch.setitem(pine_rules.NOT_EXPRESSIBLE, "long_wick", "no Pine rule in this test")
    source, levels = export(load(SEED), SEED)
    assert "// not exported: trigger 3: long_wick (1mo, short): no Pine rule in this test" in source
    assert "f_trigger_3" not in source and [r.kind for r in levels.triggers] == ["outside_bar_rejection",
                                                                                 "lower_high_breakdown"]
    res = runner.invoke(cli, ["export", "pine", str(SEED), "-o", str(tmp_path / "seed.pine")])
    assert res.exit_code == 0
    assert "not exported: trigger 3: long_wick (1mo, short): no Pine rule in this test" in " ".join(res.stderr.split())


def test_titles_with_quotes_and_backslashes_stay_literal():
    from dataclasses import replace

    _, levels, _ = script(SEED)
    odd = replace(levels, title='IWM "small" \\caps\' [bold]', triggers=(), author=None)
    [ind] = calls(parse(render(odd)), "indicator")
    assert ind.args[0].value.value == 'thesis: IWM "small" \\caps\' [bold]'


def test_cli_prints_to_stdout_and_refuses_bad_arguments(tmp_path):
    res = runner.invoke(cli, ["export", "pine", str(SEED)])
    assert res.exit_code == 0 and res.stdout.startswith("//@version=6")
    assert runner.invoke(cli, ["export", "pine"]).exit_code == 2
    assert runner.invoke(cli, ["export", "pine", str(ROOT / "examples")]).exit_code == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[idea]\ntitle = 1\n")
    res = runner.invoke(cli, ["export", "pine", str(bad)])
    assert res.exit_code == 2 and "bad.toml" in res.stderr.replace("\n", "")   # rich may wrap a long temp path
    res = runner.invoke(cli, ["export", "pine", "--all", str(tmp_path), "-o", str(tmp_path / "out")])
    assert res.exit_code == 2 and "bad.toml" in res.stderr.replace("\n", "")
    target = tmp_path / "seed.pine"
    target.write_text("old")
    target.chmod(0o600)
    assert runner.invoke(cli, ["export", "pine", str(SEED), "-o", str(target)]).exit_code == 0
    assert target.read_text().startswith("//@version=6") and target.stat().st_mode & 0o777 == 0o600
    link = tmp_path / "link.pine"
    link.symlink_to(target)
    assert runner.invoke(cli, ["export", "pine", str(SEED), "-o", str(link)]).exit_code == 0
    assert link.is_symlink() and target.read_text().startswith("//@version=6")
