"""Issue 9: results given with exit 0 that were wrong or misleading, on real bars.

QQQ long from 2020-03-27 scaling out 50/50 at 207 and 220; TLT short from 2022-08-01 with a
signal entry and a "40s" horizon (the two ideas of the issue's new-user run).
"""
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from thesis.cli import app
from thesis.spec import parse

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"

QQQ = """schema_version = 1
[idea]
title = "QQQ bounce"
symbol = "QQQ"
published = 2020-03-27
direction = "long"
horizon = "3mo"
compare = ["SPY"]
[levels]
entry_zone = [185.0, 200.0]
stop = 170.0
targets = [207.0, 220.0]
sizes = [0.5, 0.5]
move_stop_to_breakeven = true
[[notes]]
date = 2020-04-06
text = "holding"
"""

TLT = """schema_version = 1
[idea]
title = "TLT short"
symbol = "TLT"
published = 2022-08-01
direction = "short"
horizon = "40s"
[levels]
entry_zone = [118.0, 121.0]
stop = 124.0
targets = [110.5]
[entry]
order = "signal"
[[triggers]]
kind = "outside_bar"
[options]
type = "put"
delta = -0.3
days = 60
iv = 0.2
[[notes]]
date = 2022-08-03
text = "short from the open"
[[notes]]
date = 2022-09-20
text = "written later"
"""


def run(*args):
    out = CliRunner().invoke(app, [str(a) for a in args])
    assert out.exception is None or isinstance(out.exception, SystemExit), repr(out.exception)
    return out


@pytest.fixture
def files(tmp_path):
    (tmp_path / "qqq.toml").write_text(QQQ)
    (tmp_path / "tlt.toml").write_text(TLT)
    return tmp_path


@pytest.fixture(scope="module")
def raw(data_root):
    return {s: pd.read_csv(data_root / "daily" / f"{s}.csv", index_col="date", parse_dates=True)
            for s in ("QQQ", "TLT")}


# ---------------------------------------------------------------- 9.1 scale-out legs
def test_scale_out_legs_each_at_a_price_that_traded(files, raw):
    out = run("replay", files / "qqq.toml", "--json")
    t = json.loads(out.stdout)["trades"][0]
    legs = [(leg["date"], leg["price"]) for leg in t["legs"]]
    assert legs == [("2020-04-14", 207.23), ("2020-04-30", 220.0)]
    for day, price in legs:  # every leg's price lies inside its own day's range
        assert raw["QQQ"].loc[day, "low"] <= price <= raw["QQQ"].loc[day, "high"]
    # the exit names a traded price; the blend is there only as a labelled average
    assert t["exit"]["price"] == 220.0 and t["exit"]["date"] == "2020-04-30"
    assert t["exit"]["average_price"] == pytest.approx((207.23 + 220.0) / 2)
    text = run("replay", files / "qqq.toml").stdout
    assert "2020-04-14 @ 207.23" in text and "2020-04-30 @ 220.00" in text
    assert "@ 213.62" not in text and "average exit 213.62" in text


def test_chart_glue_marks_each_leg(files, monkeypatch):
    import thesis.plotting

    seen = {}
    monkeypatch.setattr(thesis.plotting, "snapshot", lambda bars, path, **kw: seen.update(kw) or Path(path))
    from thesis.chart import chart

    chart(parse(QQQ), files / "q.png")
    assert [(str(d.date()), p) for d, p, _ in seen["exits"]] == [("2020-04-14", 207.23), ("2020-04-30", 220.0)]
    assert all("target" in label for _, _, label in seen["exits"])


# ---------------------------------------------------------------- 9.2 signal entries from the fill
def test_signal_entry_measured_from_the_fill(files, raw):
    doc = json.loads(run("evaluate", files / "tlt.toml", "--asof", "2022-08-05", "--json").stdout)
    fill = raw["TLT"].loc["2022-08-03", "open"]
    assert doc["state"]["state"] == "in trade"
    lv = doc["levels"]
    assert lv["entry"]["kind"] == "fill" and lv["entry"]["level"] == fill
    assert lv["planned_entry"]["level"] == 118.0                      # the plan stays visible
    assert lv["stop"]["r_from_entry"] == pytest.approx(-1.0)           # stop is -1 R, short or long
    assert lv["targets"][0]["r_from_entry"] == pytest.approx((fill - 110.5) / (124 - fill), abs=1e-4)
    rr = doc["arithmetic"]["risk_reward"]
    assert rr["from_fill"]["blended"] == pytest.approx((fill - 110.5) / (124 - fill))
    assert rr["planned"] == pytest.approx((118 - 110.5) / 6)
    text = run("evaluate", files / "tlt.toml", "--asof", "2022-08-05").stdout
    assert f"from the fill {fill:.2f}" in text and "planned 1.25:1" in text


