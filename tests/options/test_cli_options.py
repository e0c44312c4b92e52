"""`thesis options price|plan|scenario` through typer's CliRunner."""
from __future__ import annotations

import json

import pytest
from PIL import Image
from typer.testing import CliRunner

from thesis.cli.options import app
from thesis.options.bsm import bsm_greeks

runner = CliRunner()
SEED = ["--direction", "short", "--entry", "188", "--stop", "212", "--target", "130", "--horizon-days", "180",
        "--spot", "179.58", "--asof", "2023-06-05"]


def test_price_json_matches_bsm():
    res = runner.invoke(app, ["price", "--type", "put", "--spot", "188", "--strike", "180", "--days", "190",
                              "--iv", "0.2", "--rate", "0.05", "--div-yield", "0.012", "--style", "european", "--json"])
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert set(out) == {"price", "delta", "gamma", "vega", "theta", "rho"}
    expect = bsm_greeks("put", 188, 180, 190 / 365, 0.2, 0.05, 0.012)
    for key, value in out.items():
        assert value == pytest.approx(float(expect[key]), abs=1e-12)


def test_price_american_table_and_expiry_asof():
    res = runner.invoke(app, ["price", "--type", "put", "--spot", "188", "--strike", "180",
                              "--expiry", "2023-12-15", "--asof", "2023-06-05", "--iv", "0.2", "--rate", "0.05"])
    assert res.exit_code == 0, res.stderr
    assert "per 1.00 of vol" in res.stdout and "per year" in res.stdout and "193 days" in res.stdout


def test_price_help_states_units():
    res = runner.invoke(app, ["price", "--help"])
    text = " ".join(res.stdout.split())
    assert "vega per 1.00 of vol" in text and "theta per year" in text


@pytest.mark.parametrize("args,needle", [
    (["--iv", "0"], "iv"), (["--iv", "-0.2"], "iv"), (["--strike", "0"], "strike"), (["--spot", "-3"], "spot"),
    (["--expiry", "2023-01-20", "--asof", "2023-06-05"], "expiry in the past"),
])
def test_price_bad_input_exits_2(args, needle):
    base = {"--type": "put", "--spot": "100", "--strike": "100", "--iv": "0.2"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    if "--expiry" not in base:
        base["--days"] = "30"
    flat = [x for kv in base.items() for x in kv]
    res = runner.invoke(app, ["price", *flat, "--json"])
    assert res.exit_code == 2
    assert needle in res.stderr and res.stdout == ""


def test_plan_json_on_seed(tmp_path):
    chart = tmp_path / "plan.png"
    res = runner.invoke(app, ["plan", *SEED, "--iv", "0.2", "--json", "--chart", str(chart)])
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["vol"]["source"] == "explicit" and out["option_type"] == "put"
    assert out["candidates"] and out["candidates"][0]["rank"] == 1
    assert all(c["expiry"] >= "2023-12-02" for c in out["candidates"])
    assert out["chart"] == str(chart)
    with Image.open(chart) as img:
        assert img.size == (1600, 900)


def test_plan_vix_source_table():
    res = runner.invoke(app, ["plan", *SEED, "--iv-source", "vix", "--symbol", "IWM", "--top", "3"])
    assert res.exit_code == 0, res.stderr
    assert "VIX close 14.73" in " ".join(res.stdout.split())
    assert "candidates" in res.stdout


def test_plan_bad_levels_exit_2():
    res = runner.invoke(app, ["plan", "--direction", "short", "--entry", "188", "--stop", "150", "--target", "130",
                              "--horizon-days", "180", "--asof", "2023-06-05", "--iv", "0.2"])
    assert res.exit_code == 2 and "stop" in res.stderr
    res = runner.invoke(app, ["plan", *SEED])
    assert res.exit_code == 2 and "--iv" in res.stderr


def test_scenario_json_and_chart(tmp_path):
    chart = tmp_path / "s.png"
    res = runner.invoke(app, ["scenario", "--type", "put", "--strike", "183", "--short-strike", "130", "--days", "193",
                              "--asof", "2023-06-05", "--spot", "188", "--iv", "0.2", "--stop", "212",
                              "--target", "130", "--horizon-days", "180", "--n-prices", "21", "--n-dates", "4",
                              "--iv-shift", "-3", "--iv-shift", "3", "--json", "--chart", str(chart)])
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert len(out["dates"]) == 4 and len(out["prices"]) == 21
    assert len(out["pnl"]) == 4 and len(out["pnl"][0]) == 21
    assert out["iv_view"]["shifts_points"] == [-3.0, 3.0]
    assert out["position"]["name"].startswith("bear put debit spread")
    assert 0 < out["touch_probability"][1]["probability"] < 0.05
    with Image.open(chart) as img:
        assert img.size == (1600, 900)


def test_scenario_legs_and_table():
    res = runner.invoke(app, ["scenario", "--leg", "-1:put:180:2023-07-21", "--leg", "+1:put:180:2023-09-15",
                              "--asof", "2023-06-05", "--spot", "188", "--iv", "0.2"])
    assert res.exit_code == 0, res.stderr
    text = " ".join(res.stdout.split())
    assert "custom position" in text and "vol shifted" in text
    bad = runner.invoke(app, ["scenario", "--leg", "one:put:180", "--days", "30", "--spot", "188", "--iv", "0.2"])
    assert bad.exit_code == 2 and "--leg" in bad.stderr
