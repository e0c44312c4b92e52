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


def test_order_types_and_a_buy_stop_breakout():
    s = _draft("QQQ LONG ABOVE 370\nPosted 2023-03-02\n\nBuy stop 370.50 (breakout over the 369 ceiling), SL 362, "
               "TP 385 / 395.\n")
    assert s["direction"] == "long" and s["entry_order"] == "signal" and s["stop"] == 362.0
    assert s["targets"] == [385.0, 395.0] and "zone_rejection" in s["trigger_kinds"]
    s = _draft("FREE SIGNAL\nPair: SLV\nAction: BUY LIMIT\nPrice: 20.10\nStop Loss: 19.40\nTake Profit 1: 21.00\n"
               "Take Profit 2: 22.20\nDate: 14/02/2023\n")
    assert (s["symbol"], s["published"], s["entry_zone"]) == ("SLV", "2023-02-14", [20.1, 20.1])
    assert s["stop"] == 19.4 and s["targets"] == [21.0, 22.2]


def test_prose_with_distracting_numbers():
    post = ("QQQ: The AI Bubble Is Running Out Of Air\nPublished Jul 20, 2023\n\nNVDA went from $108 to $480 in eight "
            "months and the QQQ is up 45% YTD. In 2021 the Nasdaq fell from 16,200 to 10,000.\n\nThe trade: I'm "
            "shorting QQQ from 382 to 386. If we get a weekly close over 395 I'm wrong and out.\nThe first target is "
            "the gap at 350 and then the 200-day near 330. That's about 5:1 on the full move.\n\nI'd give it until "
            "the end of October. Puts are an option too; IV is 19% so they're not expensive.\n\n"
            "Update Aug 18, 2023: 356 this morning, half covered.\n")
    s = _draft(post)
    assert s["symbol"] == "QQQ" and s["entry_zone"] == [382.0, 386.0] and s["stop"] == 395.0
    assert s["targets"] == [350.0, 330.0] and s["horizon"] == "2023-10-31"
    assert s["claims"] == {"risk_reward": 5.0} and s["options"] == {"type": "put", "iv": 0.19}
    assert s["notes"] == [{"date": "2023-08-18", "proposed": False}]


def test_issue_phrases_short_the_rip_invalidation_pt_slash_and_sizes():
    post = ("AMEX:SPY - short the rip\nNov 2, 2022\n\nI want to short the rip into 355-358; invalidation above 362.\n"
            "PT 345 / 338. Taking 50/50 at each and I'll move the stop to breakeven after the first.\n"
            "Dollar ripping, yields higher (+USD +yields). Holding through November.\n")
    s = _draft(post)
    assert (s["symbol"], s["direction"], s["stop"]) == ("SPY", "short", 362.0)
    assert s["targets"] == [345.0, 338.0] and s["sizes"] == [0.5, 0.5] and s["move_stop_to_breakeven"]
    assert s["horizon"] == "2022-11-30" and set(s["confirmations"]) == {"trend:dollar:up", "trend:yields:up"}
    s = _draft("Russell 2000 (IWM): longs from 170\nPublished 2023-10-30\n\nIWM printed a monthly wick into the 165 "
               "area and a failed breakdown below 168 this week. Longs from 170-171, stop 163.\nFirst target 180, "
               "stretch target 188. Roughly 3R on the first. 2-3 months.\nDec 175 calls, IV 24%.\n")
    assert (s["symbol"], s["direction"], s["entry_zone"]) == ("IWM", "long", [170.0, 171.0])
    assert s["targets"] == [180.0, 188.0] and s["claims"] == {"risk_reward": 3.0} and s["horizon"] == "3mo"
    assert set(s["trigger_kinds"]) == {"long_wick", "failed_breakout"}
    assert s["options"] == {"type": "call", "strike": 175.0, "iv": 0.24}


