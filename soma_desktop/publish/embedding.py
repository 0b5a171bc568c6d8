"""Model embedding input: exact f32 little-endian bytes, checked against the network's dimension."""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence

from soma_desktop.core import crypto


class EmbeddingError(ValueError):
    """The embedding cannot be committed (wrong dimension, NaN/inf, malformed bytes)."""


def embedding_to_f32(value: bytes | bytearray | memoryview | Sequence[float], dim: int) -> bytes:
    """Return the exact f32 LE bytes to store, commit and reveal.

    Bytes are taken as-is (already f32 LE); floats are rounded to f32 once, here, so the journal holds the
    values the chain will hash (security.md §3: never re-parse decimal text later).
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        if len(raw) % 4:
            raise EmbeddingError(f"embedding bytes must be a multiple of 4 (f32), got {len(raw)}")
    else:
        try:
            raw = crypto.f32_bytes(float(v) for v in value)
        except (TypeError, ValueError, OverflowError, struct.error) as exc:
            raise EmbeddingError(f"embedding values must be numbers: {exc}") from None
    count = len(raw) // 4
    if count == 0:
        raise EmbeddingError("embedding is empty")
    if count != dim:
        raise EmbeddingError(f"embedding has {count} values; this network needs exactly {dim}")
    values = struct.unpack(f"<{count}f", raw)
    if not all(math.isfinite(v) for v in values):
        raise EmbeddingError("embedding contains NaN or infinite values")
    if not any(values):
        raise EmbeddingError("embedding is all zeros; it would never be selected for targets")
    return raw


def f32_values(raw: bytes) -> tuple[float, ...]:
    return struct.unpack(f"<{len(raw) // 4}f", raw)