# ---------------------------------------------------------------- 9.3 every horizon form everywhere
def test_options_plan_uses_a_session_horizon(files):
    doc = json.loads(run("options", "plan", files / "tlt.toml", "--json").stdout)
    assert doc["horizon_days"] == 56  # 40 sessions from 2022-08-01 end on 2022-09-26, not 180 days
    text = run("options", "plan", files / "tlt.toml").stdout
    assert "horizon 56 days" in text and "180" not in text.split("\n")[0]


def test_options_plan_end_date_and_no_horizon(tmp_path):
    f = tmp_path / "end.toml"
    f.write_text(TLT.replace('horizon = "40s"', "horizon = 2022-12-30"))
    assert json.loads(run("options", "plan", f, "--json").stdout)["horizon_days"] == 151
    f.write_text(TLT.replace('horizon = "40s"\n', ""))
    out = run("options", "plan", f)
    assert out.exit_code == 2 and "has no horizon" in out.stderr


def test_session_horizon_makes_a_limit_stale(tmp_path):
    """A limit that does not fill within N sessions never fills (as with calendar horizons)."""
    from thesis.replay import replay

    idea = parse(QQQ.replace('horizon = "3mo"', 'horizon = "2s"').replace("[185.0, 200.0]", "[150.0, 160.0]")
                 .replace("stop = 170.0", "stop = 140.0"))
    t = replay(idea, with_confirmations=False).primary
    assert not t.filled and str(t.last_date.date()) == "2020-03-30"


# ---------------------------------------------------------------- 9.5 as-of views
def test_asof_views_show_only_what_was_known(files, monkeypatch):
    doc = json.loads(run("evaluate", files / "tlt.toml", "--asof", "2022-08-05", "--json").stdout)
    assert [n["date"] for n in doc["notes"]] == ["2022-08-03"]
    assert doc["notes"][0]["text"] == "short from the open"          # the note's own text
    import thesis.plotting

    seen = {}
    monkeypatch.setattr(thesis.plotting, "snapshot", lambda bars, path, **kw: seen.update(kw) or Path(path))
    from thesis.chart import chart

    chart(parse(TLT), files / "t.png", asof="2022-08-05")
    assert [str(d.date()) for d, _ in seen["notes"]] == ["2022-08-03"]
    labels = [label for _, _, label in seen["exits"]]
    assert labels and all(label.startswith("OPEN ") for label in labels)   # open, not an EXIT
    assert "open P&L" in labels[0] and " R" in labels[0]


# ---------------------------------------------------------------- 9.12 evaluate's messages
def test_evaluate_messages(files):
    out = run("evaluate", files / "tlt.toml", "--asof", "2022-07-01")
    assert out.exit_code == 2 and "before the idea was published (2022-08-01)" in out.stderr
    out = run("evaluate", files / "tlt.toml", "--asof", "2030-01-01")
    assert out.exit_code == 0 and "the data ends on" in out.stderr
    for bad in ("0", "-5"):
        out = run("evaluate", files / "tlt.toml", "--lookback", bad)
        assert out.exit_code == 2 and "--lookback" in out.stderr


# ---------------------------------------------------------------- accepted without a word
@pytest.mark.parametrize("flag,value", [("--iv", "20"), ("--rate", "5"), ("--div-yield", "3")])
def test_options_price_refuses_percent_for_decimals(flag, value):
    args = ["options", "price", "--type", "put", "--spot", "100", "--strike", "100", "--days", "30", "--iv", "0.2"]
    out = run(*args, flag, value)
    assert out.exit_code == 2 and "decimal" in " ".join(out.stderr.split())