def test_two_signals_in_one_block_draft_the_first():
    res = draft_post("Signals for today 2023-02-01\nEWY SHORT 64.5 SL 67 TP 60\nGLD SHORT 178 SL 183 TP 170\n",
                     name="post", propose=False)
    s = summary(res.draft)
    assert (s["symbol"], s["entry_zone"], s["stop"], s["targets"]) == ("EWY", [64.5, 64.5], 67.0, [60.0])
    assert res.document["second_trade"]["symbol"] == "GLD"


def test_a_low_of_week_trigger_with_weekdays_passes_check():
    post = ("DIA long\nPosted 2023-06-27\n\nI'd buy DIA at 330 with a 4% stop. Target is +10% from entry.\n\nNote\n"
            "Look for the low of the week tomorrow and maybe Wednesday.\n")
    res = draft_post(post, name="post")
    assert res.check["valid"], res.check
    assert 'kind = "low_of_week"' in res.toml and "weekdays = [" in res.toml
    s = summary(res.draft)
    assert s["stop"] == pytest.approx(316.8) and s["targets"] == [pytest.approx(363.0)]


def test_here_means_the_price_named_just_before_and_index_thousands():
    s = _draft("GSPC - S&P 500 at resistance again\nPublished March 8, 2024\n\nThe index is back at 5,150-5,180, the "
               "top of the channel. Short the S&P here with a stop at 5,250. Targets 4,950 and 4,800.\n"
               "This is about a 3 to 1 trade, holding for 6-8 weeks.\n")
    assert (s["symbol"], s["entry_zone"], s["stop"]) == ("GSPC", [5150.0, 5180.0], 5250.0)
    assert s["targets"] == [4950.0, 4800.0] and s["horizon"] == "8w" and s["claims"] == {"risk_reward": 3.0}


def test_weekly_close_stop_thirds_and_a_call_strike():
    s = _draft("$TLT - my bond bet\n\nDecember 1, 2023\n\nYields have peaked imo. 10y at 4.3% after 5%. I bought TLT "
               "at 92.5 this week and would add on a dip to 90.\nStop: weekly close below 86.\nTargets: 100 / 105 / 110 "
               "(scale out a third at each)\nHorizon: 6-9 months. Calls also fine (March 95c).\n")
    assert (s["entry_zone"], s["stop"], s["targets"]) == ([92.5, 92.5], 86.0, [100.0, 105.0, 110.0])
    assert s["sizes"] == [1 / 3] * 3 and s["horizon"] == "9mo" and s["options"] == {"type": "call", "strike": 95.0}


def test_note_dates_relative_to_the_last_known_date():
    post = ("SPY short\nPublished 2022-08-14T09:30Z\nShort SPY 425-430, stop 440, target 365.\n"
            "Update Wednesday: 428 high.\nUpdate 8/26: down 3%.\nUPDATE Sept 13: stop to breakeven.\n"
            "Note that 5 names hold the index up.\nUpdate (tomorrow): nothing.\n")
    s = _draft(post)
    assert s["published"] == "2022-08-14"
    assert [n["date"] for n in s["notes"]] == ["2022-08-17", "2022-08-26", "2022-09-13", "2022-09-14"]


def test_a_target_zone_is_one_target_at_its_near_edge():
    s = _draft("GLD long\n2023-03-01\nBuy GLD 168-169, SL 165, TP zone 175-177, T2: 182.")
    assert s["targets"] == [175.0, 182.0]
    s = _draft("QQQ short\n2023-03-01\nShort QQQ 300-302, stop 310, targets 290 - 280.")
    assert s["targets"] == [290.0, 280.0]


def test_words_that_are_not_claims_options_or_confirmations():
    s = _draft("SPY long\n2023-03-01\nSPY closed a dollar higher after the earnings call. The 10:1 split is done. "
               "This puts the target near 420.\nBuy SPY 400, stop 390, target 420. A weaker dollar helps.\n")
    assert s["confirmations"] == ["trend:dollar:down"] and s["claims"] == {} and s["options"] is None
    assert (s["entry_zone"], s["stop"], s["targets"]) == ([400.0, 400.0], 390.0, [420.0])


