"""The publish wizard's weights pre-check: the safetensors header only, against the network's architecture.

Torch-free: reads the header (engine/header.py) and infers the architecture from the tensor shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from soma_desktop.engine.architecture import Architecture, infer_architecture
from soma_desktop.engine.errors import WeightsError
from soma_desktop.engine.header import read_header

SUPPORTED_ARCHITECTURE = 1            # the only model architecture this app can check and evaluate (V1)


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
