"""Real data: IWM daily as traded, the seed's "daily outside bar and rejection of the $188 zone"."""
import csv
import os
from pathlib import Path

import pandas as pd

from thesis.data import load_bars
from thesis.signals import Trigger, detect, outside_bar_rejection

ZONE = (188.0, 190.0)
START, END = pd.Timestamp("2023-06-01"), pd.Timestamp("2023-12-31")


def raw_rows() -> dict[str, dict[str, float]]:
    """IWM rows read straight from the CSV file (no loader), keyed by date text."""
    path = Path(os.environ["THESIS_DATA"]) / "daily" / "IWM.csv"
    with path.open() as f:
        return {r["date"]: {k: float(r[k]) for k in ("open", "high", "low", "close")} for r in csv.DictReader(f)}


def independent_rule(rows: dict[str, dict[str, float]]) -> list[pd.Timestamp]:
    """The short outside-bar rejection written again, plainly, over the raw rows."""
    dates = sorted(rows)
    found = []
    for prev, day in zip(dates, dates[1:]):
        p, b = rows[prev], rows[day]
        if (START <= pd.Timestamp(day) <= END and b["high"] > p["high"] and b["low"] < p["low"]
                and b["high"] >= ZONE[0] and b["close"] < ZONE[0] and b["close"] < b["open"]):
            found.append(pd.Timestamp(day))
    return found


def test_iwm_outside_bar_rejections_of_188_190_in_2023():
    bars = load_bars("IWM")
    events = detect(Trigger(kind="outside_bar_rejection", zone=list(ZONE)), bars, "short")
    found = list(events.loc[(events["date"] >= START) & (events["date"] <= END), "date"])
    rows = raw_rows()
    assert found, "expected at least one outside-bar rejection of 188-190 in H2 2023"
    assert found == independent_rule(rows)
    dates = sorted(rows)
    for day in found:
        key = str(day.date())
        b, p = rows[key], rows[dates[dates.index(key) - 1]]
        assert b["high"] > p["high"] and b["low"] < p["low"]          # outside bar
        assert b["high"] >= 188.0 and b["close"] < 188.0                # into the zone, closed below
        assert b["close"] < b["open"]                                   # bearish
    # The first one is the June 14 bar (H 189.24 over 188.98, L 184.55 under 186.27, C 185.91 < O 188.32).
    assert found[0] == pd.Timestamp("2023-06-14")
    assert rows["2023-06-14"] == {"open": 188.32, "high": 189.24, "low": 184.55, "close": 185.91}


def test_iwm_daily_result_does_not_depend_on_later_data():
    bars = load_bars("IWM")
    full = outside_bar_rejection(bars, ZONE, "short")
    cut = outside_bar_rejection(bars.loc[:"2023-06-14"], ZONE, "short")
    assert cut.loc["2023-06-14"] and full.loc["2023-06-14"]
    assert (full.loc[:"2023-06-14"] == cut).all()
