"""Engine fixtures: tiny canonical V1 weight files written with the engine's own writer."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))  # for reference.py

from soma_desktop.engine.architecture import Architecture  # noqa: E402
from soma_desktop.engine.model import V1Model  # noqa: E402
from soma_desktop.engine.weights import save_model  # noqa: E402

TINY = Architecture(embedding_dim=32, num_layers=2, num_heads=4, ffn_dim=64)


def write_model(path: Path, arch: Architecture = TINY, seed: int = 0, std: float = 0.08) -> Path:
    model = V1Model(arch).init_random(torch.Generator().manual_seed(seed), std=std)
    with torch.no_grad():  # non-trivial norms and biases so every parameter matters in parity checks
        for name, param in model.named_parameters():
            if name.endswith(("beta", "bias")):
                param.normal_(0.0, 0.05, generator=torch.Generator().manual_seed(seed + len(name)))
            elif name.endswith("gamma"):
                param.uniform_(0.8, 1.2, generator=torch.Generator().manual_seed(seed + len(name)))
    save_model(model, path)
    return path


@pytest.fixture(scope="session")
def weights_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("weights")


@pytest.fixture(scope="session")
def tiny_weights(weights_dir) -> Path:
    return write_model(weights_dir / "tiny.safetensors")


@pytest.fixture(scope="session")
def tiny_weights_b(weights_dir) -> Path:
    return write_model(weights_dir / "tiny_b.safetensors", seed=7)


@pytest.fixture(scope="session")
def tiny_model(tiny_weights):
    from soma_desktop.engine.weights import load_model

    return load_model(tiny_weights, num_heads=TINY.num_heads, device="cpu")


def random_bytes(size: int, seed: int = 1) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8).tobytes()


@pytest.fixture(autouse=True)
def single_thread_torch():
    """Tiny models gain nothing from intra-op threads, and on a busy CI box thread barriers dominate."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