def test_pricing_refuses_percent_for_decimals_in_python_too():
    from thesis.errors import BadInput
    from thesis.options.pricing import price

    for kw, hint in ((dict(iv=20), "write 0.2"), (dict(iv=0.2, rate=5), "write 0.05"),
                     (dict(iv=0.2, div_yield=3), "write 0.03")):
        with pytest.raises(BadInput, match=hint):
            price("put", 100, 100, days=30, **kw)


def test_chart_paths_refused_before_work(files, tmp_path):
    out = run("chart", SEED, "-o", tmp_path / "x.svg")
    assert out.exit_code == 2 and ".png" in out.stderr and not (tmp_path / "x.svg").exists()
    csv = tmp_path / "IWM.csv"
    csv.write_text("date,open\n")
    out = run("chart", SEED, "-o", csv)                      # never overwrite a data file with a PNG
    assert out.exit_code == 2 and csv.read_text() == "date,open\n"
    folder = tmp_path / "folder"
    folder.mkdir()
    for args in (("chart", SEED, "-o", folder), ("replay", SEED, "--chart", folder),
                 ("options", "plan", files / "tlt.toml", "--chart", folder)):
        out = run(*args)
        assert out.exit_code == 2 and "is a folder" in out.stderr, args


# ---------------------------------------------------------------- missing symbols do not abort
@pytest.fixture
def partial_source(tmp_path, data_root):
    folder = tmp_path / "csv"
    folder.mkdir()
    for sym in ("IWM", "SPY"):
        (folder / f"{sym}.csv").write_bytes((data_root / "daily" / f"{sym}.csv").read_bytes())
    return f"csv:{folder}"


def test_missing_symbols_are_reported_and_the_rest_is_done(partial_source, tmp_path):
    out = run("replay", SEED, "--source", partial_source, "--json")
    assert out.exit_code == 0, out.stderr
    doc = json.loads(out.stdout)
    assert f"no data for UUP in {partial_source}" in doc["data"]["missing"]
    confs = doc["notes"][0]["confirmations"]
    assert {c["subject"] for c in confs if c["status"] == "no data"} >= {"UUP", "TLT", "USO"}
    assert any(c["passed"] is not None for c in confs)          # the others were evaluated
    png = tmp_path / "s.png"
    out = run("chart", SEED, "-o", png, "--source", partial_source, "--width", "400", "--height", "300")
    assert out.exit_code == 0 and png.stat().st_size > 0 and "no data for QQQ" in out.stderr
    out = run("replay", SEED, "--source", partial_source, "--chart", png)
    assert out.exit_code == 0 and "Trades" in out.stdout and "missing:" in out.stderr


def test_notes_table_names_each_confirmation_subject():
    doc = json.loads(run("replay", SEED, "--json").stdout)
    subjects = [c["subject"] for c in doc["notes"][0]["confirmations"]]
    assert "IWM vs SPY" in subjects and "IWM vs QQQ" in subjects and "UUP" in subjects
    assert "IWM vs SPY" in run("replay", SEED).stdout


# ---------------------------------------------------------------- small things
def test_short_r_signs_follow_the_trade():
    doc = json.loads(run("evaluate", SEED, "--asof", "2023-06-09", "--json").stdout)   # not filled yet
    lv = doc["levels"]
    assert lv["stop"]["r_from_entry"] == pytest.approx(-1.0)
    assert lv["targets"][0]["r_from_entry"] == pytest.approx((188 - 130) / 24, abs=1e-4)


def test_sizing_never_prints_zero_contracts(files):
    out = run("evaluate", files / "tlt.toml", "--asof", "2022-08-05", "--account", "10000")
    assert out.exit_code == 0
    assert "0 x put" not in out.stdout and "no contract fits" in out.stdout
    doc = json.loads(run("evaluate", files / "tlt.toml", "--asof", "2022-08-05", "--account", "1000000",
                         "--json").stdout)
    assert doc["arithmetic"]["sizing"]["contracts"]["units"] >= 1


