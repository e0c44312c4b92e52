"""Colours and font sizes of the snapshot (light theme, TradingView-like contrast)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    face: str = "#ffffff"
    panel: str = "#ffffff"
    text: str = "#1f2328"
    muted: str = "#5f6b7a"
    grid: str = "#e9edf2"
    spine: str = "#c9d1da"
    up: str = "#089981"
    down: str = "#f23645"
    neutral: str = "#6b7785"
    zone_short: str = "#ff9800"
    zone_long: str = "#2962ff"
    stop: str = "#d50000"
    target: str = "#00875a"
    entry_short: str = "#c2185b"
    entry_long: str = "#2962ff"
    exit: str = "#5e35b1"
    trigger: str = "#e65100"
    note: str = "#7b1fa2"
    last: str = "#37474f"
    ratio: tuple = ("#2962ff", "#ff6d00", "#00897b", "#8e24aa", "#6d4c41", "#c2185b")
    font: str = "DejaVu Sans"
    title_size: float = 19
    subtitle_size: float = 12
    label_size: float = 10.5
    tick_size: float = 10.5
    small_size: float = 9.5


THEME = Theme()
