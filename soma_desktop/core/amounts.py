"""Integer shannons <-> SOMA text. Money never passes through floats here."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

SHANNONS_PER_SOMA = 1_000_000_000
U64_MAX = 2**64 - 1
_DECIMALS = 9
_AMOUNT_RE = re.compile(r"^\s*(\d{1,11})?(?:\.(\d{0,9}))?\s*$")


class AmountError(ValueError):
    """User-entered amount text is not a valid SOMA amount."""


def parse_soma(text: str) -> int:
    """Parse decimal SOMA text ('1.5', '0.000000001', '20,000') into shannons, exactly.

    Mirrors the SOMA CLI: at most 9 fractional digits, no sign, no exponent.
    """
    cleaned = text.replace(",", "").replace("_", "").strip()
    if cleaned.upper().endswith("SOMA"):
        cleaned = cleaned[:-4].strip()
    if not cleaned or cleaned == ".":
        raise AmountError("Enter an amount")
    if cleaned.count(".") == 1 and len(cleaned.split(".")[1]) > _DECIMALS:
        raise AmountError("At most 9 decimal places (1 shannon = 0.000000001 SOMA)")
    match = _AMOUNT_RE.match(cleaned)
    if not match:
        raise AmountError(f"Not an amount: {text.strip()!r}")
    whole, frac = match.group(1) or "0", (match.group(2) or "")
    value = int(whole) * SHANNONS_PER_SOMA + int(frac.ljust(_DECIMALS, "0"))
    if value > U64_MAX:
        raise AmountError("Amount is too large")
    return value


def format_soma(shannons: int, *, min_decimals: int = 0, max_decimals: int = 9, unit: bool = True,
                group: bool = True) -> str:
    """Format shannons as SOMA text, exact, trailing zeros trimmed down to `min_decimals`."""
    if not isinstance(shannons, int):
        raise TypeError("amounts are integer shannons")
    sign = "-" if shannons < 0 else ""
    whole, frac = divmod(abs(shannons), SHANNONS_PER_SOMA)
    digits = f"{frac:09d}"[:max_decimals].rstrip("0")
    digits = digits.ljust(min_decimals, "0")
    whole_text = f"{whole:,}" if group else str(whole)
    text = f"{sign}{whole_text}" + (f".{digits}" if digits else "")
    return f"{text} SOMA" if unit else text


def format_soma_short(shannons: int) -> str:
    """Compact display like the CLI's format_soma: K/M/B suffixes for large balances."""
    soma = Decimal(shannons) / SHANNONS_PER_SOMA
    for limit, suffix in ((Decimal(10**9), "B"), (Decimal(10**6), "M"), (Decimal(10**3), "K")):
        if abs(soma) >= limit:
            scaled = (soma / limit).quantize(Decimal("0.01"))
            return f"{scaled.normalize():f}{suffix} SOMA"
    return format_soma(shannons, max_decimals=4)


def bps_mul(amount: int, bps: int) -> int:
    """floor(amount * bps / 10000), the chain's basis-point multiply."""
    return amount * bps // 10_000


def is_amount_text(text: str) -> bool:
    try:
        parse_soma(text)
    except (AmountError, InvalidOperation):
        return False
    return True
