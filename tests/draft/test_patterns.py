"""The twelve patterns behind issue 23's misses, as general rules, each tested on sentences written for
these tests (not the issue's, not the folder's), plus the hostile cases (scientific notation, decimal
commas, levels far from the symbol's price)."""
from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from thesis.cli import app
from thesis.draft import NoTrade, draft_post
from thesis.draft.write import summary
from thesis.errors import BadInput

runner = CliRunner()


def draft(text: str, published: str | None = "2023-06-05") -> dict:
    res = draft_post(text, name="post", propose=False, published=published)
    got = summary(res.draft)
    got["questions"] = res.draft.questions
    return got


# 1. Symbols beyond US tickers, through the shared symbol table; jargon never wins
@pytest.mark.parametrize("text,symbol", [
    ("GBPAUD / Sell @ 1.9410\nStop 1.9525\nTarget 1.9180", "GBPAUD=X"),
    ("ETH Long Trade Setup\nEntry 2,950 - 3,000\nSL 2,820\nTP 3,300. RR is fine, the FVG filled, above the 50 EMA "
     "and the SMA, quoted in USDT.", "ETH-USD"),
    ("BINANCE:SOLUSDT long\nEntry 140-142, stop 131, target 165", "SOL-USD"),
    ("GOLD long from 1,925\nstop 1,905\ntarget 1,975", "GC=F"),
    ("Crude oil: selling 84.50, stop 87, target 79", "CL=F"),
    ("US500 short at 5,200, stop 5,260, target 5,050", "GSPC"),
    ("NAS100 short at 18,200, stop 18,450, target 17,600", "NDX"),
    ("GER40 long 18,000, stop 17,700, target 18,600", "GDAXI"),
    ("OANDA:USDCHF short 0.9120, stop 0.9190, target 0.8990", "USDCHF=X"),
    ("I track the S&P500 every day, but I trade SPY: long SPY 430-432, stop 424, target 445.", "SPY"),
])
def test_symbols_of_every_market(text, symbol):
    assert draft(text)["symbol"] == symbol


def test_between_close_candidates_the_symbol_whose_price_fits_the_levels_wins():
    got = draft("Metals: GLD keeps leading. Gold is up, but I prefer the laggard SLV here. Buying 21.50, stop 20.90, "
                "target 23.")
    assert got["symbol"] == "SLV" and any("fit SLV's price" in q for q in got["questions"])


def test_jargon_is_never_a_symbol_and_an_unknown_one_is_a_question():
    got = draft("The FVG and SMA line up with the RR, EMA and USDT. Long 50.5, stop 48, target 56.")
    assert got["symbol"] is None
    assert any("names no symbol" in q for q in got["questions"])


# 2. A year is never a price, even when the entry sentence has no number
def test_a_year_is_not_an_entry():
    got = draft("IWM short\nThe cycle marked the top of November 2021. Sell the rally now. Stop at 190. Target 170.")
    assert got["entry_zone"] is None and got["direction"] == "short"
    assert got["stop"] == 190 and got["targets"] == [170]
    assert draft("XLE long 88, stop 84, target 96 by Q4 2023")["targets"] == [96]


# 3. "Profit =" labels a target
def test_profit_equals_is_a_target():
    got = draft("QQQ\nShort = 360 / Stop = 372 / Profit = 335")
    assert (got["direction"], got["entry_zone"], got["stop"], got["targets"]) == ("short", [360, 360], 372, [335])


# 4. A ratio claimed on a later line, not only in the title
def test_a_ratio_on_the_third_line_is_the_claim():
    got = draft("Small caps look heavy here.\nThe plan is simple.\nIWM swing short, 4:1 ratio\nEntry 184, stop 188, "
                "target 168")
    assert got["claims"] == {"risk_reward": 4.0}


# 5. A target line's P&L and ratio are neither a target nor the post's claim
def test_per_target_pnl_and_ratio_are_not_levels_or_claims():
    got = draft("SPY long 420\nSL 415\nTP1: 430 +$10 -> 1:2\nTP2: 440 (+$20 | 1:4)")
    assert got["targets"] == [430, 440] and got["claims"] == {}
    got = draft("EURUSD buy 1.0850, SL 1.0810, TP 1.0930 (+80 pips)")
    assert got["targets"] == [1.093]


# 6. An upper-case NOTE above the plan is an aside, not a follow-up note
def test_a_note_above_the_plan_is_body_text():
    got = draft("GLD short\nWeak close at the trendline.\nNOTE : take half off at the first target.\nEntry @ 185\n"
                "SL @ 190\nTP @ 175")
    assert (got["entry_zone"], got["stop"], got["targets"]) == ([185, 185], 190, [175])
    assert got["notes"] == []


# 7. A label on one line, its value on the next
def test_labels_with_values_on_the_next_line():
    got = draft("TLT long\nEntry zone\n92 - 93\nStop-Loss (S/L)\nLevel: 89.50\nTake profit:\n98\n101")
    assert (got["entry_zone"], got["stop"], got["targets"]) == ([92, 93], 89.5, [98, 101])


# 8. Two stops: the first stated is the stop, a maximum/hard stop backs it up
@pytest.mark.parametrize("text", [
    "XLE short 92-93. I'd use a stop on a weekly close above 95, but 97 could become my maximum stop. Target 85.",
    "XLE short 92-93. Stop: a daily close above 95. Hard stop 97 whatever happens. Target 85.",
])
def test_the_first_stop_wins_over_a_maximum_stop(text):
    assert draft(text)["stop"] == 95


