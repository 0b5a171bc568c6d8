"""Address and object-id normalisation: `0x` + 64 lowercase hex everywhere inside the app."""

from __future__ import annotations

import re

_HEX_RE = re.compile(r"^(0x)?([0-9a-fA-F]{1,64})$")


def normalize_id(text: str) -> str:
    """Accept with or without 0x, short literals left-padded (as the chain parses them)."""
    match = _HEX_RE.match(text.strip())
    if not match:
        raise ValueError(f"not a SOMA address or id: {text.strip()[:80]!r}")
    return "0x" + match.group(2).lower().rjust(64, "0")


def is_valid_id(text: str) -> bool:
    try:
        normalize_id(text)
    except ValueError:
        return False
    return len(text.strip().removeprefix("0x")) == 64


def bare_hex(address: str) -> str:
    """64 hex without 0x — the form soma-sdk's Keypair.address() returns."""
    return normalize_id(address)[2:]


def short_id(address: str, head: int = 6, tail: int = 4) -> str:
    norm = normalize_id(address)
    return f"{norm[:2 + head]}…{norm[-tail:]}"
