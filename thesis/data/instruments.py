"""Instruments: what a symbol is (asset class, calendar, currency, units) and the names people write.

    resolve("OANDA:EURAUD")   # Instrument EURAUD=X (fx, 24/5, quote AUD, pip 0.0001), alias "OANDA:EURAUD"
    resolve("GOLD").symbol    # "GC=F" (COMEX gold, 100 oz); .display is "GOLD (GC=F)"
    resolve("EURAUX")         # UnknownSymbol: ... did you mean EURAUD, EURCAD, ...
    lookup("BTC-USD")         # the instrument of a symbol as thesis stores it (idea files, data folders)
    known_aliases()           # {"BTCUSDT": "BTC-USD", "GOLD": "GC=F", ...}

The table is ``instruments.toml`` beside this module, extended or overridden by
``$THESIS_HOME/instruments.toml`` (same layout; docs/markets.md). ``symbol`` is thesis's name
for an instrument: the data folder's file name (``TNX.csv``) and the symbol idea files store;
``yahoo`` is the online source's name (``^TNX``).

Resolution, in order (a name is upper-cased, ``$`` and spaces dropped):
1. ``NYSE:GOLD`` style prefixes of US stock exchanges name the stock itself (Barrick's GOLD);
2. the table: symbols, Yahoo names and aliases (``TVC:DXY`` as written, then without the prefix);
3. patterns: FX pairs of known currencies (``EURAUD``, ``EUR/AUD``, ``EURAUD=X``, ``JPY=X``),
   crypto against USD or a stablecoin (``SOLUSDT`` -> ``SOL-USD``), futures (``GC1!`` -> ``GC=F``);
4. anything else that is a valid ticker of at most 5 letters (or with ``. - ^``) is a US stock or
   ETF on the NYSE calendar. Longer names, unknown futures roots and names behind a non-stock
   exchange prefix (``BINANCE:``, ``OANDA:``) are an UnknownSymbol with the nearest known names.

Pure and light: the standard library only (no pandas, no calendars), so idea checks stay instant.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from thesis.errors import BadInput

__all__ = ["Instrument", "UnknownSymbol", "resolve", "lookup", "instrument_of", "known_aliases", "suggest", "user_table_path",
           "ASSET_CLASSES"]

BUILTIN = Path(__file__).with_name("instruments.toml")
USER_FILE = "instruments.toml"
ASSET_CLASSES = ("equity", "index", "crypto", "fx", "fx-index", "future", "rate")
US_EQUITY = ("equity", "index")
UNITS = ("price", "pip", "point", "bp")
CLASS_KEYS = {"calendar", "currency", "tick", "multiplier", "negative", "close", "zone", "unit", "unit_size",
              "print_floor", "print_k"}
ENTRY_KEYS = CLASS_KEYS | {"class", "name", "yahoo", "aliases", "base"}

# ISO codes an FX pair is recognised from (any two of them: EURAUD, NZDCHF, USDMXN, ...).
CURRENCIES = ("USD EUR JPY GBP AUD NZD CAD CHF SEK NOK DKK SGD HKD MXN ZAR TRY CNH CNY PLN HUF CZK ILS INR "
              "KRW BRL THB TWD").split()
MAJORS = "USD EUR JPY GBP AUD NZD CAD CHF".split()
PIP_001 = {"JPY", "HUF", "KRW", "THB", "TWD", "INR"}   # quoted with 2 or fewer decimals: the pip is 0.01
# Coins recognised against USD (BTCUSD); against a stablecoin any coin is (PEPEUSDT).
COINS = ("BTC ETH SOL XRP ADA DOGE BNB DOT LTC AVAX LINK TRX MATIC POL SHIB BCH XLM ATOM UNI ETC FIL APT ARB OP "
         "NEAR SUI TON PEPE XMR AAVE").split()
STABLE = ("USDT", "USDC", "BUSD", "FDUSD", "DAI")
STOCK_EXCHANGES = {"NYSE", "NASDAQ", "AMEX", "ARCA", "NYSEARCA", "BATS", "CBOE", "OTC", "NYSEAMERICAN"}
TICKER_RE = re.compile(r"^[A-Z0-9^][A-Z0-9.\-^=]{0,20}$")
CLOSE_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class Instrument:
    """One tradable (or watchable) series and the rules its numbers follow."""

    symbol: str                 # thesis's name: the data file's stem and what idea files store
    asset_class: str            # one of ASSET_CLASSES
    calendar: str               # an exchange_calendars name: "XNYS", "24/7", "24/5", "CMES", ...
    currency: str               # quote currency: prices, and so risk per unit, are in it
    tick_size: float            # smallest price step (FX: the pip)
    multiplier: float = 1.0     # currency per point per contract (GC 100 oz, CL 1,000 bbl); 1 for spot
    negative_prices: bool = False
    close_time: str = "16:00"   # when the daily bar is final, local to close_zone
    close_zone: str = "America/New_York"
    unit: str = "price"         # how distances are counted: price, pip, point, bp
    unit_size: float = 0.01     # the size of one unit in price
    print_floor: float = 0.03   # the bad-print rule ignores moves below this fraction of the close
    print_k: float = 20.0       # ... and below this many times the recent true range (thesis.data.outliers)
    name: str = ""
    yahoo: str = ""             # the online source's symbol (^TNX for TNX)
    base: str | None = None     # FX/crypto: the currency or coin bought
    aliases: tuple[str, ...] = field(default=(), repr=False)
    alias: str = ""             # the name as the user wrote it (kept for display)
    known: bool = True          # False: a ticker not in the table, taken as a US stock/ETF

    @property
    def source_symbol(self) -> str:
        return self.yahoo or self.symbol

    @property
    def display(self) -> str:
        """``GOLD (GC=F)`` when written under another name, else the symbol."""
        shown = self.alias or self.symbol
        return shown if shown.upper() == self.symbol else f"{shown} ({self.symbol})"

    @property
    def decimals(self) -> int:
        """Decimals that show a price at its tick (EURUSD 4, USDJPY 2, BTC 2, ZN 6)."""
        text = f"{self.tick_size:.10f}".rstrip("0")
        return max(len(text.split(".")[1]) if "." in text else 0, 0)

    @property
    def is_us_equity(self) -> bool:
        """Breadth, the S&P constituent universe and equity options apply to these only (not the DAX)."""
        return self.asset_class in US_EQUITY and self.calendar == "XNYS" and self.currency == "USD"

    @property
    def checks_volume(self) -> bool:
        """Whether a volume spike can be a bad print: not on a continuous future, whose volume jumps at
        every roll from an illiquid month to the next (GC=F)."""
        return self.asset_class != "future"

    @property
    def kind(self) -> str:
        """The asset class in words, with its article: "an FX pair", "a futures contract"."""
        return {"equity": "a US stock or ETF", "index": "an equity index", "crypto": "a crypto asset",
                "fx": "an FX pair", "fx-index": "a currency index", "future": "a futures contract",
                "rate": "a yield"}[self.asset_class]

    @property
    def is_24_7(self) -> bool:
        return self.calendar == "24/7"

    def units(self, distance: float) -> float:
        """A price distance in the instrument's unit (pips for FX, points for futures, bp for yields)."""
        return distance / self.unit_size

    def unit_label(self) -> str:
        return self.currency if self.unit == "price" else {"pip": "pips", "point": "points", "bp": "bp"}[self.unit]

    def format_price(self, value: float) -> str:
        return f"{value:,.{self.decimals}f}"

    def price_text(self, value: float) -> str:
        """A price in a sentence, at the tick's decimals without separators: 1.2700, 151.20, 67584.80."""
        return f"{value:.{self.decimals}f}"

    @property
    def unit_word(self) -> str:
        """What one unit of a position is: a share, a contract, a unit (of the base currency) or a coin."""
        return {"future": "contract", "fx": "unit", "crypto": "coin"}.get(self.asset_class, "share")

    def move_text(self, move: float) -> str:
        """A price move per unit in the instrument's words: ``+50.0 pips``, ``+12.3 points``,
        ``+1.23/share``, ``+1234.56/coin``."""
        if self.unit != "price":
            return f"{self.units(move):+,.1f} {self.unit_label()}"
        return f"{move:+.{self.decimals}f}/{self.unit_word}"

    def with_alias(self, text: str) -> Instrument:
        return replace(self, alias=text)


