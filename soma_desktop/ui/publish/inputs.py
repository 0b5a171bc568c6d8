"""Wizard inputs checked off the GUI thread: the weights pre-check, an imported embedding, a corpus embedding.

Qt-free. `precheck_weights` reads only the safetensors header (torch-free); `corpus_embedding` imports the
engine (torch) inside the worker thread that calls it.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path

from soma_desktop.engine.architecture import Architecture, infer_architecture
from soma_desktop.engine.errors import WeightsError
from soma_desktop.core.regular_file import NotRegularFile, read_regular
from soma_desktop.engine.header import read_header

SUPPORTED_ARCHITECTURE = 1            # the only model architecture this app can check and evaluate (V1)
MAX_EMBEDDING_JSON = 4 * 1024 * 1024
PIECE_BYTES = 1_048_576               # the network scores at most 1 MiB per submission
MAX_CORPUS_BYTES = 64 * 1024 * 1024
MAX_CORPUS_FILES = 4096


@dataclass(frozen=True)
class WeightsCheck:
    path: Path
    size: int
    architecture: Architecture

    def summary(self) -> str:
        a = self.architecture
        return (f"V1 model: D={a.embedding_dim}, {a.num_layers} layers, {a.num_heads} heads, FFN {a.ffn_dim}, "
                f"{a.num_parameters:,} parameters, {self.size:,} bytes")


def precheck_weights(path: Path | str, architecture_version: int) -> WeightsCheck:
    """Validate the header against the network's architecture; raises WeightsError with one line."""
    if architecture_version != SUPPORTED_ARCHITECTURE:
        raise WeightsError(f"this network expects architecture version {architecture_version}; "
                           f"this app checks version {SUPPORTED_ARCHITECTURE} weights only")
    header = read_header(path)
    arch = infer_architecture(header)
    return WeightsCheck(Path(path), header.file_size, arch)


def load_embedding_json(path: Path | str, dim: int) -> list[float]:
    """A JSON list of `dim` finite numbers (or {"embedding": [...]}) from a small file."""
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


def corpus_pieces(folder: Path | str) -> list[bytes]:
    """Files of `folder` (not recursive, no hidden files) cut into ≤ 1 MiB pieces, at most 64 MiB in all."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    pieces: list[bytes] = []
    total = 0
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))[:MAX_CORPUS_FILES]
    for path in files:
        with open(path, "rb") as handle:
            while total < MAX_CORPUS_BYTES and (piece := handle.read(min(PIECE_BYTES, MAX_CORPUS_BYTES - total))):
                pieces.append(piece)
                total += len(piece)
    if not pieces:
        raise ValueError(f"{folder.name} holds no data files")
    return pieces


def corpus_embedding(weights: Path | str, folder: Path | str, dim: int,
                     cancel: threading.Event | None = None) -> list[float]:
    """The model's registration embedding on its corpus (engine: normalised mean data embedding)."""
    from soma_desktop.engine.scorer import suggest_model_embedding
    from soma_desktop.engine.weights import load_model

    pieces = corpus_pieces(folder)
    model = load_model(weights, device="cpu")
    if model.architecture.embedding_dim != dim:
        raise ValueError(f"the model's embeddings have {model.architecture.embedding_dim} dimensions; "
                         f"this network's targets have {dim}. Import an embedding instead.")
    vector = suggest_model_embedding(model, pieces, cancel=cancel)
    return [float(v) for v in vector.tolist()]
