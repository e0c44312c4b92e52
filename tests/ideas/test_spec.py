from pathlib import Path

import pytest

from thesis.errors import IdeaError
from thesis.spec import json_schema, load, parse

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

BASE = """schema_version = 1
[idea]
title = "t"
symbol = "iwm"
published = 2023-06-04
direction = "short"
horizon = "6mo"

[levels]
entry_zone = [188.0, 190.0]
stop = 212.0
targets = [130.0]

[[triggers]]
kind = "outside_bar_rejection"
zone = [188.0, 190.0]

[[triggers]]
kind = "outside_bar"
"""


def test_examples_load():
    seed = load(EXAMPLES / "iwm-no-love-for-small-caps.toml")
    assert seed.symbol == "IWM" and seed.direction == "short" and seed.entry_price == 188.0
    assert seed.claims.given() == {"risk_reward": 7.0, "american_odds": "+700"}
    assert len(seed.notes) == 6 and seed.options.type == "put"
    assert [c.kind for c in seed.confirmations][:2] == ["narrow_market", "relative_strength"]
    long = load(EXAMPLES / "iwm-oversold-bounce-long.toml")
    assert long.direction == "long" and long.levels.sizes == [0.5, 0.5]


def test_defaults_and_derived():
    idea = parse(BASE)
    assert idea.symbol == "IWM" and idea.entry.order == "limit"
    assert idea.entry_price == 188.0  # a short rests at the zone's lower edge
    assert str(idea.horizon_end("2023-06-13").date()) == "2023-12-13"


def err(text) -> IdeaError:
    with pytest.raises(IdeaError) as e:
        parse(text, "idea.toml")
    return e.value


def test_unknown_key_names_line_and_key():
    e = err(BASE.replace("stop = 212.0", "stopp = 212.0"))
    assert e.line == 11 and e.key in ("levels.stopp", "levels") and "stopp" in str(e)
    assert str(e).startswith("idea.toml, line 11")


def test_wrong_type():
    e = err(BASE.replace("stop = 212.0", 'stop = "high"'))
    assert e.line == 11 and e.key == "levels.stop"


def test_stop_on_wrong_side():
    e = err(BASE.replace("stop = 212.0", "stop = 180.0"))
    assert "must be above the entry zone" in str(e) and e.line == 11 and e.key == "levels.stop"


def test_target_beyond_stop_or_wrong_side():
    e = err(BASE.replace("targets = [130.0]", "targets = [200.0]"))
    assert "must be below the entry" in str(e) and e.line == 12


def test_empty_zone():
    e = err(BASE.replace("entry_zone = [188.0, 190.0]", "entry_zone = [190.0, 188.0]"))
    assert "is empty" in str(e) and e.line == 10 and e.key == "levels.entry_zone"


def test_toml_syntax_error_line():
    e = err(BASE.replace("stop = 212.0", "stop = = 212"))
    assert e.line == 11 and "not valid TOML" in str(e)


def test_second_trigger_error_points_at_its_line():
    e = err(BASE.replace('kind = "outside_bar"\n', 'kind = "outside_bar"\nzone = [1.0, 2.0]\n'))
    assert e.line == 18 and e.key.startswith("triggers #2")  # numbered from 1, as in study


def test_bad_trigger_kind_and_missing_key():
    e = err(BASE.replace('kind = "outside_bar"', 'kind = "double_top"'))
    assert e.line == 19 and e.key == "triggers #2.kind" and "double_top" in str(e)
    e = err(BASE.replace('direction = "short"\n', ""))
    assert "missing required key 'direction'" in str(e) and e.line == 2


def test_horizon_format():
    e = err(BASE.replace('"6mo"', '"six months"'))
    assert e.line == 7 and "horizon" in str(e)


def test_missing_file():
    with pytest.raises(IdeaError, match="no such idea file"):
        load("nope.toml")


def test_schema_is_versioned():
    s = json_schema()
    assert "v1" in s["$id"] and "levels" in s["properties"] and "schema_version" in s["properties"]
