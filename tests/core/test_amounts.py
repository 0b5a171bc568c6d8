from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.core.amounts import (
    U64_MAX,
    AmountError,
    bps_mul,
    format_soma,
    format_soma_short,
    parse_soma,
)
from soma_desktop.network.sdk.amounts import to_sdk_float


@pytest.mark.parametrize("text,expected", [
    ("1", 1_000_000_000), ("0.5", 500_000_000), ("1.001", 1_001_000_000), ("0.000000001", 1),
    ("20,000", 20_000_000_000_000), (".25", 250_000_000), ("3.", 3_000_000_000), (" 7 SOMA ", 7_000_000_000),
])
def test_parse_exact(text, expected):
    assert parse_soma(text) == expected


@pytest.mark.parametrize("text", ["", ".", "-1", "1e3", "0.0000000001", "abc", "1.2.3", "nan", "inf",
                                  "99999999999999999"])
def test_parse_rejects(text):
    with pytest.raises(AmountError):
        parse_soma(text)


@given(st.integers(min_value=0, max_value=U64_MAX))
def test_format_parse_round_trip(shannons):
    assert parse_soma(format_soma(shannons)) == shannons


@given(st.integers(min_value=0, max_value=10**15))
def test_format_matches_decimal(shannons):
    text = format_soma(shannons, unit=False, group=False)
    assert Decimal(text) == Decimal(shannons) / 10**9


def test_format_examples():
    assert format_soma(1_500_000_000) == "1.5 SOMA"
    assert format_soma(20_000 * 10**9) == "20,000 SOMA"
    assert format_soma(1, unit=False) == "0.000000001"
    assert format_soma(2 * 10**9, min_decimals=2) == "2.00 SOMA"
    assert format_soma_short(1_370 * 10**9) == "1.37K SOMA"
    with pytest.raises(TypeError):
        format_soma(1.5)  # type: ignore[arg-type]


def test_bps_mul_floors():
    assert bps_mul(12_685_185, 4975) == 6_310_879
    assert bps_mul(1_000_000_000, 5) == 500_000


def test_sdk_float_survives_truncation(vectors):
    """The (s + 0.5)/1e9 workaround gives back the exact shannons after the SDK's truncation."""
    for case in vectors["to_shannons"]["workaround"]:
        shannons = case.get("shannons", case.get("s"))
        assert int(to_sdk_float(shannons) * 1e9) == shannons
    with pytest.raises(ValueError):
        to_sdk_float(-1)
