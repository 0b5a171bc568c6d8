"""SLIP-0010 Ed25519 derivation (hardened only, as Ed25519 requires) and SOMA's account paths."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence

HARDENED = 0x8000_0000
SOMA_COIN_TYPE = 784  # Sui's coin type, kept by SOMA (soma-keys key_derive.rs)
_ED25519_CURVE_KEY = b"ed25519 seed"
_SEGMENT_RE = re.compile(r"^(\d{1,10})'$")
MAX_ACCOUNT_INDEX = HARDENED - 1


def parse_path(path: str) -> list[int]:
    """`m/44'/784'/0'/0'/0'` -> hardened child numbers. Every level must be hardened (Ed25519)."""
    parts = path.strip().split("/")
    if not parts or parts[0] != "m":
        raise ValueError("a derivation path starts with 'm'")
    out = []
    for part in parts[1:]:
        match = _SEGMENT_RE.match(part)
        if not match or int(match.group(1)) >= HARDENED:
            raise ValueError(f"path level {part!r} must be a hardened index like 0'")
        out.append(int(match.group(1)) | HARDENED)
    return out


def account_path(index: int) -> str:
    """SOMA's path for account `index`: m/44'/784'/0'/0'/index' (the CLI default is index 0)."""
    if not 0 <= index <= MAX_ACCOUNT_INDEX:
        raise ValueError("account index out of range")
    return f"m/44'/{SOMA_COIN_TYPE}'/0'/0'/{index}'"


def master_node(seed: bytes) -> tuple[bytes, bytes]:
    """(key, chain code) of the master node."""
    digest = hmac.new(_ED25519_CURVE_KEY, seed, hashlib.sha512).digest()
    return digest[:32], digest[32:]


def derive_node(seed: bytes, path: str | Sequence[int]) -> tuple[bytes, bytes]:
    """(private key, chain code) at `path`: I = HMAC-SHA512(c, 0x00 ‖ k ‖ ser32(i)) per level."""
    indices = parse_path(path) if isinstance(path, str) else list(path)
    key, chain = master_node(seed)
    for index in indices:
        if not HARDENED <= index <= 0xFFFF_FFFF:
            raise ValueError("Ed25519 SLIP-0010 supports hardened derivation only")
        digest = hmac.new(chain, b"\x00" + key + index.to_bytes(4, "big"), hashlib.sha512).digest()
        key, chain = digest[:32], digest[32:]
    return key, chain


def derive_ed25519(seed: bytes, path: str | Sequence[int]) -> bytes:
    """The 32-byte Ed25519 secret (seed) at `path`."""
    return derive_node(seed, path)[0]
