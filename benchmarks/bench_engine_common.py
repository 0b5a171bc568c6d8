"""Shared helpers for the engine benchmarks: synthetic canonical weight files and sample text."""

from __future__ import annotations

import json
import struct
import sys
import sysconfig
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from soma_desktop.engine.architecture import Architecture, expected_shapes  # noqa: E402


def sample_text(size: int) -> bytes:
    """Real text: the Python standard library's own sources, concatenated in sorted order."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    out = bytearray()
    for path in sorted(stdlib.glob("*.py")):
        out += path.read_bytes()
        if len(out) >= size:
            break
    return bytes(out[:size])


def synthesize_weights(path: Path, arch: Architecture, seed: int = 0, std: float = 0.02,
                       block_bytes: int = 64 << 20) -> int:
    """Stream a canonical F32 file to disk without holding it: gammas 1, betas/biases 0, matrices N(0, std)
    drawn from one random block reused cyclically (enough for load and speed measurements)."""
    shapes = expected_shapes(arch)
    header, offset = {}, 0
    for name, shape in sorted(shapes.items()):
        size = int(np.prod(shape)) * 4
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-(8 + len(raw)) % 8)  # keep the data region 8-byte aligned like safetensors writers
    block = np.random.default_rng(seed).normal(0.0, std, block_bytes // 4).astype(np.float32).tobytes()
    with path.open("wb") as handle:
        handle.write(struct.pack("<Q", len(raw)) + raw)
        for name, shape in sorted(shapes.items()):
            size = int(np.prod(shape)) * 4
            if name.endswith("gamma"):
                handle.write(np.ones(size // 4, dtype=np.float32).tobytes())
            elif name.endswith(("beta", "bias")):
                handle.write(bytes(size))
            else:
                written = 0
                while written < size:
                    piece = block[: min(len(block), size - written)]
                    handle.write(piece)
                    written += len(piece)
    return path.stat().st_size
