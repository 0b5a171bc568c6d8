"""Bech32 (BIP-173, not Bech32m) as used by `somaprivkey1…` keys; small enough to own."""

from __future__ import annotations

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_CHARSET_INDEX = {c: i for i, c in enumerate(CHARSET)}
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
MAX_LENGTH = 256  # BIP-173 says 90; SOMA/Sui key strings are 71, keep a cap against huge inputs


class Bech32Error(ValueError):
    """Malformed Bech32 text."""


def _polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(_GENERATOR):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def convert_bits(data: bytes | list[int], from_bits: int, to_bits: int, pad: bool) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << to_bits) - 1
    for value in data:
        if value < 0 or value >> from_bits:
            raise Bech32Error("invalid data value")
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (to_bits - bits)) & maxv)
    elif bits >= from_bits or (acc << (to_bits - bits)) & maxv:
        raise Bech32Error("invalid padding")
    return out


def encode(hrp: str, data: bytes) -> str:
    words = convert_bits(data, 8, 5, True)
    checksum_input = _hrp_expand(hrp) + words + [0] * 6
    poly = _polymod(checksum_input) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[w] for w in words + checksum)


def decode(text: str) -> tuple[str, bytes]:
    """(hrp, payload bytes). Rejects mixed case, bad characters, bad checksum, bad padding."""
    if len(text) > MAX_LENGTH:
        raise Bech32Error("too long")
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise Bech32Error("invalid character")
    if text.lower() != text and text.upper() != text:
        raise Bech32Error("mixed case")
    text = text.lower()
    sep = text.rfind("1")
    if sep < 1 or sep + 7 > len(text):
        raise Bech32Error("missing separator or checksum")
    hrp, rest = text[:sep], text[sep + 1:]
    if any(c not in _CHARSET_INDEX for c in rest):
        raise Bech32Error("invalid character")
    words = [_CHARSET_INDEX[c] for c in rest]
    if _polymod(_hrp_expand(hrp) + words) != 1:
        raise Bech32Error("checksum mismatch")
    return hrp, bytes(convert_bits(words[:-6], 5, 8, False))
