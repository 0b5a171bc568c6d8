"""Argument checks done before a transaction is "sent": a failure raises InvalidInput and changes nothing."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from soma_desktop.core.amounts import U64_MAX
from soma_desktop.core.ids import normalize_id
from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.types import Manifest


def address(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: expected an address or id string, got {type(value).__name__}", field=field)
    try:
        return normalize_id(value)
    except ValueError as err:
        raise InvalidInput(f"{field}: {err}", field=field) from None


def signer_address(signer: Any) -> str:
    return address(getattr(signer, "address", None), "signer.address")


def amount(value: Any, field: str, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field}: amounts are integer shannons, got {type(value).__name__}", field=field)
    if value < 0 or value > U64_MAX:
        raise InvalidInput(f"{field}: {value} is outside 0..2^64-1", field=field)
    if value == 0 and not allow_zero:
        raise InvalidInput(f"{field}: must be more than zero", field=field)
    return value


def u64(value: Any, field: str) -> int:
    return amount(value, field, allow_zero=True)


def key32(value: Any, field: str) -> bytes:
    if not isinstance(value, (bytes, bytearray)) or len(value) != 32:
        raise InvalidInput(f"{field}: must be exactly 32 raw bytes", field=field)
    return bytes(value)


def embedding(values: Any, field: str, dim: int) -> list[float]:
    """Finite numbers of the sandbox's dimension (D9: the chain would accept a wrong length and later panic)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) and not hasattr(values, "__len__"):
        raise InvalidInput(f"{field}: expected a sequence of numbers", field=field)
    try:
        out = [float(v) for v in values]
    except (TypeError, ValueError):
        raise InvalidInput(f"{field}: every value must be a number", field=field) from None
    if len(out) != dim:
        raise InvalidInput(f"{field}: has {len(out)} values, the sandbox's embedding dimension is {dim}",
                           field=field)
    if not all(math.isfinite(v) for v in out):
        raise InvalidInput(f"{field}: contains NaN or infinity", field=field)
    return out


def finite(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        raise InvalidInput(f"{field}: must be a finite number", field=field)
    return float(value)


def manifest(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, Manifest):
        raise InvalidInput(f"{field}: expected a Manifest", field=field)
    if not isinstance(value.url, str) or not value.url.strip() or len(value.url) > 2048:
        raise InvalidInput(f"{field}.url: must be a non-empty URL of at most 2048 characters", field=field)
    if not isinstance(value.checksum, (bytes, bytearray)) or len(value.checksum) != 32:
        raise InvalidInput(f"{field}.checksum: must be 32 bytes (Blake2b-256)", field=field)
    size = u64(value.size, f"{field}.size")
    return {"url": value.url, "checksum": bytes(value.checksum).hex(), "size": size}


def addresses(values: Any, field: str) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise InvalidInput(f"{field}: expected a list of addresses", field=field)
    return [address(v, f"{field}[{i}]") for i, v in enumerate(values)]
