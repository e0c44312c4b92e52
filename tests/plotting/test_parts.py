"""Small rules of the chart parts: colours, tags, ratios, labels, exact-size export."""
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from thesis.errors import BadInput
from thesis.plotting import save_figure_exact
from thesis.plotting._candles import bar_is_up, draw_price_bars, human_volume, nice_floor
from thesis.plotting._inputs import Plan, check_plan, timeframe_word
from thesis.plotting._marks import fmt_price, note_badge_groups, short_price, spread_positions, trigger_runs
from thesis.plotting._price_panel import level_suffix, reference_price
from thesis.plotting._ratio import normalised_ratios
from thesis.plotting._snapshot import auto_subtitle, truncate
from thesis.plotting._theme import THEME


def test_bar_is_up_uses_previous_close_without_open():
    up = bar_is_up(np.array([10.0, np.nan, np.nan]), np.array([11.0, 10.5, 12.0]), np.array([np.nan, 11.0, 10.5]))
    assert up.tolist() == [True, False, True]


def _axes():
    fig = Figure(figsize=(4, 3), dpi=100)
    return fig.add_subplot()


def test_nan_open_draws_no_bodies_but_close_ticks():
    ax = _axes()
    n = 4
    close = np.array([10.0, 11.0, 10.5, 12.0])
    draw_price_bars(ax, np.full(n, np.nan), close + 1, close - 1, close, np.ones(n, bool), np.zeros(n, bool),
                    THEME, 10.0)
    assert not [p for p in ax.patches if isinstance(p, Rectangle)]
    ticks = [c for c in ax.collections if isinstance(c, LineCollection) and len(c.get_segments()) == n]
    # one collection of wicks and one of close ticks, each with one segment per bar
    assert len(ticks) == 2
    tick_ys = sorted(seg[0][1] for seg in ticks[-1].get_segments())
    assert tick_ys == sorted(close.tolist())


def test_open_draws_one_body_per_bar_and_partial_is_hatched():
    ax = _axes()
    o = np.array([10.0, 11.0, 12.0])
    c = np.array([11.0, 10.0, 12.5])
    partial = np.array([False, False, True])
    draw_price_bars(ax, o, c + 1, o - 1, c, c >= o, partial, THEME, 10.0)
    bodies = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bodies) == 3
    assert sum(1 for p in bodies if p.get_hatch()) == 1
    assert sorted(p.get_height() for p in bodies) == pytest.approx([0.5, 1.0, 1.0])


def test_spread_positions_keeps_order_and_gap():
    out = spread_positions([100.0, 101.0, 300.0, 102.0], 10.0)
    assert out[2] == 300.0
    trio = sorted([out[0], out[1], out[3]])
    assert trio[1] - trio[0] == pytest.approx(10) and trio[2] - trio[1] == pytest.approx(10)
    assert np.mean(trio) == pytest.approx(101.0)  # the cluster stays centred
    assert out[0] < out[1] < out[3]


def test_close_note_badges_share_one_badge_in_one_row():
    groups = note_badge_groups([0, 5, 30, 32, 34, 80], [1, 2, 3, 4, 5, 6], 20)
    assert [label for _, label in groups] == ["1\u20132", "3\u20135", "6"]
    assert groups[0][0] == 2.5 and groups[2][0] == 80
    assert [label for _, label in note_badge_groups([0, 3], [2, 5], 20)] == ["2,5"]


def test_trigger_runs_label_a_repeated_trigger_once():
    items = [(10, "zone_rejection"), (11, "zone_rejection"), (12, "zone_rejection"), (12, "outside_bar"),
             (30, "zone_rejection")]
    assert trigger_runs(items) == [(10, "zone_rejection", 3), (12, "outside_bar", 1), (30, "zone_rejection", 1)]


def test_price_formats():
    assert fmt_price(188) == "188.00" and fmt_price(0.1234) == "0.1234" and fmt_price(4300) == "4,300.00"
    assert short_price(188.0) == "188" and short_price(188.5) == "188.5"
    assert human_volume(12_300_000) == "12.3M" and human_volume(950_000) == "950K" and human_volume(0) == "0"
    assert nice_floor(87e6) == 50e6 and nice_floor(19) == 10 and nice_floor(2.0) == 2.0


