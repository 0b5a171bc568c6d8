"""Exports built from the results arrays (Qt-free; run off the GUI thread).

- results JSON: exactly the schema of `soma-desktop eval --json` (one entry per finished file);
- per-byte NLL CSV: `model, offset, byte, nll_nats, bits, chunk` (EOS rows have byte `EOS`).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from soma_desktop.core.storage import atomic_write_text
from soma_desktop.services.evaluate.results import LN2, RunResults, cosine_distance


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def results_json(results: RunResults, target: np.ndarray | None = None) -> dict[str, Any]:
    """{"results": [...]} like the CLI; `distance` is to `target` (the CLI's --target-embedding) or null."""
    out = []
    for track in results.files:
        if not track.complete:
            continue
        models = []
        for model in track.models:
            distance = None
            if target is not None and model.embedding is not None:
                distance = _finite(cosine_distance(model.embedding, target))
            embedding = [] if model.embedding is None else [_finite(v) for v in model.embedding.tolist()]
            models.append({
                "weights": model.weights_path or model.ref.weights, "loss": _finite(model.loss),
                "cross_entropy": _finite(model.cross_entropy), "sigreg": _finite(model.sigreg),
                "bits_per_byte": _finite(model.bits_per_byte),
                "embedding": embedding, "distance": distance,
                "per_byte_nll": [None if math.isnan(v) else v for v in model.nll.tolist()]})
        out.append({"file": str(track.path), "size": track.size, "winner": track.winner, "models": models})
    return {"results": out}


def write_results_json(path: Path, results: RunResults, target: np.ndarray | None = None) -> int:
    payload = results_json(results, target)
    atomic_write_text(path, json.dumps(payload, allow_nan=False) + "\n", mode=0o644)
    return len(payload["results"])


def per_byte_csv(results: RunResults, file_index: int) -> str:
    """One row per (model, offset) that has a value; offset == size is the EOS prediction."""
    track = results.files[file_index]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["model", "offset", "byte", "nll_nats", "bits", "chunk"])
    data = np.frombuffer(track.data, dtype=np.uint8)
    for model in track.models:
        offsets = np.flatnonzero(~np.isnan(model.nll))
        for offset in offsets.tolist():
            nats = float(model.nll[offset])
            byte = "EOS" if offset == track.size else str(int(data[offset]))
            writer.writerow([model.ref.label, offset, byte, f"{nats:.7g}", f"{nats / LN2:.7g}",
                             (offset - 1) // 1024])
    return buffer.getvalue()


def write_per_byte_csv(path: Path, results: RunResults, file_index: int) -> None:
    atomic_write_text(path, per_byte_csv(results, file_index), mode=0o644)