def test_past_durations_are_not_horizons():
    s = _draft("SPY long\n2023-03-01\nSPY rallied 10% in 2 weeks after 6 months of consolidation, the best run in "
               "a year. Buy SPY 400, stop 390, target 420.")
    assert s["horizon"] is None
    assert _draft("SPY long\n2023-03-01\nBuy SPY 400, stop 390, target 420 in 3 months.")["horizon"] == "3mo"


def test_undated_plan_events_are_dated_by_the_bars():
    from thesis.data import load_bars

    post = ("XLE: energy rolling over (daily)\nSep 24, 2023\n\nShort XLE between $45.50 and $46.50. Stop above $48. "
            "Targets: $42, then $40.\n\nTrade active\nComment:\nHalfway to the first target, patience.\n"
            "Trade closed: target reached\nTarget 1 hit, moving stop to entry on the rest.\n")
    notes = draft_post(post, name="post").document["notes"]
    assert [n["proposed"] for n in notes] == [True, True, True]
    assert notes[0]["date"] == "2023-09-27" and "entry" in notes[0]["reason"]   # first high >= 45.50
    bars = load_bars("XLE")
    lows = bars.loc["2023-09-28":notes[2]["date"], "low"]
    assert lows.iloc[-1] <= 42 < lows.iloc[:-1].min() and "target 1" in notes[2]["reason"]


def test_another_symbols_level_is_not_a_level_of_the_idea():
    s = _draft("QQQ long\n2023-03-01\nBuy QQQ 360, stop 350, targets 380 with SPX 4,600 by then.")
    assert s["targets"] == [380.0]
    s = _draft("S&P 500 (SPX) short\n2024-03-31\nSPX at 5,250 is where I short. Stop 5,340, target 5,050.")
    assert (s["symbol"], s["entry_zone"], s["stop"], s["targets"]) == ("GSPC", [5250.0, 5250.0], 5340.0, [5050.0])


def test_slash_separated_targets_thirds_and_timeline():
    s = _draft("$SLV - Silver breakout incoming?? \U0001F680\n\nPosted on 14 March 2024\n\nI'm long from $21.80 (already "
               "in), adding more on any dip toward 21.20-21.40.\nSL: daily close under 20.60.\nPT: 24.00 / 25.50 / 27\n"
               "If this works it's a 4R trade easily. Taking 1/3 off at each target, trailing the stop to b/e after "
               "PT1.\nTimeline ~ 3 months.\n")
    assert (s["published"], s["stop"], s["targets"]) == ("2024-03-14", 20.6, [24.0, 25.5, 27.0])
    assert s["sizes"] == [1 / 3] * 3 and s["move_stop_to_breakeven"] and s["horizon"] == "3mo"
    assert s["claims"] == {"risk_reward": 4.0}


def test_scale_out_sizes_and_risk_free():
    s = _draft("GLD long\n2023-03-01\nBuy GLD 168, SL 165, TP1 172, TP2 175. Take 1/2 at TP1, risk-free after that.")
    assert s["sizes"] == [0.5, 0.5] and s["move_stop_to_breakeven"]
    s = _draft("GLD long\n2023-03-01\nBuy GLD 168, SL 165, TP1 172, TP2 175, TP3 180. Scaling out 25/25/50.")
    assert s["sizes"] == [0.25, 0.25, 0.5]


@pytest.mark.parametrize("phrase, rr", [("Reward to risk of 2.5 here.", 2.5), ("R:R 1:3", 3.0), ("RR 3:1", 3.0),
                                        ("R/R about 2:1.", 2.0), ("Roughly 3R.", 3.0), ("Almost 7 to 1.", 7.0)])
def test_risk_reward_claims(phrase, rr):
    assert _draft(f"GLD long\n2023-03-01\nBuy GLD 168, SL 165, TP1 172. {phrase}")["claims"] == {"risk_reward": rr}