class UnknownSymbol(BadInput):
    """A name the table and the patterns do not know; ``suggestions`` holds the nearest known names."""

    def __init__(self, text: str, why: str, suggestions: list[str]):
        self.text, self.suggestions = text, suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown symbol {text!r}: {why}{hint} (add it to {user_table_path()}: see docs/markets.md)")


# ------------------------------------------------------------------------- the table
def user_table_path() -> Path:
    home = os.environ.get("THESIS_HOME")
    if home:
        return Path(home).expanduser() / USER_FILE
    from platformdirs import user_data_dir

    return Path(user_data_dir("thesis", appauthor=False)) / USER_FILE


@dataclass(frozen=True)
class _Table:
    by_symbol: dict[str, Instrument]
    by_name: dict[str, str]         # every upper-cased name (symbol, Yahoo name, alias) -> symbol
    classes: dict[str, dict]
    memo: dict[str, Instrument] = field(default_factory=dict)   # lookup()'s answers


def _read(path: Path) -> dict:
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read the instrument table ({exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # its message names line and column
        raise BadInput(f"{path}: not valid TOML: {exc}") from None


def _check_class_values(where: str, values: dict) -> None:
    checks = {
        "calendar": lambda v: isinstance(v, str) and bool(v),
        "currency": lambda v: isinstance(v, str) and bool(re.fullmatch(r"[A-Z]{3}", v)),
        "tick": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0,
        "multiplier": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0,
        "negative": lambda v: isinstance(v, bool),
        "close": lambda v: isinstance(v, str) and bool(CLOSE_RE.match(v)),
        "zone": lambda v: isinstance(v, str) and bool(v),
        "unit": lambda v: v in UNITS,
        "unit_size": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0,
        "print_floor": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 10,
        "print_k": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 1,
        "class": lambda v: v in ASSET_CLASSES,
        "name": lambda v: isinstance(v, str),
        "yahoo": lambda v: isinstance(v, str) and bool(TICKER_RE.match(v)),
        "base": lambda v: isinstance(v, str),
        "aliases": lambda v: isinstance(v, list) and all(isinstance(a, str) and a.strip() for a in v),
    }
    for key, value in values.items():
        if key not in checks:
            raise BadInput(f"{where}: unknown key {key!r} (use {', '.join(sorted(ENTRY_KEYS))})")
        if not checks[key](value):
            rule = {"class": f"one of {', '.join(ASSET_CLASSES)}", "unit": f"one of {', '.join(UNITS)}",
                    "close": "HH:MM (24-hour)", "currency": "a 3-letter code such as USD"}.get(key, "a valid value")
            raise BadInput(f"{where}: {key} = {value!r} is not {rule}")


def _instrument(symbol: str, entry: dict, classes: dict, where: str) -> Instrument:
    cls = entry.get("class")
    if not isinstance(cls, str) or cls not in classes:
        raise BadInput(f"{where}: class {cls!r} is not one of {', '.join(sorted(classes))}")
    v = classes[cls] | entry
    return Instrument(symbol=symbol, asset_class=cls, calendar=v["calendar"], currency=v["currency"],
                      tick_size=float(v["tick"]), multiplier=float(v["multiplier"]), negative_prices=v["negative"],
                      close_time=v["close"], close_zone=v["zone"], unit=v["unit"],
                      unit_size=float(entry.get("unit_size", v["tick"] if cls == "fx" else v["unit_size"])),
                      print_floor=float(v["print_floor"]), print_k=float(v.get("print_k", 20.0)), name=v.get("name", ""), yahoo=v.get("yahoo", symbol),
                      base=v.get("base"), aliases=tuple(a.strip().upper() for a in v.get("aliases", [])))


def _merge(table: dict, layer: dict, path: Path) -> None:
    unknown = set(layer) - {"classes", "instruments", "aliases"}
    if unknown:
        raise BadInput(f"{path}: unknown table(s) {', '.join(sorted(unknown))} (use [classes.NAME], "
                       f"[instruments.\"SYMBOL\"] and [aliases])")
    for name, values in layer.get("classes", {}).items():
        if name not in ASSET_CLASSES:
            raise BadInput(f"{path}: [classes.{name}]: {name!r} is not one of {', '.join(ASSET_CLASSES)}")
        _check_class_values(f"{path}: [classes.{name}]", values)
        table["classes"][name] = table["classes"].get(name, {}) | values
    for symbol, entry in layer.get("instruments", {}).items():
        where = f"{path}: [instruments.\"{symbol}\"]"
        if not isinstance(entry, dict):
            raise BadInput(f"{where}: must be a table")
        if not TICKER_RE.match(symbol):
            raise BadInput(f"{where}: {symbol!r} is not a valid symbol (1-21 characters: letters, digits, . - ^ =)")
        _check_class_values(where, entry)
        table["instruments"][symbol] = table["instruments"].get(symbol, {}) | entry
    for alias, symbol in layer.get("aliases", {}).items():
        if not isinstance(symbol, str):
            raise BadInput(f"{path}: [aliases] {alias} = {symbol!r} must name a symbol as text")
        table["aliases"][alias.strip().upper()] = (symbol, path)


def _build(user: Path | None) -> _Table:
    raw: dict = {"classes": {}, "instruments": {}, "aliases": {}}
    _merge(raw, _read(BUILTIN), BUILTIN)
    if user is not None:
        _merge(raw, _read(user), user)
    by_symbol, by_name = {}, {}
    for symbol, entry in raw["instruments"].items():
        inst = _instrument(symbol, entry, raw["classes"], f"[instruments.\"{symbol}\"]")
        by_symbol[symbol] = inst
        for name in (symbol, inst.yahoo, *inst.aliases):
            by_name[name.upper()] = symbol
    for alias, (symbol, path) in raw["aliases"].items():
        if symbol not in by_symbol:
            import difflib

            near = difflib.get_close_matches(symbol, list(by_symbol), n=3)
            raise BadInput(f"{path}: [aliases] {alias} = {symbol!r}: no such instrument"
                           + (f" (did you mean {', '.join(near)}?)" if near else ""))
        by_name[alias] = symbol
    return _Table(by_symbol, by_name, raw["classes"])


@lru_cache(maxsize=8)
def _table_for(user: str | None, stamp: tuple) -> _Table:
    return _build(Path(user) if user else None)


def _table() -> _Table:
    env = os.environ
    path = _user_table_text(env.get("THESIS_HOME"), env.get("XDG_DATA_HOME"), env.get("HOME"))
    try:
        st = os.stat(path)
    except OSError:
        return _table_for(None, ())
    return _table_for(path, (st.st_mtime_ns, st.st_size))


@lru_cache(maxsize=8)
def _user_table_text(*environment: str | None) -> str:
    """user_table_path() as text, once per environment it reads (a pass looks symbols up ~10 times
    per idea: building the path each time cost more than the lookup)."""
    return str(user_table_path())


# ------------------------------------------------------------------------- resolution
def _generated(symbol: str, cls: str, table: _Table, **values) -> Instrument:
    entry = {"class": cls} | values
    return _instrument(symbol, entry, table.classes, symbol)


def _fx(base: str, quote: str, table: _Table) -> Instrument:
    symbol = f"{base}{quote}=X"
    if symbol in table.by_symbol:
        return table.by_symbol[symbol]
    pip = 0.01 if quote in PIP_001 else 0.0001
    return _generated(symbol, "fx", table, currency=quote, tick=pip, unit_size=pip, base=base,
                      name=f"{base} / {quote}")


def _pattern(key: str, table: _Table) -> Instrument | None:
    """FX pairs, crypto pairs and futures roots that are not in the table by name."""
    m = re.fullmatch(r"([A-Z]{3})/?([A-Z]{3})(=X)?", key)
    if m and m.group(1) in CURRENCIES and m.group(2) in CURRENCIES and m.group(1) != m.group(2):
        return _fx(m.group(1), m.group(2), table)
    m = re.fullmatch(r"([A-Z]{3})=X", key)
    if m and m.group(1) in CURRENCIES:
        return _fx("USD", m.group(1), table)
    m = re.fullmatch(r"([A-Z0-9]{2,10}?)[-/]?(" + "|".join(STABLE) + r"|USD)", key)
    if m and (m.group(1) in COINS or m.group(2) != "USD" or "-" in key):
        coin = "BTC" if m.group(1) == "XBT" else m.group(1)
        symbol = f"{coin}-USD"
        return table.by_symbol.get(symbol) or _generated(symbol, "crypto", table, base=coin, name=coin)
    return None


def _future(root: str, table: _Table) -> Instrument | None:
    return table.by_symbol.get(f"{root}=F")


def suggest(text: str, n: int = 5) -> list[str]:
    """The known names nearest to ``text`` (aliases, symbols, major FX pairs), best first."""
    import difflib

    table = _table()
    key = _clean(text)
    target = dict(table.by_name) | {b + q: f"{b}{q}=X" for b in MAJORS for q in MAJORS if b != q}
    names = sorted(target)
    near = difflib.get_close_matches(key, names, n=4 * n, cutoff=0.6)
    if ":" in key:
        near += difflib.get_close_matches(key.rpartition(":")[2], names, n=4 * n, cutoff=0.6)
    out, seen = [], set()
    for name in near:  # one name per instrument: EURUSD, not also EUR/USD and EURUSD=X
        if target[name] not in seen:
            seen.add(target[name])
            out.append(name)
    return out[:n]


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", text).upper().lstrip("$")


def _unknown(text: str, why: str) -> UnknownSymbol:
    return UnknownSymbol(text, why, suggest(text))


def resolve(text: str, what: str = "symbol") -> Instrument:
    """The instrument a written name means, with the name kept as ``alias`` (see the module doc).

    ``what`` names the value in error messages ("compare symbol", "--symbol")."""
    from thesis.data.symbols import validate_symbol

    if not isinstance(text, str) or not text.strip() or len(text.strip()) > 40:
        validate_symbol(text, what)     # its messages: not text, empty, too long
    written = text.strip()
    key = _clean(written)
    if not key:
        validate_symbol(key, what)
    table = _table()
    prefix, _, rest = key.rpartition(":")
    if prefix in STOCK_EXCHANGES:
        return _stock(rest, written, table, what)
    for name in (key, rest):
        if name in table.by_name:
            return table.by_symbol[table.by_name[name]].with_alias(written)
    found = _pattern(rest, table)
    if found is not None:
        return found.with_alias(written)
    m = re.fullmatch(r"([A-Z0-9]{1,4})(=F|1!)", rest)
    if m:
        future = _future(m.group(1), table)
        if future is None:
            raise _unknown(written, f"no futures contract {m.group(1)!r} in the instrument table")
        return future.with_alias(written)
    if prefix:
        raise _unknown(written, f"{rest!r} is not a symbol thesis knows on {prefix}")
    if re.fullmatch(r"[A-Z]{6,}", rest):
        raise _unknown(written, "not in the instrument table, and too long for a US stock ticker")
    return _stock(rest, written, table, what)


def _stock(rest: str, written: str, table: _Table, what: str) -> Instrument:
    if not TICKER_RE.match(rest):
        from thesis.data.symbols import validate_symbol

        validate_symbol(written if rest == _clean(written) else rest, what)   # raises, naming the rule
        raise _unknown(written, "not a valid ticker")
    known = table.by_symbol.get(rest)
    if known is not None and known.is_us_equity:
        return known.with_alias(written)
    cls = "index" if rest.startswith("^") else "equity"
    inst = _generated(rest, cls, table)
    return replace(inst, known=False, alias=written)


def lookup(symbol: str) -> Instrument:
    """The instrument of a symbol as thesis stores it (``BTC-USD``, ``EURUSD=X``, ``GC=F``, ``TNX``, ``IWM``).

    Cached; an unknown name raises UnknownSymbol as ``resolve`` does.
    """
    memo = _table().memo
    key = symbol.strip().upper()
    if key not in memo:
        memo[key] = resolve(key).with_alias("")
    return memo[key]


def instrument_of(symbol: str | None) -> Instrument:
    """``lookup(symbol)`` that never raises: a name the table cannot place is a US stock (as before
    instruments existed: test fixtures and user folders hold files such as ``TESTSYM.csv``)."""
    if symbol:
        try:
            return lookup(symbol)
        except BadInput:
            pass
    return replace(_generated(str(symbol or "?"), "equity", _table()), known=False)


def known_aliases() -> dict[str, str]:
    """Every name the table knows (aliases, Yahoo names, symbols) -> thesis's symbol, sorted by name."""
    return dict(sorted(_table().by_name.items()))


def known_instruments() -> list[Instrument]:
    return sorted(_table().by_symbol.values(), key=lambda i: (ASSET_CLASSES.index(i.asset_class), i.symbol))
