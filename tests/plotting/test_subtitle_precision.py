"""The snapshot's subtitle shows an FX level at its pip (1.3300), a US stock's compactly (212)."""
from thesis.plotting._marks import PRICE_DECIMALS, short_price


def test_short_price_keeps_the_instruments_decimals_when_set():
    assert short_price(212.0) == "212" and short_price(188.5) == "188.5"
    token = PRICE_DECIMALS.set(4)
    try:
        assert short_price(1.33) == "1.3300" and short_price(1.2900) == "1.2900"
    finally:
        PRICE_DECIMALS.reset(token)
    assert short_price(1.33) == "1.33"
