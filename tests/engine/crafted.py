"""Crafted weights for memory tests: a valid V1 header over a sparse data region (no disk, no RAM)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from soma_desktop.engine.architecture import Architecture, expected_shapes


def write_sparse_model(path: Path, arch: Architecture) -> Path:
    """A canonical header for `arch`; the data region is a hole of the right size (reads return zeros)."""
    entries, offset = {}, 0
    for name, shape in expected_shapes(arch).items():
        count = 1
        for dim in shape:
            count *= dim
        entries[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + 4 * count]}
        offset += 4 * count
    header = json.dumps(entries).encode()
    header += b" " * (-len(header) % 8)
    with path.open("wb") as handle:
        handle.write(struct.pack("<Q", len(header)) + header)
        handle.truncate(8 + len(header) + offset)
    return path


HUGE_FFN = Architecture(embedding_dim=16, num_layers=48, num_heads=8, ffn_dim=2**20)