def test_emoji_signal_with_a_trailing_date_stamp():
    s = _draft("$GLD \U0001F4C8 Breakout retest long\nEntry \u27A1\uFE0F 183.20\n\U0001F6D1 SL 180.90\n"
               "\U0001F3AF 185 / 187.5 / 190\n#gold #trading #GLD  (Apr 12 2023)\n")
    assert (s["symbol"], s["direction"], s["published"]) == ("GLD", "long", "2023-04-12")
    assert (s["entry_zone"], s["stop"], s["targets"]) == ([183.2, 183.2], 180.9, [185.0, 187.5, 190.0])


def test_thread_with_invalidation_on_a_close_and_year_end():
    s = _draft("1/ Thread on $XLE (posted 2022-11-03)\n\n2/ Energy has been the leader all year but momentum is "
               "fading.\n\n3/ The play: short XLE into strength, 93-95 zone.\n\n4/ Invalidated on a weekly close "
               "above 97.\n\n5/ Targets: 86 first, 80 second.\n\n6/ Timeframe: into year end.\n")
    assert (s["symbol"], s["direction"], s["published"]) == ("XLE", "short", "2022-11-03")
    assert (s["entry_zone"], s["stop"], s["targets"]) == ([93.0, 95.0], 97.0, [86.0, 80.0])
    assert s["horizon"] == "2022-12-31"


def test_indicator_multiples_are_not_prices():
    s = _draft("GLD long\n2023-03-01\nBuy GLD 168, SL below 1.5 ATR at 165, target the 1.618 extension at 180.")
    assert (s["entry_zone"], s["stop"], s["targets"]) == ([168.0, 168.0], 165.0, [180.0])
    s = _draft("GLD long\n2023-03-01\nBuy 100 shares of GLD at 168.20, stop 2% below, target +15%.")
    assert s["entry_zone"] == [168.2, 168.2] and s["stop"] == pytest.approx(164.836)
    assert s["targets"] == [pytest.approx(193.43)]


def test_a_disclaimer_is_not_a_note():
    s = _draft("GLD long\n2023-03-01\nBuy GLD 168, SL 165, TP 180.\nNote: not financial advice.\nNFA\n")
    assert s["notes"] == []


def test_forum_post_with_tldr_option_position_and_a_dated_edit():
    post = ("[DD] Why I'm bearish on small caps (IWM) - Jan 2024\n\nPosted 2024-01-16\n\nTL;DR: short IWM 198-200, "
            "stop 206, PT 185 then 178. ~3 month horizon.\n\nLong version: small caps ripped 25% off the October "
            "lows. The Russell is still below its 2021 high of 244 and rates are creeping back up.\n\n"
            "Position: 3 Mar 195p @ 5.40. IV ~24%.\n\nEdit: Feb 13, 2024 - CPI hot, IWM -4% today.\n")
    s = _draft(post)
    assert (s["symbol"], s["direction"], s["entry_zone"], s["stop"]) == ("IWM", "short", [198.0, 200.0], 206.0)
    assert s["targets"] == [185.0, 178.0] and s["horizon"] == "3mo"
    assert s["options"] == {"type": "put", "strike": 195.0, "iv": 0.24}
    assert s["notes"] == [{"date": "2024-02-13", "proposed": False}]


def test_a_buyer_between_two_prices():
    s = _draft("iShares 20+ Year Treasury Bond ETF (TLT) - buying the dip\nAug 15, 2023\n\nTLT fell from 108 to 94 in "
               "three months. I'm a buyer between 93 and 94.50 with a hard stop at 89. First target 100, second 104.\n"
               "I expect it to take 2 to 4 months. Rate cuts in 2024 would be the catalyst; falling yields confirm.\n")
    assert (s["symbol"], s["direction"], s["entry_zone"], s["stop"]) == ("TLT", "long", [93.0, 94.5], 89.0)
    assert s["targets"] == [100.0, 104.0] and s["horizon"] == "4mo" and s["confirmations"] == ["trend:yields:down"]
