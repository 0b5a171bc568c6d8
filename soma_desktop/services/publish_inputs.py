"""Wizard inputs checked off the GUI thread: the weights pre-check, an imported embedding, a corpus embedding.

Qt-free and torch-free. `precheck_weights` reads only the safetensors header; `corpus_embedding` runs in the
evaluation worker process (soma_desktop.evalworker), which alone imports torch.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from soma_desktop.core.regular_file import NotRegularFile, read_regular
from soma_desktop.engine.architecture import Architecture, infer_architecture
from soma_desktop.engine.errors import WeightsError
from soma_desktop.engine.header import read_header
from soma_desktop.protocol.limits import MAX_DATA_SIZE

SUPPORTED_ARCHITECTURE = 1            # the only model architecture this app can check and evaluate (V1)
MAX_EMBEDDING_JSON = 4 * 1024 * 1024
PIECE_BYTES = MAX_DATA_SIZE           # the network scores at most 1 MiB per submission
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
                     cancel: threading.Event | None = None,
                     progress: Callable[[int, int], None] | None = None) -> list[float]:
    """The model's registration embedding on its corpus (engine: normalised mean data embedding), computed
    by the evaluation worker process; `progress(files done, files total)` after each file. Blocks."""
    from soma_desktop.evalworker import EmbedRequest, shared_client

    def on_reply(reply) -> None:
        if reply.kind == "progress" and progress is not None:
            progress(reply.payload[0], reply.payload[1])
    return shared_client().call(EmbedRequest(str(weights), str(folder), dim), on_reply=on_reply, cancel=cancel)
