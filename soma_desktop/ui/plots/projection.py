"""Deterministic 2-D PCA of unit-normalised embeddings (only directions matter for cosine distance)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Projection:
    mean: np.ndarray        # [D]
    axes: np.ndarray        # [2, D]
    explained: tuple[float, float]   # fraction of variance per axis

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        return (unit_rows(vectors) - self.mean) @ self.axes.T


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    v = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)


def fit_pca(vectors: np.ndarray) -> Projection | None:
    """PCA fitted on `vectors` (targets + models). Each axis's sign is fixed so its largest-magnitude
    coefficient is positive, making the picture identical across runs. None with fewer than 2 points."""
    v = unit_rows(vectors)
    if v.shape[0] < 2:
        return None
    mean = v.mean(axis=0)
    centred = v - mean
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    axes = np.zeros((2, v.shape[1]))
    count = min(2, vt.shape[0])
    axes[:count] = vt[:count]
    for row in axes:
        pivot = int(np.argmax(np.abs(row)))
        if row[pivot] < 0:
            row *= -1
    variance = singular ** 2
    total = float(variance.sum()) or 1.0
    explained = tuple(float(variance[i] / total) if i < variance.size else 0.0 for i in range(2))
    return Projection(mean, axes, explained)  # type: ignore[arg-type]
