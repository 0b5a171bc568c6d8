"""Cosine distance and the hit rule (protocol.md §5.3, §5.6; scoring.md §7; `models/src/cosine_distance.rs`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


class EmbeddingLengthMismatch(ValueError):
    """Two embeddings of different lengths: no distance exists (the chain's SubmitData refuses it too)."""

    def __init__(self, left: int, right: int):
        super().__init__(f"embedding lengths differ: {left} values vs {right}; the distance needs equal lengths")
        self.left, self.right = left, right


def cosine_distance(a: np.ndarray, b: np.ndarray) -> float:
    """1 − â·b̂ in f32 like the network's scorer; NaN for a zero vector; raises on a length mismatch."""
    a32 = np.asarray(a, dtype=np.float32).reshape(-1)
    b32 = np.asarray(b, dtype=np.float32).reshape(-1)
    if a32.size != b32.size:
        raise EmbeddingLengthMismatch(a32.size, b32.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.float32(1.0) - np.dot(a32 / np.linalg.norm(a32), b32 / np.linalg.norm(b32)))


def selection_weights(stakes: Sequence[int]) -> list[float]:
    """Each model's voting power in target model selection: vp_i = sqrt(s_i) / Σ_j sqrt(s_j), f64 then f32 on
    chain; 1/N each when every stake is 0 (protocol.md §5.3, `model_selection.rs:116-134`)."""
    roots = [math.sqrt(max(s, 0)) for s in stakes]
    total = sum(roots)
    return [r / total if total > 0 else 1.0 / len(roots) for r in roots]


def f32(value: float) -> float:
    """The value as the chain stores it (an f32 scalar)."""
    return float(np.float32(value))


def would_hit(distance: float, threshold: float) -> bool:
    """SubmitData check 5: the claimed distance ≤ the target's threshold, compared in f32 (equality passes)."""
    return not math.isnan(distance) and bool(np.float32(distance) <= np.float32(threshold))
