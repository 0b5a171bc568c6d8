"""Model embedding input: exact f32 little-endian bytes, checked against the network's dimension."""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Sequence
from pathlib import Path

from soma_desktop.core import crypto
from soma_desktop.core.regular_file import NotRegularFile, read_regular

MAX_EMBEDDING_JSON = 4 * 1024 * 1024


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


def load_embedding_json(path: Path | str, dim: int) -> list[float]:
    """A JSON list of `dim` finite numbers (or {"embedding": [...]}) from a small file (the wizard's import)."""
    path = Path(path)
    try:
        raw = read_regular(path, MAX_EMBEDDING_JSON + 1)   # a device or FIFO would read forever or block
    except NotRegularFile as exc:
        raise ValueError(str(exc)) from None
    if len(raw) > MAX_EMBEDDING_JSON:
        raise ValueError(f"{path.name} is over {MAX_EMBEDDING_JSON:,} bytes, the limit for an embedding file")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError(f"{path.name} is not valid JSON: {str(exc).splitlines()[0][:120]}") from None
    if isinstance(data, dict):
        data = data.get("embedding")
    if not isinstance(data, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in data):
        raise ValueError(f"{path.name} must hold a JSON list of numbers")
    if len(data) != dim:
        raise ValueError(f"{path.name} has {len(data)} values; this network needs exactly {dim}")
    if not all(math.isfinite(float(v)) for v in data):
        raise ValueError(f"{path.name} contains NaN or infinite values")
    return [float(v) for v in data]
