"""Extractors and the resolver on posts in styles the shared folder does not have."""
from __future__ import annotations

from datetime import date

import pytest

from thesis.draft import draft_post
from thesis.draft.text import Text, normalise
from thesis.draft.write import summary


def _draft(text, **kw):
    return summary(draft_post(text, name="post", propose=False, **kw).draft)


def test_normalise_maps_back_to_the_original():
    raw = "🎯 TP１: 5,050 — then ４,950 • SL 5,340"
    norm, idx = normalise(raw)
    assert "TP1: 5050 - then 4950" in norm and "SL 5340" in norm
    t = Text(raw)
    s = t.norm.index("4950")
    span = t.span(s, s + 4)
    assert raw[span["start"]:span["end"]] == "４,950"


def test_chat_signal_with_emoji_and_unicode_dashes():
    post = "🚨 $XLE SELL SIGNAL 🚨\n📅 Oct 2, 2023\nSell zone: 92.40 – 93.10\n❌ Stop loss: 95.00\n✅ TP1 89.50\n✅ TP2 87\n"
    s = _draft(post)
    assert (s["symbol"], s["direction"], s["published"]) == ("XLE", "short", "2023-10-02")
    assert s["entry_zone"] == [92.4, 93.1] and s["stop"] == 95.0 and s["targets"] == [89.5, 87.0]


def test_numbered_thread_with_percent_stop_and_index_noise():
    post = ("1/ Long $GLD here. Published 2023-03-10.\n2/ With SPX at 3,900 and the Nasdaq near 11,000 gold is "
            "the only thing working.\n3/ Buying 178-180, stop 5% below my entry, targets 190 then 198.\n"
            "4/ Horizon: 6 to 10 weeks. R:R 1:3.\n")
    s = _draft(post)
    assert s["symbol"] == "GLD" and s["direction"] == "long"
    assert s["entry_zone"] == [178.0, 180.0] and s["stop"] == pytest.approx(171.0)
    assert s["targets"] == [190.0, 198.0] and s["horizon"] == "10w" and s["claims"] == {"risk_reward": 3.0}


def test_wrong_side_numbers_are_not_used_and_targets_keep_their_order():
    post = ("QQQ short idea\nMarch 3, 2024\nShort QQQ at 440-445. Stop 452. Targets 420, 425, 400.\n")
    res = draft_post(post, name="post", propose=False)
    s = summary(res.draft)
    assert s["stop"] == 452.0 and s["targets"] == [420.0, 400.0]
    assert any("425" in q for q in res.document["open_questions"])


def test_end_date_horizons_and_relative_published():
    s = _draft("TLT long\nPublished Nov 1, 2023\nLong TLT 88-89, stop 84, target 99 into year end.\n")
    assert s["horizon"] == "2023-12-31"
    s = _draft("SLV\n2023-02-01\nBuy SLV 21.50, stop 20.80, target 24. Holding through November.\n")
    assert s["horizon"] == "2023-11-30"
    s = _draft("XLE\n2023-02-01\nBuy XLE 80, stop 76, target 90, should be done by mid-March.\n")
    assert s["horizon"] == "2023-03-15"


def test_published_flag_wins_and_relative_note_dates_resolve():
    post = ("IWM short\nNov 6, 2023\nShort IWM 172-174, stop 180, target 160.\n\n"
            "Edit (Nov 14, 2023): stop moved, still short.\n")
    s = _draft(post)
    assert s["notes"] == [{"date": "2023-11-14", "proposed": False}]
    s = _draft(post, published=date(2023, 11, 5))
    assert s["published"] == "2023-11-05"


def test_words_that_look_like_direction_do_not_flip_the_trade():
    post = ("EEM: long-term support holds\nJan 5, 2024\nNo short squeeze here. Long EEM at 39.50 with a stop at "
            "38.20; first target 42, stretch target 44. Sizing: half off at each.\n")
    s = _draft(post)
    assert s["direction"] == "long" and s["stop"] == 38.2 and s["targets"] == [42.0, 44.0]
    assert s["sizes"] == [0.5, 0.5]


def test_options_leg_and_confirmations():
    post = ("SPY puts into the Fed\nSep 1, 2023\nBuying SPY Oct 440 puts at 5.10 (IV 18%). Underlying plan: short "
            "below 450-452, invalidation above 458, target 430. Want VIX below 15 and a stronger dollar.\n")
    s = _draft(post)
    assert s["options"] == {"type": "put", "strike": 440.0, "iv": 0.18}
    assert s["stop"] == 458.0 and s["entry_zone"] == [450.0, 452.0]
    assert set(s["confirmations"]) == {"vix_below:15", "trend:dollar:up"}