def test_level_suffix_percent_and_r_multiple():
    # short at 188, stop 212 (risk 24), target 130 (reward 58): 58/24 = 2.4R, -30.9 %
    assert level_suffix(212, 188, 212, False) == "  (+12.8% from 188.00)"
    assert level_suffix(130, 188, 212, True) == "  (-30.9%, 2.4R from 188.00)"
    assert level_suffix(130, None, 212, True) == ""


def test_reference_price_prefers_entry_then_zone_middle():
    plan = check_plan("short", (190, 188), 212, [130], [], [], [], [])
    assert plan.zone == (188.0, 190.0) and reference_price(plan) == 189.0
    plan = check_plan("short", (190, 188), 212, [130], [], [("2023-07-31", 188.5, "")], [], [])
    assert reference_price(plan) == 188.5


def test_check_plan_rejects_bad_items():
    with pytest.raises(BadInput, match="direction"):
        check_plan("sideways", None, None, [], [], [], [], [])
    with pytest.raises(BadInput, match="stop"):
        check_plan("short", None, "high", [], [], [], [], [])
    with pytest.raises(BadInput, match="entries"):
        check_plan("short", None, None, [], [], [("2023-07-31", 188.0)], [], [])
    with pytest.raises(BadInput, match="target 2"):
        check_plan("long", None, None, [1.0, float("nan")], [], [], [], [])


def test_normalised_ratios_by_hand_and_weekly_alignment():
    days = pd.bdate_range("2023-06-05", periods=10)  # Mon..Fri, Mon..Fri
    mine = pd.Series(np.arange(10, 20, dtype=float), index=days)
    other = pd.Series(np.full(10, 2.0), index=days)
    other.iloc[4] = 4.0  # Friday of week 1
    weeks = pd.DatetimeIndex([days[4], days[9]])  # weekly bars labelled by their Friday
    mine_w = mine.reindex(weeks)
    out = normalised_ratios(mine_w, {"SPY": pd.DataFrame({"close": other})}, weeks)
    # week 1: 14/4 = 3.5 -> 1.0; week 2: 19/2 = 9.5 -> 9.5/3.5
    assert out["SPY"].tolist() == pytest.approx([1.0, 9.5 / 3.5])


def test_normalised_ratios_skips_no_overlap_and_rejects_bad_compare():
    days = pd.bdate_range("2023-06-05", periods=5)
    mine = pd.Series(1.0, index=days)
    later = pd.Series(1.0, index=pd.bdate_range("2024-01-01", periods=5))
    assert normalised_ratios(mine, {"X": later}, days) == {}
    with pytest.raises(BadInput, match="compare\\['Y'\\]"):
        normalised_ratios(mine, {"Y": pd.DataFrame({"open": [1.0]})}, days)


def test_auto_subtitle_and_timeframe_words():
    bars = pd.DataFrame({"close": [1.0, 2.0]}, index=pd.DatetimeIndex(["2023-06-02", "2023-06-09"]))
    bars.attrs = {"symbol": "IWM", "adjustment": "as-traded", "source": "csv:/data"}
    assert timeframe_word(bars) == "weekly"  # guessed from spacing
    plan = check_plan("short", (188, 190), 212, [130], [], [], [], [])
    assert auto_subtitle(bars, plan) == "IWM weekly, as-traded, csv:/data | short 188-190, stop 212, target 130"
    assert isinstance(plan, Plan)


def test_truncate():
    assert truncate("a  b\n c", 10) == "a b c"
    assert truncate("abcdefghij", 5) == "abcd\u2026"


@pytest.mark.parametrize("width,height,dpi", [(1600, 900, 100), (1601, 899, 72), (333, 211, 96)])
def test_save_figure_exact_size(tmp_path, width, height, dpi):
    fig = Figure(dpi=dpi)
    fig.add_subplot().plot([0, 1], [0, 1])
    out = save_figure_exact(fig, tmp_path / "sub" / "f.png", width, height, dpi)
    with Image.open(out) as im:
        assert im.format == "PNG" and im.size == (width, height)


def test_save_figure_exact_rejects_bad_size(tmp_path):
    with pytest.raises(BadInput, match="width"):
        save_figure_exact(Figure(), tmp_path / "f.png", 0, 900)
