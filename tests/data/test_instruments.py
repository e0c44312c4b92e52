"""The instrument table and the resolver of the names people write (thesis.data.instruments)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from thesis.data.instruments import UnknownSymbol, known_aliases, lookup, resolve, suggest
from thesis.data.symbols import validate_symbol
from thesis.errors import BadInput

# name as written -> (thesis symbol, asset class, calendar, quote currency)
WRITTEN = {
    "BTCUSD": ("BTC-USD", "crypto", "24/7", "USD"),
    "BTCUSDT": ("BTC-USD", "crypto", "24/7", "USD"),
    "BINANCE:BTCUSDT": ("BTC-USD", "crypto", "24/7", "USD"),
    "XBT": ("BTC-USD", "crypto", "24/7", "USD"),
    "$ethusdt": ("ETH-USD", "crypto", "24/7", "USD"),
    "EURAUD": ("EURAUD=X", "fx", "24/5", "AUD"),
    "OANDA:EURAUD": ("EURAUD=X", "fx", "24/5", "AUD"),
    "EUR/USD": ("EURUSD=X", "fx", "24/5", "USD"),
    "eur/usd": ("EURUSD=X", "fx", "24/5", "USD"),
    "GBPUSD=X": ("GBPUSD=X", "fx", "24/5", "USD"),
    "EURJPY": ("EURJPY=X", "fx", "24/5", "JPY"),
    "JPY=X": ("USDJPY=X", "fx", "24/5", "JPY"),
    "XAUUSD": ("GC=F", "future", "CMES", "USD"),
    "GOLD": ("GC=F", "future", "CMES", "USD"),
    "GC1!": ("GC=F", "future", "CMES", "USD"),
    "USOIL": ("CL=F", "future", "CMES", "USD"),
    "WTI": ("CL=F", "future", "CMES", "USD"),
    "UKOIL": ("BZ=F", "future", "CMES", "USD"),
    "DXY": ("DX-Y.NYB", "fx-index", "ICEUS", "USD"),
    "TVC:DXY": ("DX-Y.NYB", "fx-index", "ICEUS", "USD"),
    "US10Y": ("TNX", "rate", "XNYS", "USD"),
    "^TNX": ("TNX", "rate", "XNYS", "USD"),
    "SPX": ("GSPC", "index", "XNYS", "USD"),
    "US500": ("GSPC", "index", "XNYS", "USD"),
    "NAS100": ("NDX", "index", "XNYS", "USD"),
    "US30": ("DJI", "index", "XNYS", "USD"),
    "IWM": ("IWM", "equity", "XNYS", "USD"),
    "NYSE:GOLD": ("GOLD", "equity", "XNYS", "USD"),   # Barrick's ticker, not the metal
    "brk.b": ("BRK.B", "equity", "XNYS", "USD"),
}


@pytest.mark.parametrize("written", list(WRITTEN))
def test_the_names_people_write_resolve(written):
    inst = resolve(written)
    assert (inst.symbol, inst.asset_class, inst.calendar, inst.currency) == WRITTEN[written]
    assert inst.alias == written.strip()
    assert validate_symbol(inst.symbol) == inst.symbol   # every resolved symbol is a valid thesis symbol


def test_the_alias_is_kept_for_display():
    assert resolve("GOLD").display == "GOLD (GC=F)"
    assert resolve("BTC-USD").display == "BTC-USD"
    assert lookup("GC=F").display == "GC=F"


def test_units_multipliers_and_closes():
    gold, oil, eur, jpy, btc, tnx = (lookup(s) for s in ("GC=F", "CL=F", "EURUSD=X", "USDJPY=X", "BTC-USD", "TNX"))
    assert (gold.multiplier, oil.multiplier, btc.multiplier, lookup("IWM").multiplier) == (100, 1000, 1, 1)
    assert (eur.unit, eur.unit_size, jpy.unit_size, resolve("GBPJPY").unit_size) == ("pip", 0.0001, 0.01, 0.01)
    assert eur.units(1.0950 - 1.0900) == pytest.approx(50)
    assert jpy.units(151.20 - 150.70) == pytest.approx(50)
    assert tnx.units(4.25 - 4.00) == pytest.approx(25) and tnx.unit_label() == "bp"
    assert (oil.negative_prices, gold.negative_prices, btc.negative_prices, eur.negative_prices) == \
        (True, True, False, False)
    assert (btc.close_time, btc.close_zone) == ("00:00", "UTC")
    assert (eur.close_time, eur.close_zone) == ("17:00", "America/New_York")
    assert (eur.decimals, jpy.decimals, btc.decimals) == (4, 2, 2)
    assert eur.format_price(1.08) == "1.0800"
    assert btc.print_floor > lookup("IWM").print_floor > eur.print_floor
    assert lookup("IWM").is_us_equity and lookup("GSPC").is_us_equity and not btc.is_us_equity
    assert tnx.source_symbol == "^TNX" and btc.source_symbol == "BTC-USD"


@pytest.mark.parametrize("written, expected", [
    ("EURAUX", "EURAUD"), ("BTCUSDX", "BTCUSD"), ("OANDA:EURAUX", "EURAUD"), ("USOILL", "USOIL"),
    ("ZZ=F", None), ("BINANCE:FOOBAR", None)])
def test_an_unknown_name_is_a_clear_error_with_the_nearest_names(written, expected):
    with pytest.raises(UnknownSymbol) as err:
        resolve(written)
    message = str(err.value)
    assert repr(written) in message and "instruments.toml" in message
    if expected:
        assert expected in err.value.suggestions and expected in message.split("did you mean", 1)[1]


def test_suggestions_name_each_instrument_once():
    near = suggest("EURUSX")
    targets = [resolve(n).symbol for n in near]
    assert len(targets) == len(set(targets)) and "EURUSD=X" in targets


@pytest.mark.parametrize("bad", ["", "   ", "a/b", "x" * 500, 42])
def test_bad_text_is_refused(bad):
    with pytest.raises(BadInput):
        resolve(bad)


def test_known_aliases_map_to_table_symbols():
    aliases = known_aliases()
    for name in ("BTCUSDT", "XBT", "GOLD", "XAUUSD", "USOIL", "WTI", "UKOIL", "DXY", "TVC:DXY", "US10Y", "SPX",
                 "US500", "NAS100", "US30"):
        assert aliases[name] == resolve(name).symbol
    assert list(aliases) == sorted(aliases)


def test_a_user_table_adds_instruments_classes_and_aliases(private_home):
    private_home.mkdir(parents=True)
    (private_home / "instruments.toml").write_text(
        '[instruments."PL=F"]\nclass = "future"\nname = "Platinum"\nmultiplier = 50\ntick = 0.1\n'
        'aliases = ["PLATINUM", "XPTUSD"]\n\n'
        '[instruments."GC=F"]\nmultiplier = 10\n\n'       # override one field of a built-in entry
        '[aliases]\nBITCOIN2 = "BTC-USD"\n')
    plat = resolve("XPTUSD")
    assert (plat.symbol, plat.multiplier, plat.calendar, plat.negative_prices) == ("PL=F", 50, "CMES", True)
    assert resolve("PL1!").symbol == "PL=F"
    assert lookup("GC=F").multiplier == 10 and lookup("GC=F").tick_size == 0.1
    assert resolve("bitcoin2").symbol == "BTC-USD"


@pytest.mark.parametrize("text, words", [
    ('[instruments."X=F"]\nclass = "futures"\n', ["instruments.toml", "X=F", "class", "future"]),
    ('[instruments."X=F"]\nclass = "future"\nmultiplier = -5\n', ["multiplier", "-5"]),
    ('[instruments."X=F"]\nclass = "future"\nmultipler = 5\n', ["unknown key", "multipler"]),
    ('[aliases]\nMYGOLD = "GCC=F"\n', ["MYGOLD", "no such instrument", "GC=F"]),
    ('[instruments."X=F"\nclass = "future"\n', ["not valid TOML", "line 1"]),
    ('[classes.fx]\nclose = "5pm"\n', ["close", "HH:MM"]),
])
def test_a_broken_user_table_names_file_and_fault(private_home, text, words):
    private_home.mkdir(parents=True)
    (private_home / "instruments.toml").write_text(text)
    with pytest.raises(BadInput) as err:
        resolve("BTCUSD")
    for w in words:
        assert w in str(err.value)


def test_the_module_imports_no_heavy_library():
    code = ("import sys, thesis.data.instruments as m; m.resolve('EURAUD'); m.known_aliases();"
            "print(sorted(x for x in ('pandas', 'numpy', 'exchange_calendars', 'pydantic') if x in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
