"""Grid parsing, cell products and the errors bad grid input gives."""
import pytest

from thesis.errors import BadInput
from thesis.spec import load
from thesis.study import make_plan
from thesis.study.spec import GridError, Hold, Level, grid_cells, parse_grid, parse_hold, parse_level

SEED = "examples/iwm-no-love-for-small-caps.toml"


def test_levels_parse_with_units():
    assert parse_level("5%") == Level("pct", 0.05)
    assert parse_level("2atr") == Level("atr", 2.0)
    assert parse_level("1.5 xATR") == Level("atr", 1.5)
    assert parse_level("2.42R", "target") == Level("r", 2.42)
    assert parse_level("212", allow_price=True) == Level("price", 212.0)
    assert parse_hold("20") == Hold(sessions=20) == parse_hold("20s")
    assert parse_hold("6mo") == Hold(offset="6mo")
    assert parse_hold("none") == Hold()


def test_grid_keeps_order_and_parses_each_axis():
    g = parse_grid(["stop=5%,8%,10% target=10%,2R", "zone_width=0.5,1.0", "hold=20,6mo"])
    assert list(g) == ["stop", "target", "zone_width", "hold"]
    assert g["stop"] == [Level("pct", 0.05), Level("pct", 0.08), Level("pct", 0.10)]
    assert g["target"] == [Level("pct", 0.10), Level("r", 2.0)]
    assert g["zone_width"] == [0.5, 1.0]
    assert g["hold"] == [Hold(sessions=20), Hold(offset="6mo")]
    assert parse_grid({"zone_lookback": [10, 20]}) == {"zone_lookback": [10, 20]}


def test_cells_are_the_cartesian_product():
    plan = make_plan(load(SEED), grid=["stop=5%,8%,10% target=10%,20%,30% zone_width=0.5,1.0"])
    assert len(plan.cells) == 18
    assert len(plan.zones) == 2 and len(plan.exits) == 9
    first, last = plan.cell_specs[0], plan.cell_specs[-1]
    assert first.values == {"stop": "5%", "target": "10%", "zone_width": "0.5"}
    assert last.values == {"stop": "10%", "target": "30%", "zone_width": "1"}
    # each cell's zone/exit index points at its own rules
    for spec, (z, x) in zip(plan.cell_specs, plan.cells):
        assert plan.zones[z] == spec.zone and plan.exits[x] == spec.exit
    assert grid_cells(plan.cell_specs[0], {}) == [plan.cell_specs[0]]


@pytest.mark.parametrize("item, words", [
    ("stop", "key=value"),
    ("stp=5%", "unknown key 'stp'"),
    ("stop=", "empty value"),
    ("stop=5%,,8%", "empty value"),
    ("stop=5%,5%", "repeated"),
    ("stop=5", "no unit"),
    ("stop=2R", "targets only"),
    ("stop=0%", "above 0"),
    ("stop=150%", "below 100%"),
    ("target=-2R", "not a level"),
    ("zone_width=wide", "not a number"),
    ("zone_width=-1", "above 0"),
    ("zone_lookback=2.5", "whole"),
    ("hold=soon", "not a time stop"),
])
def test_bad_grid_items_name_the_fault(item, words):
    with pytest.raises(GridError) as err:
        parse_grid([item])
    assert words in str(err.value)
    assert isinstance(err.value, BadInput)


def test_duplicate_key_and_too_many_cells():
    with pytest.raises(GridError, match="given twice"):
        parse_grid(["stop=5%", "stop=8%"])
    many = ",".join(f"{i}%" for i in range(1, 100))
    with pytest.raises(GridError, match="limit"):
        parse_grid([f"stop={many} target={many} zone_width=0.1,0.2"])


def test_fixed_levels_refuse_relative_axes():
    idea = load(SEED)
    with pytest.raises(GridError, match="grid stop needs relative levels"):
        make_plan(idea, levels="fixed", grid=["stop=5%"])
    assert len(make_plan(idea, levels="fixed", grid=["hold=20,60"]).cells) == 2
    with pytest.raises(BadInput, match="levels must be"):
        make_plan(idea, levels="floating")
    with pytest.raises(BadInput, match="^base_rate must be a whole number"):
        make_plan(idea, base_rate=-1)
    with pytest.raises(BadInput, match="start 2020-01-01 is after end 2019-01-01"):
        make_plan(idea, start="2020-01-01", end="2019-01-01")
    with pytest.raises(BadInput, match="not in the idea"):
        make_plan(idea, triggers=["squeeze_release"])