# 9. Condition entries in other words are signals
@pytest.mark.parametrize("text,zone", [
    ("GLD long. I need a daily settlement above 185 to get involved, then I buy the next open. Stop 180, target 195.",
     [185, 185]),
    ("XLE\nEntry (Buy): when price closes decisively above 95\nStop: 91\nTarget: 104", [95, 95]),
    ("EURJPY plan: buy the break of 162.40. No break, no trade.\nSL 160.90\nTP 165.00", [162.4, 162.4]),
])
def test_condition_entries_are_signals(text, zone):
    got = draft(text)
    assert got["entry_order"] == "signal" and got["entry_zone"] == zone and got["direction"] == "long"


# 10. Option words that are not option legs
@pytest.mark.parametrize("text", [
    "SPY short 440-442 stop 447 target 425. Put Volume Total 183,211 on Friday.",
    "IWM short 190 stop 195 target 180. This is what traders call a fade of the rally.",
])
def test_option_false_positives(text):
    got = draft(text)
    assert got["options"] is None and not any("calls" in q or "puts" in q for q in got["questions"])


# 11. Scenario commentary and no-position posts propose no trade
@pytest.mark.parametrize("text,why", [
    ("SPX outlook\nBulls could push it to 4,800 if 4,700 holds. Bears could drag it to 4,550 on a break of 4,650.",
     "scenarios"),
    ("Crude oil this week: support is at 78 and then 75, resistance at 83 and then 86. I'm staying flat on it "
     "until one side gives.", "no position"),
    ("DIA this week. If it holds above 350 we go to 356. If not, below 344 we see 338.", "above and below"),
    ("QQQ levels for the week: support 360 and 352, resistance 372 and 380. Watching.", "support and resistance"),
])
def test_scenarios_are_no_trade(text, why):
    with pytest.raises(NoTrade, match=f"no trade proposed.*{why}") as exc:
        draft(text)
    d = exc.value.draft
    assert all(d.value(k) is None for k in ("direction", "entry_zone", "stop", "targets"))


def test_scenarios_exit_2_from_the_cli(tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("BTC this week\nIf bulls clear 45k they could run to 48k. Bears could push it to 40k.\n")
    result = runner.invoke(app, ["draft", str(post)])
    assert result.exit_code == 2 and "no trade proposed" in result.output


# 12. A typo in the verb, and a third party's buying
def test_a_misspelt_verb_keeps_the_entry():
    got = draft("im buyng SLV arround $21.5-22, stop 20.8, target 24")
    assert (got["direction"], got["entry_zone"]) == ("long", [21.5, 22])


def test_someone_elses_buying_is_not_the_authors_side():
    got = draft("Retail keeps buying every dip and funds are adding too. I'm short GLD, no levels yet but 190 is "
                "where I'd add.", published=None)
    assert got["direction"] == "short"


# Hostile input
def test_scientific_notation_is_never_a_level():
    got = draft("SPY long 430 stop 1e-308 target 440")
    assert got["stop"] is None and got["entry_zone"] == [430, 430]


def test_decimal_commas_read_when_the_convention_is_clear():
    got = draft("Long SPX at 4.300,5, stop 4.234,5, target 4.420,0.", published="2023-06-02")
    assert (got["entry_zone"], got["stop"], got["targets"]) == ([4300.5, 4300.5], 4234.5, [4420])


def test_mixed_decimal_marks_are_a_question():
    with pytest.raises(BadInput, match="decimal mark"):
        draft("Long SPX at 4.300,5, stop 4,234.50, target 4420")


def test_numbers_far_from_the_price_are_not_levels():
    with pytest.raises(BadInput, match=r"x from IWM's price on 2023-06-02"):
        draft("IWM long 1.8 stop 1.7 target 2.0", published="2023-06-02")
    got = draft("IWM short 184-186, stop 192, target 170 and then 0.17", published="2023-06-02")
    assert got["targets"] == [170] and any("not a level" in q for q in got["questions"])


def test_thesis_check_warns_about_levels_far_from_the_price(tmp_path):
    idea = tmp_path / "idea.toml"
    idea.write_text('schema_version = 1\n[idea]\ntitle = "t"\nsymbol = "IWM"\npublished = 2023-06-02\n'
                    'direction = "long"\n[levels]\nentry_zone = [1.80, 1.82]\nstop = 1.70\ntargets = [2.0]\n')
    result = runner.invoke(app, ["check", str(idea)])
    assert result.exit_code == 0, result.output
    assert re.search(r"levels are 1\d\dx from IWM's price on 2023-06-02", result.output), result.output
    idea.write_text(idea.read_text().replace("[1.80, 1.82]", "[180.0, 182.0]").replace("1.70", "170.0")
                    .replace("[2.0]", "[200.0]"))
    assert "levels are" not in runner.invoke(app, ["check", str(idea)]).output


def test_a_side_taken_with_conditions_is_still_a_trade():
    got = draft("GLD long 180-181 with a stop under support at 177. Resistance at 188 is the target.")
    assert (got["direction"], got["entry_zone"], got["stop"], got["targets"]) == ("long", [180, 181], 177, [188])
    got = draft("IWM short 184-186. If it breaks below 180, target 170. Stop 192.")
    assert (got["direction"], got["stop"], got["targets"]) == ("short", 192, [170])


def test_only_slips_in_trade_words_are_corrected_and_spans_stay_exact():
    from thesis.draft.text import Text, correct_typos

    text = "brought ground, sorting, shouting; im buyng arround 21"
    fixed, idx = correct_typos(text, list(range(len(text))))
    assert fixed == "brought ground, sorting, shouting; im buying around 21"
    post = Text("im buyng GLD arround 190")
    start = post.norm.index("around")
    assert post.span(start, start + len("around")) == {"line": 1, "start": 13, "end": 20}
