"""Whole snapshots: synthetic and real bars, checked as images."""
from datetime import date

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from thesis.data import load_bars, resample
from thesis.errors import BadInput
from thesis.plotting import snapshot
from thesis.plotting._theme import THEME

SEED_NOTES = [(date(2023, 6, 5), "Frankly speaking IWM might be a fine $10-12 scalp to the $188 level."),
              (date(2023, 6, 12), "The thesis is in play."),
              (date(2023, 7, 10), "IWM and the Russell are really more like the breadth ETF."),
              (date(2023, 7, 31), "This daily outside bar and rejection of the $188 zone may be the short signal."),
              (date(2023, 8, 9), "Held back at the $188 area, made another high, broken to the downside.")]


def synthetic_bars(n=260, start="2022-01-03", with_open=True, seed=7):
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.012, n)))
    open_ = np.r_[close[0], close[:-1]] * (1 + rng.normal(0, 0.003, n))
    high = np.maximum(open_, close) * (1 + rng.uniform(0, 0.01, n))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, 0.01, n))
    bars = pd.DataFrame({"open": open_ if with_open else np.nan, "high": high, "low": low, "close": close,
                         "volume": rng.integers(1e6, 5e6, n).astype(float)},
                        index=pd.bdate_range(start, periods=n, name="date"))
    bars.attrs = {"symbol": "SYN", "source": "synthetic", "adjustment": "as-traded", "timeframe": "1d",
                  "has_open": with_open}
    return bars


def image_stats(path):
    """(size, number of distinct colours, share of non-white pixels, RGB array)."""
    with Image.open(path) as im:
        im.load()
        assert im.format == "PNG"
        rgb = np.asarray(im.convert("RGB"))
    colours = len(np.unique(rgb.reshape(-1, 3), axis=0))
    ink = float((rgb.sum(axis=2) < 720).mean())
    return (rgb.shape[1], rgb.shape[0]), colours, ink, rgb


def pixels_near(rgb, hex_colour, tol=30):
    target = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(rgb.astype(int) - target).max(axis=2) <= tol).sum())


def assert_looks_like_a_chart(path, width=1600, height=900):
    size, colours, ink, rgb = image_stats(path)
    assert size == (width, height)
    assert path.stat().st_size > 40_000
    assert colours > 50          # candles, lines, text antialiasing: many colours
    assert 0.015 < ink < 0.6     # not blank, not a solid fill
    return rgb


@pytest.fixture(scope="module")
def seed_bars():
    return {s: load_bars(s, start="2022-06-01", end="2024-03-01") for s in ("IWM", "SPY", "QQQ")}


def render_seed(bars, path, **over):
    kw = dict(title="IWM \u2014 No Love For Small Caps", compare={"SPY": bars["SPY"], "QQQ": bars["QQQ"]},
              zone=(188, 190), stop=212, targets=[130], start="2023-03-01", end="2023-12-31",
              triggers=[(date(2023, 8, 1), "outside bar rejection", 188.0)],
              entries=[(date(2023, 7, 31), 188.0, "zone touch")], notes=SEED_NOTES)
    kw.update(over)
    return snapshot(bars["IWM"], path, **kw)


def test_seed_idea_on_real_bars(tmp_path, seed_bars):
    out = render_seed(seed_bars, tmp_path / "seed.png")
    rgb = assert_looks_like_a_chart(out)
    for colour in (THEME.stop, THEME.target, THEME.up, THEME.down, THEME.note, THEME.ratio[0], THEME.ratio[1]):
        assert pixels_near(rgb, colour) > 200, colour


def test_stop_line_pixels_come_from_the_stop(tmp_path, seed_bars):
    with_stop = image_stats(render_seed(seed_bars, tmp_path / "a.png"))[3]
    without = image_stats(render_seed(seed_bars, tmp_path / "b.png", stop=None))[3]
    assert pixels_near(with_stop, THEME.stop, 20) > pixels_near(without, THEME.stop, 20) + 500


def test_compare_adds_ratio_colours(tmp_path, seed_bars):
    bare = image_stats(render_seed(seed_bars, tmp_path / "a.png", compare=None))[3]
    assert pixels_near(bare, THEME.ratio[1], 20) < 50  # QQQ line colour absent without compare


def test_no_compare_no_zone_no_marks(tmp_path, seed_bars):
    out = snapshot(seed_bars["IWM"], tmp_path / "plain.png", title="IWM")
    assert_looks_like_a_chart(out)


def test_weekly_with_partial_last_bar(tmp_path, seed_bars):
    weekly = resample(seed_bars["IWM"], "1w")
    weekly.loc[weekly.index[-1], "partial"] = True
    out = snapshot(weekly, tmp_path / "weekly.png", title="IWM weekly", compare={"SPY": seed_bars["SPY"]},
                   zone=(188, 190), stop=212, targets=[130], notes=SEED_NOTES[:2])
    assert_looks_like_a_chart(out)


def test_monthly_bars(tmp_path):
    monthly = resample(load_bars("SPY", start="2005-01-01"), "1mo")
    assert_looks_like_a_chart(snapshot(monthly, tmp_path / "m.png", title="SPY monthly", targets=[300]))


def test_bars_without_open(tmp_path, seed_bars):
    bars = seed_bars["IWM"].copy()
    bars["open"] = np.nan
    out = snapshot(bars, tmp_path / "noopen.png", title="IWM close-only", direction="long",
                   zone=(170, 172), stop=160, targets=[200], entries=[(date(2023, 11, 1), 171.0, "")],
                   exits=[(date(2023, 12, 14), 195.5, "trailing stop")], start="2023-08-01", end="2024-01-31")
    assert_looks_like_a_chart(out)


def test_synthetic_bars_other_size_and_dpi(tmp_path):
    bars = synthetic_bars(with_open=True)
    out = snapshot(bars, tmp_path / "syn.png", title="synthetic", zone=(95, 97), stop=130, targets=[70],
                   triggers=[(bars.index[150], "breakdown", 96.0)], notes=[(bars.index[120], "look")],
                   width=1201, height=677, dpi=72)
    assert_looks_like_a_chart(out, 1201, 677)


def test_zero_volume_index_and_far_target(tmp_path):
    bars = synthetic_bars()
    bars["volume"] = 0.0
    out = snapshot(bars, tmp_path / "idx.png", title="index", targets=[1.0], stop=140)
    assert_looks_like_a_chart(out)


def test_bad_inputs_name_the_culprit(tmp_path):
    bars = synthetic_bars(n=30)
    with pytest.raises(BadInput, match="direction"):
        snapshot(bars, tmp_path / "x.png", title="t", direction="up")
    with pytest.raises(BadInput, match="close"):
        snapshot(bars.drop(columns="close"), tmp_path / "x.png", title="t")
    with pytest.raises(BadInput, match="start"):
        snapshot(bars, tmp_path / "x.png", title="t", start="2024-02-01", end="2024-01-01")
    with pytest.raises(BadInput, match="no bars"):
        snapshot(bars, tmp_path / "x.png", title="t", start="2030-01-01")
    with pytest.raises(BadInput, match="compare\\['SPY'\\]"):
        snapshot(bars, tmp_path / "x.png", title="t", compare={"SPY": pd.DataFrame({"x": [1.0]})})
    assert not (tmp_path / "x.png").exists()
