"""Exact amounts across soma-sdk's float-SOMA boundary (sdk.md §3).

soma-sdk converts float SOMA with `(soma * 1e9) as u64` (truncation). We keep int shannons everywhere and only
at the call pick a float that truncates back to exactly the intended integer, checking it in Python with the
same IEEE-754 multiply. Every amount below 2**52 shannons (~4.5M SOMA) has such a float; above that some
do not, and those are refused instead of silently sending a different sum.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from soma_desktop.core.amounts import SHANNONS_PER_SOMA, U64_MAX
from soma_desktop.network.errors import InvalidInput

_SEARCH_STEPS = 64


def to_sdk_float(shannons: int) -> float:
    """The SDK boundary only (the app keeps int shannons): a float SOMA that soma-sdk's truncation turns back into
    `shannons`, exact up to 1M SOMA (sdk.md §3); `sdk_amount` checks it and searches neighbours above that."""
    if shannons < 0:
        raise ValueError("negative amount")
    return (shannons + 0.5) / SHANNONS_PER_SOMA


def sdk_truncate(soma: float) -> int:
    """What soma-sdk's `to_shannons` makes of a float (Rust `as u64`: NaN/negative -> 0, saturating)."""
    if math.isnan(soma) or soma <= 0:
        return 0
    scaled = soma * 1e9
    return U64_MAX if scaled >= 2.0**64 else int(scaled)


def sdk_amount(shannons: int, *, field: str = "amount") -> float:
    """A float the SDK turns into exactly `shannons`, or InvalidInput. Zero and negatives are refused.
    The only way an amount leaves the app as a float: soma-sdk's Python API takes float SOMA."""
    if not isinstance(shannons, int) or isinstance(shannons, bool):
        raise InvalidInput("Amounts are integer shannons", field=field)
    if shannons <= 0:
        raise InvalidInput("The amount must be more than zero", field=field)
    if shannons > U64_MAX:
        raise InvalidInput("The amount is too large", field=field)
    first = to_sdk_float(shannons)
    for candidate in _candidates(first):
        if sdk_truncate(candidate) == shannons:
            return candidate
    raise InvalidInput(f"{shannons} shannons cannot be passed exactly through soma-sdk's float amounts; "
                       "use a rounder amount", field=field)


def _candidates(start: float) -> Iterator[float]:
    yield start
    up = down = start
    for _ in range(_SEARCH_STEPS):
        up, down = math.nextafter(up, math.inf), math.nextafter(down, 0.0)
        yield up
        yield down


def coin_balance(contents: bytes) -> int:
    """Coin object contents = 32-byte id ‖ u64 LE balance (exact, unlike get_balance's float)."""
    if len(contents) < 40:
        raise ValueError("coin contents too short")
    return int.from_bytes(contents[32:40], "little")


def staked_fields(contents: bytes) -> tuple[str, int, int]:
    """StakedSoma contents = id(32) ‖ pool_id(32) ‖ activation_epoch u64 ‖ principal u64 -> (pool, epoch, principal)."""
    if len(contents) < 80:
        raise ValueError("staked SOMA contents too short")
    pool_id = "0x" + contents[32:64].hex()
    return pool_id, int.from_bytes(contents[64:72], "little"), int.from_bytes(contents[72:80], "little")