def test_flagged_bar_fill_and_repair_warnings_are_shown(tmp_path, data_root):
    folder = tmp_path / "csv"
    folder.mkdir()
    bars = pd.read_csv(data_root / "daily" / "IWM.csv")
    i = bars.index[bars["date"] == "2023-06-14"][0]
    bars.loc[i, "high"] = bars.loc[i, "high"] * 100        # a bad print that stops the short out
    bars.to_csv(folder / "IWM.csv", index=False)
    idea = tmp_path / "i.toml"
    idea.write_text(SEED.read_text().split("[[confirmations]]")[0] + "[claims]\nrisk_reward = 7.0\n")
    out = run("replay", idea, "--source", f"csv:{folder}", "--json")
    assert out.exit_code == 0
    t = json.loads(out.stdout)["trades"][0]
    assert t["exit"]["reason"] == "stop" and t["flagged_fills"]
    assert "2023-06-14" in t["flagged_fills"][0] and "flagged bar" in t["flagged_fills"][0]
    out = run("replay", idea, "--source", f"csv:{folder}")
    assert "flagged bar" in out.stderr and "data:" in out.stderr


def test_replay_keeps_its_report_when_the_chart_fails(monkeypatch, tmp_path):
    import importlib

    from thesis.errors import BadInput

    def boom(*a, **k):
        raise BadInput("the disk said no")

    monkeypatch.setattr(importlib.import_module("thesis.chart"), "chart", boom)
    out = run("replay", SEED, "--chart", tmp_path / "s.png")
    assert out.exit_code == 2 and "Trades" in out.stdout and "the disk said no" in out.stderr


def test_options_plan_refuses_absurd_numbers():
    base = ["options", "plan", "--direction", "long", "--entry", "100", "--stop", "90", "--target", "120",
            "--iv", "0.2", "--asof", "2023-01-03"]
    for extra, words in ((["--horizon-days", "99999999"], "horizon"), (["--horizon-days", "30", "--top", "0"], "top"),
                         (["--horizon-days", "30", "--iv", "20"], "decimal")):
        out = run(*base, *extra)
        assert out.exit_code == 2 and words in " ".join(out.stderr.split()), (extra, out.stderr)
    from thesis.errors import BadInput
    from thesis.options.plan import plan_options

    with pytest.raises(BadInput, match="at most 10,980"):
        plan_options("long", 100, 90, [120], 99_999_999, "2023-01-03", iv=0.2)


def test_asof_before_publication_and_a_zero_account_are_named(tmp_path):
    out = run("chart", SEED, "-o", tmp_path / "a.png", "--asof", "2023-01-01")
    assert out.exit_code == 2 and "before the idea was published (2023-06-04)" in out.stderr
    out = run("evaluate", SEED, "--account", "0")
    assert out.exit_code == 2 and "account" in out.stderr


def test_state_text_shows_legs_not_a_blend(files):
    mid = json.loads(run("evaluate", files / "qqq.toml", "--asof", "2020-04-20", "--json").stdout)["state"]
    # half taken at 207.23, half marked at the 04-20 close 212.74: the whole position, named so (issue 20:
    # "open_pnl" was this figure under an ambiguous name)
    assert mid["position_pnl"] == pytest.approx(0.5 * (207.23 - 186.93) + 0.5 * (212.74 - 186.93), abs=1e-3)
    assert mid["position"] == 0.5 and mid["open_part_r"] == pytest.approx((212.74 - 186.93) / (186.93 - 170), abs=1e-4)
    assert mid["stop"] == pytest.approx(186.93) and mid["stop_moved"]      # the breakeven stop is in force
    assert "207.23 on 2020-04-14" in mid["text"] and "50% still open" in mid["text"]
    after = json.loads(run("evaluate", files / "qqq.toml", "--asof", "2020-05-20", "--json").stdout)["state"]
    assert after["state"] == "closed" and "207.23 on 2020-04-14" in after["text"]
    assert "220.00 on 2020-04-30" in after["text"] and "average exit 213.62" in after["text"]
    assert "at 213.62" not in after["text"]


def test_end_date_horizon_before_the_first_session(tmp_path):
    """Published on a Friday with a Saturday end date: nothing can fill, and no command refuses."""
    f = tmp_path / "h.toml"
    f.write_text(SEED.read_text().replace("published = 2023-06-04", "published = 2023-06-02")
                 .replace('horizon = "6mo"', "horizon = 2023-06-03"))
    doc = json.loads(run("replay", f, "--json").stdout)
    assert all(not t["filled"] for t in doc["trades"])
    for args in (("evaluate", f), ("options", "plan", f)):
        assert run(*args).exit_code == 0
